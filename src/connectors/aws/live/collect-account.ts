/**
 * One account of `collect aws`, start to end: who is calling, the account folder and its
 * manifest (first unfinished), IAM, the trail, then side by side the usage evidence, Access
 * Advisor and the credential report, then the account's warnings, and the manifest last,
 * finished. The sources themselves are read by the collect-*.ts modules beside this one.
 */

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { GetCallerIdentityCommandOutput } from '@aws-sdk/client-sts';
import { PermdriftError } from '../../../model/errors.js';
import type { ReportWarning } from '../../../model/report.js';
import { writeFileAtomic } from '../../shared/atomic-file.js';
import { ManifestFile, ManifestRecorder } from '../../shared/collect-manifest-recorder.js';
import { sortWarnings } from '../../shared/collect-warnings-file.js';
import { assertFreshFolder } from '../../shared/fresh-folder.js';
import { COLLECT_WARNINGS_FILE } from '../snapshot.js';
import type { AwsClients } from './clients.js';
import { stringify } from './cli-json.js';
import type { CollectAwsOptions, CollectAwsResult } from './collect.js';
import { collectAdvisor } from './collect-access-advisor.js';
import type { AccountContext } from './collect-context.js';
import { recordCredentialReport } from './collect-credential-report.js';
import { callerIdentity, collectAuthDetails } from './collect-identity.js';
import { credentialsRethrower } from './collect-problem.js';
import { progressBoard } from './collect-progress.js';
import { collectTrail } from './collect-trail.js';
import { archiveLocation, collectUsage } from './collect-usage.js';

const CALLER_IDENTITY_FILE = 'sts-get-caller-identity.json';

const stemOf = (file: string): string => file.replace(/\.json$/, '');

/** The account `clients` reach, its status line drawn while it is collected. */
export async function collectAccount(
  clients: AwsClients,
  region: string,
  opts: CollectAwsOptions,
  emit: (m: string) => void,
  started: number,
): Promise<CollectAwsResult> {
  let accountLabel = 'AWS';
  const board = progressBoard(() => accountLabel, clients, emit, opts.onProgress !== undefined);
  try {
    return await collectWithBoard(clients, region, opts, board.set, started, (label) => (accountLabel = label));
  } finally {
    board.stop();
  }
}

async function collectWithBoard(
  clients: AwsClients,
  region: string,
  opts: CollectAwsOptions,
  board: (step: string, text: string) => void,
  started: number,
  setLabel: (label: string) => void,
): Promise<CollectAwsResult> {
  const now = opts.now ?? (() => new Date());
  const startedAt = now();
  const warnings: ReportWarning[] = [];
  const retriesBefore = clients.activity.retries;
  const progress = (m: string): void => board('main', m);

  // Who is calling, first: it proves the credentials work and names the account folder.
  const identityAt = now();
  const identity = await callerIdentity(clients, opts.profile);
  const { ctx, manifestFile } = await openAccountFolder(clients, region, opts, identity, warnings, now, startedAt);
  await ctx.record(CALLER_IDENTITY_FILE, identity, identityAt);
  setLabel(ctx.account);
  progress(`as ${identity.Arn ?? 'unknown'}`);

  // IAM: the one required file; without it there is nothing to audit.
  const auth = await collectAuthDetails(ctx, progress);
  await manifestFile.checkpoint();
  progress(`IAM ${auth.RoleDetailList.length} roles, ${auth.UserDetailList.length} users`);

  // CloudTrail: which trail, what it records, whether it logs.
  const trail = await collectTrail(ctx);

  // A usage error (s3 asked for, no bucket known) must come before the side-by-side steps start.
  const location = archiveLocation(opts, trail);
  const usage = collectUsage(ctx, location, (m) => board('usage', m)).then(
    async (source) => {
      // The logs' spans are recorded: an interrupt from here on keeps them.
      await manifestFile.checkpoint();
      return source;
    },
    (err: unknown) => {
      ctx.rethrowCredentials(err);
      throw err;
    },
  );
  const advisor = opts.isAccessAdvisorWanted === false ? Promise.resolve() : collectAdvisor(ctx, auth, (m) => board('advisor', m));
  const credReport = opts.isCredentialReportWanted === false ? Promise.resolve() : recordCredentialReport(ctx);
  const [usageSource] = await Promise.all([usage, advisor, credReport]);

  sortWarnings(warnings);
  await writeFileAtomic(
    join(ctx.accountDir, COLLECT_WARNINGS_FILE),
    stringify({ warnings: warnings.map(({ code, message }) => ({ code, message })) }),
    opts.trackTemp,
  );
  // Last, once everything it describes is on disk.
  await manifestFile.finish();
  return {
    account: ctx.account,
    identityArn: identity.Arn ?? '',
    accountDir: ctx.accountDir,
    usageSource,
    warnings,
    requests: clients.stats.total,
    retries: clients.activity.retries - retriesBefore,
    requestsByOperation: Object.fromEntries([...clients.stats.byOperation].sort(([a], [b]) => (a < b ? -1 : 1))),
    elapsedMs: Date.now() - started,
  };
}

/** The account folder, new and empty, with its manifest written first (unfinished); the context the steps share. */
async function openAccountFolder(
  clients: AwsClients,
  region: string,
  opts: CollectAwsOptions,
  identity: GetCallerIdentityCommandOutput,
  warnings: ReportWarning[],
  now: () => Date,
  startedAt: Date,
): Promise<{ ctx: AccountContext; manifestFile: ManifestFile }> {
  const account = identity.Account ?? '';
  if (!/^\d{12}$/.test(account))
    throw new PermdriftError('PROVIDER', `sts:GetCallerIdentity returned no account id`, 'check AWS_ENDPOINT_URL points at AWS or a faithful emulator');
  const accountDir = join(opts.outDir, 'aws', account);
  await assertFreshFolder(accountDir);
  await mkdir(join(accountDir, 'cloudtrail'), { recursive: true });
  const manifest = new ManifestRecorder('aws', account, { start: opts.windowStart, end: opts.asOf }, now, startedAt);
  const manifestFile = new ManifestFile(accountDir, manifest, opts.trackTemp);
  // First: until the end says otherwise, this folder is an unfinished collection.
  await manifestFile.checkpoint();
  const ctx: AccountContext = {
    clients,
    opts,
    account,
    region,
    accountDir,
    manifest,
    now,
    warn: (code, message) => void warnings.push({ code, message, account }),
    rethrowCredentials: credentialsRethrower(opts.profile),
    /** Writes a file and records in the manifest when it was read. */
    record: async (name, value, at) => {
      await writeFileAtomic(join(accountDir, name), stringify(value), opts.trackTemp);
      manifest.sourceRead(stemOf(name), at);
    },
  };
  return { ctx, manifestFile };
}
