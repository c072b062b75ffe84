/**
 * The usage side of one GCP project of an offline snapshot:
 *
 *   <dir>/gcp/<P>/audit-logs/**   Cloud Audit Logs: `gcloud logging read FILTER --format=json` output
 *                                 (one JSON array), sink exports to Cloud Storage (JSON lines, one
 *                                 file an hour, e.g. cloudaudit.googleapis.com/activity/2026/11/20/
 *                                 10:00:00_10:59:59_S0.json), or saved `entries.list` responses;
 *                                 `.json` / `.jsonl` / `.ndjson`, each optionally `.gz`, at any depth
 *   <dir>/gcp/<P>/activity/*.json Policy Analyzer last-authentication activity (activity.ts)
 *
 * Log files are independent: each is streamed and aggregated on its own (memory: one chunk, one
 * entry and the aggregates), on a pool of worker threads (../../shared/file-worker-pool.ts, shared with the
 * CloudTrail reader; one worker per core by default, largest files first) or, with `workers: 1`, one
 * at a time in this thread. A file that cannot be read to the end — a truncated gzip, invalid JSON —
 * is listed in `filesFailed` with the reason and contributes nothing; the other files still count.
 * Merging only adds counts and takes minima and maxima, and the rows and failures are sorted at the
 * end, so the result is the same whatever the worker count or the order files finish in. The engine
 * then sees aggregates and coverage, never a log entry — and, per permission, the `permissionType`
 * values the entries checked it with (`permissionTypes`, audit-log-aggregator.ts).
 */

import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { LogFileProblem } from '../../../model/log-file-problem.js';
import type { GcpAuditLogCoverage, GcpProjectActivity } from '../../../model/gcp/activity.js';
import { describeFileError as describeReadError } from '../../shared/read-error.js';
import { runFileWorkerPool, workerStarter } from '../../shared/file-worker-pool.js';
import { followWalk } from '../../shared/follow-walk.js';
import { readGcpActivityFolder } from '../activity.js';
import { normaliseTimestamp } from './audit-entry.js';
import {
  type AuditFileStats,
  type AuditRows,
  type AuditWindow,
  AuditLogAggregator,
  compareDelegations,
  comparePermissions,
  comparePermissionTypes,
  compareUnmapped,
  SKIPPED_REASONS,
  UNATTRIBUTED_REASONS,
} from './audit-log-aggregator.js';
import { type AuditFileReport, type AuditFileTuning, aggregateAuditLogFile } from './read-audit-log-file.js';
import type { AuditWorkerReply, AuditWorkerRequest } from './worker-protocol.js';
import { compareText } from '../../../model/compare-text.js';

export interface ReadGcpProjectActivityOptions {
  /** End of the window; later entries are counted in `entriesAfterAsOf` and not aggregated. */
  asOf: Date;
  /** Start of the window; earlier entries are aggregated with period `before-window`. */
  windowStart: Date;
  /**
   * Worker threads reading files in parallel; default min(available parallelism, files), or 1 when
   * the files hold less than 1 MiB in all. 1 = read in this thread.
   */
  workers?: number;
  /** For tests: chunk sizes and the cap on one value. */
  tuning?: AuditFileTuning;
}

/** Not part of the public options: lets tests substitute the worker entry and see the pool run. */
export interface ReadGcpAuditLogsInternals {
  workerEntry?: URL;
  /** Called with each worker's thread id once it is ready. */
  onWorkerReady?: (threadId: number) => void;
}

export interface AuditLogWalk {
  /** Log files, in code-unit order of their paths. */
  files: string[];
  /** Other files found (not `.json` / `.jsonl` / `.ndjson`, optionally `.gz`): not read, and said so. */
  ignored: string[];
  /** Entries the walk could not follow (a dangling symlink, an unreadable folder): gaps. */
  unreadable: LogFileProblem[];
}

/**
 * Every log file under `root`, recursively (the shared walk, ../../shared/follow-walk.ts: symlinks
 * followed once by real path); a link that leads nowhere, or a folder that cannot be listed, is
 * reported, never skipped in silence.
 */
export async function walkAuditLogDir(root: string): Promise<AuditLogWalk> {
  const walked = await followWalk(root, { isFileOnce: false });
  const unreadable = walked.problems.map((p) => ({
    file: p.path,
    reason: p.kind === 'folder' ? `folder not readable: ${describeReadError(p.error)}` : `symbolic link that leads nowhere: ${describeReadError(p.error)}`,
  }));
  return { files: walked.files, ignored: walked.ignored, unreadable: unreadable.sort((a, b) => compareText(a.file, b.file)) };
}

/** Every log file under `root`, recursively, in code-unit order of their paths. */
export async function listAuditLogFiles(root: string): Promise<string[]> {
  return (await walkAuditLogDir(root)).files;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

function bound(name: string, d: Date): string {
  const t = Number.isNaN(d.getTime()) ? null : normaliseTimestamp(d.toISOString());
  if (t === null) throw new RangeError(`${name} is not a valid date`);
  return t;
}

/** The files with their sizes, largest first: the long ones start early and the small ones fill the gaps at the end. */
async function largestFirst(files: string[]): Promise<{ file: string; size: number }[]> {
  const sized = await Promise.all(
    files.map(async (file) => {
      try {
        return { file, size: (await stat(file)).size };
      } catch {
        // The read itself will report why; the size only orders the queue.
        return { file, size: 0 };
      }
    }),
  );
  return sized.sort((a, b) => b.size - a.size || compareText(a.file, b.file));
}

/**
 * Below this many bytes on disk in all, the default is to read in this thread: starting workers
 * (tens of milliseconds each) would cost more than it saves. An explicit `workers` is obeyed.
 */
const POOL_MIN_BYTES = 1 << 20;

export async function readGcpAuditLogs(
  auditDir: string,
  window: AuditWindow,
  tuning: AuditFileTuning = {},
  workers?: number,
  internals: ReadGcpAuditLogsInternals = {},
): Promise<{ total: AuditLogAggregator; coverage: GcpAuditLogCoverage }> {
  const total = new AuditLogAggregator(window);
  const failed: LogFileProblem[] = [];
  const skipped: GcpAuditLogCoverage['entriesSkipped'] = [];
  const unattributed: GcpAuditLogCoverage['entriesUnattributed'] = [];
  let filesRead = 0;
  let bytesRead = 0;
  const commit = (file: string, fileBytes: number, stats: AuditFileStats): void => {
    filesRead++;
    bytesRead += fileBytes;
    total.absorbStats(stats);
    for (const reason of SKIPPED_REASONS) if (stats.skipped[reason] > 0) skipped.push({ file, reason, count: stats.skipped[reason] });
    for (const reason of UNATTRIBUTED_REASONS) if (stats.unattributed[reason] > 0) unattributed.push({ file, reason, count: stats.unattributed[reason] });
  };
  const walked = await walkAuditLogDir(auditDir);
  const files = walked.files;
  failed.push(...walked.unreadable);
  let workerCount = Math.max(1, Math.min(workers ?? availableParallelism(), files.length));
  let queue = files;
  if (workerCount > 1) {
    const sized = await largestFirst(files);
    if (workers === undefined && sized.reduce((sum, f) => sum + f.size, 0) < POOL_MIN_BYTES) workerCount = 1;
    else queue = sized.map((f) => f.file);
  }
  if (workerCount > 1) {
    const entry = internals.workerEntry;
    await runFileWorkerPool<AuditWorkerReply, AuditFileReport, AuditRows>({
      queue,
      workers: workerCount,
      startWorker: entry !== undefined ? () => new Worker(entry, { stdout: false, stderr: false }) : workerStarter(import.meta.url, './audit-log-worker'),
      fileRequest: (file): AuditWorkerRequest => ({ type: 'file', file, window, tuning }),
      doneReport: (m) => (m.type === 'done' ? m.report : undefined),
      finishTotal: (m) => (m.type === 'rows' ? m.rows : undefined),
      onWorkerReady: internals.onWorkerReady,
      commit: (finished, rows) => {
        for (const f of finished) if (f.report.isOk) commit(f.file, f.report.bytesRead, f.report.stats);
        total.absorbRows(rows);
      },
      fail: (file, reason) => failed.push({ file, reason }),
      describeError: describeReadError,
    });
  }
  // workers = 1, or no worker could start (e.g. TypeScript sources without tsx): read here.
  for (const file of queue.splice(0)) {
    const outcome = await aggregateAuditLogFile(file, window, tuning);
    if (!outcome.isOk) {
      failed.push({ file, reason: outcome.reason });
      continue;
    }
    commit(file, outcome.bytesRead, outcome.aggregator.stats);
    total.absorbRows(outcome.aggregator.rows());
  }
  const s = total.stats;
  // Per file, then reason (the reasons' own order): the same whichever worker finished first.
  const byFileThenReason =
    <R extends string>(order: readonly R[]) =>
    (a: { file: string; reason: R }, b: { file: string; reason: R }) =>
      compareText(a.file, b.file) || order.indexOf(a.reason) - order.indexOf(b.reason);
  return {
    total,
    coverage: {
      filesRead,
      bytesRead,
      valuesRead: s.valuesRead,
      entriesRead: s.entriesRead,
      // Path order (paths are unique), whichever worker finished first.
      filesFailed: failed.sort((a, b) => compareText(a.file, b.file)),
      filesIgnored: walked.ignored,
      firstEntry: s.firstEntry,
      lastEntry: s.lastEntry,
      streams: { ...s.streams },
      entriesAfterAsOf: s.entriesAfterAsOf,
      recordsSkipped: SKIPPED_REASONS.reduce((sum, reason) => sum + s.skipped[reason], 0),
      entriesSkipped: skipped.sort(byFileThenReason(SKIPPED_REASONS)),
      entriesWithoutPrincipal: s.unattributed['no-principal'],
      entriesUnattributed: unattributed.sort(byFileThenReason(UNATTRIBUTED_REASONS)),
      entriesTimedByReceiveTimestamp: s.timedByReceiveTimestamp,
      zonelessTimes: s.zonelessTimes,
      ...(s.streamsFromPermissionType.activity + s.streamsFromPermissionType.data_access > 0
        ? { entriesStreamFromPermissionType: { ...s.streamsFromPermissionType } }
        : {}),
    },
  };
}

export async function readGcpProjectActivity(
  dir: string,
  projectId: string,
  opts: ReadGcpProjectActivityOptions,
  internals: ReadGcpAuditLogsInternals = {},
): Promise<GcpProjectActivity> {
  const window = { windowStart: bound('windowStart', opts.windowStart), asOf: bound('asOf', opts.asOf) };
  if (window.windowStart > window.asOf) throw new RangeError('windowStart is after asOf');
  const projectDir = join(dir, 'gcp', projectId);
  const result: GcpProjectActivity = {
    provider: 'gcp',
    projectId,
    permissions: [],
    unmapped: [],
    delegations: [],
    auditLogs: null,
    activity: readGcpActivityFolder(join(projectDir, 'activity')),
  };
  const auditDir = join(projectDir, 'audit-logs');
  if (await isDirectory(auditDir)) {
    const { total, coverage } = await readGcpAuditLogs(auditDir, window, opts.tuning, opts.workers, internals);
    result.permissions = [...total.permissions.values()].sort(comparePermissions);
    result.unmapped = [...total.unmapped.values()].sort(compareUnmapped);
    result.delegations = [...total.delegations.values()].sort(compareDelegations);
    result.permissionTypes = total.permissionTypeRows().sort(comparePermissionTypes);
    result.auditLogs = coverage;
  }
  return result;
}
