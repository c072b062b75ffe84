/**
 * The Logging progress line: pages, entries, how far into the window the entries (oldest first)
 * reach, and the time left from that fraction and the pacing — checked on fixed numbers and on a
 * collection against the fake endpoint with a fake clock (nothing here is timed).
 */

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectGcp } from '../../src/connectors/gcp/live/collect.js';
import { durationText, loggingProgressText, loggingTimeLeftMs, type LoggingProgress } from '../../src/connectors/gcp/live/logging-progress.js';
import { useFakeGcp } from '../fake-gcp/lifecycle.js';
import { fakeWorld } from '../fake-gcp/world.js';

const DAY = 86_400_000;
const AS_OF = new Date('2026-11-20T00:00:00Z');
const START_90 = new Date(AS_OF.getTime() - 90 * DAY); // 2026-08-22

function at(fraction: number, start: Date, end: Date): string {
  return new Date(start.getTime() + fraction * (end.getTime() - start.getTime())).toISOString();
}

function progress(extra: Partial<LoggingProgress>): LoggingProgress {
  return {
    pages: 12,
    entries: 11_400,
    lastTimestamp: at(0.25, START_90, AS_OF),
    windowStart: START_90,
    asOf: AS_OF,
    readsPerMinute: 60,
    elapsedMs: 12_000,
    ...extra,
  };
}

describe('logging progress text', () => {
  it('a quarter of the window in 12 pages: 36 pages left, one a second at 60 reads/min', () => {
    expect(loggingTimeLeftMs(progress({}))).toBe(36_000);
    expect(loggingProgressText(progress({}))).toBe('logs: 12 pages · 11,400 entries · 2026-09-13 of 90 days (25 %) · ~36 s left at 60 reads/min');
  });

  it('the pace sets the estimate (a raised quota shortens it), unless pages have been slower than the pace', () => {
    expect(loggingProgressText(progress({ readsPerMinute: 6 }))).toBe(
      'logs: 12 pages · 11,400 entries · 2026-09-13 of 90 days (25 %) · ~6 min left at 6 reads/min',
    );
    expect(loggingProgressText(progress({ readsPerMinute: 600, elapsedMs: 1_200 }))).toContain('· ~4 s left at 600 reads/min');
    // 12 pages in 48 s: 4 s a page, slower than 60 reads/min allows.
    expect(loggingProgressText(progress({ elapsedMs: 48_000 }))).toContain('· ~3 min left at 60 reads/min');
    // 900 pages for the first tenth: 8,100 left at one a second.
    expect(loggingProgressText(progress({ pages: 900, entries: 900_000, lastTimestamp: at(0.1, START_90, AS_OF), elapsedMs: 900_000 }))).toBe(
      'logs: 900 pages · 900,000 entries · 2026-08-31 of 90 days (10 %) · ~2 h 15 min left at 60 reads/min',
    );
  });

  it('no estimate before an entry says how far the read has got; `done` after the last page; short windows in hours', () => {
    expect(loggingProgressText(progress({ pages: 0, entries: 0, lastTimestamp: null, elapsedMs: 0 }))).toBe('logs: 0 pages · 0 entries · at 60 reads/min');
    expect(loggingProgressText(progress({ pages: 1, entries: 0, lastTimestamp: null }))).toBe('logs: 1 page · 0 entries · at 60 reads/min');
    expect(loggingProgressText(progress({ pages: 40, entries: 39_500, lastTimestamp: at(0.999, START_90, AS_OF), isDone: true }))).toBe(
      'logs: 40 pages · 39,500 entries · 2026-11-19 of 90 days (99 %) · done',
    );
    const start = new Date(AS_OF.getTime() - 36 * 3_600_000);
    expect(loggingProgressText(progress({ pages: 3, entries: 2_500, windowStart: start, lastTimestamp: at(0.5, start, AS_OF), elapsedMs: 3_000 }))).toBe(
      'logs: 3 pages · 2,500 entries · 2026-11-19 of 36 hours (50 %) · ~3 s left at 60 reads/min',
    );
    expect([durationText(400), durationText(59_000), durationText(61_000), durationText(3_600_000)]).toEqual(['~1 s', '~59 s', '~2 min', '~1 h']);
  });
});

describe('logging progress during a collection (fake endpoint, fake clock)', () => {
  const start = useFakeGcp();

  it("one line per page through onProgress: pages, entries, the last entry's day and share of the window, the estimate, then done", async () => {
    const world = fakeWorld({ logEntries: 50, days: 30 });
    await start({ world, pageSize: 10 });
    // Each reading of the clock is one second later: one page a second, the pace of 60 reads/min.
    let tick = AS_OF.getTime();
    const clock = (): Date => new Date((tick += 1000));
    const messages: string[] = [];
    const windowStart = new Date(AS_OF.getTime() - 30 * DAY);
    await collectGcp({
      outDir: mkdtempSync(join(tmpdir(), 'permdrift-gcp-progress-')),
      projects: ['alpha-prod'],
      folders: [],
      organizations: [],
      windowStart,
      asOf: AS_OF,
      auditLogs: 'api',
      isActivityWanted: false,
      endpoint: process.env['PERMDRIFT_GCP_ENDPOINT_URL'] ?? '',
      loggingReadsPerMinute: 60_000,
      now: clock,
      onProgress: (m) => messages.push(m),
    });
    const logLines = [...new Set(messages.map((m) => /(logs: .*?) · \d+ requests$/.exec(m)?.[1]).filter((x): x is string => x !== undefined))];
    const entries = world.projects[0]?.logEntries ?? [];
    const expected = ['logs: 0 pages · 0 entries · at 60,000 reads/min'];
    for (let page = 1; page <= 5; page++) {
      const last = String(entries[page * 10 - 1]?.['timestamp']);
      const f = (Date.parse(last) - windowStart.getTime()) / (30 * DAY);
      const head = `logs: ${page} page${page === 1 ? '' : 's'} · ${page * 10} entries · ${last.slice(0, 10)} of 30 days (${Math.floor(f * 100)} %)`;
      // Pages took 1 s each on the fake clock, slower than 60,000 reads/min: the estimate uses 1 s a page.
      expected.push(page === 5 ? `${head} · done` : `${head} · ~${Math.ceil((page * (1 - f)) / f)} s left at 60,000 reads/min`);
    }
    expect(logLines).toEqual(expected);
  });
});
