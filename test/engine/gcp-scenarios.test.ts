/**
 * GCP scenarios end to end: snapshot folder → auditFiles → report, one fixture per scenario of
 * issue 6 (fixtures/gcp/<scenario>/). Each test asserts the verdict the scenario is about and that
 * the report validates against the schema.
 */

import { describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { auditFiles } from '../../src/audit.js';
import type { GcpGrantPath } from '../../src/model/gcp/policy.js';
import type { Finding, Report } from '../../src/model/report.js';
import { validateReport } from '../../src/model/validate-report.js';

const AS_OF = new Date('2026-11-20T00:00:00Z');
const WINDOW_MS = 90 * 86_400_000;

async function scan(scenario: string): Promise<Report> {
  const dir = fileURLToPath(new URL(`../../fixtures/gcp/${scenario}`, import.meta.url));
  const report = await auditFiles({ dir, asOf: AS_OF, windowMs: WINDOW_MS });
  const result = validateReport(report);
  expect(result.errors).toEqual([]);
  return report;
}

function of(report: Report, name: string): Finding[] {
  return report.findings.filter((f) => f.principal.name.startsWith(`${name}@`));
}

/** Permissions a finding calls unused (every type except unverifiable). */
function calledUnused(findings: Finding[]): string[] {
  return findings.filter((f) => f.type !== 'unverifiable-permission').flatMap((f) => f.permissions.map((p) => p.action));
}

function unverifiable(findings: Finding[]): Map<string, string> {
  return new Map(
    findings.filter((f) => f.type === 'unverifiable-permission').flatMap((f) => f.permissions.map((p) => [p.action, p.unverifiable?.reason ?? '?'] as const)),
  );
}

describe('GCP scenarios (scan files on fixtures/gcp)', () => {
  it('data-access-logs-off-unverifiable: permissions landing in a Data Access log type that is off, or that exempts the account, are never unused', async () => {
    const report = await scan('data-access-logs-off-unverifiable');
    expect(report.summary.projects).toBe(1);
    expect(report.summary.accounts).toBe(0);
    const etl = of(report, 'etl');
    // DATA_READ is on (allServices): storage.objects.list went unused and is called so; get was used.
    const unused = calledUnused(etl);
    expect(unused).toContain('storage.objects.list');
    expect(unused).toContain('storage.objects.setIamPolicy'); // ADMIN_WRITE: Admin Activity, always on
    expect(unused).not.toContain('storage.objects.get');
    // DATA_WRITE and ADMIN_READ are off for storage: unverifiable with that reason, never unused.
    for (const p of ['storage.objects.create', 'storage.objects.delete', 'storage.objects.update', 'storage.objects.getIamPolicy']) {
      expect(unused).not.toContain(p);
      expect(unverifiable(etl).get(p)).toBe('data-access-logs-disabled');
    }
    // The archiver is exempted from DATA_READ: its reads cannot be seen at all.
    const archiver = of(report, 'archiver');
    expect(calledUnused(archiver)).toEqual([]);
    expect(unverifiable(archiver).get('storage.objects.get')).toBe('data-access-logs-disabled');
    const exempt = archiver.find((f) => f.permissions.some((p) => p.action === 'storage.objects.get'));
    expect(exempt?.permissions[0]?.unverifiable?.detail).toContain('exempts serviceAccount:archiver@data-lake-2468.iam.gserviceaccount.com');
    // Permissions with no cited log type stay unverifiable.
    expect(unverifiable(etl).get('monitoring.timeSeries.create')).toBe('log-type-unknown');
    // The overbroad role is named with where it is bound, and a narrower role is suggested for what was used.
    const overbroad = etl.find((f) => f.type === 'overbroad-grant');
    expect(overbroad?.recommendation).toContain('roles/storage.objectAdmin bound on project data-lake-2468');
    expect(overbroad?.recommendation).toMatch(/Narrowest predefined role\(s\) holding the permissions in use: roles\/[\w.]+ \(\d+ permissions\)/);
    const cov = report.gcpCoverage?.[0];
    expect(cov?.dataAccessLogs).toEqual([
      { service: 'allServices', logTypes: ['DATA_READ'], exemptedMembers: ['serviceAccount:archiver@data-lake-2468.iam.gserviceaccount.com'] },
    ]);
    expect(cov?.auditLogs.isWindowCovered).toBe(true);
  });

  it('impersonation-chain-attribution: use is credited to the impersonated account, and the impersonator’s token permissions count as used', async () => {
    const report = await scan('impersonation-chain-attribution');
    const runtime = of(report, 'runtime');
    expect(calledUnused(runtime)).not.toContain('storage.objects.get');
    expect(calledUnused(runtime)).not.toContain('storage.objects.list');
    const deployer = of(report, 'deployer');
    for (const p of ['iam.serviceAccounts.getAccessToken', 'iam.serviceAccounts.implicitDelegation', 'iam.serviceAccounts.signJwt']) {
      expect(calledUnused(deployer)).not.toContain(p);
      expect(unverifiable(deployer).has(p)).toBe(false);
    }
    // Its other permissions (ADMIN_READ is on) are judged normally.
    expect(calledUnused(deployer)).toEqual(expect.arrayContaining(['iam.serviceAccounts.get', 'iam.serviceAccounts.list']));
    expect(report.gcpCoverage?.[0]?.impersonation).toEqual([
      { serviceAccount: 'runtime@platform-1357.iam.gserviceaccount.com', delegate: 'alice@example.com', entries: 2 },
      { serviceAccount: 'runtime@platform-1357.iam.gserviceaccount.com', delegate: 'deployer@platform-1357.iam.gserviceaccount.com', entries: 2 },
    ]);
  });

  it('denied-attempt-not-usage: a check with granted false is a denied attempt, not use', async () => {
    const report = await scan('denied-attempt-not-usage');
    const reporter = of(report, 'reporter');
    const finding = reporter.find((f) => f.type === 'unused-service' && f.service === 'secretmanager');
    expect(finding?.permissions.map((p) => p.action)).toEqual(['secretmanager.versions.access']);
    expect(finding?.evidence.deniedAttempts).toBe(3);
    expect(finding?.permissions[0]?.lastUsed).toBeNull();
    expect(report.gcpCoverage?.[0]?.deniedAttempts).toEqual([
      { principal: 'reporter@billing-8642.iam.gserviceaccount.com', permission: 'secretmanager.versions.access', count: 3 },
    ]);
  });

  it('key-unused-stale: Policy Analyzer activity gives dormant accounts and stale keys; a missing row proves nothing', async () => {
    const report = await scan('key-unused-stale');
    const dormant = of(report, 'dormant-bot');
    expect(dormant.map((f) => f.type)).toEqual(['dormant-principal']);
    expect(dormant[0]?.evidence.sources).toEqual(['policy-analyzer']);
    expect(dormant[0]?.evidence.reason).toContain('2026-02-01T10:00:00');
    expect(dormant[0]?.recommendation).toContain('gcloud iam service-accounts disable dormant-bot@legacy-9753.iam.gserviceaccount.com');
    // new-bot has no activity row: not dormant, and without audit logs its permissions are unverifiable.
    const fresh = of(report, 'new-bot');
    expect(fresh.every((f) => f.type === 'unverifiable-permission')).toBe(true);
    expect(unverifiable(fresh).get('storage.objects.get')).toBe('no-audit-logs');
    // old-sync: key 1 unused since March → high; key 2 older than the window, in use → medium (rotate);
    // key 3 created inside the window and key 4 Google-managed → nothing.
    const keys = of(report, 'old-sync').filter((f) => f.type === 'stale-credential');
    expect(keys.map((f) => [f.severity, f.evidence.reason.match(/key (\w{8})/)?.[1]])).toEqual([
      ['high', '1111aaaa'],
      ['medium', '2222bbbb'],
    ]);
    expect(unverifiable(of(report, 'old-sync')).get('pubsub.topics.publish')).toBe('not-logged-by-cloud-audit-logs');
  });

  it('folder-inherited-editor: a binding on a folder is inherited, with the chain project → folder', async () => {
    const report = await scan('folder-inherited-editor');
    const editorPaths = report.findings
      .flatMap((f) => f.permissions)
      .flatMap((p) => p.grantedBy as GcpGrantPath[])
      .filter((g) => g.binding.role === 'roles/editor');
    expect(editorPaths.length).toBeGreaterThan(0);
    expect(editorPaths.every((g) => g.resource.type === 'folder')).toBe(true);
    expect(editorPaths[0]?.chain.map((r) => r.type)).toEqual(['project', 'folder']);
    const perms = report.findings.flatMap((f) => f.permissions).filter((p) => p.grantedBy.every((g) => (g as GcpGrantPath).resource.type === 'folder'));
    expect(perms.every((p) => p.provenance === 'inherited')).toBe(true);
    // No audit logs in this snapshot: nothing may be called unused.
    expect(report.findings.every((f) => f.type === 'unverifiable-permission')).toBe(true);
  });

  it('service-agent-skipped: Google-managed service agents are kept apart and counted', async () => {
    const report = await scan('service-agent-skipped');
    expect(report.summary.skippedServiceAgents).toBeGreaterThan(0);
    expect(report.findings.some((f) => /gcp-sa-|cloudservices\.gserviceaccount|compute-system/.test(f.principal.name))).toBe(false);
  });

  it('deny-policy-subtracts: a denied permission appears in no finding', async () => {
    const report = await scan('deny-policy-subtracts');
    const all = report.findings.flatMap((f) => f.permissions.map((p) => `${f.principal.name} ${p.action}`));
    expect(all.length).toBeGreaterThan(0);
    expect(all.some((s) => s.endsWith(' iam.serviceAccountKeys.create'))).toBe(false);
  });

  it('conditional-binding: the grant is kept and marked conditional, with the CEL expression on the path', async () => {
    const report = await scan('conditional-binding');
    const conditional = report.findings.flatMap((f) => f.permissions).filter((p) => p.isConditional);
    expect(conditional.length).toBeGreaterThan(0);
    expect((conditional[0]?.grantedBy[0] as GcpGrantPath).binding.condition?.expression).toMatch(/\S/);
  });

  it('collect-warnings.json: the collector identity is reported, and logs it could not read make a coverage gap, never "unused"', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'permdrift-gcp-gap-'));
    cpSync(fileURLToPath(new URL('../../fixtures/gcp/denied-attempt-not-usage', import.meta.url)), dir, { recursive: true });
    writeFileSync(
      join(dir, 'gcp', 'billing-8642', 'collect-warnings.json'),
      JSON.stringify({
        caller: { principal: 'user:ops@example.com', credentialType: 'authorized_user', impersonating: 'scanner@sec-tools.iam.gserviceaccount.com' },
        warnings: [{ code: 'audit-logs-incomplete', message: 'logging entries.list stopped after 3 pages: quota exhausted' }],
      }),
    );
    const report = await auditFiles({ dir, asOf: AS_OF, windowMs: WINDOW_MS });
    expect(validateReport(report).errors).toEqual([]);
    expect(report.gcpCoverage?.[0]?.collectedBy).toBe('scanner@sec-tools.iam.gserviceaccount.com (impersonated by user:ops@example.com)');
    expect(report.warnings).toContainEqual({
      code: 'audit-logs-incomplete',
      message: 'logging entries.list stopped after 3 pages: quota exhausted',
      account: 'billing-8642',
      file: 'gcp/billing-8642/collect-warnings.json',
    });
    const reporter = of(report, 'reporter');
    expect(calledUnused(reporter)).toEqual([]);
    expect(unverifiable(reporter).get('secretmanager.versions.access')).toBe('log-files-unreadable');
  });

  it('recommender-insight-used: permissions an IAM policy insight saw exercised in the window count as used; an old insight proves nothing', async () => {
    const report = await scan('recommender-insight-used');
    const loader = of(report, 'loader');
    // Data Access logs are off here, so without the insight storage.objects.get would be unverifiable.
    expect(unverifiable(loader).has('storage.objects.get')).toBe(false);
    expect(calledUnused(loader)).not.toContain('storage.objects.get');
    // Exercised only in an insight that ended a year before the window; inferred permissions are no evidence.
    expect(unverifiable(loader).get('storage.objects.list')).toBe('data-access-logs-disabled');
    expect(unverifiable(loader).get('storage.folders.get')).toBe('data-access-logs-disabled');
    expect(report.gcpCoverage?.[0]?.recommender).toEqual({ files: ['gcp/insights-1122/recommender/google.iam.policy.Insight.json'], insights: 2 });
  });

  it('an insight file of the wrong shape is an input error naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'permdrift-gcp-insight-'));
    cpSync(fileURLToPath(new URL('../../fixtures/gcp/recommender-insight-used', import.meta.url)), dir, { recursive: true });
    writeFileSync(
      join(dir, 'gcp', 'insights-1122', 'recommender', 'bad.json'),
      JSON.stringify([{ content: { member: 'serviceAccount:a@b', role: 'roles/x' }, observationPeriod: 'ninety days' }]),
    );
    await expect(auditFiles({ dir, asOf: AS_OF, windowMs: WINDOW_MS })).rejects.toThrow(/bad\.json: \[0\]: lastRefreshTime and observationPeriod/);
  });

  it('data-access-retention: Data Access logs that reach back 30 days leave their permissions unverifiable, naming the retention; Admin Activity ones are judged', async () => {
    const report = await scan('data-access-retention');
    const uploader = of(report, 'uploader');
    expect(calledUnused(uploader)).toContain('storage.objects.setIamPolicy');
    expect(calledUnused(uploader)).not.toContain('storage.objects.get');
    const get = uploader.flatMap((f) => f.permissions).find((p) => p.action === 'storage.objects.get');
    expect(get?.unverifiable?.reason).toBe('window-not-covered');
    expect(get?.unverifiable?.detail).toMatch(
      /Data Access logs read cover 29\.\d+ of the 90 days .*start after the window does \(Data Access logs are kept 30 days in the _Default bucket/,
    );
    expect(report.gcpCoverage?.[0]?.notes.some((n) => n.startsWith('Data Access logs cover 2026-10-21 to 2026-11-19'))).toBe(true);
  });

  it('custom-role-unused-permission: a permission named in a custom role is removed from the role, and other roles granting it are named', async () => {
    const report = await scan('custom-role-unused-permission');
    const publisher = of(report, 'publisher');
    const named = publisher.filter((f) => f.type === 'unused-permission');
    expect(named.map((f) => f.permissions[0]?.action).sort()).toEqual(['storage.buckets.delete', 'storage.buckets.update']);
    for (const f of named) {
      expect(f.recommendation).toContain('from custom role projects/media-4680/roles/bucketManager');
      expect(f.recommendation).toContain('also granted by roles/storage.admin bound on project media-4680');
    }
    expect(calledUnused(publisher)).not.toContain('storage.buckets.create');
    // storage.admin's other unused permissions reach the account only through the predefined role.
    const overbroad = publisher.find((f) => f.type === 'overbroad-grant' && f.service === 'storage');
    expect(overbroad?.permissions.some((p) => p.grantedBy.every((g) => (g as GcpGrantPath).roleKind === 'predefined'))).toBe(true);
    expect(overbroad?.permissions.map((p) => p.action)).not.toContain('storage.buckets.delete');
  });
});
