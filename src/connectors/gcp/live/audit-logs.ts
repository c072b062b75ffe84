/**
 * Cloud Audit Logs through Logging v2 `entries.list`: every entry of the project's audit logs
 * inside the window, oldest first, streamed page by page into one JSON array of LogEntry objects
 * (the shape `gcloud logging read --format=json` prints). Reads are paced by the collection's
 * token bucket (Logging allows 60 reads a minute per project by default).
 */

import type { WriteStream } from 'node:fs';
import { once } from 'node:events';
import { openAtomicWrite, type TempTracker } from '../../shared/atomic-file.js';
import type { GcpClients } from './clients.js';
import type { Json } from './gcloud-json.js';

export interface EntriesResult {
  entries: number;
  pages: number;
  /** Timestamp of the last entry written (entries come oldest first). */
  lastTimestamp: string | null;
  /** The error that stopped the listing; the entries before it are in the file. */
  failure?: unknown;
}

/** The filter: audit logs only (`logName:"cloudaudit.googleapis.com"`), inside [windowStart, asOf]. */
function auditLogFilter(windowStart: Date, asOf: Date): string {
  return `logName:"cloudaudit.googleapis.com" AND timestamp>="${windowStart.toISOString()}" AND timestamp<="${asOf.toISOString()}"`;
}

async function write(stream: WriteStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

export async function listAuditLogEntries(
  clients: GcpClients,
  projectId: string,
  window: { start: Date; end: Date },
  file: string,
  opts: { pageSize?: number; onPage?: (entries: number, lastTimestamp: string | null, pages: number, isLast: boolean) => void; trackTemp?: TempTracker } = {},
): Promise<EntriesResult> {
  // A temp name until the listing has ended (in full or at a reported failure): never a partial file under the final name.
  const atomic = openAtomicWrite(file, opts.trackTemp);
  const stream = atomic.stream;
  const result: EntriesResult = { entries: 0, pages: 0, lastTimestamp: null };
  const body = {
    resourceNames: [`projects/${projectId}`],
    filter: auditLogFilter(window.start, window.end),
    orderBy: 'timestamp asc',
    pageSize: opts.pageSize ?? 1000,
  };
  try {
    await write(stream, '[');
    let pageToken: string | undefined;
    do {
      let page: { entries?: Json[]; nextPageToken?: string };
      try {
        page = await clients.rest('logging.entries.list', 'logging', '/v2/entries:list', {
          method: 'POST',
          body: { ...body, ...(pageToken ? { pageToken } : {}) },
        });
      } catch (err) {
        result.failure = err;
        break;
      }
      result.pages++;
      for (const entry of page.entries ?? []) {
        await write(stream, `${result.entries === 0 ? '\n' : ',\n'}${JSON.stringify(entry)}`);
        result.entries++;
        if (typeof entry === 'object' && entry !== null && !Array.isArray(entry) && typeof entry['timestamp'] === 'string')
          result.lastTimestamp = entry['timestamp'];
      }
      pageToken = page.nextPageToken || undefined;
      opts.onPage?.(result.entries, result.lastTimestamp, result.pages, pageToken === undefined);
    } while (pageToken);
    await write(stream, result.entries === 0 ? ']\n' : '\n]\n');
  } catch (err) {
    await atomic.discard();
    throw err;
  }
  await atomic.commit();
  return result;
}
