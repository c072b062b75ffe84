/**
 * Audit logs from a Logging sink export in Cloud Storage (`--audit-logs gs://bucket/prefix`):
 * Logging writes hourly files `<prefix>/cloudaudit.googleapis.com/<log>/YYYY/MM/DD/HH:00:00_HH:59:59_S<n>.json`
 * (https://cloud.google.com/logging/docs/export/storage#gcs-organization). Only the day folders
 * inside the window are listed, every log found (activity, data_access, system_event, policy); the
 * hour files that overlap the window are downloaded unchanged, keeping their path below the prefix.
 */

import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic, type TempTracker } from '../../shared/atomic-file.js';
import { mapPool } from '../../shared/pool.js';
import type { GcpClients } from './clients.js';
import { describe, gcpError, isCredentialsError } from './errors.js';

export interface GcsLocation {
  bucket: string;
  /** Without leading or trailing slashes; '' for the bucket root. */
  prefix: string;
}

export function parseGcsUrl(url: string): GcsLocation | undefined {
  const m = /^gs:\/\/([a-z0-9][a-z0-9._-]{1,220}[a-z0-9])(?:\/(.*))?$/.exec(url.trim());
  if (!m || !m[1]) return undefined;
  return { bucket: m[1], prefix: (m[2] ?? '').replace(/^\/+|\/+$/g, '') };
}

const AUDIT_LOG_ROOT = 'cloudaudit.googleapis.com';

interface ObjectPage {
  items?: { name: string; size?: string }[];
  prefixes?: string[];
  nextPageToken?: string;
}

async function listAll(clients: GcpClients, bucket: string, prefix: string, delimiter?: string): Promise<{ names: string[]; prefixes: string[] }> {
  const names: string[] = [];
  const prefixes: string[] = [];
  let pageToken: string | undefined;
  do {
    const page: ObjectPage = await clients.rest('storage.objects.list', 'storage', `/storage/v1/b/${encodeURIComponent(bucket)}/o`, {
      query: { prefix, delimiter, pageToken, fields: 'items(name,size),prefixes,nextPageToken' },
    });
    for (const i of page.items ?? []) names.push(i.name);
    prefixes.push(...(page.prefixes ?? []));
    pageToken = page.nextPageToken || undefined;
  } while (pageToken);
  return { names, prefixes };
}

function utcDays(start: Date, end: Date): string[] {
  const days: string[] = [];
  const d = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate()));
  while (d.getTime() <= end.getTime()) {
    days.push(`${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}`);
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return days;
}

/** The span an hour file `…/YYYY/MM/DD/HH:00:00_HH:59:59_Sn.json` holds; undefined for other names. */
function hourSpan(name: string): { start: number; end: number } | undefined {
  const m = /(\d{4})\/(\d{2})\/(\d{2})\/(\d{2}):00:00_(\d{2}):59:59_[^/]*$/.exec(name);
  if (!m) return undefined;
  return {
    start: Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4])),
    end: Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[5]), 59, 59, 999) + 1,
  };
}

/** The span a day folder `…/YYYY/MM/DD/` holds (entries are filed by their own timestamp). */
function daySpan(folder: string): { start: number; end: number } {
  const m = /(\d{4})\/(\d{2})\/(\d{2})\/$/.exec(folder);
  if (!m) return { start: Number.NEGATIVE_INFINITY, end: Number.POSITIVE_INFINITY };
  const start = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return { start, end: start + 86_400_000 };
}

/** Does the hour file `…/YYYY/MM/DD/HH:00:00_HH:59:59_Sn.json` overlap [start, end]? Unknown names are kept. */
function isHourInWindow(name: string, start: Date, end: Date): boolean {
  const span = hourSpan(name);
  if (!span) return true;
  return span.end - 1 >= start.getTime() && span.start <= end.getTime();
}

/** A span of one log (`activity`, `data_access`, …) that was not read, with why. */
interface SinkGap {
  log: string;
  start: number;
  end: number;
  reason: string;
}

export interface SinkDownload {
  logs: string[];
  objects: number;
  bytes: number;
  /** Hour files that could not be read. */
  failures: { name: string; message: string }[];
  /** Day folders that could not be listed. */
  folderFailures: { name: string; message: string }[];
  /** Both, as spans of each log's timeline (for the collection manifest). */
  gaps: SinkGap[];
  /**
   * Per log, from the start of its first hour file in the window to the end of its last: where the
   * sink is known to have been exporting. Before the first file the sink may not have existed,
   * after the last it may have stopped; neither is proof of quiet.
   */
  written: { log: string; start: number; end: number }[];
}

export async function downloadSinkExport(
  clients: GcpClients,
  location: GcsLocation,
  window: { start: Date; end: Date },
  targetDir: string,
  opts: { concurrency?: number; onProgress?: (phase: 'list' | 'get', done: number, total: number, bytes: number) => void; trackTemp?: TempTracker } = {},
): Promise<SinkDownload> {
  const base = location.prefix ? `${location.prefix}/` : '';
  const root = `${base}${AUDIT_LOG_ROOT}/`;
  const top = await listAll(clients, location.bucket, root, '/');
  const logs = top.prefixes
    .map((p) => p.slice(root.length).replace(/\/$/, ''))
    .filter((l) => l !== '')
    .sort();
  const folders = logs.flatMap((log) => utcDays(window.start, window.end).map((day) => ({ log, folder: `${root}${log}/${day}/` })));
  const url = `gs://${location.bucket}/${root}`;
  const gaps: SinkGap[] = [];
  const folderFailures: SinkDownload['folderFailures'] = [];
  let listed = 0;
  const names = (
    await mapPool(folders, opts.concurrency ?? 16, async ({ log, folder }) => {
      try {
        const r = await listAll(clients, location.bucket, folder);
        return r.names.filter((n) => !n.endsWith('/') && isHourInWindow(n, window.start, window.end)).map((name) => ({ log, name }));
      } catch (err) {
        // One day folder refused is a gap of that day, not of the whole export.
        if (isCredentialsError(err)) throw err;
        const message = describe(gcpError(err));
        folderFailures.push({ name: folder, message });
        gaps.push({ log, ...daySpan(folder), reason: `the day folders of ${url}${log}/ could not be listed (${message})` });
        return [];
      } finally {
        opts.onProgress?.('list', ++listed, folders.length, 0);
      }
    })
  ).flat();
  const failures: SinkDownload['failures'] = [];
  let done = 0;
  let bytes = 0;
  await mapPool(names, opts.concurrency ?? 16, async ({ log, name }) => {
    try {
      // An object name is not a trusted path: `..` would write outside the snapshot.
      if (name.split('/').some((s) => s === '..' || s === '.')) throw new Error(`object name ${name} is not a safe relative path`);
      const data = await clients.download(
        'storage.objects.get',
        'storage',
        `/storage/v1/b/${encodeURIComponent(location.bucket)}/o/${encodeURIComponent(name)}`,
        { alt: 'media' },
      );
      // Sink hour files are named `HH:00:00_HH:59:59_S0.json`; ':' is written as '-' so the snapshot
      // can live on any file system (the reader goes by content, never by name).
      const file = join(
        targetDir,
        ...name
          .slice(base.length)
          .split('/')
          .map((segment) => segment.replace(/:/g, '-')),
      );
      await mkdir(dirname(file), { recursive: true });
      // A temp name until whole: an interrupted run leaves no partial hour file.
      await writeFileAtomic(file, data, opts.trackTemp);
      bytes += data.length;
    } catch (err) {
      if (isCredentialsError(err)) throw err;
      const message = describe(gcpError(err));
      failures.push({ name, message });
      gaps.push({
        log,
        ...(hourSpan(name) ?? daySpan(name.slice(0, name.lastIndexOf('/') + 1))),
        reason: `hour files of ${url}${log}/ could not be read (${message})`,
      });
    }
    opts.onProgress?.('get', ++done, names.length, bytes);
  });
  failures.sort((a, b) => (a.name < b.name ? -1 : 1));
  folderFailures.sort((a, b) => (a.name < b.name ? -1 : 1));
  const spans = new Map<string, { start: number; end: number }>();
  for (const { log, name } of names) {
    const h = hourSpan(name) ?? daySpan(name.slice(0, name.lastIndexOf('/') + 1));
    if (!Number.isFinite(h.start) || !Number.isFinite(h.end)) continue;
    const known = spans.get(log);
    spans.set(log, known ? { start: Math.min(known.start, h.start), end: Math.max(known.end, h.end) } : { start: h.start, end: h.end });
  }
  const written = [...spans].map(([log, span]) => ({ log, ...span })).sort((a, b) => (a.log < b.log ? -1 : 1));
  return { logs, objects: names.length - failures.length, bytes, failures, folderFailures, gaps, written };
}
