// The Cloud Audit Logs worker pool: whatever the worker count or the order files finish in, the
// result must be deep- and byte-identical to the serial reader (workers: 1), failing files
// included; a worker that dies must become filesFailed entries, never a hang or a half-counted file.

import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { readGcpProjectActivity } from '../../src/connectors/gcp/audit-logs/read-project-activity.js';

const FIX = join(import.meta.dirname, '../../fixtures/gcp-logs');
const WINDOW = { windowStart: new Date('2026-09-01T00:00:00Z'), asOf: new Date('2026-11-30T00:00:00Z') };
const ALL_TIME = { windowStart: new Date('2000-01-01T00:00:00Z'), asOf: new Date('2100-01-01T00:00:00Z') };
const tmp = mkdtempSync(join(tmpdir(), 'permdrift-gcp-workers-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const entry = (n: number, permission: string, granted: unknown = true) => ({
  logName: 'projects/p/logs/cloudaudit.googleapis.com%2Factivity',
  protoPayload: {
    '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
    authenticationInfo: {
      principalEmail: `Job${n % 3}@p.iam.gserviceaccount.com`,
      ...(n % 4 === 0
        ? {
            serviceAccountDelegationInfo: [
              { firstPartyPrincipal: { principalEmail: 'alice@example.com' } },
              { principalSubject: `principal://x/subject/${n % 2}` },
            ],
          }
        : {}),
    },
    authorizationInfo: n % 6 === 5 ? [] : [{ ...(granted === undefined ? {} : { granted }), permission, resource: 'projects/p' }],
    serviceName: 'x.googleapis.com',
    methodName: `x.m${n % 2}`,
  },
  // Spread over before the window, the window and after asOf.
  timestamp: `2026-${String(8 + (n % 5)).padStart(2, '0')}-${String(10 + (n % 17)).padStart(2, '0')}T0${n % 10}:00:00.${n}Z`,
});
const lines = (...es: object[]) => `${es.map((e) => JSON.stringify(e)).join('\n')}\n`;

/** Many files of overlapping rows (so merges add up), plus every kind of failing file. */
function brokenSnapshot(): string {
  const root = join(tmp, 'mixed');
  const files: Record<string, string | Buffer> = {};
  for (let f = 0; f < 12; f++) {
    const es = Array.from({ length: 30 + f * 7 }, (_, i) => entry(i + f, `x.things.p${(i * f) % 6}`, i % 7 === 0 ? (i % 2 === 0 ? false : undefined) : true));
    files[`sink/${String(f).padStart(2, '0')}.json${f % 2 === 0 ? '.gz' : ''}`] = f % 2 === 0 ? gzipSync(lines(...es)) : lines(...es);
  }
  files['array.json'] = JSON.stringify([entry(1, 'x.things.get'), entry(2, 'x.things.get', false), { textPayload: 'app log' }], null, 2);
  const gz = gzipSync(lines(...Array.from({ length: 200 }, (_, i) => entry(i, `x.things.lost${i}`))));
  files['truncated.json.gz'] = gz.subarray(0, Math.floor(gz.length / 2));
  files['corrupt.json.gz'] = Buffer.concat([gz.subarray(0, 20), Buffer.alloc(200, 0x41), gz.subarray(220)]);
  files['invalid.json'] = '[{"logName": "projects/p/logs/x", "protoPayload": {"a": tru}}]';
  files['bad-line.jsonl'] = `${lines(entry(4, 'x.things.half'))}{"logName": oops}\n`;
  for (const [path, content] of Object.entries(files)) {
    const full = join(root, 'gcp', 'p', 'audit-logs', path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
  return root;
}

const CASES: [string, string, string, typeof WINDOW][] = [
  ['gcloud array', join(FIX, 'same-entries-two-forms'), 'array-form', WINDOW],
  ['sink export', join(FIX, 'same-entries-two-forms'), 'sink-form', WINDOW],
  ...readdirSync(join(FIX, 'gcpdiag-samples', 'gcp')).map((p): [string, string, string, typeof WINDOW] => [
    `gcpdiag ${p}`,
    join(FIX, 'gcpdiag-samples'),
    p,
    ALL_TIME,
  ]),
  ['cloudevents', join(FIX, 'cloudevents-samples'), 'test-project', ALL_TIME],
];

describe('GCP audit log worker pool', () => {
  it.each(CASES)('%s: the pool gives the serial result with 2 and 3 workers', async (_name, dir, project, window) => {
    const serial = await readGcpProjectActivity(dir, project, { ...window, workers: 1 });
    expect(serial.auditLogs?.filesRead).toBeGreaterThan(0);
    for (const workers of [2, 3]) {
      const started: number[] = [];
      const pooled = await readGcpProjectActivity(dir, project, { ...window, workers }, { onWorkerReady: (id) => started.push(id) });
      // A snapshot of one file has a pool of one: read in this thread.
      expect(started.length).toBe(Math.min(workers, serial.auditLogs?.filesRead ?? 0) > 1 ? Math.min(workers, serial.auditLogs?.filesRead ?? 0) : 0);
      expect(pooled).toEqual(serial);
      expect(JSON.stringify(pooled)).toBe(JSON.stringify(serial));
    }
  });

  it('many files with failing ones: identical with 1, 2, 3 and 8 workers, failures in path order', async () => {
    const root = brokenSnapshot();
    const serial = await readGcpProjectActivity(root, 'p', WINDOW);
    const oneWorker = await readGcpProjectActivity(root, 'p', { ...WINDOW, workers: 1 });
    expect(oneWorker).toEqual(serial);
    const c = serial.auditLogs;
    expect(c?.filesFailed.map((f) => f.file.slice(f.file.indexOf('audit-logs/') + 11))).toEqual(['bad-line.jsonl', 'corrupt.json.gz', 'truncated.json.gz']);
    // invalid.json is read: its one invalid value is counted as not-json.
    expect(c?.filesRead).toBe(14);
    expect(c?.entriesSkipped.filter((x) => x.reason === 'not-json').map((x) => x.file.slice(x.file.indexOf('audit-logs/') + 11))).toEqual(['invalid.json']);
    // Rows from several files merged into one, in and before the window, after asOf counted.
    expect(serial.permissions.some((p) => p.count > 1)).toBe(true);
    expect(serial.permissions.some((p) => p.isDenied)).toBe(true);
    expect(serial.permissions.some((p) => p.period === 'before-window')).toBe(true);
    expect(serial.unmapped.length).toBeGreaterThan(0);
    expect(serial.delegations.map((d) => d.position)).toContain(1);
    expect(c?.entriesAfterAsOf).toBeGreaterThan(0);
    for (const workers of [2, 3, 8]) {
      const started: number[] = [];
      const pooled = await readGcpProjectActivity(root, 'p', { ...WINDOW, workers }, { onWorkerReady: (id) => started.push(id) });
      expect(started).toHaveLength(workers);
      expect(pooled).toEqual(serial);
      expect(JSON.stringify(pooled)).toBe(JSON.stringify(serial));
    }
  });

  it('by default reads a snapshot of less than 1 MiB in this thread, and one above on a pool', async () => {
    const small: number[] = [];
    await readGcpProjectActivity(join(FIX, 'same-entries-two-forms'), 'sink-form', WINDOW, { onWorkerReady: (id) => small.push(id) });
    expect(small).toEqual([]);
    const root = join(tmp, 'over-a-mebibyte');
    const dir = join(root, 'gcp', 'p', 'audit-logs');
    mkdirSync(dir, { recursive: true });
    const text = lines(...Array.from({ length: 2000 }, (_, i) => entry(i, `x.things.p${i % 9}`)));
    for (const f of ['a.jsonl', 'b.jsonl', 'c.jsonl']) writeFileSync(join(dir, f), text);
    const started: number[] = [];
    const pooled = await readGcpProjectActivity(root, 'p', WINDOW, { onWorkerReady: (id) => started.push(id) });
    // One worker per core: a one-core machine reads in this thread.
    expect(started.length).toBe(availableParallelism() > 1 ? Math.min(availableParallelism(), 3) : 0);
    expect(pooled).toEqual(await readGcpProjectActivity(root, 'p', { ...WINDOW, workers: 1 }));
  });

  it('reads in this thread, with the same result, when no worker can start', async () => {
    const root = brokenSnapshot();
    const serial = await readGcpProjectActivity(root, 'p', { ...WINDOW, workers: 1 });
    const started: number[] = [];
    const fallback = await readGcpProjectActivity(
      root,
      'p',
      { ...WINDOW, workers: 3 },
      { workerEntry: pathToFileURL(join(tmp, 'no-such-worker.mjs')), onWorkerReady: (id) => started.push(id) },
    );
    expect(started).toEqual([]);
    expect(fallback).toEqual(serial);
  });

  it('a worker that dies fails the file it was reading and, after a second loss, the files it had read; nothing is half-counted', async () => {
    const root = join(tmp, 'crashing');
    const dir = join(root, 'gcp', 'p', 'audit-logs');
    mkdirSync(dir, { recursive: true });
    const good = ['a.jsonl', 'b.jsonl', 'c.jsonl'].map((f) => join(dir, f));
    for (const f of good) writeFileSync(f, lines(entry(1, 'x.things.get')));
    const crashFile = join(dir, 'boom.jsonl');
    writeFileSync(crashFile, lines(entry(2, 'x.things.get')));
    // Dies mid-file on boom.jsonl; "reads" other files but exits when asked for its rows.
    const workerPath = join(tmp, 'crashing-worker.mjs');
    writeFileSync(
      workerPath,
      `import { parentPort } from 'node:worker_threads';
parentPort.on('message', (request) => {
  if (request.type === 'finish') process.exit(7);
  if (request.file.endsWith('boom.jsonl')) throw new Error('simulated crash');
  const stats = { valuesRead: 1, entriesRead: 1, entriesAfterAsOf: 0, skipped: { 'not-json': 0, 'not-a-log-entry': 0, 'no-proto-payload': 0, 'not-an-audit-log': 0, 'time-missing': 0, 'time-invalid': 0 }, unattributed: { 'no-principal': 0 }, timedByReceiveTimestamp: 0, zonelessTimes: 0, firstEntry: null, lastEntry: null, streams: { activity: 1, data_access: 0, system_event: 0, policy: 0, other: 0 } };
  parentPort.postMessage({ type: 'done', report: { isOk: true, bytesRead: 1, stats } });
});
parentPort.postMessage({ type: 'ready' });
`,
    );
    const started: number[] = [];
    const r = await readGcpProjectActivity(
      root,
      'p',
      { ...WINDOW, workers: 2 },
      { workerEntry: pathToFileURL(workerPath), onWorkerReady: (id) => started.push(id) },
    );
    const reasons = Object.fromEntries((r.auditLogs?.filesFailed ?? []).map((f) => [f.file, f.reason]));
    expect(Object.keys(reasons)).toEqual([...good, crashFile].sort());
    expect(reasons[crashFile]).toMatch(/worker crashed: simulated crash while reading this file/);
    for (const f of good) expect(reasons[f]).toMatch(/lost twice/);
    expect(r.auditLogs).toMatchObject({ filesRead: 0, entriesRead: 0, bytesRead: 0 });
    expect(r.permissions).toEqual([]);
    expect(started.length).toBeGreaterThan(2);
  });
});
