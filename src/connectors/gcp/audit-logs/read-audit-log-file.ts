/**
 * Streams one audit log file (plain or gzip, told apart by the gzip magic bytes, since a download
 * may keep `.gz` after a transparent decompression) through the value splitter into a per-file
 * aggregator. Memory stays at one read chunk plus the entry being read, whatever the file size.
 */

import { openLogFile, pipeLogFile } from '../../shared/open-log-file.js';
import type { TransformOptions } from 'node:stream';
import { type ZlibOptions, createGunzip } from 'node:zlib';
import { describeFileError as describeReadError } from '../../shared/read-error.js';
import { type AuditFileStats, type AuditWindow, AuditLogAggregator } from './audit-log-aggregator.js';
import { JsonValueSplitter, type JsonStreamShape } from './json-value-splitter.js';

export interface AuditFileTuning {
  /** Size of the reads from disk. Tests make it tiny to split entries across chunks. */
  readChunkBytes?: number;
  /** Size of the decompressed chunks. */
  gunzipChunkBytes?: number;
  /** Cap on one JSON value. */
  maxValueBytes?: number;
}

export type AuditFileOutcome =
  { isOk: true; bytesRead: number; shape: JsonStreamShape | null; aggregator: AuditLogAggregator } | { isOk: false; reason: string };

/** What a file read reports without its rows: plain data, so it can cross a worker boundary. */
export type AuditFileReport = { isOk: true; bytesRead: number; stats: AuditFileStats } | { isOk: false; reason: string };

export function reportOf(outcome: AuditFileOutcome): AuditFileReport {
  return outcome.isOk ? { isOk: true, bytesRead: outcome.bytesRead, stats: outcome.aggregator.stats } : outcome;
}

// 256 KiB pieces rather than 1 MiB: as fast on the benchmark, and with one reader per core the
// larger pieces (kept alive across awaits, so freed only by full GCs) took peak RSS from ~190 MB
// to ~240 MB with two workers.
const DEFAULT_READ_CHUNK = 1 << 18;
const DEFAULT_GUNZIP_CHUNK = 1 << 18;
/** Decompressed bytes zlib may run ahead of the parser, so inflating (threadpool) overlaps parsing. */
const GUNZIP_READ_AHEAD = 1 << 20;

export async function aggregateAuditLogFile(file: string, window: AuditWindow, tuning: AuditFileTuning = {}): Promise<AuditFileOutcome> {
  const aggregator = new AuditLogAggregator(window);
  // A value JSON.parse rejects is counted (`not-json`) and the rest of the file still read: the
  // scanner knows where it ends, and the engine treats the project's logs as partly unreadable.
  const splitter = new JsonValueSplitter(
    (value) => aggregator.addValue(value),
    tuning.maxValueBytes,
    () => aggregator.addInvalid(),
  );
  try {
    const { source, isGzip } = await openLogFile(file, tuning.readChunkBytes ?? DEFAULT_READ_CHUNK);
    const consume = async (chunks: AsyncIterable<Buffer>): Promise<void> => {
      for await (const chunk of chunks) splitter.push(chunk);
      splitter.end();
    };
    if (isGzip) {
      const chunkSize = tuning.gunzipChunkBytes ?? DEFAULT_GUNZIP_CHUNK;
      // zlib streams pass Transform options through (lib/zlib.js), which ZlibOptions does not declare.
      const options: ZlibOptions & TransformOptions = { chunkSize, readableHighWaterMark: Math.max(2 * chunkSize, GUNZIP_READ_AHEAD) };
      await pipeLogFile(source, createGunzip(options), consume);
    } else {
      await pipeLogFile(source, null, consume);
    }
    return { isOk: true, bytesRead: source.bytesRead, shape: splitter.shape, aggregator };
  } catch (err) {
    return { isOk: false, reason: describeReadError(err) };
  }
}
