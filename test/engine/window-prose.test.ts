/** Window lengths in prose and the hint that says which flag matches the logs read. */

import { describe, expect, it } from 'vitest';
import { durationAdjective, durationText, freshnessFlag, partOfText, spanMs } from '../../src/model/duration-text.js';
import { makeWindow } from '../../src/engine/window.js';
import { windowMatchHint } from '../../src/engine/window-hint.js';

const H = 3_600_000;
const D = 24 * H;

describe('durationText', () => {
  it('says days from a day up, hours under a day, minutes under an hour; never "0 days"', () => {
    expect(durationText(90 * D)).toBe('90 days');
    expect(durationText(D)).toBe('1 day');
    expect(durationText(36 * H)).toBe('1.5 days');
    expect(durationText(12 * H)).toBe('12 hours');
    expect(durationText(H)).toBe('1 hour');
    expect(durationText(20 * 60_000)).toBe('20 minutes');
    expect(durationAdjective(90 * D)).toBe('90-day');
    expect(durationAdjective(H)).toBe('1-hour');
  });
  it('keeps "12 of 90 days" when both are days and names each unit otherwise', () => {
    expect(partOfText(12 * D, 90 * D)).toBe('12 of 90 days');
    expect(partOfText(12 * H, 90 * D)).toBe('12 hours of 90 days');
    expect(partOfText(0, H, 'of the')).toBe('0 minutes of the 1 hour');
    expect(partOfText(H, 2 * H, 'vs')).toBe('1 vs 2 hours');
  });
  it('takes a span under a day from its times, since its days round to 0', () => {
    expect(spanMs({ start: '2026-11-19T23:00:00.000Z', end: '2026-11-20T00:00:00.000Z', days: 0 })).toBe(H);
    expect(spanMs({ start: '2026-08-22T00:00:00.000Z', end: '2026-11-20T00:00:00.000Z', days: 90 })).toBe(90 * D);
  });
  it('writes gcloud --freshness in days when whole, else hours', () => {
    expect(freshnessFlag(90 * D)).toBe('90d');
    expect(freshnessFlag(H)).toBe('1h');
    expect(freshnessFlag(36 * H)).toBe('36h');
  });
});

describe('windowMatchHint', () => {
  const window = makeWindow(new Date('2026-11-20T00:00:00Z'), 90 * D);
  const start = Date.parse(window.start);
  it('asks for --as-of when the logs stop early, not for --window', () => {
    const hint = windowMatchHint(start - 30 * D, Date.parse('2026-11-10T06:00:00Z'), window);
    expect(hint).toBe('Use --as-of 2026-11-10T06:00:00.000Z to end the window where the logs end.');
  });
  it('adds --window when the earlier --as-of would take the window back past the first log', () => {
    expect(windowMatchHint(start, Date.parse('2026-11-10T06:00:00Z'), window)).toBe(
      'Use --as-of 2026-11-10T06:00:00.000Z and --window 80d to match the logs (2026-08-22T00:00:00.000Z to 2026-11-10T06:00:00.000Z).',
    );
  });
  it('asks for --window when the logs start late', () => {
    expect(windowMatchHint(Date.parse('2026-10-01T00:00:00Z'), window.endMs, window)).toBe(
      'Use --window 50d to match the logs, which start 2026-10-01T00:00:00.000Z.',
    );
  });
  it('asks for both when the logs start late and stop early, the window measured from the new --as-of', () => {
    expect(windowMatchHint(Date.parse('2026-10-01T00:00:00Z'), Date.parse('2026-10-01T20:30:00Z'), window)).toBe(
      'Use --as-of 2026-10-01T20:30:00.000Z and --window 20h to match the logs (2026-10-01T00:00:00.000Z to 2026-10-01T20:30:00.000Z).',
    );
  });
  it('says nothing when the logs reach both ends within the tolerance', () => {
    expect(windowMatchHint(start + H, window.endMs - H, window)).toBe('');
  });
});
