// What the reader proves beside the aggregates: delivery intervals per region, trail-changing calls,
// records timed by their log file's name, and that every record read is accounted for — the same
// in-process and through the worker pool.

import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCloudTrail } from '../../src/connectors/aws/cloudtrail/read-cloudtrail.js';
import { logFileDelivery } from '../../src/connectors/aws/cloudtrail/log-file-name.js';

const FIX = join(import.meta.dirname, '../../fixtures/aws/cloudtrail-reader');
const INVICTUS = join(import.meta.dirname, '../../fixtures/aws/invictus-cloudtrail/CloudTrail');
const WINDOW = { account: '111122223333', windowStart: '2026-06-01T00:00:00Z', asOf: '2026-06-30T00:00:00Z' };
const TIMED = join(FIX, '111122223333_CloudTrail_eu-west-1_20260610T1205Z_TimedByFile0001.json');
const DELIVERED = join(FIX, '111122223333_CloudTrail_us-east-1_20260610T1410Z_Delivery0001.json');
const HAND_MADE = readdirSync(FIX)
  .filter((f) => f.endsWith('.json'))
  .map((f) => join(FIX, f));
const SHAPES = readdirSync(join(FIX, 'shapes')).map((f) => join(FIX, 'shapes', f));
const ALL = [...HAND_MADE, ...SHAPES, ...readdirSync(INVICTUS).map((f) => join(INVICTUS, f))].sort();

async function read(files: string[], overrides: Partial<typeof WINDOW> = {}, workers = 1) {
  return readCloudTrail({ files, ...WINDOW, ...overrides, workers });
}

/** How many records a file holds, counted by JSON.parse, independently of the streaming reader. */
function recordsIn(file: string): number {
  const text = readFileSync(file, 'utf8');
  try {
    const doc = JSON.parse(text) as unknown;
    if (Array.isArray(doc)) return doc.length;
    const o = doc as { Records?: unknown[]; Events?: unknown[] };
    return (o.Records ?? o.Events ?? []).length;
  } catch {
    // JSON lines: one value a line.
    return text.split('\n').filter((l) => l.trim() !== '').length;
  }
}

describe('log file names', () => {
  it('reads delivery time and region from CloudTrail names only', () => {
    expect(logFileDelivery('/a/b/111122223333_CloudTrail_us-gov-west-1_20260610T1205Z_AbC123.json.gz')).toEqual({
      account: '111122223333',
      region: 'us-gov-west-1',
      time: '2026-06-10T12:05:00.000Z',
    });
    expect(logFileDelivery(TIMED)?.time).toBe('2026-06-10T12:05:00.000Z');
    for (const name of [
      'export.json',
      '111122223333_CloudTrail-Digest_us-east-1_20260610T1205Z_x.json.gz',
      '111122223333_CloudTrail_us-east-1_20260230T1205Z_x.json.gz',
      '111122223333_CloudTrail_us-east-1_20260610T2505Z_x.json',
      '210987654321_CloudTrail_consolidated_20240301.json.gz',
    ]) {
      expect(logFileDelivery(name), name).toBeNull();
    }
  });
});

describe('records without a usable time', () => {
  it('are placed at the delivery time a CloudTrail file name gives, and count as use there', async () => {
    const r = await read([TIMED]);
    const calls = Object.fromEntries(r.calls.map((c) => [c.eventName, c]));
    expect(calls['NoTime']).toMatchObject({ period: 'window', count: 1, firstSeen: '2026-06-10T12:05:00.000Z', region: 'eu-west-1' });
    expect(calls['BadTime']).toMatchObject({ period: 'window', firstSeen: '2026-06-10T12:05:00.000Z' });
    expect(calls['GoodTime']).toMatchObject({ period: 'window', firstSeen: '2026-06-10T12:01:00.000Z' });
    expect(r.coverage.recordsTimedByFile).toBe(2);
    expect(r.coverage.recordsUnusable).toEqual([]);
    expect(r.coverage.eventsRead).toBe(3);
  });

  it('take the period the delivery time implies', async () => {
    const before = await read([TIMED], { windowStart: '2026-06-10T12:03:00Z' });
    // GoodTime (12:01) and the two file-timed records (12:05) fall on either side of the window start.
    expect(before.calls.map((c) => `${c.eventName} ${c.period}`).sort()).toEqual(['BadTime window', 'GoodTime before-window', 'NoTime window']);
    const after = await read([TIMED], { asOf: '2026-06-10T12:02:00Z' });
    expect(after.calls.map((c) => c.eventName)).toEqual(['GoodTime']);
    expect(after.coverage.eventsAfterAsOf).toBe(2);
  });

  it('elsewhere are aggregated as unknown-time and counted unusable', async () => {
    const file = join(FIX, 'no-time-unnamed.json');
    const r = await read([file]);
    expect(r.calls.filter((c) => c.period === 'unknown-time').map((c) => [c.eventName, c.count, c.callerArn])).toEqual([
      ['BadTime', 1, 'arn:aws:iam::111122223333:role/deployer'],
      ['NoTime', 1, 'arn:aws:iam::111122223333:role/deployer'],
    ]);
    expect(r.coverage.recordsUnusable).toEqual([
      { file, reason: 'time-invalid', count: 1 },
      { file, reason: 'time-missing', count: 1 },
    ]);
    expect(r.coverage.recordsTimedByFile).toBe(0);
    expect(r.coverage.eventsRead).toBe(1);
  });
});

describe('nothing dropped in silence', () => {
  it('every record read is an event placed in time or counted unusable', async () => {
    const r = await read(ALL);
    expect(r.coverage.filesFailed).toEqual([]);
    const inFiles = ALL.reduce((sum, f) => sum + recordsIn(f), 0);
    const unusable = r.coverage.recordsUnusable.reduce((sum, u) => sum + u.count, 0);
    expect(r.coverage.eventsRead + unusable).toBe(inFiles);
    expect(r.coverage.recordsSkipped).toBe(unusable);
    // Aggregated: events up to asOf, plus those without a time (which are also counted unusable).
    const withoutTime = r.coverage.recordsUnusable.filter((u) => u.reason !== 'not-a-cloudtrail-event').reduce((sum, u) => sum + u.count, 0);
    const aggregated = r.calls.reduce((sum, c) => sum + c.count, 0);
    expect(aggregated).toBe(r.coverage.eventsRead - r.coverage.eventsAfterAsOf + withoutTime);
    expect(r.calls.filter((c) => c.period === 'unknown-time').reduce((sum, c) => sum + c.count, 0)).toBe(withoutTime);
    // Per file, as the report will list them.
    expect(new Set(r.coverage.recordsUnusable.map((u) => u.file.replace(`${FIX}/`, '')))).toEqual(
      new Set(['caller-types.json', 'event-times.json', 'no-time-unnamed.json', 'trail-changes.json']),
    );
  });
});

describe('delivery intervals', () => {
  it('join event and delivery times per region when the hole is at most an hour', async () => {
    const r = await read([join(FIX, 'delivery-gaps.json'), DELIVERED]);
    expect(r.coverage.deliveryIntervals).toEqual([
      { region: 'ap-south-1', intervals: [{ start: '2026-06-10T09:00:00.000Z', end: '2026-06-10T09:00:00.000Z' }] },
      {
        region: 'us-east-1',
        intervals: [
          // 10:00, 10:40, 11:40: the last hole is exactly an hour.
          { start: '2026-06-10T10:00:00.000Z', end: '2026-06-10T11:40:00.000Z' },
          // 80 minutes without a record, then 13:00, 13:20, an event at 14:05 and its file delivered at 14:10.
          { start: '2026-06-10T13:00:00.000Z', end: '2026-06-10T14:10:00.000Z' },
          // After asOf, still proof of delivery.
          { start: '2026-07-01T00:00:00.000Z', end: '2026-07-01T00:30:00.000Z' },
        ],
      },
    ]);
  });

  it('are the same for any file order and partition, and include the log file names', async () => {
    const files = [join(FIX, 'delivery-gaps.json'), DELIVERED, TIMED];
    const one = await read(files);
    const reversed = await read([...files].reverse());
    expect(reversed.coverage.deliveryIntervals).toEqual(one.coverage.deliveryIntervals);
    // The file-timed records and the file itself prove eu-west-1 at 12:01-12:05.
    expect(one.coverage.deliveryIntervals.find((d) => d.region === 'eu-west-1')).toEqual({
      region: 'eu-west-1',
      intervals: [{ start: '2026-06-10T12:01:00.000Z', end: '2026-06-10T12:05:00.000Z' }],
    });
  });
});

describe('trail changes', () => {
  it('lists the calls that change what a trail records, denied and failed ones marked', async () => {
    const r = await read([join(FIX, 'trail-changes.json')]);
    expect(r.coverage.trailChanges.map((c) => [c.time, c.eventName, c.trail, c.callerArn, c.region, c.isDenied])).toEqual([
      // Failed (the trail exists): changed nothing.
      ['2026-06-14T09:00:00.000Z', 'CreateTrail', 'second', 'arn:aws:iam::111122223333:role/deployer', 'us-east-1', true],
      [
        '2026-06-15T10:00:00.000Z',
        'StopLogging',
        'arn:aws:cloudtrail:us-east-1:111122223333:trail/main',
        'arn:aws:iam::111122223333:user/ops',
        'us-east-1',
        false,
      ],
      ['2026-06-15T12:00:00.000Z', 'StartLogging', 'main', 'arn:aws:iam::111122223333:user/ops', 'us-east-1', false],
      // PutEventSelectors names the trail in trailName.
      ['2026-06-16T09:00:00.000Z', 'PutEventSelectors', 'main', 'arn:aws:iam::111122223333:role/deployer', 'us-east-1', false],
      ['2026-06-17T09:00:00.000Z', 'DeleteTrail', 'main', 'arn:aws:iam::111122223333:user/intruder', 'us-east-1', true],
      ['2026-06-18T09:00:00.000Z', 'PutInsightSelectors', null, 'arn:aws:iam::111122223333:role/deployer', 'eu-west-1', false],
      // After asOf: kept, the engine clips.
      ['2026-07-02T09:00:00.000Z', 'UpdateTrail', 'main', 'arn:aws:iam::111122223333:role/deployer', 'us-east-1', false],
    ]);
    // DescribeTrails changes nothing; StopLogging of another service is not CloudTrail's; the
    // StopLogging without a time is counted unusable, with its caller's claims unverifiable.
    expect(r.coverage.recordsUnusable).toEqual([{ file: join(FIX, 'trail-changes.json'), reason: 'time-missing', count: 1 }]);
  });

  it('are found in lookup-events elements too', async () => {
    const lines = readFileSync(join(FIX, 'trail-changes.json'), 'utf8');
    const records = (JSON.parse(lines) as { Records: Record<string, unknown>[] }).Records;
    const stop = records.find((x) => x['eventName'] === 'StopLogging');
    const dir = mkdtempSync(join(tmpdir(), 'permdrift-ct-lookup-'));
    try {
      const file = join(dir, 'lookup.json');
      writeFileSync(file, JSON.stringify({ Events: [{ EventId: '1', EventName: 'StopLogging', CloudTrailEvent: JSON.stringify(stop) }] }));
      const r = await read([file]);
      expect(r.coverage.trailChanges).toEqual([
        {
          time: '2026-06-15T10:00:00.000Z',
          eventName: 'StopLogging',
          trail: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/main',
          callerArn: 'arn:aws:iam::111122223333:user/ops',
          region: 'us-east-1',
          isDenied: false,
        },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('trail changes in public logs', () => {
  it('marks the calls that failed (TrailNotFoundException) as changing nothing', async () => {
    const r = await read(
      readdirSync(INVICTUS).map((f) => join(INVICTUS, f)),
      { account: '123837392027', windowStart: '2023-07-01T00:00:00Z', asOf: '2023-07-31T00:00:00Z' },
    );
    const summary = r.coverage.trailChanges.map((c) => `${c.eventName} ${c.trail} ${c.isDenied ? 'failed' : 'done'}`);
    expect(summary.filter((s) => s.startsWith('StopLogging'))).toEqual(Array(3).fill('StopLogging stratus-red-team-ct-stop-trail-qzbgnfqisx failed'));
    expect(summary.filter((s) => s.startsWith('DeleteTrail')).sort()).toEqual([
      'DeleteTrail stratus-red-team-cloudtraild-trail-aueolsaccp failed',
      'DeleteTrail stratus-red-team-ctes-trail-qyxyekjbtk done',
      'DeleteTrail stratus-red-team-ctlr-trail-zqfsvooxqj done',
    ]);
    expect(summary).toHaveLength(15);
    const times = r.coverage.trailChanges.map((c) => c.time);
    expect(times).toEqual([...times].sort());
    // The files are CloudTrail-named: their delivery times join the event times.
    expect(r.coverage.deliveryIntervals.map((d) => d.region)).toContain('us-east-1');
  });
});

describe('worker pool', () => {
  it('gives results identical to reading in-process, coverage fields included', async () => {
    const inProcess = await read(ALL);
    const started: number[] = [];
    const pooled = await readCloudTrail({ files: [...ALL].reverse(), ...WINDOW, workers: 3 }, { onWorkerReady: (id) => started.push(id) });
    expect(started).toHaveLength(3);
    expect(pooled).toEqual(inProcess);
    // The fields this compares are filled, so the comparison means something.
    expect(inProcess.coverage.deliveryIntervals.length).toBeGreaterThan(2);
    // 7 hand-made (trail-changes.json) and 15 in the Stratus Red Team detonations of the Invictus set.
    expect(inProcess.coverage.trailChanges.length).toBe(22);
    expect(inProcess.coverage.recordsUnusable.length).toBeGreaterThan(3);
    expect(inProcess.coverage.recordsTimedByFile).toBe(2);
    expect(inProcess.coverage.zonelessTimes).toBe(2);
  });
});
