/**
 * Opens a log file for streaming and tells whether it is gzip by its magic bytes (1f 8b), not by its
 * name: CloudTrail archives and Cloud Logging sink exports are read the same way.
 */

import type { ReadStream } from 'node:fs';
import { open } from 'node:fs/promises';

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
