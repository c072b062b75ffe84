import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { isColorWanted, parseAsOf, parseWindow, resolveOutputs } from '../../src/cli/options.js';
import { ProgressLine } from '../../src/cli/progress.js';
import { UsageError } from '../../src/model/errors.js';

describe('parseWindow', () => {
  it('reads whole days and hours, in either case and with a space', () => {
    expect(parseWindow('90d')).toBe(90 * 86_400_000);
    expect(parseWindow('12h')).toBe(12 * 3_600_000);
    expect(parseWindow('1D')).toBe(86_400_000);
    expect(parseWindow(' 36 H ')).toBe(36 * 3_600_000);
    expect(parseWindow('1h')).toBe(3_600_000);
  });
  it('accepts exactly the 400-day cap in either unit', () => {
    expect(parseWindow('400d')).toBe(400 * 86_400_000);
    expect(parseWindow('9600h')).toBe(400 * 86_400_000);
  });
  it('refuses more than 400 days in hours as in days, naming the cap', () => {
    for (const over of ['401d', '9601h', '100000h', '99999999999999999999h']) {
      expect(() => parseWindow(over), over).toThrow(UsageError);
      expect(() => parseWindow(over), over).toThrow(/400-day \(9600h\) cap/);
    }
    expect(() => parseWindow('100000h')).toThrow('4166.7 days is over the 400-day (9600h) cap');
  });
  it('refuses zero, negatives, fractions, bare numbers, other units and garbage', () => {
    const cases: [string, RegExp][] = [
      ['0d', /at least 1h/],
      ['0h', /at least 1h/],
      ['-1d', /at least 1h/],
      ['-5h', /at least 1h/],
      ['1.5d', /must be whole.*36h/],
      ['0.5h', /must be whole/],
      ['90', /whole number of days or hours/],
      ['90m', /whole number of days or hours/],
      ['d', /whole number of days or hours/],
      ['', /whole number of days or hours/],
      ['ninety days', /whole number of days or hours/],
      ['1e3h', /whole number of days or hours/],
    ];
    for (const [bad, message] of cases) {
      expect(() => parseWindow(bad), bad).toThrow(UsageError);
      expect(() => parseWindow(bad), bad).toThrow(message);
    }
  });
  it('names the flag it was given', () => {
    expect(() => parseWindow('0d', '--since')).toThrow('invalid --since "0d"');
  });
});

describe('parseAsOf', () => {
  const clock = (): Date => new Date('2026-01-02T03:04:05Z');
  const at = (text: string): string => parseAsOf(text, clock).toISOString();
  it('uses the injected clock by default and accepts ISO times with a zone', () => {
    const now = new Date('2026-01-02T03:04:05Z');
    expect(parseAsOf(undefined, () => now)).toBe(now);
    expect(at('2026-11-20T00:00:00Z')).toBe('2026-11-20T00:00:00.000Z');
    expect(at('2026-11-20T02:00:00+02:00')).toBe('2026-11-20T00:00:00.000Z');
    expect(at('2026-11-19T19:30:00-0430')).toBe('2026-11-20T00:00:00.000Z');
    expect(at('2026-11-20T00:00:00.25Z')).toBe('2026-11-20T00:00:00.250Z');
    expect(at('2026-11-20T10:15Z')).toBe('2026-11-20T10:15:00.000Z');
  });
  it('reads a date alone and a zone-less time as UTC', () => {
    expect(at('2026-11-20')).toBe('2026-11-20T00:00:00.000Z');
    expect(at('2026-10-20T10:00:00')).toBe('2026-10-20T10:00:00.000Z');
    expect(at('2026-10-20T10:00')).toBe('2026-10-20T10:00:00.000Z');
  });
  it('accepts the last day of each month, February 29 in leap years only', () => {
    expect(at('2024-02-29')).toBe('2024-02-29T00:00:00.000Z');
    expect(at('2000-02-29')).toBe('2000-02-29T00:00:00.000Z');
    expect(at('2026-04-30T23:59:59Z')).toBe('2026-04-30T23:59:59.000Z');
    expect(at('2026-12-31')).toBe('2026-12-31T00:00:00.000Z');
    for (const bad of ['2026-02-29', '1900-02-29', '2026-04-31', '2026-06-31', '2026-01-32']) {
      expect(() => at(bad), bad).toThrow(UsageError);
    }
  });
  it('refuses impossible dates and times instead of rolling them over', () => {
    const cases: [string, string][] = [
      ['2026-02-30', 'day 30 does not exist: February 2026 has 28 days'],
      ['2026-13-01', 'month 13 does not exist'],
      ['2026-00-10', 'month 00 does not exist'],
      ['2026-10-00', 'day 00 does not exist'],
      ['2026-10-20T25:00:00Z', 'hour 25 does not exist'],
      ['2026-10-20T24:00:00Z', 'hour 24 does not exist'],
      ['2026-10-20T10:60:00Z', 'minute 60 does not exist'],
      ['2026-10-20T10:00:61Z', 'second 61 does not exist'],
      ['2026-10-20T10:00:00+25:00', 'zone offset +25:00 does not exist'],
    ];
    for (const [bad, problem] of cases) {
      expect(() => at(bad), bad).toThrow(UsageError);
      expect(() => at(bad), bad).toThrow(`invalid --as-of "${bad}": ${problem}`);
    }
  });
  it('refuses prose and other shapes', () => {
    for (const bad of ['yesterday', '2026-11-20 10:00', '20261120', '2026-1-5', 'Nov 20 2026', '1700000000', '']) {
      expect(() => at(bad), bad).toThrow(UsageError);
    }
  });
});

describe('resolveOutputs', () => {
  it('defaults to a table on stdout', () => {
    expect(resolveOutputs([], [])).toEqual([{ format: 'table' }]);
  });
  it('infers the format from the extension, and pairs several formats with several outputs', () => {
    expect(resolveOutputs([], ['r.json'])).toEqual([{ format: 'json', file: 'r.json' }]);
    expect(resolveOutputs([], ['r.sarif', 'r.sarif.json', 'summary.md', 'rows.csv', 'report.txt'])).toEqual([
      { format: 'sarif', file: 'r.sarif' },
      { format: 'sarif', file: 'r.sarif.json' },
      { format: 'markdown', file: 'summary.md' },
      { format: 'csv', file: 'rows.csv' },
      { format: 'table', file: 'report.txt' },
    ]);
    expect(resolveOutputs(['json'], ['-'])).toEqual([{ format: 'json' }]);
    expect(resolveOutputs(['table', 'json'], ['-', 'out/r.json'])).toEqual([{ format: 'table' }, { format: 'json', file: 'out/r.json' }]);
  });
  it('rejects unknown formats, unknown extensions and mismatched counts', () => {
    expect(() => resolveOutputs(['xml'], [])).toThrow(UsageError);
    expect(() => resolveOutputs([], ['report.xml'])).toThrow(UsageError);
    expect(() => resolveOutputs(['table', 'json'], [])).toThrow(UsageError);
    expect(() => resolveOutputs(['table', 'json'], ['a.json'])).toThrow(UsageError);
  });
});

describe('isColorWanted', () => {
  it('follows TTY, NO_COLOR and --no-color, with FORCE_COLOR (0 = off) overriding all', () => {
    expect(isColorWanted({ isFlagOff: false, isTty: true, env: {} })).toBe(true);
    expect(isColorWanted({ isFlagOff: false, isTty: false, env: {} })).toBe(false);
    expect(isColorWanted({ isFlagOff: false, isTty: true, env: { NO_COLOR: '1' } })).toBe(false);
    expect(isColorWanted({ isFlagOff: true, isTty: true, env: {} })).toBe(false);
    expect(isColorWanted({ isFlagOff: true, isTty: false, env: { FORCE_COLOR: '1' } })).toBe(true);
    expect(isColorWanted({ isFlagOff: false, isTty: true, env: { FORCE_COLOR: '0' } })).toBe(false);
  });
});

describe('ProgressLine', () => {
  it('draws files, bytes, rate and time left, and clears itself', () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    let t = 0;
    const line = new ProgressLine(out, () => new Date(t));
    t = 2000;
    line.update({ account: '123456789012', filesDone: 5, filesTotal: 10, bytesRead: 50 * 1_048_576, bytesTotal: 100 * 1_048_576, events: 20_000 });
    line.done();
    expect(text).toContain('123456789012: 5/10 log files, 50.0 MB/100.0 MB, 10000 events/s, ~2s left');
    expect(text.endsWith('\r\x1b[2K')).toBe(true);
  });
});
