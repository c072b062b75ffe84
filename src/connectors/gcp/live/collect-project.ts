/**
 * One project of a `collect gcp` run, start to end: the manifest first (unfinished), the allow
 * policies and ancestry, then side by side the inventory (service accounts and keys, custom roles,
 * deny policies), the audit logs and the activity, then the project's warnings, and the manifest
 * last, finished. The sources themselves are read by the collect-*.ts modules beside this one.
 */

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { GcpResourceRef } from '../../../model/gcp/policy.js';
import type { ReportWarning } from '../../../model/report.js';
import { ManifestFile, ManifestRecorder } from '../../shared/collect-manifest-recorder.js';
import { sortWarnings } from '../../shared/collect-warnings-file.js';
import { GCP_COLLECT_WARNINGS_FILE } from '../collect-warnings.js';
import type { GcpCaller, GcpClients } from './clients.js';
import type { CollectGcpOptions } from './collect.js';
import { collectActivity } from './collect-activity.js';
import { collectInsights } from './collect-insights.js';
import { collectAuditLogs } from './collect-audit-logs.js';
import { writeJson, type ProjectContext, type RunCache } from './collect-context.js';
import { collectDenyPolicies } from './collect-deny-policies.js';
import { collectAllowPolicies } from './collect-policies.js';
import { credentialsRethrower } from './collect-problem.js';
import { collectCustomRoles } from './collect-roles.js';
import { collectKeys, collectServiceAccounts } from './collect-service-accounts.js';
import type { Json } from './gcloud-json.js';
import type { GcsLocation } from './sink-export.js';

export interface CollectGcpProjectResult {
  projectId: string;
  projectDir: string;
  serviceAccounts: number;
  /** `logging entries.list (N entries, P pages at R reads/min)`, `gs://…`, `none`. */
  usageSource: string;
  warnings: ReportWarning[];
}

export async function collectProject(
  clients: GcpClients,
  opts: CollectGcpOptions,
  projectId: string,
  cache: RunCache,
  caller: GcpCaller,
  sink: GcsLocation | undefined,
  emit: (m: string) => void,
): Promise<CollectGcpProjectResult> {
  const root = join(opts.outDir, 'gcp');
  const projectDir = join(root, projectId);
  const now = opts.now ?? (() => new Date());
  const manifest = new ManifestRecorder('gcp', projectId, { start: opts.windowStart, end: opts.asOf }, now);
  const manifestFile = new ManifestFile(projectDir, manifest, opts.trackTemp);
  // First: until the end says otherwise, this folder is an unfinished collection.
  await mkdir(projectDir, { recursive: true });
  await manifestFile.checkpoint();
  const warnings: ReportWarning[] = [];
  const warn = (code: string, message: string): void => {
    warnings.push({ code, message, account: projectId });
  };
  const ctx: ProjectContext = {
    clients,
    opts,
    projectId,
    root,
    projectDir,
    cache,
    manifest,
    now,
    warn,
    rethrowCredentials: credentialsRethrower(opts.impersonateServiceAccount),
  };
  const parts = new Map<string, string>();
  const board = (step: string, text: string): void => {
    parts.set(step, text);
    emit([...parts.values()].join(' · '));
  };

  const { ancestry, policies } = await collectAllowPolicies(ctx, (m) => board('main', m));

  // Side by side: the inventory (accounts, keys, roles, deny policies), the audit logs, the activity.
  // The steps that run side by side record one time, taken before any of them starts: each source
  // is read after it, and the clock is not read while the logs measure their pace with it.
  const sideBySideAt = now();
  const inventory = collectInventory(ctx, ancestry, policies, (m) => board('main', m), sideBySideAt);
  const logs = collectAuditLogs(ctx, sink, (m) => board('logs', m)).then(async (source) => {
    // The logs' spans are recorded: an interrupt from here on keeps them.
    await manifestFile.checkpoint();
    return source;
  });
  const activity = opts.isActivityWanted === false ? Promise.resolve() : collectActivity(ctx, sideBySideAt);
  const insights = opts.isInsightsWanted === true ? collectInsights(ctx, sideBySideAt) : Promise.resolve();
  const [serviceAccounts, usageSource] = await Promise.all([inventory, logs, activity, insights]);

  sortWarnings(warnings);
  await writeJson(
    join(projectDir, GCP_COLLECT_WARNINGS_FILE),
    { caller: { ...caller }, warnings: warnings.map(({ code, message }) => ({ code, message })) },
    opts.trackTemp,
  );
  // Last, once everything it describes is on disk.
  await manifestFile.finish();
  return { projectId, projectDir, serviceAccounts, usageSource, warnings };
}

/** Service accounts and their keys, custom roles, deny policies, one after another; returns how many accounts were listed. */
async function collectInventory(
  ctx: ProjectContext,
  ancestry: GcpResourceRef[],
  policies: Json[],
  progress: (m: string) => void,
  readAt: Date,
): Promise<number> {
  const emails = await collectServiceAccounts(ctx, progress, readAt);
  await collectKeys(ctx, emails, progress, readAt);
  await collectCustomRoles(ctx, policies, progress, readAt);
  await collectDenyPolicies(ctx, ancestry, progress, readAt);
  return emails.length;
}
