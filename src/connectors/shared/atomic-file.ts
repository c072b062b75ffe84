/**
 * Files the collectors write appear under their final names only when complete: each is written
 * to `.<name>.<pid>.tmp` in the same folder and renamed over the final name at the end (as the
 * collection manifest and the report are). A run that dies half-way leaves no partial file under a
 * final name; the temp files are removed on failure, and on an interrupt through `track` (the
 * CLI's cleanup registry; connectors do not know about signals).
 */

import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Registers a temp file for removal on an interrupt; returns the function that unregisters it. */
export type TempTracker = (path: string) => () => void;

const untracked: TempTracker = () => () => undefined;

function tempPathFor(file: string): string {
  return join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
}

export async function writeFileAtomic(file: string, data: string | Uint8Array, track: TempTracker = untracked): Promise<void> {
  const tmp = tempPathFor(file);
  const untrack = track(tmp);
  try {
    await writeFile(tmp, data);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  } finally {
    untrack();
  }
}

/** A file being written as a stream: `commit` renames it into place, `discard` removes it. */
export interface AtomicWrite {
  stream: WriteStream;
  commit(): Promise<void>;
  discard(): Promise<void>;
}

export function openAtomicWrite(file: string, track: TempTracker = untracked): AtomicWrite {
  const tmp = tempPathFor(file);
  const untrack = track(tmp);
  const stream = createWriteStream(tmp);
  const closed = once(stream, 'close').catch(() => undefined);
  // A failed stream rejects commit (its error is rethrown there), never as an unhandled event.
  let failure: unknown;
  stream.on('error', (err) => {
    failure ??= err;
  });
  let isSettled = false;
  return {
    stream,
    async commit() {
      if (isSettled) return;
      isSettled = true;
      try {
        if (!stream.writableEnded) stream.end();
        await closed;
        if (failure !== undefined) throw failure;
        await rename(tmp, file);
      } catch (err) {
        await rm(tmp, { force: true });
        throw err;
      } finally {
        untrack();
      }
    },
    async discard() {
      if (isSettled) return;
      isSettled = true;
      stream.destroy();
      await closed;
      await rm(tmp, { force: true });
      untrack();
    },
  };
}
