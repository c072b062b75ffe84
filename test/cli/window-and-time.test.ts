/**
 * `--window` and `--as-of` as a user types them, on the built binary: the 400-day cap holds in
 * hours as in days and from every place the window is read, impossible dates are usage errors
 * (not rolled over), a zone-less time is UTC whatever TZ is, and a window under a day reads in
 * hours. `npm run build` first.
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/model/report.js';
import { type CliRun, runCli } from './run-cli.js';

const ROOT = join(import.meta.dirname, '..', '..');
const DEMO = join(ROOT, 'fixtures', 'aws', 'demo');

function expectUsageError(r: CliRun, message: string): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toContain(`error: ${message}`);
  expect(r.stderr).toMatch(/^hint: /m);
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

const CAP = 'invalid --window "100000h": 4166.7 days is over the 400-day (9600h) cap';

describe('--window', () => {
  it('refuses 100000h (over 400 days in hours) on every command that reads a window, before any work', () => {
    const out = mkdtempSync(join(tmpdir(), 'permdrift-window-'));
    for (const args of [
      ['demo'],
      ['scan', 'files', DEMO],
      ['baseline', 'update', DEMO, '--baseline', join(out, 'b.json')],
      ['scan', 'aws'],
      ['scan', 'gcp', '--project', 'p1'],
      ['collect', 'aws', '-o', join(out, 'a')],
      ['collect', 'gcp', '--project', 'p1', '-o', join(out, 'g')],
    ]) {
      const r = runCli([...args, '--window', '100000h']);
      expectUsageError(r, CAP);
      expect(r.stderr, args.join(' ')).toContain('hint: use --window 400d (9600h) or less');
    }
  });

  it('refuses it from PERMDRIFT_WINDOW and from the config file too', () => {
    expectUsageError(runCli(['demo'], { env: { PERMDRIFT_WINDOW: '100000h' } }), CAP);
    const dir = mkdtempSync(join(tmpdir(), 'permdrift-window-'));
    writeFileSync(join(dir, 'permdrift.config.yaml'), 'window: 9601h\n');
    const r = runCli(['demo'], { cwd: dir });
    expectUsageError(r, `${join(dir, 'permdrift.config.yaml')}: "window": invalid "9601h": over the 400-day (9600h) cap`);
    expect(r.stderr).toContain('hint: use window: 400d (9600h) or less');
  });

  it('refuses zero, negatives, fractions and garbage with exit 2; 400d and 9600h are accepted', () => {
    expectUsageError(runCli(['demo', '--window', '0h']), 'invalid --window "0h": the window must be at least 1h');
    expectUsageError(runCli(['demo', '--window=-2d']), 'invalid --window "-2d": the window must be at least 1h');
    expectUsageError(runCli(['demo', '--window', '1.5d']), 'invalid --window "1.5d": the number must be whole');
    expectUsageError(runCli(['demo', '--window', '90']), 'invalid --window "90": expected a whole number of days or hours');
    for (const ok of ['400d', '9600h']) {
      const r = runCli(['demo', '--format', 'json', '--window', ok]);
      expect(r.code, r.stderr).toBe(0);
      expect((JSON.parse(r.stdout) as Report).window.start).toBe('2025-10-16T00:00:00.000Z');
    }
  });

  it('shows a window under a day in hours: table, markdown and SARIF never say "0 days"', () => {
    const table = runCli(['demo', '--window', '1h']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^Window {10}1 hour, 2026-11-19 23:00 → 2026-11-20 00:00 UTC$/m);
    // The demo's collection manifest proves the quiet last hour: covered, in hours.
    expect(table.stdout).toContain('2026-11-19 23:00 → 2026-11-20 00:00 UTC (1 of 1 hour)');
    const markdown = runCli(['demo', '--window', '1h', '--format', 'markdown']);
    expect(markdown.stdout).toContain('· 1-hour window (2026-11-19 23:00 → 2026-11-20 00:00 UTC) ·');
    const twelve = runCli(['demo', '--window', '12h', '--format', 'json']);
    const report = JSON.parse(twelve.stdout) as Report;
    expect(report.coverage[0]?.cloudTrail.isWindowCovered).toBe(true);
    expect(report.coverage[0]?.cloudTrail.observed).toEqual({ start: '2026-11-19T12:00:00.000Z', end: '2026-11-20T00:00:00.000Z', days: 0.5 });
    // Ending where the demo's logs end, 12 hours are covered and some grants are unused in them.
    const sarif = runCli(['demo', '--as-of', '2026-11-19T14:05:00Z', '--window', '12h', '--format', 'sarif']);
    expect(sarif.code, sarif.stderr).toBe(0);
    expect(sarif.stdout).toMatch(/unused in 12 hours: /);
    for (const text of [table.stdout, markdown.stdout, sarif.stdout, JSON.stringify(report.coverage)]) {
      expect(text).not.toMatch(/\b0(\.0)? days\b|\b0-day\b/);
    }
  });

  it('tells logs that stop before --as-of to move --as-of, not --window', () => {
    // The demo was collected 2026-11-20T00:04:38; an as-of ten days later leaves the end unobserved.
    const r = runCli(['demo', '--format', 'json', '--as-of', '2026-11-30T00:00:00Z']);
    const notes = (JSON.parse(r.stdout) as Report).coverage[0]?.notes.join('\n') ?? '';
    expect(notes).toContain('with --as-of 2026-11-20T00:04:38.000Z');
    expect(notes).not.toContain('--window');
  });
});

describe('--as-of', () => {
  it('refuses impossible calendar dates and times with exit 2, instead of rolling them over', () => {
    expectUsageError(runCli(['demo', '--as-of', '2026-02-30']), 'invalid --as-of "2026-02-30": day 30 does not exist: February 2026 has 28 days');
    expectUsageError(runCli(['demo', '--as-of', '2026-13-01']), 'invalid --as-of "2026-13-01": month 13 does not exist (01-12)');
    expectUsageError(runCli(['demo', '--as-of', '2026-10-20T25:00:00Z']), 'invalid --as-of "2026-10-20T25:00:00Z": hour 25 does not exist (00-23)');
    expectUsageError(
      runCli(['scan', 'files', DEMO], { env: { PERMDRIFT_AS_OF: '2026-04-31' } }),
      'invalid --as-of "2026-04-31": day 31 does not exist: April 2026 has 30 days',
    );
  });

  it('reads a zone-less time and a date alone as UTC, whatever TZ the machine is in', () => {
    const reports = new Map<string, string[]>();
    for (const tz of ['UTC', 'Pacific/Auckland', 'America/Los_Angeles']) {
      const runs = ['2026-11-19T10:00:00', '2026-11-19'].map((asOf) => {
        const r = runCli(['scan', 'files', DEMO, '--as-of', asOf, '--format', 'json'], { env: { TZ: tz } });
        expect(r.code, r.stderr).toBe(0);
        return r.stdout;
      });
      reports.set(tz, runs);
    }
    const [zoneless, dateOnly] = reports.get('UTC') ?? [];
    expect((JSON.parse(zoneless ?? '{}') as Report).asOf).toBe('2026-11-19T10:00:00.000Z');
    expect((JSON.parse(dateOnly ?? '{}') as Report).asOf).toBe('2026-11-19T00:00:00.000Z');
    expect(reports.get('Pacific/Auckland')).toEqual(reports.get('UTC'));
    expect(reports.get('America/Los_Angeles')).toEqual(reports.get('UTC'));
    // The same moment written with its zone gives the very same report.
    const withZone = runCli(['scan', 'files', DEMO, '--as-of', '2026-11-19T10:00:00Z', '--format', 'json'], { env: { TZ: 'Pacific/Auckland' } });
    expect(withZone.stdout).toBe(zoneless);
  });
});
