import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { isColorWanted, parseAsOf, parseWindow, resolveOutputs } from '../../src/cli/options.js';
import { ProgressLine } from '../../src/cli/progress.js';
import { UsageError } from '../../src/model/errors.js';

describe('parseWindow', () => {
  it('reads days and hours', () => {
    expect(parseWindow('90d', '--window')).toBe(90 * 86_400_000);
    expect(parseWindow('12h', '--window')).toBe(12 * 3_600_000);
    expect(parseWindow('1D', '--window')).toBe(86_400_000);
  });
  it('rejects other units, zero and more than IAM tracks', () => {
    for (const bad of ['90', '90m', '0d', '-1d', 'd', '401d', '']) expect(() => parseWindow(bad, '--window'), bad).toThrow(UsageError);
  });
});

describe('parseAsOf', () => {
  it('uses the injected clock by default and accepts ISO times with a zone', () => {
    const now = new Date('2026-01-02T03:04:05Z');
    expect(parseAsOf(undefined, () => now)).toBe(now);
    expect(parseAsOf('2026-11-20T00:00:00Z', () => now).toISOString()).toBe('2026-11-20T00:00:00.000Z');
    expect(parseAsOf('2026-11-20T02:00:00+02:00', () => now).toISOString()).toBe('2026-11-20T00:00:00.000Z');
    expect(parseAsOf('2026-11-20', () => now).toISOString()).toBe('2026-11-20T00:00:00.000Z');
  });
  it('rejects zone-less times and prose', () => {
    for (const bad of ['2026-11-20T00:00:00', 'yesterday', '2026-13-45']) expect(() => parseAsOf(bad, () => new Date()), bad).toThrow(UsageError);
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
