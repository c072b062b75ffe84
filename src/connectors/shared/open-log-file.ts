/**
 * Opens a log file for streaming and tells whether it is gzip by its magic bytes (1f 8b), not by its
 * name: CloudTrail archives and Cloud Logging sink exports are read the same way.
 */

import type { ReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export async function openLogFile(file: string, chunkBytes: number): Promise<{ source: ReadStream; isGzip: boolean }> {
  const fh = await open(file, 'r');
  let isGzip: boolean;
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await fh.read(head, 0, 2, 0);
    isGzip = bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } catch (err) {
    await fh.close();
    throw err;
  }
  // The stream owns the handle from here and closes it when it ends or fails.
  return { source: fh.createReadStream({ start: 0, highWaterMark: chunkBytes }), isGzip };
}

/**
 * Streams the file's bytes (through `gunzip` when it is gzip) into `consume`. When the consumer gives
 * up (a record over the size cap, invalid JSON) its own error is the one thrown: pipeline would
 * report the AbortError of the gunzip stream it tore down instead (`ABORT_ERR: The operation was
 * aborted`), so a .gz file would not say what was wrong with it while a plain file does.
 */
export async function pipeLogFile(source: ReadStream, gunzip: Transform | null, consume: (chunks: AsyncIterable<Buffer>) => Promise<void>): Promise<void> {
  let consumed: Promise<void> | undefined;
  const run = (chunks: AsyncIterable<Buffer>): Promise<void> => (consumed = consume(chunks));
  try {
    if (gunzip) await pipeline(source, gunzip, run);
    else await pipeline(source, run);
  } catch (err) {
    // The consumer settles once its stream is torn down; its error, if it has one, came first.
    if (consumed) await consumed;
    throw err;
  }
}
