/**
 * `collect gcp`: reads projects through the Google Cloud APIs and writes them in the offline
 * snapshot layout of docs/gcp.md, so a live scan is a collection followed by the same `scan files`
 * code path and the snapshot can be replayed. Every call is a read (docs/gcp-readonly-role.json).
 *
 * Partial failure is data: a project that cannot be read, an API that is disabled, a permission
 * that is missing become warnings in `collect-warnings.json` (the shape `collect aws` writes), and
 * unread audit logs carry codes that mark a coverage gap, so missing logs never read as no usage.
 *
 * Each project folder has `collect-manifest.json` (../../shared/collect-manifest-recorder.ts): when each
 * file was read, and per audit log which span was read in full and which was not. Admin Activity
 * is always written, yet a listing or an export proves only the span that was read; the offline
 * reader takes each log's coverage from it (engine/gcp/coverage.ts). It is written first with
 * `complete: false` and last with `complete: true`; every other file takes its final name only
 * when whole (../../shared/atomic-file.ts), so an interrupted collection leaves whole files and a
 * manifest that says it did not finish.
 *
 * This module is the run: its options, the checks of them, the progress line, and the order of
 * the steps (discovery, predefined roles, each project, the run's warnings). One project's
 * collection is collect-project.ts; each source has its own collect-*.ts module beside it.
 */

import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PermdriftError, UsageError } from '../../../model/errors.js';
import type { TempTracker } from '../../shared/atomic-file.js';
import { isCallTimeout, TIMEOUT_HINT, type CallTimeouts } from '../../shared/call-timeouts.js';
import { appendWarnings } from '../../shared/collect-warnings-file.js';
import { GCP_COLLECT_WARNINGS_FILE } from '../collect-warnings.js';
import { GcpClients, type GcpCaller, type GcpClientOptions } from './clients.js';
import type { RunCache, RunContext } from './collect-context.js';
import { discoverProjects } from './collect-discovery.js';
import { credentialsRethrower, problem, ROLE_HINT } from './collect-problem.js';
import { collectProject, type CollectGcpProjectResult } from './collect-project.js';
import { collectGroups } from './collect-groups.js';
import { collectPredefinedRoles } from './collect-roles.js';
import { stringify } from './gcloud-json.js';
import { parseGcsUrl, type GcsLocation } from './sink-export.js';

export interface CollectGcpOptions {
  /** The snapshot folder; each project lands in `<outDir>/gcp/<project-id>/`. */
  outDir: string;
  projects: string[];
  /**
   * Folder numbers: the ACTIVE projects below each whose own allow policy binds a service account
   * or which host one (Cloud Asset Inventory), or every ACTIVE project (the resource-manager walk)
   * when either Asset search is refused, disabled or fails, or Asset is not wanted.
   */
  folders: string[];
  /** Organization numbers: as folders. */
  organizations: string[];
  /** false: list the projects below folders and organizations with resource manager only. */
  isAssetInventoryWanted?: boolean;
  assetPageSize?: number;
  impersonateServiceAccount?: string;
  windowStart: Date;
  asOf: Date;
  /** `api` = Logging entries.list; `none`; or `gs://bucket/prefix` of a sink export. */
  auditLogs: string;
  isActivityWanted?: boolean;
  /** false: do not read group membership from Cloud Identity (groups.json is then not written). */
  isGroupsWanted?: boolean;
  /** Read the project's IAM policy insights from the Recommender (needs Security Command Center Premium or Enterprise). */
  isInsightsWanted?: boolean;
  endpoint?: string;
  maxAttempts?: number;
  backoff?: { initialMs: number; maxMs: number };
  loggingReadsPerMinute?: number;
  logPageSize?: number;
  serviceAccountPageSize?: number;
  /** Requests in flight for per-account and per-object work. */
  concurrency?: number;
  sleep?: (ms: number) => Promise<void>;
  onProgress?: (message: string) => void;
  /** The clock, for the time recorded with the predefined roles (default: the system clock). */
  now?: () => Date;
  /** Page size of IAM roles.list (the API's maximum, 1,000, by default). */
  rolePageSize?: number;
  /** Connection, request and retry-budget limits of every call (default DEFAULT_CALL_TIMEOUTS). */
  timeouts?: CallTimeouts;
  /** Registers each temp file (and nothing else) for removal on an interrupt. */
  trackTemp?: TempTracker;
}

export interface CollectGcpResult {
  caller: GcpCaller;
  collected: CollectGcpProjectResult[];
  /** Projects that could not be read; their warnings also travel in the first collected project's collect-warnings.json. */
  failed: { project: string; code: string; message: string }[];
  /** Warnings about the run rather than one project (predefined roles, project discovery); also in the first collected project's collect-warnings.json. */
  warnings: { code: string; message: string }[];
  /** Predefined roles read live (IAM roles.list), when the call succeeded. */
  predefinedRoles?: { roles: number; file: string; collectedAt: string };
  requests: number;
  retries: number;
  requestsByOperation: Record<string, number>;
  elapsedMs: number;
}

export async function collectGcp(opts: CollectGcpOptions): Promise<CollectGcpResult> {
  const started = Date.now();
  const sink = checkOptions(opts);
  const clients = new GcpClients(clientOptions(opts));
  const progress = progressLine(clients, opts.onProgress);
  try {
    const caller = await clients.init();
    const run: RunContext = {
      clients,
      opts,
      line: progress.line,
      rethrowCredentials: credentialsRethrower(opts.impersonateServiceAccount),
      warnings: [],
      failed: [],
    };
    const { projects, known } = await discoverProjects(run);
    // Predefined roles, once per run: the scan prefers them to the bundled snapshot.
    const predefinedRoles = await collectPredefinedRoles(run);
    const cache: RunCache = { projects: known, folderParents: new Map(), policies: new Map(), orgRoles: new Map(), denies: new Map() };
    const { collected, timedOut } = await collectProjects(run, projects, cache, caller, sink);
    const first = collected[0];
    if (!first) {
      throw new PermdriftError(
        timedOut === projects.length ? 'TIMEOUT' : 'PROVIDER',
        `none of the ${projects.length} project(s) could be read (first: ${run.failed[0]?.message ?? 'none'})`,
        timedOut === projects.length ? TIMEOUT_HINT : ROLE_HINT,
      );
    }
    // Group membership, once for the run: the groups every collected policy binds.
    if (opts.isGroupsWanted !== false) await collectGroups(run);
    // The report reads warnings per project folder; projects that failed have none, so their
    // warnings travel in the first collected project's file (as collect aws does for accounts),
    // and so do the run's own (predefined roles, project discovery).
    if (run.failed.length + run.warnings.length > 0) {
      const extra = [...run.warnings, ...run.failed];
      await appendWarnings(
        join(first.projectDir, GCP_COLLECT_WARNINGS_FILE),
        extra,
        { warnings: first.warnings, account: first.projectId },
        stringify,
        opts.trackTemp,
      );
    }
    return {
      caller,
      collected,
      failed: run.failed,
      warnings: run.warnings,
      ...(predefinedRoles ? { predefinedRoles } : {}),
      requests: clients.stats.total,
      retries: clients.stats.retries,
      requestsByOperation: Object.fromEntries([...clients.stats.byOperation].sort(([a], [b]) => (a < b ? -1 : 1))),
      elapsedMs: Date.now() - started,
    };
  } finally {
    progress.stop();
    await clients.close();
  }
}

/** Throws a usage error for a malformed option; returns the sink export `--audit-logs` names, if any. */
function checkOptions(opts: CollectGcpOptions): GcsLocation | undefined {
  let sink: GcsLocation | undefined;
  if (opts.auditLogs !== 'api' && opts.auditLogs !== 'none') {
    sink = parseGcsUrl(opts.auditLogs);
    if (!sink)
      throw new UsageError(
        `invalid --audit-logs "${opts.auditLogs}"`,
        'use gs://<bucket>/<prefix>, the folder that holds cloudaudit.googleapis.com/ of a Logging sink export',
      );
  }
  for (const p of opts.projects)
    if (!/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/.test(p))
      throw new UsageError(`invalid project id "${p}"`, 'pass the project id (6–30 lower-case letters, digits, hyphens), e.g. --project my-project');
  for (const f of [...opts.folders, ...opts.organizations])
    if (!/^\d+$/.test(f))
      throw new UsageError(`invalid folder or organization id "${f}"`, 'pass the number, e.g. --folder 123456789012 (`gcloud resource-manager folders list`)');
  if (opts.projects.length + opts.folders.length + opts.organizations.length === 0) {
    throw new UsageError('no project to collect', 'pass --project <id> (repeatable), --folder <id> or --organization <id>');
  }
  return sink;
}

function clientOptions(opts: CollectGcpOptions): GcpClientOptions {
  return {
    ...(opts.projects[0] ? { defaultProject: opts.projects[0] } : {}),
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    ...(opts.impersonateServiceAccount ? { impersonateServiceAccount: opts.impersonateServiceAccount } : {}),
    ...(opts.maxAttempts ? { maxAttempts: opts.maxAttempts } : {}),
    ...(opts.backoff ? { backoff: opts.backoff } : {}),
    ...(opts.loggingReadsPerMinute ? { loggingReadsPerMinute: opts.loggingReadsPerMinute } : {}),
    ...(opts.sleep ? { sleep: opts.sleep } : {}),
    ...(opts.timeouts ? { timeouts: opts.timeouts } : {}),
  };
}

/**
 * The run's one progress line. While someone watches: drawn again when a retry starts or ends,
 * and each second, so a stalled call still shows its wait.
 */
function progressLine(clients: GcpClients, onProgress: ((message: string) => void) | undefined): { line: (m: string) => void; stop: () => void } {
  const emit = onProgress ?? (() => undefined);
  let lastLine: string | undefined;
  const redraw = (): void => {
    if (lastLine !== undefined) emit(`${lastLine} · ${clients.activity.text()}`);
  };
  const unsubscribe = onProgress ? clients.activity.subscribe(redraw) : () => undefined;
  const ticker = onProgress ? setInterval(redraw, 1000) : undefined;
  ticker?.unref();
  return {
    line: (m) => {
      lastLine = m;
      redraw();
    },
    stop: () => {
      unsubscribe();
      clearInterval(ticker);
    },
  };
}

/** Each project in turn; one that fails is a failure of the run (its folder removed) and the others go on. */
async function collectProjects(
  run: RunContext,
  projects: string[],
  cache: RunCache,
  caller: GcpCaller,
  sink: GcsLocation | undefined,
): Promise<{ collected: CollectGcpProjectResult[]; timedOut: number }> {
  const { opts } = run;
  const collected: CollectGcpProjectResult[] = [];
  let timedOut = 0;
  for (const [i, projectId] of projects.entries()) {
    const label = projects.length > 1 ? `${projectId} (${i + 1}/${projects.length})` : projectId;
    try {
      collected.push(await collectProject(run.clients, opts, projectId, cache, caller, sink, (m) => run.line(`${label}: ${m}`)));
    } catch (err) {
      if (err instanceof UsageError || (err instanceof PermdriftError && err.code === 'CREDENTIALS')) throw err;
      run.rethrowCredentials(err);
      if (isCallTimeout(err)) timedOut++;
      const message =
        err instanceof PermdriftError ? err.message : problem(`project ${projectId}`, 'resourcemanager.projects.getIamPolicy', 'it was not audited', err);
      run.failed.push({ project: projectId, code: 'project-failed', message });
      await rm(join(opts.outDir, 'gcp', projectId), { recursive: true, force: true });
    }
  }
  return { collected, timedOut };
}
