// Record times in every form exports use (fixtures/aws/cloudtrail-reader/event-times.json: the
// eventName of each record says what its time is): read the same on every machine, never dropped.

import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { epochToTime, normaliseEventTime, parseTimeText } from '../../src/connectors/aws/cloudtrail/event-time.js';
import { readCloudTrail } from '../../src/connectors/aws/cloudtrail/read-cloudtrail.js';
import type { ReadCloudTrailResult } from '../../src/connectors/aws/cloudtrail/read-cloudtrail.js';

const FIX = join(import.meta.dirname, '../../fixtures/aws/cloudtrail-reader');
const TIMES = join(FIX, 'event-times.json');
const WINDOW = { account: '111122223333', windowStart: '2026-06-01T00:00:00Z', asOf: '2026-06-30T00:00:00Z' };
const run = promisify(execFile);

function byName(r: ReadCloudTrailResult): Record<string, { period: string; firstSeen: string }> {
  return Object.fromEntries(r.calls.map((c) => [c.eventName, { period: c.period, firstSeen: c.firstSeen }]));
}

describe('time parsing', () => {
  it('reads ISO times with and without zone as UTC, and epoch seconds / milliseconds', () => {
    expect(normaliseEventTime('2026-06-10T10:00:00Z')).toBe('2026-06-10T10:00:00.000Z');
    expect(normaliseEventTime('2026-06-10T12:00:00+02:00')).toBe('2026-06-10T10:00:00.000Z');
    expect(normaliseEventTime('2026-06-10T05:30:00-0430')).toBe('2026-06-10T10:00:00.000Z');
    expect(parseTimeText('2026-10-20T10:00:00')).toEqual({ time: '2026-10-20T10:00:00.000Z', isZoneless: true });
    expect(parseTimeText('2026-10-20')).toEqual({ time: '2026-10-20T00:00:00.000Z', isZoneless: true });
    expect(parseTimeText('2026-10-20T10:00:00Z')).toEqual({ time: '2026-10-20T10:00:00.000Z', isZoneless: false });
    expect(epochToTime(1781085600)).toBe('2026-06-10T10:00:00.000Z');
    expect(epochToTime(1781085600.5)).toBe('2026-06-10T10:00:00.500Z');
    expect(epochToTime(1781085600123)).toBe('2026-06-10T10:00:00.123Z');
    expect(normaliseEventTime('1781085600')).toBe('2026-06-10T10:00:00.000Z');
  });

  it('refuses impossible dates, other formats and placeholder numbers instead of guessing', () => {
    for (const s of [
      '2026-02-30T10:00:00Z',
      '2026-02-29T00:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-06-10T24:00:00Z',
      '2026-06-10T10:60:00Z',
      '2026-06-10T10:00:61Z',
      '2026-06-10T10:00:00+25:00',
      'yesterday',
      'Wed Jun 10 2026 10:00:00',
      '10/06/2026',
      '',
    ]) {
      expect(normaliseEventTime(s), s).toBeNull();
    }
    // A leap day that exists.
    expect(normaliseEventTime('2028-02-29T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z');
    for (const n of [0, -1, 20261020, Number.NaN, 1e17]) expect(epochToTime(n), String(n)).toBeNull();
  });
});

describe('record times', () => {
  it('places every record by its own time, or says why it could not', async () => {
    const r = await readCloudTrail({ files: [TIMES], ...WINDOW, workers: 1 });
    const calls = byName(r);
    const inWindow = (firstSeen: string) => ({ period: 'window', firstSeen });
    expect(calls).toMatchObject({
      IsoUtc: inWindow('2026-06-10T10:00:00.000Z'),
      IsoMillis: inWindow('2026-06-10T10:00:00.250Z'),
      IsoMicros: inWindow('2026-06-10T10:00:00.123Z'),
      IsoOffset: inWindow('2026-06-10T10:00:00.000Z'),
      // 20:00 UTC is before asOf; read in Los Angeles time it would be 03:00Z the next day, after it.
      IsoZoneless: inWindow('2026-06-29T20:00:00.000Z'),
      IsoZonelessSpace: inWindow('2026-06-10T10:00:00.500Z'),
      TimestampOnly: inWindow('2026-06-12T08:30:00.000Z'),
      EventTimeNullTimestamp: inWindow('2026-06-12T08:31:00.000Z'),
      EpochSeconds: inWindow('2026-06-10T10:00:00.000Z'),
      EpochMillis: inWindow('2026-06-10T10:00:00.123Z'),
      EpochDigits: inWindow('2026-06-10T10:00:00.000Z'),
      // eventTime wins over @timestamp (often the time a shipper ingested the record).
      BothTimes: inWindow('2026-06-13T00:00:00.000Z'),
    });
    const unknown = ['CalendarInvalid', 'HourInvalid', 'Garbage', 'LocalFormat', 'EpochZero', 'ObjectTime', 'Missing', 'NullTime', 'EmptyTime'];
    for (const name of unknown) expect(calls[name], name).toEqual({ period: 'unknown-time', firstSeen: '' });
    expect(r.coverage.recordsUnusable).toEqual([
      { file: TIMES, reason: 'not-a-cloudtrail-event', count: 2 },
      { file: TIMES, reason: 'time-invalid', count: 6 },
      { file: TIMES, reason: 'time-missing', count: 3 },
    ]);
    expect(r.coverage.zonelessTimes).toBe(2);
    expect(r.coverage.eventsRead).toBe(12);
    expect(r.coverage.recordsTimedByFile).toBe(0);
    expect(r.coverage.lastEvent).toBe('2026-06-29T20:00:00.000Z');
  });

  it('gives the same result under TZ=UTC and TZ=America/Los_Angeles (bounds without a zone too)', async () => {
    const child = join(import.meta.dirname, 'read-cloudtrail-child.ts');
    const args = ['--import', 'tsx', child, '2026-06-01T00:00:00', '2026-06-30T00:00:00', WINDOW.account, TIMES, join(FIX, 'window-periods.json')];
    const outputs = await Promise.all(
      ['UTC', 'America/Los_Angeles'].map(async (tz) => (await run(process.execPath, args, { env: { ...process.env, TZ: tz }, maxBuffer: 16 << 20 })).stdout),
    );
    const [utc, la] = outputs.map((o) => JSON.parse(o) as ReadCloudTrailResult);
    expect(la).toEqual(utc);
    // …and both equal the reading of this process, whatever its zone.
    const here = await readCloudTrail({ files: [TIMES, join(FIX, 'window-periods.json')], ...WINDOW, workers: 1 });
    expect(utc).toEqual(JSON.parse(JSON.stringify(here)));
    expect(byName(la as ReadCloudTrailResult)['IsoZoneless']).toEqual({ period: 'window', firstSeen: '2026-06-29T20:00:00.000Z' });
  });
});
