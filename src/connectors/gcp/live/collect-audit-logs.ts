/**
 * The audit logs of one project, read either through Logging entries.list or from a Logging sink
 * export in Cloud Storage, and what the manifest may claim of them: per log, the span read in full
 * and the spans not read (retention of the `_Required` bucket, lag of the API or of the hourly
 * export, a listing that stopped), so that missing logs read as a coverage gap, never as no use.
 */

import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { listAuditLogEntries, type EntriesResult } from './audit-logs.js';
import type { ProjectContext } from './collect-context.js';
import { problem } from './collect-problem.js';
import { describe, gcpError } from './errors.js';
import { loggingProgressText } from './logging-progress.js';
import { downloadSinkExport, type GcsLocation, type SinkDownload } from './sink-export.js';

/** The audit logs Logging keeps in the `_Required` bucket: always written, 400 days, no exclusions. */
const REQUIRED_AUDIT_LOGS = ['activity', 'system_event', 'policy'] as const;
/** https://cloud.google.com/logging/docs/routing/overview#required-bucket */
const REQUIRED_RETENTION_MS = 400 * 86_400_000;
/** How long after its timestamp an entry may still be on its way to entries.list (a margin, not a documented bound). */
const LOGGING_API_LAG_MS = 15 * 60_000;
/**
 * Sinks write to Cloud Storage in hourly batches (https://cloud.google.com/logging/docs/export/storage):
 * an hour's file may appear a while after the hour ends, so the last two hours are never claimed read.
 */
const SINK_EXPORT_LAG_MS = 2 * 3_600_000;

const logScope = (log: string): string => `cloudaudit.googleapis.com/${log}`;

function eta(startMs: number, fraction: number): string {
  if (!(fraction > 0) || fraction >= 1) return '';
  const left = ((Date.now() - startMs) / fraction) * (1 - fraction);
  return ` ~${Math.ceil(left / 1000)}s left`;
}

/** `audit-logs/` of the project (`--audit-logs api|none|gs://…`); returns the usage source's text. */
export async function collectAuditLogs(ctx: ProjectContext, sink: GcsLocation | undefined, progress: (m: string) => void): Promise<string> {
  if (ctx.opts.auditLogs === 'none') return 'none';
  const dir = join(ctx.projectDir, 'audit-logs');
  return sink ? readSinkExport(ctx, sink, dir, progress) : readLoggingApi(ctx, dir, progress);
}

async function readSinkExport(ctx: ProjectContext, sink: GcsLocation, dir: string, progress: (m: string) => void): Promise<string> {
  const { opts, manifest } = ctx;
  const started = Date.now();
  const url = `gs://${sink.bucket}${sink.prefix ? `/${sink.prefix}` : ''}`;
  manifest.setLogSource('gcs');
  const readAt = ctx.now();
  try {
    const r = await downloadSinkExport(ctx.clients, sink, { start: opts.windowStart, end: opts.asOf }, dir, {
      ...(opts.concurrency ? { concurrency: opts.concurrency * 2 } : {}),
      ...(opts.trackTemp ? { trackTemp: opts.trackTemp } : {}),
      onProgress: (phase, done, total, bytes) =>
        progress(
          phase === 'list'
            ? `${url}: day folders ${done}/${total}${eta(started, done / total)}`
            : `${url}: hour files ${done}/${total}, ${(bytes / 1_048_576).toFixed(1)} MB${eta(started, done / total)}`,
        ),
    });
    recordSinkExport(ctx, url, r, readAt);
    return `${url} (${r.objects} files${r.logs.length ? `: ${r.logs.join(', ')}` : ''})`;
  } catch (err) {
    ctx.rethrowCredentials(err);
    await rm(dir, { recursive: true, force: true });
    ctx.warn(
      'audit-logs-unreadable',
      problem(`${url} could not be listed`, 'storage.objects.list', `no audit log was read for ${ctx.projectId}: no grant is called unused from logs`, err),
    );
    manifest.fail(url, opts.windowStart, opts.asOf, `${url} could not be listed (${describe(gcpError(err))})`);
    return 'none';
  }
}

/** The first three failures, `name (message)`, and `, …` when there are more. */
function firstThree(failures: { name: string; message: string }[]): string {
  const shown = failures
    .slice(0, 3)
    .map((f) => `${f.name} (${f.message})`)
    .join(', ');
  return `${shown}${failures.length > 3 ? ', …' : ''}`;
}

/** What a sink export read proves (each log's span between its first and last hour file) and what it lacks. */
function recordSinkExport(ctx: ProjectContext, url: string, r: SinkDownload, readAt: Date): void {
  const { opts, manifest } = ctx;
  manifest.sourceRead('audit-logs', readAt);
  manifest.addFilesWritten(r.objects);
  // Each log's day folders listed to the end and every hour file read: between its first and
  // last hour file the export is all there is. Outside them nothing shows the sink was
  // exporting (created later, deleted or disabled earlier), so quiet there is not claimed.
  const readUntil = Math.min(opts.asOf.getTime(), readAt.getTime() - SINK_EXPORT_LAG_MS);
  for (const w of r.written) manifest.attempt(logScope(w.log), Math.max(opts.windowStart.getTime(), w.start), Math.min(readUntil, w.end));
  for (const g of r.gaps) manifest.fail(logScope(g.log), g.start, g.end, g.reason);
  if (r.logs.length === 0) {
    ctx.warn(
      'audit-logs-sink-empty',
      `${url} holds no cloudaudit.googleapis.com/ folder: no audit log was read for ${ctx.projectId}, so no grant is called unused from logs (expected <prefix>/cloudaudit.googleapis.com/activity/YYYY/MM/DD/…json)`,
    );
    manifest.fail(url, opts.windowStart, opts.asOf, `${url} holds no cloudaudit.googleapis.com/ folder`);
  }
  if (r.failures.length > 0) {
    ctx.warn(
      'audit-log-object-unreadable',
      `${r.failures.length} object(s) of ${url} could not be read: ${firstThree(r.failures)}; their entries are a coverage gap (needs storage.objects.get)`,
    );
  }
  if (r.folderFailures.length > 0) {
    ctx.warn(
      'audit-logs-incomplete',
      `${r.folderFailures.length} day folder(s) of ${url} could not be listed: ${firstThree(r.folderFailures)}; their entries are a coverage gap (needs storage.objects.list)`,
    );
  }
}

async function readLoggingApi(ctx: ProjectContext, dir: string, progress: (m: string) => void): Promise<string> {
  const { opts, projectId } = ctx;
  await mkdir(dir, { recursive: true });
  ctx.manifest.setLogSource('api');
  const readAt = ctx.now();
  const logStart = readAt.getTime();
  const readsPerMinute = opts.loggingReadsPerMinute ?? 60;
  progress(loggingProgressText({ pages: 0, entries: 0, lastTimestamp: null, windowStart: opts.windowStart, asOf: opts.asOf, readsPerMinute, elapsedMs: 0 }));
  const r = await listAuditLogEntries(ctx.clients, projectId, { start: opts.windowStart, end: opts.asOf }, join(dir, 'entries.json'), {
    ...(opts.logPageSize ? { pageSize: opts.logPageSize } : {}),
    ...(opts.trackTemp ? { trackTemp: opts.trackTemp } : {}),
    onPage: (entries, lastTimestamp, pages, isLast) =>
      progress(
        loggingProgressText({
          pages,
          entries,
          lastTimestamp,
          windowStart: opts.windowStart,
          asOf: opts.asOf,
          readsPerMinute,
          elapsedMs: ctx.now().getTime() - logStart,
          isDone: isLast,
        }),
      ),
  });
  recordLoggingSpans(ctx, r, readAt);
  if (r.failure !== undefined) {
    if (r.entries === 0 && r.pages === 0) {
      // Nothing read at all: no audit-logs/ folder, so the scan sees no log evidence rather than an empty log.
      await rm(dir, { recursive: true, force: true });
      ctx.warn(
        'audit-logs-unreadable',
        problem(
          `audit logs of ${projectId} (logging entries.list)`,
          'logging.logEntries.list (and logging.privateLogEntries.list for Data Access logs)',
          'no audit log was read: no grant is called unused from logs',
          r.failure,
        ),
      );
      return 'none';
    }
    ctx.warn(
      'audit-logs-incomplete',
      problem(
        `audit logs of ${projectId} (logging entries.list)`,
        'logging.logEntries.list',
        `the listing stopped after ${r.entries} entries${r.lastTimestamp ? ` (up to ${r.lastTimestamp})` : ''}: entries after that, up to ${opts.asOf.toISOString()}, are a coverage gap`,
        r.failure,
      ),
    );
  }
  ctx.manifest.sourceRead('audit-logs', readAt);
  return `logging entries.list (${r.entries} entries, ${r.pages} page${r.pages === 1 ? '' : 's'} at ${readsPerMinute.toLocaleString('en-US')} reads/min)`;
}

/** What one entries.list listing proves of each log: the retained, settled span of the `_Required` logs, minus what came after a stop. */
function recordLoggingSpans(ctx: ProjectContext, r: EntriesResult, readAt: Date): void {
  const { opts, manifest } = ctx;
  // One listing covers every audit log of the project, but only the _Required bucket's logs are
  // known to be there for the whole span: Data Access logs may be off, excluded from the _Default
  // bucket or kept for as little as a day, so reading them proves nothing about their absence.
  const readUntil = Math.min(opts.asOf.getTime(), readAt.getTime() - LOGGING_API_LAG_MS);
  const retainedFrom = readAt.getTime() - REQUIRED_RETENTION_MS;
  if (r.failure !== undefined) {
    ctx.rethrowCredentials(r.failure);
    // Oldest first: everything before the last entry read is in the file, minus entries that share its timestamp.
    const last = r.lastTimestamp !== null ? Date.parse(r.lastTimestamp) : Number.NaN;
    const readThrough = Number.isNaN(last) ? opts.windowStart.getTime() : last - 1;
    // The listing reads every audit log at once: Data Access entries after the stop are lost too.
    for (const log of [...REQUIRED_AUDIT_LOGS, 'data_access'])
      manifest.fail(logScope(log), readThrough, opts.asOf, `logging entries.list stopped after ${r.entries} entries (${describe(gcpError(r.failure))})`);
  }
  manifest.addFilesWritten(r.pages);
  for (const log of REQUIRED_AUDIT_LOGS) {
    manifest.attempt(logScope(log), Math.max(opts.windowStart.getTime(), retainedFrom), readUntil);
    if (retainedFrom > opts.windowStart.getTime()) manifest.fail(logScope(log), opts.windowStart, retainedFrom, 'Logging keeps the _Required bucket 400 days');
  }
}
