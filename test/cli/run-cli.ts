/**
 * Runs the built binary (`node bin/permdrift`, which runs dist/: `npm test` builds it) the way the
 * CLI tests do: a minimal environment (PATH, NO_COLOR=1, CI=true, then `env` over them), a
 * 60-second limit, and the exit code with all of stdout and stderr.
 */

import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'permdrift');

const TIMEOUT_MS = 60_000;

export interface CliRun {
  /** Null when the process was killed (the time limit, or output over the buffer). */
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Variables set over the base environment (PATH from this process, NO_COLOR=1, CI=true). */
  env?: Record<string, string>;
  /** The working directory; this process's when absent. */
  cwd?: string;
}

function cliEnv(env: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env['PATH'] ?? '', NO_COLOR: '1', CI: 'true', ...env };
}

/** Synchronous: for tests with nothing else to serve while the CLI runs. */
export function runCli(args: string[], opts: CliOptions = {}): CliRun {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    maxBuffer: 64 * 1024 * 1024,
    encoding: 'utf8',
    env: cliEnv(opts.env),
    timeout: TIMEOUT_MS,
    ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Asynchronous: for tests whose fake server lives in this process and must keep answering while the CLI runs. */
export function runCliAsync(args: string[], opts: CliOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: cliEnv(opts.env), ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill(), TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** An error as users see it: an `error:` line (and a `hint:` line when `hint` is set), no stack trace. */
export function expectCleanError(stderr: string, { hint = false }: { hint?: boolean } = {}): void {
  expect(stderr).toMatch(/^error: /m);
  if (hint) expect(stderr).toMatch(/^hint: /m);
  expect(stderr).not.toMatch(/^\s+at /m);
}
