/** Running an AWS collection from flags: the flags that choose what to read, and the run with its progress. Used by `collect aws` and `scan aws`. */

import { parseS3Url } from '../connectors/aws/live/s3-archive.js';
import {
  CLOUDTRAIL_SOURCES,
  collectAws,
  collectAwsAccounts,
  type CloudTrailSource,
  type CollectAccountsResult,
  type CollectAwsOptions,
} from '../connectors/aws/live/collect.js';
import { UsageError } from '../model/errors.js';
import { removeOnInterrupt } from './cleanup.js';
import { statusLine } from './progress.js';
import { isCiEnv } from './boolean-flags.js';
import type { CollectInput } from './collect-action.js';
import { type CommandContext } from './context.js';
import { parseRoleName } from './options.js';
import { visibleText } from '../reporters/visible-text.js';

/** The flags that choose what to read; `scan aws` takes them too. */
export interface AwsSelectionFlags {
  profile?: string;
  region: string[];
  cloudtrailSource: string;
  cloudtrailS3?: string;
  accessAdvisor: boolean;
  credentialReport: boolean;
  org: boolean;
  accounts: string[];
  assumeRoleName: string;
}

/** `12 request(s) in 1.4s`, or `12 request(s), 2 retried, in 1.4s`. */
function requestsText(requests: number, retries: number, elapsedMs: number): string {
  return `${requests} request(s)${retries > 0 ? `, ${retries} retried,` : ''} in ${(elapsedMs / 1000).toFixed(1)}s`;
}

/** Collects and reports on stderr what was read; shared by `collect aws` and `scan aws`. */
export async function runCollect(ctx: CommandContext, input: CollectInput<AwsSelectionFlags>): Promise<CollectAccountsResult> {
  const { io } = ctx;
  // The SDK warns that releases after January 2027 need Node 22; this install is pinned and works on
  // Node 20, so the notice would only be noise on every run (and break clean stderr in cron jobs).
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  const isProgress = !input.isQuiet && io.stderr.isTTY === true && !isCiEnv(io.env);
  const status = isProgress ? statusLine(io.stderr) : undefined;
  const source = input.flags.cloudtrailSource as CloudTrailSource;
  if (!(CLOUDTRAIL_SOURCES as readonly string[]).includes(source)) {
    throw new UsageError(`invalid --cloudtrail-source "${input.flags.cloudtrailSource}"`, `use one of: ${CLOUDTRAIL_SOURCES.join(', ')}`);
  }
  if (input.flags.cloudtrailS3 !== undefined && !parseS3Url(input.flags.cloudtrailS3)) {
    throw new UsageError(`invalid --cloudtrail-s3 "${input.flags.cloudtrailS3}"`, 'use s3://<bucket>/<prefix>, the prefix before AWSLogs/');
  }
  if (input.flags.org && input.flags.accounts.length > 0) {
    throw new UsageError('--org and --accounts exclude each other', 'use --org for every account of the organization, or --accounts for some');
  }
  if (input.flags.org || input.flags.accounts.length > 0) parseRoleName(input.flags.assumeRoleName);
  let result: CollectAccountsResult;
  try {
    const options: CollectAwsOptions = {
      outDir: input.outDir,
      ...(input.flags.profile ? { profile: input.flags.profile } : {}),
      regions: input.flags.region,
      windowStart: new Date(input.asOf.getTime() - input.windowMs),
      asOf: input.asOf,
      cloudTrailSource: source,
      ...(input.flags.cloudtrailS3 ? { cloudTrailS3: input.flags.cloudtrailS3 } : {}),
      isAccessAdvisorWanted: input.flags.accessAdvisor,
      isCredentialReportWanted: input.flags.credentialReport,
      now: ctx.now,
      timeouts: input.timeouts,
      // A file half-written when the run is interrupted goes with it (its final name never appears).
      trackTemp: removeOnInterrupt,
      ...(status ? { onProgress: status.update } : {}),
    };
    if (input.flags.org || input.flags.accounts.length > 0) {
      result = await collectAwsAccounts({ ...options, accounts: input.flags.org ? 'org' : input.flags.accounts, assumeRoleName: input.flags.assumeRoleName });
    } else {
      const one = await collectAws(options);
      result = { collected: [one], failed: [], requests: one.requests, retries: one.retries, elapsedMs: one.elapsedMs };
    }
  } finally {
    status?.done();
  }
  if (!input.isQuiet) {
    for (const a of result.collected) {
      io.stderr.write(
        `${visibleText(`permdrift: account ${a.account} read as ${a.identityArn}; usage from ${a.usageSource}; ${requestsText(a.requests, a.retries, a.elapsedMs)}`)}\n`,
      );
      for (const w of a.warnings) io.stderr.write(`warning: ${visibleText(w.message)}\n`);
    }
    if (result.collected.length > 1 || result.failed.length > 0) {
      io.stderr.write(
        `permdrift: ${result.collected.length} account(s) read, ${result.failed.length} not; ${requestsText(result.requests, result.retries, result.elapsedMs)}\n`,
      );
    }
  }
  return result;
}
