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
 * Log files are read one at a time, in sorted path order, each streamed and aggregated on its own
 * (memory: one chunk, one entry and the aggregates). A file that cannot be read to the end — a
 * truncated gzip, invalid JSON — is listed in `filesFailed` with the reason and contributes nothing;
 * the other files still count. The engine then sees aggregates and coverage, never a log entry.
 */

import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LogFileProblem } from '../../../model/activity.js';
import type { GcpAuditLogCoverage, GcpProjectActivity } from '../../../model/gcp-activity.js';
import { readGcpActivityFolder } from '../activity.js';
import { normaliseTimestamp } from './audit-entry.js';
import { AuditLogAggregator, compareDelegations, comparePermissions, compareText, compareUnmapped } from './audit-log-aggregator.js';
import { type AuditFileTuning, aggregateAuditLogFile } from './read-audit-log-file.js';

export interface ReadGcpProjectActivityOptions {
  /** End of the window; later entries are counted in `entriesAfterAsOf` and not aggregated. */
  asOf: Date;
  /** Start of the window; earlier entries are aggregated with period `before-window`. */
  windowStart: Date;
  /** For tests: chunk sizes and the cap on one value. */
  tuning?: AuditFileTuning;
}

const LOG_FILE = /\.(json|jsonl|ndjson)(\.gz)?$/i;

/** Every log file under `root`, recursively, in code-unit order of their paths. */
export async function listAuditLogFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory()) await walk(path);
      else if ((e.isFile() || e.isSymbolicLink()) && LOG_FILE.test(e.name)) out.push(path);
    }
  };
  await walk(root);
  return out.sort(compareText);
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

export async function readGcpAuditLogs(
  auditDir: string,
  window: { windowStart: string; asOf: string },
  tuning: AuditFileTuning = {},
): Promise<{ total: AuditLogAggregator; coverage: GcpAuditLogCoverage }> {
  const total = new AuditLogAggregator(window);
  const failed: LogFileProblem[] = [];
  let filesRead = 0;
  let bytesRead = 0;
  for (const file of await listAuditLogFiles(auditDir)) {
    const outcome = await aggregateAuditLogFile(file, window, tuning);
    if (!outcome.isOk) {
      failed.push({ file, reason: outcome.reason });
      continue;
    }
    filesRead++;
    bytesRead += outcome.bytesRead;
    total.absorb(outcome.aggregator);
  }
  const s = total.stats;
  return {
    total,
    coverage: {
      filesRead,
      bytesRead,
      entriesRead: s.entriesRead,
      filesFailed: failed,
      firstEntry: s.firstEntry,
      lastEntry: s.lastEntry,
      streams: { ...s.streams },
      entriesAfterAsOf: s.entriesAfterAsOf,
      recordsSkipped: s.recordsSkipped,
      entriesWithoutPrincipal: s.entriesWithoutPrincipal,
    },
  };
}

export async function readGcpProjectActivity(dir: string, projectId: string, opts: ReadGcpProjectActivityOptions): Promise<GcpProjectActivity> {
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
    const { total, coverage } = await readGcpAuditLogs(auditDir, window, opts.tuning);
    result.permissions = [...total.permissions.values()].sort(comparePermissions);
    result.unmapped = [...total.unmapped.values()].sort(compareUnmapped);
    result.delegations = [...total.delegations.values()].sort(compareDelegations);
    result.auditLogs = coverage;
  }
  return result;
}
