/**
 * Streams one CloudTrail log file (plain or gzip, told apart by the gzip magic bytes since names
 * lie: S3 downloads sometimes keep `.gz` after a transparent decompression) through the record
 * parser into a per-file aggregate. A CloudTrail file name gives the file's delivery time and
 * region (log-file-name.ts).
 */

import { openLogFile, pipeLogFile } from '../../shared/open-log-file.js';
import type { TransformOptions } from 'node:stream';
import { type ZlibOptions, createGunzip } from 'node:zlib';
import { CloudTrailFormatError, CloudTrailStreamParser, type CloudTrailShape } from './cloudtrail-stream-parser.js';
import { type AggregationWindow, FileAggregator, type FileStats } from './file-aggregator.js';
import { CallerCache } from './caller-cache.js';
import { CallStore } from './call-store.js';
import { logFileDelivery } from './log-file-name.js';
import { describeFileError } from '../../shared/read-error.js';

export interface FileProgress {
  /** Compressed (on-disk) bytes read since the previous call. */
  bytes: number;
  /** Events read since the previous call. */
  events: number;
}

export interface ReadFileTuning {
  /** Size of the reads from disk. Tests make it tiny to split records across chunks. */
  readChunkBytes?: number;
  /** Size of the decompressed chunks. */
  gunzipChunkBytes?: number;
  /** Cap on one record (default 32 MiB). Tests make it small. */
  maxRecordBytes?: number;
}

/** What a file read reports: plain data, so it can cross a worker boundary. */
export type FileReport = { isOk: true; bytesRead: number; stats: FileStats; shape: CloudTrailShape | null } | { isOk: false; reason: string };

/** The report plus, on success, the file's aggregates (kept in the thread that read them). */
export type FileOutcome = { report: FileReport; calls: CallStore | null };

const DEFAULT_READ_CHUNK = 1 << 20;
const DEFAULT_GUNZIP_CHUNK = 1 << 20;
/** Decompressed bytes zlib may run ahead of the parser, so inflating (threadpool) overlaps parsing. */
const GUNZIP_READ_AHEAD = 2 << 20;
const PROGRESS_INTERVAL_MS = 100;

/** A short reason for the report, without stack or internal detail. */
export function describeReadError(err: unknown): string {
  return err instanceof CloudTrailFormatError ? err.message : describeFileError(err);
}

export async function aggregateCloudTrailFile(
  file: string,
  window: AggregationWindow,
  callers: CallerCache = new CallerCache(),
  onProgress?: (p: FileProgress) => void,
  tuning: ReadFileTuning = {},
): Promise<FileOutcome> {
  const aggregator = new FileAggregator(window, callers, logFileDelivery(file));
  const parser = new CloudTrailStreamParser(aggregator, tuning.maxRecordBytes);
  let reportedBytes = 0;
  let reportedEvents = 0;
  let lastReport = Date.now();
  try {
    const { source, isGzip } = await openLogFile(file, tuning.readChunkBytes ?? DEFAULT_READ_CHUNK);
    const report = (): void => {
      if (onProgress === undefined) return;
      const bytes = source.bytesRead - reportedBytes;
      const events = aggregator.eventsRead - reportedEvents;
      reportedBytes += bytes;
      reportedEvents += events;
      onProgress({ bytes, events });
      lastReport = Date.now();
    };
    const consume = async (chunks: AsyncIterable<Buffer>): Promise<void> => {
      for await (const chunk of chunks) {
        parser.push(chunk);
        if (onProgress !== undefined && Date.now() - lastReport >= PROGRESS_INTERVAL_MS) report();
      }
      parser.end();
    };
    if (isGzip) {
      const chunkSize = tuning.gunzipChunkBytes ?? DEFAULT_GUNZIP_CHUNK;
      // zlib streams pass Transform options through (lib/zlib.js), which ZlibOptions does not declare.
      const options: ZlibOptions & TransformOptions = { chunkSize, readableHighWaterMark: Math.max(GUNZIP_READ_AHEAD, chunkSize) };
      await pipeLogFile(source, createGunzip(options), consume);
    } else {
      await pipeLogFile(source, null, consume);
    }
    // A bare array or JSON values of which none is a CloudTrail event: most likely the wrong file
    // (another tool's export), which should read as unreadable, not as a quiet CloudTrail log.
    const isUnwrapped = parser.shape === 'Array' || parser.shape === 'Lines';
    if (isUnwrapped && aggregator.recordsRead > 0 && aggregator.notCloudTrailEvents === aggregator.recordsRead) {
      throw new CloudTrailFormatError(
        `not a CloudTrail file: none of its ${aggregator.recordsRead} JSON value(s) is a CloudTrail event (eventSource and eventName), nor a "Records" or "Events" array`,
      );
    }
    report();
    return { report: { isOk: true, bytesRead: source.bytesRead, stats: aggregator.stats(), shape: parser.shape }, calls: aggregator.calls };
  } catch (err) {
    return { report: { isOk: false, reason: describeReadError(err) }, calls: null };
  }
}
