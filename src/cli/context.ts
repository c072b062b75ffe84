/** What every command gets from the CLI shell: the streams, the environment, the clock, the exit code. */

import { open, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /** Injected clock; defaults to the real one. */
  now?: () => Date;
  /** Where relative paths and the config search start; defaults to process.cwd(). */
  cwd?: string;
}

export interface CommandContext {
  io: CliIo;
  now: () => Date;
  /** The exit code of the run when no error is thrown: 0, or 1 for failing findings. */
  setExitCode(code: 0 | 1): void;
  /** Turned on by a command's --debug so errors print their stack. */
  setDebug(isDebug: boolean): void;
}

/** Repeatable flags; a comma-separated value (as environment variables give) counts as several. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((v) => v.trim()).filter((v) => v !== '')];
}

/** flag > PERMDRIFT_* environment variable > default. */
export function envDefault(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[`PERMDRIFT_${name}`];
  return v === undefined || v === '' ? undefined : v;
}

/** Temp file + rename, so a cron job never leaves half a report behind. Pieces are written one by one. */
export async function writeAtomically(file: string, content: string | Iterable<string>): Promise<void> {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  if (typeof content === 'string') await writeFile(tmp, content);
  else {
    const handle = await open(tmp, 'w');
    try {
      for (const piece of content) await handle.write(piece);
    } finally {
      await handle.close();
    }
  }
  await rename(tmp, file);
}

/** Writes pieces to a stream, waiting for it to drain when it asks to (a pipe to a slow reader). */
export async function writePieces(stream: NodeJS.WritableStream, pieces: Iterable<string>): Promise<void> {
  for (const piece of pieces) {
    if (!stream.write(piece) && typeof stream.once === 'function') {
      await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
    }
  }
}
