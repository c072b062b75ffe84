// Child processes for the benchmarks: one timed run, and the `gzip -dc` floor.

import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';

/** Runs `cmd args`; resolves with wall seconds, stdout and stderr; rejects on a non-zero exit. */
export function run(cmd, args, { stdout = 'pipe' } = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: ['ignore', stdout, 'pipe'] });
    let out = '';
    let err = '';
    child.stdout?.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0) reject(new Error(`${cmd} ${args.slice(0, 3).join(' ')}… exited ${code}: ${err.slice(-2000)}`));
      else resolve({ seconds, out, err });
    });
  });
}

/** One gzip process over all files: sequential decompression, output discarded. Seconds. */
export async function gzipFloor(files) {
  const devNull = openSync('/dev/null', 'w');
  try {
    return (await run('gzip', ['-dc', ...files], { stdout: devNull })).seconds;
  } finally {
    closeSync(devNull);
  }
}

/** GNU time is there: peak RSS comes from `/usr/bin/time -v`. */
export const hasGnuTime = existsSync('/usr/bin/time');
