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
 *
 * This module is the run: its options and result, one account (`collectAws`) or several
 * (`collectAwsAccounts`, assuming a role in each). One account's collection is collect-account.ts;
 * each source has its own collect-*.ts module beside it.
 */

import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PermdriftError, UsageError } from '../../../model/errors.js';
import type { ReportWarning } from '../../../model/report.js';
import type { TempTracker } from '../../shared/atomic-file.js';
import type { CallTimeouts } from '../../shared/call-timeouts.js';
import { appendWarnings } from '../../shared/collect-warnings-file.js';
import { COLLECT_WARNINGS_FILE } from '../snapshot.js';
import { awsErrorCode, errorMessage } from './aws-errors.js';
import { AwsClients, resolveDefaultRegion } from './clients.js';
import { stringify } from './cli-json.js';
import { collectAccount } from './collect-account.js';
import { callerIdentity } from './collect-identity.js';
import { listOrganizationAccounts } from './collect-org.js';
import type { PollOptions } from './iam.js';

/** Where usage evidence comes from (`--cloudtrail-source`): `auto` reads the S3 archive when a trail names one, else LookupEvents. */
export const CLOUDTRAIL_SOURCES = ['auto', 's3', 'lookup-events', 'none'] as const;
export type CloudTrailSource = (typeof CLOUDTRAIL_SOURCES)[number];

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
    return await collectAccount(clients, region, opts, progress, started);
  } finally {
    clients.destroy();
  }
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
    const caller = await callerIdentity(base, opts.profile);
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
      const r = await collectAs(clients, clients === base, id, roleArn, region, opts);
      if ('failure' in r) failed.push(r.failure);
      else collected.push(r.result);
    }
    const first = collected[0];
    if (!first) {
      throw new PermdriftError(
        'PROVIDER',
        `none of the ${ids.length} account(s) could be read (first: ${failed[0]?.message ?? 'none listed'})`,
        `check that ${opts.assumeRoleName} exists in each account and trusts the caller, and that it has the policy \`permdrift policy aws\` prints`,
      );
    }
    // The report reads warnings per account folder; the accounts that failed have none, so their
    // warnings travel in the first collected account's file.
    if (failed.length > 0)
      await appendWarnings(
        join(first.accountDir, COLLECT_WARNINGS_FILE),
        failed,
        { warnings: first.warnings, account: first.account },
        stringify,
        opts.trackTemp,
      );
    const requests = all.reduce((n, c) => n + c.stats.total, 0);
    return { collected, failed, requests, retries: base.activity.retries, elapsedMs: Date.now() - started };
  } finally {
    for (const c of all) c.destroy();
  }
}

/** One account of several, as `roleArn` unless it is the caller's own (`isCaller`); its failure is a value, not a throw. */
async function collectAs(
  clients: AwsClients,
  isCaller: boolean,
  id: string,
  roleArn: string,
  region: string,
  opts: CollectAccountsOptions,
): Promise<{ result: CollectAwsResult } | { failure: CollectAccountsResult['failed'][number] }> {
  const progress = opts.onProgress ?? (() => undefined);
  try {
    if (!isCaller) await clients.credentials();
  } catch (err) {
    return {
      failure: {
        account: id,
        code: 'account-unreachable',
        message: `account ${id}: cannot assume ${roleArn} (${awsErrorCode(err)}: ${errorMessage(err)}); it was not audited`,
      },
    };
  }
  try {
    return { result: await collectAccount(clients, region, opts, progress, Date.now()) };
  } catch (err) {
    // The caller's own credentials failing ends the run; the same error behind an assumed role is that account's problem.
    if (err instanceof UsageError || (isCaller && err instanceof PermdriftError && err.code === 'CREDENTIALS')) throw err;
    const message = err instanceof PermdriftError ? err.message : errorMessage(err);
    // The warning says so; a half-collected folder would only make the snapshot incomplete.
    await rm(join(opts.outDir, 'aws', id), { recursive: true, force: true });
    return { failure: { account: id, code: 'account-failed', message: `account ${id} (as ${roleArn}): ${message}; it was not audited` } };
  }
}
