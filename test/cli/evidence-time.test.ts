/**
 * Where the evidence ends, as a user meets it on the command line (issue 11): `--as-of` years after
 * the demo snapshot, principals created after `--as-of`, zone-less times under two TZ settings,
 * `--min-coverage`. Runs the built binary (`npm test` builds dist/ first).
 */

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/model/report.js';
import { validateReport } from '../../src/model/validate-report.js';
import { runCli } from './run-cli.js';

const ROOT = join(import.meta.dirname, '..', '..');

function report(args: string[], env: Record<string, string> = {}): Report {
  const r = runCli([...args, '--format', 'json'], { env });
  expect(r.stderr).not.toMatch(/^error/m);
  expect(r.code).toBe(0);
  const parsed = JSON.parse(r.stdout) as Report;
  expect(validateReport(parsed)).toEqual({ isValid: true, errors: [] });
  return parsed;
}

describe('--as-of after the evidence', () => {
  it('years after the demo snapshot: no dormant and no unused claims, and a warning naming both times', () => {
    const r = report(['demo', '--as-of', '2030-01-01T00:00:00Z']);
    expect(r.summary.byType['dormant-principal']).toBe(0);
    expect(r.summary.byType['unused-permission']).toBe(0);
    expect(r.summary.byType['unused-service']).toBe(0);
    expect(r.summary.byType['overbroad-grant']).toBe(0);
    const w = r.warnings.filter((x) => x.code === 'as-of-after-evidence');
    expect(w.length).toBeGreaterThan(0);
    expect(w.map((x) => x.message).join(' ')).toContain('2030-01-01T00:00:00.000Z');
    expect(w.map((x) => x.message).join(' ')).toContain('2026-11-20T00:04:38.000Z');
    expect(r.coverage[0]?.cloudTrail.evidenceEnd).toEqual({ time: '2026-11-20T00:04:38.000Z', basis: 'collect-manifest' });
  });

  it('the demo at its own --as-of keeps its dormant role and unused findings (the manifest proves the quiet days)', () => {
    const r = report(['demo']);
    expect(r.schemaVersion).toBe(2);
    expect(r.summary.byType['dormant-principal']).toBeGreaterThan(0);
    expect(r.summary.byType['unused-permission'] + r.summary.byType['unused-service']).toBeGreaterThan(0);
    expect(r.coverage[0]?.cloudTrail.isWindowCovered).toBe(true);
    expect(r.warnings.map((w) => w.code)).not.toContain('as-of-after-evidence');
  });
});

describe('principals created after --as-of', () => {
  it('are skipped and counted', () => {
    // The demo's newest role was created 2026-10-25.
    const r = report(['demo', '--as-of', '2026-10-01T00:00:00Z', '--window', '30d']);
    expect(r.coverage[0]?.skippedCreatedAfterAsOf).toBeGreaterThan(0);
    expect(r.warnings.map((w) => w.code)).toContain('principals-created-after-as-of');
    const names = new Set(r.findings.map((f) => f.principal.name));
    const later = runCli(['demo', '--format', 'json']);
    const all = JSON.parse(later.stdout) as Report;
    expect(all.summary.principals - r.summary.principals).toBe(r.coverage[0]?.skippedCreatedAfterAsOf);
    expect(names.size).toBeGreaterThan(0);
  });
});

describe('zone-less times', () => {
  it('are UTC: the report is byte-identical under TZ=UTC and TZ=Pacific/Auckland', () => {
    const dir = join(ROOT, 'fixtures', 'aws', 'zoneless-times');
    const args = ['scan', 'files', dir, '--as-of', '2026-06-30T00:00:00Z', '--window', '30d', '--format', 'json'];
    const utc = runCli(args, { env: { TZ: 'UTC' } });
    const nz = runCli(args, { env: { TZ: 'Pacific/Auckland' } });
    expect(utc.code).toBe(0);
    expect(nz.stdout).toBe(utc.stdout);
    const r = JSON.parse(utc.stdout) as Report;
    // DeleteQueue at 2026-06-30T00:30:00 (no zone) is after --as-of in UTC: not a use.
    const perms = r.findings.filter((f) => f.principal.name === 'watcher').flatMap((f) => f.permissions.map((p) => p.action));
    expect(perms).toContain('sqs:DeleteQueue');
    expect(perms).not.toContain('sqs:ListQueues');
    expect(r.coverage[0]?.cloudTrail.zonelessTimes).toBe(2);
  });
});

describe('--min-coverage', () => {
  it('rejects what is not a share of the window', () => {
    for (const bad of ['0', '0%', '101%', 'most', '-5%']) {
      const r = runCli(['demo', '--min-coverage', bad]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^error: invalid --min-coverage/m);
    }
  });

  it('is recorded in the report when given', () => {
    const r = report(['demo', '--min-coverage', '95%']);
    expect(r.coverage[0]?.cloudTrail.minCoverage).toBe(0.95);
  });
});
