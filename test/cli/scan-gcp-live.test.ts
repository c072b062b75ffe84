/**
 * The command line against the fake GCP endpoint, in process (`run` from src/cli/main.ts): `collect
 * gcp` then `scan files` gives the same JSON report as `scan gcp`; missing ADC is exit 2 with the
 * gcloud command to run; `policy gcp` prints docs/gcp-readonly-role.json.
 */

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { bundledRoleCatalogue } from '../../src/engine/gcp/role-catalogue.js';
import { useFakeGcp } from '../fake-gcp/lifecycle.js';
import { fakeWorld, LIVE_ONLY_PERMISSION, ORG_ID } from '../fake-gcp/world.js';

const ROOT = join(import.meta.dirname, '..', '..');
const AS_OF = '2026-11-20T00:00:00Z';
const start = useFakeGcp();

async function permdrift(args: string[], env: Record<string, string | undefined> = process.env): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d: Buffer) => (stdout += d.toString()));
  err.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await run(args, {
    stdout: out,
    stderr: err,
    env: { ...env, NO_COLOR: '1', CI: 'true' },
    cwd: mkdtempSync(join(tmpdir(), 'permdrift-gcp-cwd-')),
  });
  return { code, stdout, stderr };
}

interface Report {
  catalogue: string;
  warnings: { code: string; message: string; account?: string }[];
  findings: { provider?: string; principal: { name: string }; permissions?: { action: string; grantedBy?: { binding?: { role?: string } }[] }[] }[];
}

/** Every (principal, role) through which a GCP finding shows `permission` granted. */
function grantsOf(report: Report, permission: string): { principal: string; role: string }[] {
  const out = new Map<string, { principal: string; role: string }>();
  for (const f of report.findings) {
    if (f.provider !== 'gcp') continue;
    for (const p of f.permissions ?? []) {
      if (p.action !== permission) continue;
      for (const g of p.grantedBy ?? []) {
        const role = g.binding?.role ?? '';
        out.set(`${f.principal.name} ${role}`, { principal: f.principal.name, role });
      }
    }
  }
  return [...out.values()];
}

describe('collect gcp / scan gcp / policy gcp', () => {
  it('collect gcp then scan files gives the same JSON report as scan gcp', async () => {
    const fake = await start({ world: fakeWorld({ serviceAccounts: 4, logEntries: 40 }) });
    const snap = mkdtempSync(join(tmpdir(), 'permdrift-gcp-snap-'));
    const collected = await permdrift(['collect', 'gcp', '--project', 'alpha-prod', '--as-of', AS_OF, '-o', snap]);
    expect(collected.stderr).toContain(
      'permdrift: project alpha-prod read as serviceAccount:permdrift-scanner@audit-host.iam.gserviceaccount.com; 4 service account(s); audit logs from logging entries.list (40 entries, 1 page at 60 reads/min)',
    );
    expect(collected.code).toBe(0);
    expect(collected.stdout).toBe('');
    const replayed = await permdrift(['scan', 'files', snap, '--as-of', AS_OF, '--format', 'json']);
    const requestsAfterCollect = fake.requests.length;
    const live = await permdrift(['scan', 'gcp', '--project', 'alpha-prod', '--as-of', AS_OF, '--format', 'json', '--quiet']);
    expect(live.stderr).toBe('');
    expect([0, 1]).toContain(live.code);
    expect(live.code).toBe(replayed.code);
    expect(fake.requests.length).toBe(requestsAfterCollect * 2);
    // Two collections read roles.list at two times; everything else must match.
    const strip = (text: string): unknown => {
      const r = JSON.parse(text) as Record<string, unknown>;
      delete r['generatedAt'];
      return JSON.parse(
        JSON.stringify(r)
          .replaceAll(snap, '<dir>')
          .replace(/roles\.list \(view FULL\) of [0-9T:.Z-]+/g, 'roles.list (view FULL) of <time>'),
      );
    };
    const report = strip(live.stdout) as { findings?: { provider?: string }[] };
    expect(report.findings?.some((f) => f.provider === 'gcp')).toBe(true);
    expect(report).toEqual(strip(replayed.stdout));
  });

  it('the scan resolves predefined roles with the live roles.list definitions, the bundled snapshot only for roles the list lacks', async () => {
    const world = fakeWorld({ serviceAccounts: 4, logEntries: 40 });
    await start({ world });
    const snap = mkdtempSync(join(tmpdir(), 'permdrift-gcp-snap-'));
    const collected = await permdrift(['collect', 'gcp', '--project', 'alpha-prod', '--as-of', AS_OF, '-q', '-o', snap]);
    expect(collected.code).toBe(0);
    const collectedAt = (JSON.parse(readFileSync(join(snap, 'gcp', 'predefined-roles.json'), 'utf8')) as { collectedAt: string }).collectedAt;
    const live = await permdrift(['scan', 'files', snap, '--as-of', AS_OF, '--format', 'json', '-q']);
    const report = JSON.parse(live.stdout) as Report;
    const bundledLacking = [...bundledRoleCatalogue().entries()].filter(([role]) => !(role in world.predefinedRoles)).length;
    expect(report.catalogue).toContain(`GCP roles: IAM roles.list (view FULL) of ${collectedAt} (+ bundled snapshot https://github.com/iann0036/iam-dataset@`);
    expect(report.catalogue).toMatch(new RegExp(`for ${bundledLacking.toLocaleString('en-US')} roles it lacks\\)$`));
    // Only the live roles/storage.objectViewer holds it; the accounts bound to that role get it.
    const viaLive = grantsOf(report, LIVE_ONLY_PERMISSION);
    expect(viaLive.length).toBeGreaterThan(0);
    expect(new Set(viaLive.map((g) => g.role))).toEqual(new Set(['roles/storage.objectViewer']));
    expect(new Set(viaLive.map((g) => g.principal))).toEqual(
      new Set(['sa-000@alpha-prod.iam.gserviceaccount.com', 'sa-002@alpha-prod.iam.gserviceaccount.com']),
    );
    // roles/secretmanager.secretAccessor is not in the live list: the bundled snapshot still resolves it.
    expect(world.predefinedRoles['roles/secretmanager.secretAccessor']).toBeUndefined();
    expect(grantsOf(report, 'secretmanager.versions.access')).toEqual([
      { principal: 'sa-000@alpha-prod.iam.gserviceaccount.com', role: 'roles/secretmanager.secretAccessor' },
    ]);

    // The same snapshot without the file: the bundled snapshot alone, and the permission is gone.
    rmSync(join(snap, 'gcp', 'predefined-roles.json'));
    const bundled = JSON.parse((await permdrift(['scan', 'files', snap, '--as-of', AS_OF, '--format', 'json', '-q'])).stdout) as Report;
    expect(bundled.catalogue).toMatch(/GCP roles: https:\/\/github\.com\/iann0036\/iam-dataset@[0-9a-f]{12} \(\d{4}-\d{2}-\d{2}\)$/);
    expect(grantsOf(bundled, LIVE_ONLY_PERMISSION)).toEqual([]);
    expect(grantsOf(bundled, 'storage.objects.get').length).toBeGreaterThan(0);
  });

  it('roles.list refused: the report carries the warning and resolves with the bundled snapshot', async () => {
    await start({ world: fakeWorld({ serviceAccounts: 4, logEntries: 40 }), faults: [{ operation: 'iam.roles.list', kind: 'denied', times: Infinity }] });
    const r = await permdrift(['scan', 'gcp', '--project', 'alpha-prod', '--as-of', AS_OF, '--format', 'json']);
    expect([0, 1]).toContain(r.code);
    expect(r.stderr).toContain('warning: predefined roles (IAM roles.list, view FULL): 403 PERMISSION_DENIED');
    const report = JSON.parse(r.stdout) as Report;
    expect(report.warnings.filter((w) => w.code === 'predefined-roles-unreadable').map((w) => w.account)).toEqual(['alpha-prod']);
    expect(report.catalogue).toMatch(/GCP roles: https:\/\/github\.com\/iann0036\/iam-dataset@[0-9a-f]{12} \(\d{4}-\d{2}-\d{2}\)$/);
    expect(grantsOf(report, LIVE_ONLY_PERMISSION)).toEqual([]);
  });

  it('--organization searches Cloud Asset Inventory (one page of each search); --no-asset-inventory walks resource manager instead', async () => {
    const fake = await start({ world: fakeWorld({ projects: ['alpha-prod', 'beta-prod'] }) });
    const viaAsset = await permdrift([
      'collect',
      'gcp',
      '--organization',
      ORG_ID,
      '--as-of',
      AS_OF,
      '--no-audit-logs',
      '--no-activity',
      '-o',
      mkdtempSync(join(tmpdir(), 'x-')),
    ]);
    expect(viaAsset.code).toBe(0);
    expect(viaAsset.stderr).toContain('permdrift: 2 project(s) read');
    expect(fake.calls('cloudasset.searchAllIamPolicies')).toHaveLength(1);
    expect(fake.calls('cloudasset.searchAllResources')).toHaveLength(1);
    expect(fake.calls('cloudresourcemanager.projects.list')).toHaveLength(0);
    const walked = await permdrift([
      'collect',
      'gcp',
      '--organization',
      ORG_ID,
      '--no-asset-inventory',
      '--as-of',
      AS_OF,
      '--no-audit-logs',
      '--no-activity',
      '-q',
      '-o',
      mkdtempSync(join(tmpdir(), 'x-')),
    ]);
    expect(walked.code).toBe(0);
    expect(fake.calls('cloudasset.searchAllIamPolicies')).toHaveLength(1);
    expect(fake.calls('cloudasset.searchAllResources')).toHaveLength(1);
    expect(fake.calls('cloudresourcemanager.projects.list').length).toBeGreaterThan(0);
  });

  it('--logging-reads-per-minute (or PERMDRIFT_GCP_LOGGING_READS_PER_MINUTE) sets the Logging pace; a bad value is a usage error before any request', async () => {
    const fake = await start({ world: fakeWorld({ logEntries: 30 }), pageSize: 10 });
    const args = ['collect', 'gcp', '--project', 'alpha-prod', '--as-of', AS_OF, '--no-activity'];
    const flag = await permdrift([...args, '--logging-reads-per-minute', '6000', '-o', mkdtempSync(join(tmpdir(), 'x-'))]);
    expect(flag.code).toBe(0);
    expect(flag.stderr).toContain('audit logs from logging entries.list (30 entries, 3 pages at 6,000 reads/min)');
    // commander reads option variables from process.env.
    process.env['PERMDRIFT_GCP_LOGGING_READS_PER_MINUTE'] = '1200';
    let env: Awaited<ReturnType<typeof permdrift>>;
    try {
      env = await permdrift([...args, '-o', mkdtempSync(join(tmpdir(), 'x-'))]);
    } finally {
      delete process.env['PERMDRIFT_GCP_LOGGING_READS_PER_MINUTE'];
    }
    expect(env.code).toBe(0);
    expect(env.stderr).toContain('(30 entries, 3 pages at 1,200 reads/min)');
    const before = fake.requests.length;
    for (const bad of ['0', 'fast', '1.5', '-3']) {
      const r = await permdrift([...args, `--logging-reads-per-minute=${bad}`, '-o', mkdtempSync(join(tmpdir(), 'x-'))]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`error: invalid --logging-reads-per-minute "${bad}"`);
    }
    expect(fake.requests.length).toBe(before);
  });

  it('no Application Default Credentials: exit 2, `error:` and the gcloud command, no stack', async () => {
    await start({ world: fakeWorld() }, 'none');
    const r = await permdrift(['scan', 'gcp', '--project', 'alpha-prod']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'error: no Google Cloud credentials found (Application Default Credentials)\nhint: run `gcloud auth application-default login` (or set GOOGLE_APPLICATION_CREDENTIALS to a key file, or run on GCP with an attached service account), then try again\n',
    );
  });

  it('usage errors before any request: no project, a bad --audit-logs URL', async () => {
    const fake = await start({ world: fakeWorld() });
    const none = await permdrift(['collect', 'gcp', '-o', mkdtempSync(join(tmpdir(), 'x-'))]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('error: no project to collect');
    const bad = await permdrift(['scan', 'gcp', '--project', 'alpha-prod', '--audit-logs', 's3://nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('error: invalid --audit-logs "s3://nope"');
    const off = await permdrift([
      'collect',
      'gcp',
      '--project',
      'alpha-prod',
      '--no-audit-logs',
      '--no-activity',
      '-q',
      '-o',
      mkdtempSync(join(tmpdir(), 'x-')),
    ]);
    expect(off.code).toBe(0);
    expect(fake.calls('logging.entries.list')).toHaveLength(0);
    expect(fake.requests.some((q) => q.operation.startsWith('policyanalyzer'))).toBe(false);
  });

  it('policy gcp prints docs/gcp-readonly-role.json', async () => {
    const r = await permdrift(['policy', 'gcp']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(ROOT, 'docs', 'gcp-readonly-role.json'), 'utf8'));
  });
});
