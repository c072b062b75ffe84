// The worker pool under failure: a worker that dies must become filesFailed entries, never a hang or
// a half-counted file; a worker that cannot start means reading in-process.

import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readCloudTrail } from '../../src/connectors/aws/cloudtrail/read-cloudtrail.js';

const FIX = join(import.meta.dirname, '../../fixtures/aws/cloudtrail-reader');
const FILES = ['error-codes.json', 'window-periods.json', 'caller-types.json', 'lookup-events.json'].map((f) => join(FIX, f));
const OPTS = { account: '111122223333', windowStart: '2026-06-01T00:00:00Z', asOf: '2026-06-30T00:00:00Z' };

describe('worker pool failures', () => {
  it('reports the file a worker died on and re-reads, then gives up on, the files whose results were lost', async () => {
    const crashFile = join(FIX, 'crash-me.json');
    const started: number[] = [];
    const r = await readCloudTrail(
      { ...OPTS, files: [crashFile, ...FILES], workers: 2 },
      { workerEntry: pathToFileURL(join(FIX, 'crashing-worker.mjs')), onWorkerReady: (id) => started.push(id) },
    );
    const reasons = Object.fromEntries(r.coverage.filesFailed.map((f) => [f.file, f.reason]));
    expect(Object.keys(reasons).sort()).toEqual([crashFile, ...FILES].sort());
    expect(reasons[crashFile]).toMatch(/worker crashed: simulated crash while reading this file/);
    for (const f of FILES) expect(reasons[f]).toMatch(/lost twice/);
    // Nothing from a lost worker was counted.
    expect(r.coverage.filesRead).toBe(0);
    expect(r.coverage.eventsRead).toBe(0);
    expect(r.calls).toEqual([]);
    // Replacement workers were started after each death.
    expect(started.length).toBeGreaterThan(2);
  });

  it('reads in-process when no worker can start', async () => {
    const inProcess = await readCloudTrail({ ...OPTS, files: FILES, workers: 1 });
    const started: number[] = [];
    const fallback = await readCloudTrail(
      { ...OPTS, files: FILES, workers: 2 },
      { workerEntry: pathToFileURL(join(FIX, 'no-such-worker.mjs')), onWorkerReady: (id) => started.push(id) },
    );
    expect(started).toEqual([]);
    expect(fallback).toEqual(inProcess);
    expect(inProcess.coverage.filesRead).toBe(FILES.length);
  });

  it('pool and in-process agree on the hand-made fixtures', async () => {
    const inProcess = await readCloudTrail({ ...OPTS, files: FILES, workers: 1 });
    const started: number[] = [];
    const pooled = await readCloudTrail({ ...OPTS, files: [...FILES].reverse(), workers: 3 }, { onWorkerReady: (id) => started.push(id) });
    expect(started).toHaveLength(3);
    expect(pooled).toEqual(inProcess);
  });
});
