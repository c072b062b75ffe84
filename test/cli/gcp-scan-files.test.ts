/**
 * `permdrift scan files` on a snapshot holding AWS accounts and GCP projects side by side: one
 * report, valid against the one schema, deterministic, with both providers in every format.
 * Runs the built binary (`npm test` builds dist/ first).
 */

import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/model/report.js';
import { validateReport } from '../../src/model/validate-report.js';
import { runCli } from './run-cli.js';

const ROOT = join(import.meta.dirname, '..', '..');
const AS_OF = '2026-11-20T00:00:00Z';

/** The demo AWS account plus three GCP scenario projects in one snapshot folder. */
function mixedSnapshot(): string {
  const dir = mkdtempSync(join(tmpdir(), 'permdrift-mixed-'));
  cpSync(join(ROOT, 'fixtures', 'aws', 'demo', 'aws'), join(dir, 'aws'), { recursive: true });
  for (const scenario of ['denied-attempt-not-usage', 'key-unused-stale', 'data-access-logs-off-unverifiable']) {
    cpSync(join(ROOT, 'fixtures', 'gcp', scenario, 'gcp'), join(dir, 'gcp'), { recursive: true });
  }
  return dir;
}

describe('scan files with aws/ and gcp/ in one snapshot', () => {
  const dir = mixedSnapshot();

  it('writes one JSON report covering both providers that validates against the schema, byte-identical on a second run', () => {
    const first = runCli(['scan', 'files', dir, '--as-of', AS_OF, '--format', 'json']);
    expect(first.stderr).not.toMatch(/error/);
    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout) as Report;
    expect(validateReport(report).errors).toEqual([]);
    expect(report.summary.accounts).toBe(1);
    expect(report.summary.projects).toBe(3);
    expect(report.coverage.map((c) => c.account)).toEqual(['111122223333']);
    expect(report.gcpCoverage?.map((c) => c.project)).toEqual(['billing-8642', 'data-lake-2468', 'legacy-9753']);
    expect(new Set(report.findings.map((f) => f.provider))).toEqual(new Set(['aws', 'gcp']));
    const gcp = report.findings.filter((f) => f.provider === 'gcp');
    expect(gcp.every((f) => f.principal.kind === 'service-account' && f.principal.id === `serviceAccount:${f.principal.name}`)).toBe(true);
    expect(report.summary.findings).toBe(report.findings.length);
    expect(report.catalogue).toContain('GCP roles: https://github.com/iann0036/iam-dataset@');
    // No absolute paths of this machine in the report: it reads the same wherever the snapshot lives.
    expect(first.stdout).not.toContain(dir);
    const second = runCli(['scan', 'files', dir, '--as-of', AS_OF, '--format', 'json']);
    expect(second.stdout).toBe(first.stdout);
    // --workers reaches the GCP audit-log reader too; the report does not depend on it.
    const serial = runCli(['scan', 'files', dir, '--as-of', AS_OF, '--format', 'json', '--workers', '1']);
    const parallel = runCli(['scan', 'files', dir, '--as-of', AS_OF, '--format', 'json', '--workers', '3']);
    expect(serial.stdout).toBe(first.stdout);
    expect(parallel.stdout).toBe(first.stdout);
  });

  it('shows the GCP projects in the table coverage and findings, and in Markdown, SARIF and CSV', () => {
    const table = runCli(['scan', 'files', dir, '--as-of', AS_OF]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/Scope\s+1 account · 3 GCP projects · /);
    expect(table.stdout).toContain('GCP project billing-8642 · 1 service account');
    expect(table.stdout).toContain('Denied calls    3 attempts (not counted as use)');
    expect(table.stdout).toContain('reporter@billing-');
    const md = runCli(['scan', 'files', dir, '--as-of', AS_OF, '--format', 'markdown']);
    expect(md.stdout).toMatch(/in GCP project `(billing-8642|data-lake-2468|legacy-9753)`/);
    const csv = runCli(['scan', 'files', dir, '--as-of', AS_OF, '--format', 'csv']);
    expect(csv.stdout).toMatch(/project data-lake-2468 binding \d+ roles\/storage\.objectAdmin/);
    const sarif = JSON.parse(runCli(['scan', 'files', dir, '--as-of', AS_OF, '--format', 'sarif']).stdout) as {
      runs: { results: { message: { text: string } }[] }[];
    };
    expect(sarif.runs[0]?.results.some((r) => r.message.text.includes('dormant-bot@legacy-9753.iam.gserviceaccount.com'))).toBe(true);
  });

  it('a GCP-only snapshot (no aws/ folder) is scanned; a folder with neither is a clear error', () => {
    const only = runCli(['scan', 'files', join(ROOT, 'fixtures', 'gcp', 'key-unused-stale'), '--as-of', AS_OF, '--format', 'json']);
    expect(only.code).toBe(0);
    const report = JSON.parse(only.stdout) as Report;
    expect(report.summary.accounts).toBe(0);
    expect(report.coverage).toEqual([]);
    expect(report.findings.some((f) => f.type === 'dormant-principal')).toBe(true);
    const empty = mkdtempSync(join(tmpdir(), 'permdrift-empty-'));
    const none = runCli(['scan', 'files', empty]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^error: .*has no aws\/ folder/m);
  });

  it('a baseline taken before a new GCP grant fails the gate on the new grant only', () => {
    const base = join(mkdtempSync(join(tmpdir(), 'permdrift-base-')), 'baseline.json');
    expect(runCli(['scan', 'files', dir, '--as-of', AS_OF, '-o', base, '--quiet']).code).toBe(0);
    const changed = mixedSnapshot();
    const policyFile = join(changed, 'gcp', 'billing-8642', 'iam-policy.json');
    const policy = JSON.parse(readFileSync(policyFile, 'utf8')) as { bindings: { role: string; members: string[] }[] };
    policy.bindings.push({ role: 'roles/storage.objectAdmin', members: ['serviceAccount:reporter@billing-8642.iam.gserviceaccount.com'] });
    writeFileSync(policyFile, JSON.stringify(policy));
    const gate = runCli(['scan', 'files', changed, '--as-of', AS_OF, '--baseline', base, '--format', 'json', '--fail-on', 'new']);
    expect(gate.code).toBe(1);
    const report = JSON.parse(gate.stdout) as Report;
    const fresh = report.findings.filter((f) => f.baselineStatus === 'new');
    expect(fresh.length).toBeGreaterThan(0);
    expect(fresh.every((f) => f.provider === 'gcp' && f.principal.name === 'reporter@billing-8642.iam.gserviceaccount.com')).toBe(true);
    expect(fresh.flatMap((f) => f.permissions.map((p) => p.action)).some((a) => a.startsWith('storage.'))).toBe(true);
  });
});
