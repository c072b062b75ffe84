/**
 * `permdrift diff` and `permdrift trend`, spawned from the built binary on the dated reports in
 * fixtures/reports/weekly (scripts/make-report-fixtures.mjs): stdout, stderr and exit code apart.
 */

import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ReportDiff } from '../../src/model/drift.js';
import type { ReportTrend } from '../../src/model/drift-trend.js';
import { expectCleanError, runCli } from './run-cli.js';

const ROOT = join(import.meta.dirname, '..', '..');
const WEEKLY = join(ROOT, 'fixtures', 'reports', 'weekly');
const WEEK1 = join(WEEKLY, '2026-06-16.json');
const WEEK2 = join(WEEKLY, '2026-06-23.json');
const WEEK3 = join(WEEKLY, '2026-06-30.json');
const SPARK = /[▁▂▃▄▅▆▇█]/;

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'permdrift-drift-'));
}

describe('permdrift diff', () => {
  it('prints what changed per principal and exits 0', () => {
    const r = runCli(['diff', WEEK1, WEEK2]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toMatch(/\x1b\[/);
    // fn-builder was granted two s3 actions it never used; inventory-reader lost iam:PassRole.
    expect(r.stdout).toMatch(/^fn-builder · role · 210987654321/m);
    expect(r.stdout).toMatch(/^ {2}\+ granted +s3:DeleteBucket · high unused-service PD-\w+ · never used$/m);
    expect(r.stdout).toMatch(/^ {2}- resolved +critical unused-permission iam · iam:PassRole · PD-\w+ · revoked or now used$/m);
    expect(r.stdout).toMatch(/^ {2}= excepted +low unused-permission ec2 · "Tags instances/m);
  });

  it('writes a versioned, deterministic JSON diff', () => {
    const r = runCli(['diff', WEEK1, WEEK2, '--format', 'json']);
    expect(r.code).toBe(0);
    const diff = JSON.parse(r.stdout) as ReportDiff;
    expect(diff.kind).toBe('permdrift-diff');
    expect(diff.schemaVersion).toBe(1);
    expect(diff.old.source).toBe(WEEK1);
    expect(diff.summary).toMatchObject({
      principalsChanged: 2,
      granted: 2,
      becameUnused: 1,
      resolved: 1,
      cleared: 1,
      excepted: 1,
      severityChanged: 0,
      unchanged: 1,
    });
    expect(diff.principals.map((p) => p.principal.name)).toEqual(['fn-builder', 'inventory-reader']);
    expect(runCli(['diff', WEEK1, WEEK2, '--format', 'json']).stdout).toBe(r.stdout);
  });

  it('writes Markdown to a file named by -o, and nothing to stdout', () => {
    const out = join(tmp(), 'drift.md');
    const r = runCli(['diff', WEEK2, WEEK3, '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const md = readFileSync(out, 'utf8');
    expect(md).toMatch(/^## permdrift diff: 2026-06-23 → 2026-06-30$/m);
    // A week without calls: the ec2 unused-permission folds into an unused-service finding.
    expect(md).toMatch(/^- \*\*Regrouped \(still flagged\):\*\*\n {2}- \*\*low\*\* unused-permission `ec2` \(`ec2:CreateTags`\)/m);
    // Used on 06-10, inside the old window: held before, not granted.
    expect(md).toContain('- **Held, now unused:** `ec2:DescribeInstances`, `iam:PassRole`, `lambda:CreateFunction`');
    expect(md).not.toContain('**Granted:**');
  });

  it('exits 2 naming the file when it is not a permdrift report', () => {
    const dir = tmp();
    const notReport = join(dir, 'package.json');
    writeFileSync(notReport, JSON.stringify({ name: 'x', version: '1.0.0' }));
    const r = runCli(['diff', notReport, WEEK2]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expectCleanError(r.stderr, { hint: true });
    expect(r.stderr).toContain(`error: ${notReport} is not a permdrift report:`);
  });

  it('exits 2 naming the file and both versions for another schemaVersion', () => {
    const future = join(tmp(), 'future.json');
    writeFileSync(future, JSON.stringify({ ...JSON.parse(readFileSync(WEEK2, 'utf8')), schemaVersion: 3 }));
    const r = runCli(['diff', WEEK1, future]);
    expect(r.code).toBe(2);
    expectCleanError(r.stderr, { hint: true });
    expect(r.stderr).toContain(`error: ${future} has schemaVersion 3; this permdrift reads schemaVersion 1 and 2`);
  });

  it('exits 2 for a missing file, a file that is not JSON, and a diff output given as a report', () => {
    const dir = tmp();
    const missing = runCli(['diff', join(dir, 'nope.json'), WEEK2]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.json: no such file');
    const garbage = join(dir, 'garbage.json');
    writeFileSync(garbage, '{ not json');
    const bad = runCli(['diff', WEEK1, garbage]);
    expect(bad.code).toBe(2);
    expectCleanError(bad.stderr, { hint: true });
    expect(bad.stderr).toContain(`${garbage} is not a permdrift report: not JSON`);
    const diffOut = join(dir, 'diff.json');
    writeFileSync(diffOut, runCli(['diff', WEEK1, WEEK2, '--format', 'json']).stdout);
    const wrongKind = runCli(['diff', diffOut, WEEK2]);
    expect(wrongKind.code).toBe(2);
    expect(wrongKind.stderr).toContain(`${diffOut} is a permdrift-diff output, not a report`);
  });

  it('exits 2 on an unknown format or a missing argument', () => {
    const r = runCli(['diff', WEEK1, WEEK2, '--format', 'sarif']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown --format "sarif"');
    expect(runCli(['diff', WEEK1]).code).toBe(2);
  });
});

describe('permdrift trend', () => {
  it('prints one row per report and a sparkline per metric, without colour under NO_COLOR', () => {
    const r = runCli(['trend', WEEKLY]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toMatch(/\x1b\[/);
    expect(r.stdout).toMatch(/^2026-06-16 {2}2026-06-16\.json /m);
    expect(r.stdout).toMatch(/^2026-06-30 {2}2026-06-30\.json /m);
    const spark = r.stdout.match(/^ {2}unused grants +(\S{3}) +2 → 9$/m);
    expect(spark?.[1]).toMatch(SPARK);
    expect(spark?.[1]).toBe('▁▂█');
    // The PassRole finding, first seen on 06-02, was revoked by the 06-23 report.
    expect(r.stdout).toContain('Revocation speed  median 21.0 days over 1 resolved finding');
  });

  it('orders reports by asOf, not by argument order, in versioned JSON', () => {
    const r = runCli(['trend', WEEK3, WEEK1, WEEK2, '--format', 'json']);
    expect(r.code).toBe(0);
    const trend = JSON.parse(r.stdout) as ReportTrend;
    expect(trend.kind).toBe('permdrift-trend');
    expect(trend.schemaVersion).toBe(1);
    expect(trend.points.map((p) => p.asOf)).toEqual(['2026-06-16T00:00:00.000Z', '2026-06-23T00:00:00.000Z', '2026-06-30T00:00:00.000Z']);
    expect(trend.points.map((p) => p.drift.unusedGrants)).toEqual([2, 3, 9]);
    expect(trend.points.map((p) => p.exceptions.active)).toEqual([0, 1, 1]);
    expect(trend.summary.revocation).toEqual({ resolved: 1, medianDays: 21 });
  });

  it('works on a single report', () => {
    const r = runCli(['trend', WEEK1]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('permdrift trend · 1 report · 2026-06-16 → 2026-06-16');
    expect(r.stdout).toMatch(/^ {2}unused grants +▄ +2 → 2$/m);
  });

  it('draws ASCII sparklines with --ascii and writes Markdown by extension', () => {
    const ascii = runCli(['trend', WEEKLY, '--ascii']);
    expect(ascii.code).toBe(0);
    expect(ascii.stdout).not.toMatch(SPARK);
    expect(ascii.stdout).toMatch(/^ {2}unused grants +_\.# +2 → 9$/m);
    const out = join(tmp(), 'trend.md');
    expect(runCli(['trend', WEEKLY, '-o', out]).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/^\| unused grants \| `▁▂█` \| 2 → 9 \|$/m);
  });

  it('skips JSON files in a directory that are not reports, with a warning', () => {
    const dir = tmp();
    for (const f of [WEEK1, WEEK2]) copyFileSync(f, join(dir, f.split('/').pop() as string));
    writeFileSync(join(dir, 'config.json'), '{"window": "30d"}');
    const r = runCli(['trend', dir, '--format', 'json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as ReportTrend).reports).toBe(2);
    expect(r.stderr).toContain(`permdrift: skipped ${join(dir, 'config.json')} is not a permdrift report`);
    expect(runCli(['trend', dir, '--quiet']).stderr).toBe('');
  });

  it('exits 2 with no report at all: an empty directory, or one without reports', () => {
    const empty = tmp();
    const r = runCli(['trend', empty]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expectCleanError(r.stderr, { hint: true });
    expect(r.stderr).toContain(`error: no permdrift report found in ${empty}`);
    writeFileSync(join(empty, 'notes.json'), '[]');
    expect(runCli(['trend', empty]).code).toBe(2);
    expect(runCli(['trend']).code).toBe(2);
  });

  it('exits 2 when a file named on the command line is not a report', () => {
    const bad = join(tmp(), 'bad.json');
    writeFileSync(bad, '{}');
    const r = runCli(['trend', WEEK1, bad]);
    expect(r.code).toBe(2);
    expectCleanError(r.stderr, { hint: true });
    expect(r.stderr).toContain(`${bad} is not a permdrift report`);
    expect(existsSync(bad)).toBe(true);
  });
});
