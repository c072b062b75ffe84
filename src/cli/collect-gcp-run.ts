/** Running a GCP collection from flags: the flags that choose what to read, and the run with its progress. Used by `collect gcp` and `scan gcp`. */

import { collectGcp, type CollectGcpOptions, type CollectGcpResult } from '../connectors/gcp/live/collect.js';
import { parseGcsUrl } from '../connectors/gcp/live/sink-export.js';
import { UsageError } from '../model/errors.js';
import { removeOnInterrupt } from './cleanup.js';
import { statusLine } from './progress.js';
import { FLAGS } from '../config/flag-table.js';
import { isCiEnv } from './boolean-flags.js';
import type { CollectInput } from './collect-action.js';
import { type CommandContext } from './context.js';
import { readFlag } from './flags.js';
import { visibleText } from '../reporters/visible-text.js';

/** The flags that choose what to read; `scan gcp` takes them too. */
export interface GcpSelectionFlags {
  project: string[];
  folder: string[];
  organization: string[];
  impersonateServiceAccount?: string;
  /** `api`, `none`, or gs://bucket/prefix; commander sets false for --no-audit-logs. */
  auditLogs: string | boolean;
  activity: boolean;
  recommenderInsights: boolean;
  groups: boolean;
  /** false with --no-asset-inventory: list projects with resource manager only. */
  assetInventory: boolean;
  /** Logging entries.list requests a minute (the project's read quota). */
  loggingReadsPerMinute?: string;
}

function auditLogSource(value: string | boolean): string {
  if (value === false) return 'none';
  if (value === true) return 'api';
  if (value === 'api' || value === 'none') return value;
  if (!parseGcsUrl(value))
    throw new UsageError(
      `invalid --audit-logs "${value}"`,
      'use api, none, or gs://<bucket>/<prefix> (the folder holding cloudaudit.googleapis.com/ of a sink export)',
    );
  return value;
}

/** Checks the flags, collects, and reports on stderr what was read; shared by `collect gcp` and `scan gcp`. */
export async function runCollectGcp(ctx: CommandContext, input: CollectInput<GcpSelectionFlags>): Promise<CollectGcpResult> {
  const { io } = ctx;
  const flags = input.flags;
  const auditLogs = auditLogSource(flags.auditLogs);
  const loggingReadsPerMinute = flags.loggingReadsPerMinute === undefined ? undefined : readFlag(FLAGS.loggingReadsPerMinute, flags.loggingReadsPerMinute);
  if (flags.project.length + flags.folder.length + flags.organization.length === 0) {
    throw new UsageError('no project to collect', 'pass --project <id> (repeatable), --folder <number> or --organization <number>');
  }
  const isProgress = !input.isQuiet && io.stderr.isTTY === true && !isCiEnv(io.env);
  const status = isProgress ? statusLine(io.stderr) : undefined;
  const endpoint = io.env['PERMDRIFT_GCP_ENDPOINT_URL'];
  let result: CollectGcpResult;
  try {
    const options: CollectGcpOptions = {
      outDir: input.outDir,
      projects: flags.project,
      folders: flags.folder,
      organizations: flags.organization,
      ...(flags.impersonateServiceAccount ? { impersonateServiceAccount: flags.impersonateServiceAccount } : {}),
      windowStart: new Date(input.asOf.getTime() - input.windowMs),
      asOf: input.asOf,
      auditLogs,
      isActivityWanted: flags.activity,
      isInsightsWanted: flags.recommenderInsights,
      isGroupsWanted: flags.groups,
      isAssetInventoryWanted: flags.assetInventory !== false,
      ...(loggingReadsPerMinute ? { loggingReadsPerMinute } : {}),
      ...(endpoint ? { endpoint } : {}),
      ...(status ? { onProgress: status.update } : {}),
      now: ctx.now,
      timeouts: input.timeouts,
      // A file half-written when the run is interrupted goes with it (its final name never appears).
      trackTemp: removeOnInterrupt,
    };
    result = await collectGcp(options);
  } finally {
    status?.done();
  }
  if (!input.isQuiet) {
    const as = result.caller.impersonating
      ? `serviceAccount:${result.caller.impersonating} (impersonated)`
      : (result.caller.principal ?? `${result.caller.credentialType} credentials`);
    for (const p of result.collected) {
      io.stderr.write(
        `${visibleText(`permdrift: project ${p.projectId} read as ${as}; ${p.serviceAccounts} service account(s); audit logs from ${p.usageSource}`)}\n`,
      );
      for (const w of p.warnings) io.stderr.write(`warning: ${visibleText(w.message)}\n`);
    }
    io.stderr.write(
      `permdrift: ${result.collected.length} project(s) read${result.failed.length ? `, ${result.failed.length} not` : ''}; ${result.requests} request(s)${result.retries ? ` (${result.retries} retried)` : ''} in ${(result.elapsedMs / 1000).toFixed(1)}s\n`,
    );
  }
  return result;
}
