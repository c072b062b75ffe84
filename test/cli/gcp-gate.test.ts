/**
 * The CI-gate features on GCP findings, with the built binary: exceptions matched by service
 * account and permission globs, drift between two reports (`diff`, `trend`), and SARIF results
 * located on the Terraform line that binds the role.
 */

import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/model/report.js';
import { type CliRun, runCli } from './run-cli.js';

const ROOT = join(import.meta.dirname, '..', '..');
const AS_OF = '2026-11-20T00:00:00Z';

/** The CLI run from the repository root unless told otherwise. */
function permdrift(args: string[], cwd = ROOT): CliRun {
  return runCli(args, { cwd });
}

function snapshot(scenario: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'permdrift-gcp-gate-'));
  cpSync(join(ROOT, 'fixtures', 'gcp', scenario), dir, { recursive: true });
  return dir;
}

describe('GCP findings through the gate, drift and SARIF', () => {
  it('an exception selects a service account and permissions by glob, and keeps its finding from failing the gate', () => {
    const dir = snapshot('denied-attempt-not-usage');
    const exceptions = join(dir, 'exceptions.yaml');
    writeFileSync(
      exceptions,
      [
        '- principal: "serviceAccount:reporter@billing-8642.*"',
        '  permission: "secretmanager.*"',
        '  reason: quarterly billing export reads the key',
        '  owner: finops@example.com',
        '  expires: 2027-03-31',
        '',
      ].join('\n'),
    );
    const without = permdrift(['scan', 'files', dir, '--as-of', AS_OF, '--fail-on', 'medium', '--format', 'json']);
    expect(without.code).toBe(1);
    const r = permdrift(['scan', 'files', dir, '--as-of', AS_OF, '--fail-on', 'medium', '--exceptions', exceptions, '--format', 'json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    const excepted = report.findings.filter((f) => f.exception?.state === 'active');
    expect(excepted.map((f) => [f.type, f.service])).toEqual([['unused-service', 'secretmanager']]);
    expect(report.exceptions?.entries[0]?.matches).toBe(1);
  });

  it('diff names the service account whose grant grew between two GCP reports; trend reads both', () => {
    const dir = snapshot('custom-role-unused-permission');
    const out = mkdtempSync(join(tmpdir(), 'permdrift-gcp-drift-'));
    const before = join(out, '2026-11-20.json');
    expect(permdrift(['scan', 'files', dir, '--as-of', AS_OF, '-o', before, '--quiet']).code).toBe(0);
    const roleFile = join(dir, 'gcp', 'media-4680', 'roles', 'bucketManager.json');
    const role = JSON.parse(readFileSync(roleFile, 'utf8')) as { includedPermissions: string[] };
    role.includedPermissions.push('storage.buckets.setIamPolicy');
    writeFileSync(roleFile, JSON.stringify(role));
    const after = join(out, '2026-11-27.json');
    expect(permdrift(['scan', 'files', dir, '--as-of', '2026-11-20T00:00:00Z', '-o', after, '--quiet']).code).toBe(0);
    const diff = permdrift(['diff', before, after, '--format', 'json']);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain('publisher@media-4680.iam.gserviceaccount.com');
    expect(diff.stdout).toContain('storage.buckets.setIamPolicy');
    const trend = permdrift(['trend', out]);
    expect(trend.code).toBe(0);
    expect(trend.stdout).toMatch(/2 reports?/);
  });

  it('SARIF results point at the Terraform line that binds the role to the account', () => {
    const dir = snapshot('custom-role-unused-permission');
    const tf = join(dir, 'iam.tf');
    writeFileSync(
      tf,
      [
        'resource "google_project_iam_member" "publisher_storage" {',
        '  project = "media-4680"',
        '  role    = "roles/storage.admin"',
        '  member  = "serviceAccount:publisher@media-4680.iam.gserviceaccount.com"',
        '}',
        '',
      ].join('\n'),
    );
    const r = permdrift(['scan', 'files', dir, '--as-of', AS_OF, '--format', 'sarif', '--policy-source', tf], dir);
    expect(r.code).toBe(0);
    const sarif = JSON.parse(r.stdout) as {
      runs: {
        results: {
          ruleId: string;
          message: { text: string };
          locations?: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
        }[];
      }[];
    };
    const overbroad = sarif.runs[0]?.results.find((x) => x.message.text.includes('overbroad-grant') || x.ruleId.includes('overbroad'));
    expect(overbroad?.locations?.[0]?.physicalLocation.artifactLocation.uri).toBe('iam.tf');
    expect(overbroad?.locations?.[0]?.physicalLocation.region.startLine).toBe(3);
  });
});
