/**
 * What to undo when the process is interrupted: temporary files of a report being written, temp
 * snapshots of `scan aws|gcp`, partial downloads. Each piece of work registers a synchronous undo
 * and drops it when done; `bin/permdrift` installs the SIGINT / SIGTERM handlers that run what is
 * left (in-process callers of `run()` keep their own signal handling).
 */

import { rmSync } from 'node:fs';

const pending = new Set<() => void>();

/** Registers `undo` to run on an interrupt; returns the function that unregisters it. */
export function onInterrupt(undo: () => void): () => void {
  pending.add(undo);
  return () => {
    pending.delete(undo);
  };
}

/** Registers removal of `path` (file or folder) on an interrupt. */
export function removeOnInterrupt(path: string): () => void {
  return onInterrupt(() => rmSync(path, { recursive: true, force: true }));
}

/** Runs every registered undo once (newest first); failures of one do not stop the others. */
export function runInterruptCleanups(): void {
  for (const undo of [...pending].reverse()) {
    pending.delete(undo);
    try {
      undo();
    } catch {
      // Best effort: the process is going down.
    }
  }
}

/** How many undos are registered (for tests). */
export function pendingCleanups(): number {
  return pending.size;
}

const SIGNAL_EXIT: Record<'SIGINT' | 'SIGTERM' | 'SIGHUP', number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/**
 * On SIGINT / SIGTERM / SIGHUP: clean up, say so on stderr, and exit with 128 + the signal number
 * (what a shell reports for a process killed by it).
 */
export function installInterruptHandlers(stderr: NodeJS.WritableStream): void {
  for (const signal of Object.keys(SIGNAL_EXIT) as (keyof typeof SIGNAL_EXIT)[]) {
    process.once(signal, () => {
      const had = pending.size;
      runInterruptCleanups();
      try {
        stderr.write(`\npermdrift: interrupted (${signal})${had > 0 ? '; temporary files removed' : ''}\n`);
      } catch {
        // stderr may be gone.
      }
      process.exit(SIGNAL_EXIT[signal]);
    });
  }
}
