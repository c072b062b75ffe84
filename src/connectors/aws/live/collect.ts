/**
 * `collect aws`: reads one account through the SDK and writes it in the offline snapshot layout
 * (README "Snapshot layout"), so a live scan is a collection followed by the same `scan files` code
 * path, and the snapshot can be replayed, diffed and attached to a ticket. Nothing is written to
 * the account: every call is a read (the Generate* calls start IAM report jobs, see docs/live-aws.md).
 *
 * Each account folder has `collect-manifest.json` (../../shared/collect-manifest-recorder.ts): when each
 * file was read, and per region which span of the logs was read in full and which was not. It is
 * written first with `complete: false`, and with `complete: true` once everything else is on disk;
 * every other file takes its final name only when whole (../../shared/atomic-file.ts), so an interrupted
 * collection leaves whole files and a manifest that says it did not finish.
 */

import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { Trail } from '@aws-sdk/client-cloudtrail';
import { PermdriftError, UsageError } from '../../../model/errors.js';
import type { ReportWarning } from '../../../model/report.js';
import { AUTH_DETAILS_FILE, COLLECT_WARNINGS_FILE, CREDENTIAL_REPORT_FILE, DESCRIBE_TRAILS_FILE, EVENT_SELECTORS_FILE } from '../snapshot.js';
import { TRAIL_STATUS_FILE } from '../delivery-files.js';
import { ManifestFile, ManifestRecorder } from '../../shared/collect-manifest-recorder.js';
import { writeFileAtomic, type TempTracker } from '../../shared/atomic-file.js';
import { assertFreshFolder } from '../../shared/fresh-folder.js';
import { type CallTimeouts } from '../../shared/call-timeouts.js';
import { awsErrorCode, credentialsError, errorMessage, isAccessDenied, isCredentialsError } from './aws-errors.js';
import { AwsClients, resolveDefaultRegion } from './clients.js';
import { stringify } from './cli-json.js';
import { chooseTrail, describeTrails, getEventSelectors, getTrailStatus } from './cloudtrail.js';
import { collectCredentialReport, getAuthorizationDetails, type PollOptions } from './iam.js';
import { collectAdvisor } from './collect-access-advisor.js';
import { listOrganizationAccounts } from './collect-org.js';
import { deniedMessage, POLICY_HINT, requiredCallFailure } from './collect-problem.js';
import { progressBoard } from './collect-progress.js';
import { archiveLocation, collectUsage } from './collect-usage.js';

const CALLER_IDENTITY_FILE = 'sts-get-caller-identity.json';
/** Where usage evidence comes from (`--cloudtrail-source`): `auto` reads the S3 archive when a trail names one, else LookupEvents. */
export const CLOUDTRAIL_SOURCES = ['auto', 's3', 'lookup-events', 'none'] as const;
export type CloudTrailSource = (typeof CLOUDTRAIL_SOURCES)[number];

const stemOf = (file: string): string => file.replace(/\.json$/, '');

export interface CollectAwsOptions {
  /** The snapshot folder; the account lands in `<outDir>/aws/<account-id>/`. */
  outDir: string;
  profile?: string;
  /** Regions for LookupEvents (the S3 archive is always read for every region); empty = defaults (see docs). */
  regions: string[];
  windowStart: Date;
  asOf: Date;
  cloudTrailSource: CloudTrailSource;
  /** `s3://bucket/prefix` overriding the trail's bucket. */
  cloudTrailS3?: string;
  isAccessAdvisorWanted?: boolean;
  isCredentialReportWanted?: boolean;
  maxAttempts?: number;
  s3Concurrency?: number;
  accessAdvisorJobs?: number;
  accessAdvisorPoll?: PollOptions;
  credentialReportPoll?: PollOptions;
  lookupEventsRate?: number;
  /** Page guard of S3 listings (default 100,000; tests lower it). */
  maxListPages?: number;
  /** The clock, for the manifest's times (default: the system clock). */
  now?: () => Date;
  /** Connection, request and retry-budget limits of every call (default DEFAULT_CALL_TIMEOUTS). */
  timeouts?: CallTimeouts;
  /** Registers each temp file (and nothing else) for removal on an interrupt. */
  trackTemp?: TempTracker;
  onProgress?: (message: string) => void;
}

export interface CollectAwsResult {
  account: string;
  identityArn: string;
  accountDir: string;
  /** What usage was read from, e.g. `s3://bucket/prefix`, `lookup-events (us-east-1, eu-west-1)`, `none`. */
  usageSource: string;
  warnings: ReportWarning[];
  requests: number;
  /** Attempts retried (timeouts, throttling, 5xx) across the collection's calls. */
  retries: number;
  requestsByOperation: Record<string, number>;
  elapsedMs: number;
}

function clientOptions(opts: CollectAwsOptions): ConstructorParameters<typeof AwsClients>[0] {
  return {
    ...(opts.profile ? { profile: opts.profile } : {}),
    maxAttempts: opts.maxAttempts ?? 6,
    lookupEventsRate: opts.lookupEventsRate ?? 1.9,
    ...(opts.timeouts ? { timeouts: opts.timeouts } : {}),
  };
}

export async function collectAws(opts: CollectAwsOptions): Promise<CollectAwsResult> {
  const started = Date.now();
  const progress = opts.onProgress ?? (() => undefined);
  const region = opts.regions[0] ?? (await resolveDefaultRegion(opts.profile));
  const clients = new AwsClients(clientOptions(opts), region);
  try {
    return await collectWith(clients, region, opts, progress, started);
  } finally {
    clients.destroy();
  }
}

async function collectWith(
  clients: AwsClients,
  region: string,
  opts: CollectAwsOptions,
  emit: (m: string) => void,
  started: number,
): Promise<CollectAwsResult> {
  let accountLabel = 'AWS';
  const board = progressBoard(() => accountLabel, clients, emit, opts.onProgress !== undefined);
  try {
    return await collectAccount(clients, region, opts, board.set, started, (label) => (accountLabel = label));
  } finally {
    board.stop();
  }
}

async function collectAccount(
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
  const warn = (code: string, message: string): void => {
    warnings.push({ code, message, account });
  };

  // Who is calling, first: it proves the credentials work and names the account folder.
  let identity;
  const identityAt = now();
  try {
    identity = await clients.sts().send(new GetCallerIdentityCommand({}));
  } catch (err) {
    if (isCredentialsError(err)) throw credentialsError(err, opts.profile);
    throw requiredCallFailure('sts:GetCallerIdentity', err, 'check the network, the region and AWS_ENDPOINT_URL, then try again');
  }
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
  const write = (name: string, value: unknown): Promise<void> => writeFileAtomic(join(accountDir, name), stringify(value), opts.trackTemp);
  /** Writes a file and records in the manifest when it was read. */
  const record = async (name: string, value: unknown, at: Date): Promise<void> => {
    await write(name, value);
    manifest.sourceRead(stemOf(name), at);
  };
  await record(CALLER_IDENTITY_FILE, identity, identityAt);
  setLabel(account);
  progress(`as ${identity.Arn ?? 'unknown'}`);

  const rethrowCredentials = (err: unknown): void => {
    if (isCredentialsError(err)) throw credentialsError(err, opts.profile);
  };

  // IAM: the one required file; without it there is nothing to audit.
  let auth;
  const authAt = now();
  try {
    auth = await getAuthorizationDetails(clients.iam(), (pages) => progress(`IAM authorization details: page ${pages}`));
  } catch (err) {
    rethrowCredentials(err);
    throw requiredCallFailure(
      'iam:GetAccountAuthorizationDetails',
      err,
      isAccessDenied(err) ? POLICY_HINT : 'try again later; throttling and 5xx errors were already retried',
    );
  }
  await record(AUTH_DETAILS_FILE, auth, authAt);
  await manifestFile.checkpoint();
  progress(`IAM ${auth.RoleDetailList.length} roles, ${auth.UserDetailList.length} users`);

  // CloudTrail: which trail, what it records, whether it logs.
  let trail: Trail | undefined;
  try {
    const at = now();
    const trails = await describeTrails(clients.cloudTrail(region));
    await record(DESCRIBE_TRAILS_FILE, { trailList: trails }, at);
    trail = chooseTrail(trails);
    if (!trail) warn('cloudtrail-no-trail', `no CloudTrail trail in ${region}: only LookupEvents (management events, 90 days) can show usage`);
  } catch (err) {
    rethrowCredentials(err);
    warn('cloudtrail-describe-failed', deniedMessage('cloudtrail:DescribeTrails', 'trail coverage is assumed (multi-region, default selectors)', err));
  }
  if (trail?.TrailARN) {
    const ct = clients.cloudTrail(trail.HomeRegion ?? region);
    try {
      const at = now();
      await record(EVENT_SELECTORS_FILE, await getEventSelectors(ct, trail.TrailARN), at);
    } catch (err) {
      rethrowCredentials(err);
      warn('cloudtrail-selectors-failed', deniedMessage('cloudtrail:GetEventSelectors', 'the trail is assumed to record management events only', err));
    }
    try {
      const at = now();
      const status = await getTrailStatus(ct, trail.TrailARN);
      await record(TRAIL_STATUS_FILE, status, at);
      if (status['IsLogging'] === false)
        warn('cloudtrail-not-logging', `trail ${trail.Name ?? trail.TrailARN} is not logging: its archive stops at the last delivery`);
      // Logging that began inside the window bounds the evidence: nothing before it was recorded.
      const since = status['StartLoggingTime'];
      if (since instanceof Date && since.getTime() > opts.windowStart.getTime()) {
        warn(
          'cloudtrail-logging-started-late',
          `trail ${trail.Name ?? trail.TrailARN} started logging at ${since.toISOString()}, after the window start ${opts.windowStart.toISOString()}: usage before it was not recorded`,
        );
      }
    } catch (err) {
      rethrowCredentials(err);
      warn('cloudtrail-status-failed', deniedMessage('cloudtrail:GetTrailStatus', 'whether the trail is logging is unknown', err));
    }
  }

  // A usage error (s3 asked for, no bucket known) must come before the side-by-side steps start.
  const location = archiveLocation(opts, trail);
  const usage = collectUsage(clients, opts, { account, region, trail, location, accountDir, warn, manifest, now, progress: (m) => board('usage', m) }).then(
    async (source) => {
      // The logs' spans are recorded: an interrupt from here on keeps them.
      await manifestFile.checkpoint();
      return source;
    },
    (err: unknown) => {
      rethrowCredentials(err);
      throw err;
    },
  );
  const advisor =
    opts.isAccessAdvisorWanted === false
      ? Promise.resolve()
      : (async () => {
          const at = now();
          const written = await collectAdvisor(clients, opts, auth, accountDir, warn, (m) => board('advisor', m), rethrowCredentials);
          if (written > 0) manifest.sourceRead('access-advisor', at);
        })();
  const credReport =
    opts.isCredentialReportWanted === false
      ? Promise.resolve()
      : (async () => {
          const at = now();
          const r = await collectCredentialReport(clients.iam(), opts.credentialReportPoll ?? { initialMs: 1000, maxMs: 5000, timeoutMs: 120_000 });
          if (r.isOk) {
            // IAM serves a report up to four hours old: its data is as of GeneratedTime, not of the call.
            const generated = r.report['GeneratedTime'];
            await record(CREDENTIAL_REPORT_FILE, r.report, generated instanceof Date && generated.getTime() < at.getTime() ? generated : at);
            return;
          }
          rethrowCredentials(r.error);
          warn(
            'credential-report-failed',
            r.error
              ? deniedMessage('iam:GenerateCredentialReport/GetCredentialReport', 'access-key staleness is judged without it', r.error)
              : `credential report: ${r.reason}`,
          );
        })();
  const [usageSource] = await Promise.all([usage, advisor, credReport]);

  warnings.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : a.message < b.message ? -1 : 1));
  await write(COLLECT_WARNINGS_FILE, { warnings: warnings.map(({ code, message }) => ({ code, message })) });
  // Last, once everything it describes is on disk.
  await manifestFile.finish();
  return {
    account,
    identityArn: identity.Arn ?? '',
    accountDir,
    usageSource,
    warnings,
    requests: clients.stats.total,
    retries: clients.activity.retries - retriesBefore,
    requestsByOperation: Object.fromEntries([...clients.stats.byOperation].sort(([a], [b]) => (a < b ? -1 : 1))),
    elapsedMs: Date.now() - started,
  };
}

export interface CollectAccountsOptions extends CollectAwsOptions {
  /** `org` = every ACTIVE account of the organization (ListAccounts); else these account ids. */
  accounts: 'org' | string[];
  /** The role assumed in each account other than the caller's. */
  assumeRoleName: string;
}

export interface CollectAccountsResult {
  collected: CollectAwsResult[];
  /** Accounts that could not be read; also written as warnings into the first collected account's collect-warnings.json. */
  failed: { account: string; code: string; message: string }[];
  requests: number;
  retries: number;
  elapsedMs: number;
}

/**
 * Several accounts: the caller's own with its credentials, every other one through
 * `--assume-role-name`. One account failing (the role missing, AssumeRole denied, a required call
 * refused) is a warning and the others go on; only failing credentials of the caller stop the run.
 */
export async function collectAwsAccounts(opts: CollectAccountsOptions): Promise<CollectAccountsResult> {
  const started = Date.now();
  const progress = opts.onProgress ?? (() => undefined);
  const region = opts.regions[0] ?? (await resolveDefaultRegion(opts.profile));
  const base = new AwsClients(clientOptions(opts), region);
  const all: AwsClients[] = [base];
  try {
    let caller;
    try {
      caller = await base.sts().send(new GetCallerIdentityCommand({}));
    } catch (err) {
      if (isCredentialsError(err)) throw credentialsError(err, opts.profile);
      throw requiredCallFailure('sts:GetCallerIdentity', err, 'check the network, the region and AWS_ENDPOINT_URL, then try again');
    }
    const partition = (caller.Arn ?? 'arn:aws:').split(':')[1] ?? 'aws';
    const ids = opts.accounts === 'org' ? await listOrganizationAccounts(base, opts.profile) : [...new Set(opts.accounts)];
    for (const id of ids) {
      if (!/^\d{12}$/.test(id)) throw new UsageError(`invalid account id "${id}"`, 'pass 12-digit account ids: --accounts 111122223333,444455556666');
    }
    const collected: CollectAwsResult[] = [];
    const failed: CollectAccountsResult['failed'] = [];
    for (const [i, id] of ids.entries()) {
      progress(`account ${i + 1}/${ids.length}: ${id}`);
      const roleArn = `arn:${partition}:iam::${id}:role/${opts.assumeRoleName}`;
      const clients = id === caller.Account ? base : base.assumeRole(roleArn);
      if (clients !== base) all.push(clients);
      try {
        if (clients !== base) await clients.credentials();
      } catch (err) {
        failed.push({
          account: id,
          code: 'account-unreachable',
          message: `account ${id}: cannot assume ${roleArn} (${awsErrorCode(err)}: ${errorMessage(err)}); it was not audited`,
        });
        continue;
      }
      try {
        collected.push(await collectWith(clients, region, opts, progress, Date.now()));
      } catch (err) {
        // The caller's own credentials failing ends the run; the same error behind an assumed role is that account's problem.
        if (err instanceof UsageError || (clients === base && err instanceof PermdriftError && err.code === 'CREDENTIALS')) throw err;
        const message = err instanceof PermdriftError ? err.message : errorMessage(err);
        failed.push({ account: id, code: 'account-failed', message: `account ${id} (as ${roleArn}): ${message}; it was not audited` });
        // The warning says so; a half-collected folder would only make the snapshot incomplete.
        await rm(join(opts.outDir, 'aws', id), { recursive: true, force: true });
      }
    }
    const first = collected[0];
    if (!first) {
      throw new PermdriftError(
        'PROVIDER',
        `none of the ${ids.length} account(s) could be read (first: ${failed[0]?.message ?? 'none listed'})`,
        `check that ${opts.assumeRoleName} exists in each account and trusts the caller, and that it has the policy \`permdrift policy aws\` prints`,
      );
    }
    if (failed.length > 0) {
      // The report reads warnings per account folder; the accounts that failed have none, so their
      // warnings travel in the first collected account's file.
      const file = join(first.accountDir, COLLECT_WARNINGS_FILE);
      const onDisk = JSON.parse(await readFile(file, 'utf8')) as { warnings: { code: string; message: string }[] };
      for (const f of failed) {
        onDisk.warnings.push({ code: f.code, message: f.message });
        first.warnings.push({ code: f.code, message: f.message, account: first.account });
      }
      await writeFileAtomic(file, stringify(onDisk), opts.trackTemp);
    }
    const requests = all.reduce((n, c) => n + c.stats.total, 0);
    return { collected, failed, requests, retries: base.activity.retries, elapsedMs: Date.now() - started };
  } finally {
    for (const c of all) c.destroy();
  }
}
