/** What every command gets from the CLI shell: the streams, the environment, the clock, the exit code. */

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
  return [
    ...previous,
    ...value
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== ''),
  ];
}

/** A stream that was closed or failed (a reader that went away): nothing more is written to it. */
function isGone(stream: NodeJS.WritableStream): boolean {
  const s = stream as NodeJS.WritableStream & { destroyed?: boolean; writableEnded?: boolean };
  return s.destroyed === true || s.writableEnded === true;
}

/**
 * Writes pieces to a stream, waiting for it to drain when it asks to (a pipe to a slow reader).
 * A reader that closes the pipe early (`| head`) ends the writing, not the run: the exit code a
 * gate depends on is still the one returned.
 */
export async function writePieces(stream: NodeJS.WritableStream, pieces: Iterable<string>): Promise<void> {
  for (const piece of pieces) {
    if (isGone(stream)) return;
    if (!stream.write(piece) && typeof stream.once === 'function') {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          stream.removeListener('drain', done);
          stream.removeListener('close', done);
          stream.removeListener('error', done);
          resolve();
        };
        stream.once('drain', done);
        stream.once('close', done);
        stream.once('error', done);
      });
    }
  }
}
