/**
 * `permdrift scan files` on GCP inputs of the wrong or an unusual shape, through the built binary:
 * an allow policy without bindings is a warning (never a bare "No findings"), one with foreign keys
 * an error (exit 2); a key file of the wrong shape is a warning and that account's keys are unknown
 * (never "no keys"); zone-less audit log times are UTC whatever TZ says.
 */

import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/model/report.js';
import { validateReport } from '../../src/model/validate-report.js';
import { runCli } from './run-cli.js';

const ROOT = join(import.meta.dirname, '..', '..');
const AS_OF = '2026-11-20T00:00:00Z';

function copyScenario(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `permdrift-${name}-`));
  cpSync(join(ROOT, 'fixtures', 'gcp', name), dir, { recursive: true });
  return dir;
}

function jsonReport(dir: string, env: Record<string, string> = {}): { report: Report; stdout: string; stderr: string; code: number | null } {
  const r = runCli(['scan', 'files', dir, '--as-of', AS_OF, '--window', '90d', '--format', 'json'], { env });
  const report = JSON.parse(r.stdout) as Report;
  expect(validateReport(report).errors).toEqual([]);
  return { report, ...r };
}

describe('an allow policy without bindings', () => {
  it('`{}` as the project policy: exit 0, and the table says the policy has no bindings instead of a bare "No findings"', () => {
    const dir = copyScenario('custom-role-unused-permission');
    writeFileSync(join(dir, 'gcp', 'media-4680', 'iam-policy.json'), '{}\n');
    const r = runCli(['scan', 'files', dir, '--as-of', AS_OF]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('policy-without-bindings [media-4680]');
    expect(r.stdout).toContain('file gcp/media-4680/iam-policy.json');
    expect(r.stdout).toMatch(/has no bindings\s+and\s+no\s+etag/);
    expect(r.stdout).toMatch(/No findings: [^]*Read the 1 warning below\s+first: it says what the inputs\s+lacked\./);
    const { report } = jsonReport(dir);
    expect(report.findings).toEqual([]);
    expect(report.warnings.filter((w) => w.code === 'policy-without-bindings').map((w) => w.file)).toEqual(['gcp/media-4680/iam-policy.json']);
    // No path of this machine in the report.
    expect(JSON.stringify(report)).not.toContain(dir);
  });

  it('a wrapper object without bindings: error naming the file, exit 2, no stack, nothing on stdout', () => {
    const dir = copyScenario('custom-role-unused-permission');
    writeFileSync(
      join(dir, 'gcp', 'media-4680', 'iam-policy.json'),
      JSON.stringify({ policy: { bindings: [{ role: 'roles/editor', members: ['serviceAccount:publisher@media-4680.iam.gserviceaccount.com'] }] } }),
    );
    const r = runCli(['scan', 'files', dir, '--as-of', AS_OF]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: .*gcp\/media-4680\/iam-policy\.json: not an allow policy/);
    expect(r.stderr).toContain('gcloud projects get-iam-policy media-4680');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('a service-account-keys file of the wrong shape', () => {
  const email = 'old-sync@legacy-9753.iam.gserviceaccount.com';

  it('is a warning naming the file, and the account\'s keys are unknown in the coverage, not "no keys"', () => {
    const good = jsonReport(copyScenario('key-unused-stale')).report;
    const stale = (report: Report) => report.findings.filter((f) => f.type === 'stale-credential' && f.principal.name === email);
    expect(stale(good).length).toBeGreaterThan(0);
    expect(good.gcpCoverage?.[0]?.unreadableKeyFiles).toBeUndefined();

    const dir = copyScenario('key-unused-stale');
    const file = `gcp/legacy-9753/service-account-keys/${email}.json`;
    // What `gcloud iam service-accounts keys create` writes: a credential, not a key list.
    writeFileSync(
      join(dir, file),
      JSON.stringify({
        type: 'service_account',
        project_id: 'legacy-9753',
        private_key_id: 'abc',
        private_key: '-----BEGIN PRIVATE KEY-----\nMIIE\n',
        client_email: email,
      }),
    );
    const { report, code, stdout } = jsonReport(dir);
    expect(code).toBe(0);
    expect(stale(report)).toEqual([]);
    const warning = report.warnings.find((w) => w.code === 'service-account-keys-unreadable');
    expect(warning).toMatchObject({ account: 'legacy-9753', file });
    expect(warning?.message).toContain(`the keys of ${email} are unknown`);
    expect(stdout).not.toContain('PRIVATE KEY');
    expect(stdout).not.toContain(dir);
    const cov = report.gcpCoverage?.[0];
    expect(cov?.unreadableKeyFiles).toEqual([{ file, serviceAccount: email, reason: expect.stringContaining('credentials with a private key') }]);
    expect(cov?.notes).toContain(
      `The keys of ${email} are unknown (${file} could not be read as a key list): no stale-key verdict is made for it, which is not "no keys".`,
    );
  });
});

describe('zone-less audit log times', () => {
  it('give the same report under three TZ settings (read as UTC, not local time)', () => {
    const dir = join(ROOT, 'fixtures', 'gcp', 'entries-without-time-unverifiable');
    const utc = jsonReport(dir, { TZ: 'UTC' });
    expect(utc.report.gcpCoverage?.[0]?.auditLogs.zonelessTimes).toBe(1);
    for (const tz of ['Asia/Tokyo', 'America/Los_Angeles']) expect(jsonReport(dir, { TZ: tz }).stdout, tz).toBe(utc.stdout);
    // storage.buckets.update, used only at the zone-less 2026-08-22T02:00:00, is used: in no finding.
    expect(utc.report.findings.flatMap((f) => f.permissions.map((p) => p.action))).not.toContain('storage.buckets.update');
  });
});
