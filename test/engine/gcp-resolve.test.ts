/**
 * The GCP resolver on the scenario fixtures: provenance chains, predefined and custom role
 * expansion (counts checked against data/gcp/roles.json read here, not through the catalogue
 * module), conditional bindings, deny subtraction, group expansion, service agents; and the cited
 * audit-log-type table.
 */

import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadGcpProject } from '../../src/connectors/gcp/snapshot.js';
import { denyPatternMatches, toV2Permission } from '../../src/engine/gcp/deny-match.js';
import { bundledLogTypeTable } from '../../src/engine/gcp/permission-log-type.js';
import { resolveGcpProject } from '../../src/engine/gcp/resolve.js';
import { bundledRoleCatalogue, roleCatalogueFrom } from '../../src/engine/gcp/role-catalogue.js';
import type { GcpPrincipalEntitlements } from '../../src/model/gcp/policy.js';

const ROOT = join(import.meta.dirname, '..', '..');
const FIXTURES = join(ROOT, 'fixtures', 'gcp');
const ROLES = (JSON.parse(readFileSync(join(ROOT, 'data', 'gcp', 'roles.json'), 'utf8')) as { roles: Record<string, string[]> }).roles;
const rolePerms = (role: string): string[] => {
  const perms = ROLES[role];
  if (!perms) throw new Error(`test data: ${role} not in roles.json`);
  return perms;
};
const union = (...lists: string[][]): Set<string> => new Set(lists.flat());

function principal(result: { principals: GcpPrincipalEntitlements[] }, email: string): GcpPrincipalEntitlements {
  const found = result.principals.find((p) => p.serviceAccount.email === email);
  if (!found) throw new Error(`no principal ${email}`);
  return found;
}

describe('vendored predefined-role snapshot', () => {
  it('holds the basic roles and a few thousand predefined ones, with provenance', () => {
    const catalogue = bundledRoleCatalogue();
    expect(catalogue.roleCount).toBeGreaterThan(2000);
    expect(catalogue.generatedFrom?.repository).toBe('https://github.com/iann0036/iam-dataset');
    expect(catalogue.generatedFrom?.commit).toMatch(/^[0-9a-f]{40}$/);
    // Basic roles nest: everything a viewer may do an editor may do.
    const editor = new Set(catalogue.permissionsOf('roles/editor'));
    expect(catalogue.permissionsOf('roles/viewer')?.every((p) => editor.has(p))).toBe(true);
    expect(catalogue.permissionsOf('roles/storage.objectViewer')).toContain('storage.objects.get');
    expect(catalogue.permissionsOf('roles/no.such')).toBeUndefined();
  });
});

describe('folder-inherited-editor', () => {
  const SA = 'deployer@app-prod-1234.iam.gserviceaccount.com';
  const inv = loadGcpProject(join(FIXTURES, 'folder-inherited-editor'), 'app-prod-1234');
  const result = resolveGcpProject(inv, bundledRoleCatalogue());
  const deployer = principal(result, SA);

  it('expands editor (folder) + viewer (organization) + objectViewer (project) to exactly their union', () => {
    const expected = union(rolePerms('roles/editor'), rolePerms('roles/viewer'), rolePerms('roles/storage.objectViewer'));
    expect(deployer.entitlements.length).toBe(expected.size);
    expect(new Set(deployer.entitlements.map((e) => e.permission))).toEqual(expected);
  });

  it('a folder grant is inherited with the chain project → folder → binding → role', () => {
    const e = deployer.entitlements.find((x) => x.permission === 'iam.serviceAccountKeys.create');
    expect(e?.provenance).toBe('inherited');
    expect(e?.grantedBy).toEqual([
      {
        chain: [
          { type: 'project', id: 'app-prod-1234' },
          { type: 'folder', id: '300000000001' },
        ],
        resource: { type: 'folder', id: '300000000001' },
        binding: { index: 0, role: 'roles/editor' },
        member: `serviceAccount:${SA}`,
        roleKind: 'basic',
      },
    ]);
  });

  it('an organization grant carries the whole chain; a permission also bound on the project is direct', () => {
    const viewerOnly = rolePerms('roles/viewer').find((p) => !rolePerms('roles/editor').includes(p));
    if (viewerOnly !== undefined) {
      const e = deployer.entitlements.find((x) => x.permission === viewerOnly);
      expect(e?.grantedBy[0]?.chain.map((r) => r.type)).toEqual(['project', 'folder', 'folder', 'organization']);
    }
    // editor does not hold object reads: only the project binding grants them.
    const get = deployer.entitlements.find((x) => x.permission === 'storage.objects.get');
    expect(get?.provenance).toBe('direct');
    expect(get?.grantedBy.map((p) => `${p.resource.type}:${p.binding.role}`)).toEqual(['project:roles/storage.objectViewer']);
    // A permission held both ways: direct, paths sorted nearest first.
    const both = rolePerms('roles/storage.objectViewer').find((p) => rolePerms('roles/editor').includes(p));
    expect(both).toBeDefined();
    const e = deployer.entitlements.find((x) => x.permission === both);
    expect(e?.provenance).toBe('direct');
    expect(e?.grantedBy.map((p) => `${p.resource.type}:${p.binding.role}`)).toEqual(
      ['project:roles/storage.objectViewer', 'folder:roles/editor', 'organization:roles/viewer'].filter(
        (x) => !x.startsWith('organization') || rolePerms('roles/viewer').includes(both ?? ''),
      ),
    );
  });

  it('warns that group grants could not be expanded without groups.json, once per binding', () => {
    const groupWarnings = result.warnings.filter((w) => w.code === 'group-not-expanded');
    expect(groupWarnings).toHaveLength(2);
    expect(groupWarnings.map((w) => w.role).sort()).toEqual(['roles/editor', 'roles/logging.viewer']);
  });

  it('with groups.json, a group grant reaches the account marked viaGroup (nested groups too)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'permdrift-gcp-'));
    cpSync(join(FIXTURES, 'folder-inherited-editor'), dir, { recursive: true });
    writeFileSync(
      join(dir, 'gcp', 'groups.json'),
      JSON.stringify({
        'group:platform-admins@example.com': ['group:batch-jobs@example.com', 'user:bob@example.com'],
        'batch-jobs@example.com': ['serviceAccount:idle-batch@app-prod-1234.iam.gserviceaccount.com'],
      }),
    );
    const withGroups = resolveGcpProject(loadGcpProject(dir, 'app-prod-1234'), bundledRoleCatalogue());
    expect(withGroups.warnings.filter((w) => w.code === 'group-not-expanded')).toEqual([]);
    const idle = principal(withGroups, 'idle-batch@app-prod-1234.iam.gserviceaccount.com');
    expect(new Set(idle.entitlements.map((e) => e.permission))).toEqual(union(rolePerms('roles/editor'), rolePerms('roles/logging.viewer')));
    const paths = idle.entitlements.find((e) => e.permission === 'logging.logEntries.list')?.grantedBy;
    expect(paths?.map((p) => [p.resource.type, p.binding.role, p.member, p.viaGroup])).toEqual([
      ['folder', 'roles/editor', 'group:platform-admins@example.com', 'platform-admins@example.com'],
      ['organization', 'roles/logging.viewer', 'group:platform-admins@example.com', 'platform-admins@example.com'],
    ]);
    expect(idle.entitlements.every((e) => e.provenance === 'inherited')).toBe(true);
    // The deployer is in no group: unchanged.
    expect(principal(withGroups, SA).entitlements.length).toBe(deployer.entitlements.length);
  });

  it('an account with no binding resolves to nothing, not to an error', () => {
    expect(principal(result, 'idle-batch@app-prod-1234.iam.gserviceaccount.com').entitlements).toEqual([]);
  });
});

describe('project-direct-custom-role', () => {
  const inv = loadGcpProject(join(FIXTURES, 'project-direct-custom-role'), 'ci-tools-5678');
  const result = resolveGcpProject(inv, bundledRoleCatalogue());
  const bot = principal(result, 'release-bot@ci-tools-5678.iam.gserviceaccount.com');

  it('expands project and organization custom roles plus a predefined role; deleted custom role grants nothing', () => {
    const expected = union(
      ['iam.serviceAccounts.actAs', 'run.services.get', 'run.services.list', 'run.services.update'],
      ['logging.logEntries.list', 'logging.privateLogEntries.list'],
      rolePerms('roles/artifactregistry.writer'),
    );
    expect(new Set(bot.entitlements.map((e) => e.permission))).toEqual(expected);
    expect(bot.entitlements.some((e) => e.permission === 'storage.buckets.delete')).toBe(false);
  });

  it('custom-role grants are direct and name the role', () => {
    const update = bot.entitlements.find((e) => e.permission === 'run.services.update');
    expect(update?.provenance).toBe('direct');
    expect(update?.grantedBy.map((p) => [p.binding.role, p.roleKind, p.chain.length])).toEqual([['projects/ci-tools-5678/roles/releaseDeployer', 'custom', 1]]);
  });

  it('unknown roles (custom not exported, predefined not in the snapshot) and the deleted role are warnings', () => {
    const byCode = (code: string): (string | undefined)[] => result.warnings.filter((w) => w.code === code).map((w) => w.role);
    expect(byCode('unknown-role').sort()).toEqual(['projects/ci-tools-5678/roles/notExported', 'roles/doesNotExist.anywhere']);
    expect(byCode('inactive-custom-role')).toEqual(['projects/ci-tools-5678/roles/removedRole']);
  });

  it('a catalogue passed in replaces the bundled one (live refresh path)', () => {
    const tiny = roleCatalogueFrom({ source: 'test', roles: { 'roles/artifactregistry.writer': ['artifactregistry.repositories.uploadArtifacts'] } });
    const r = principal(resolveGcpProject(inv, tiny), 'release-bot@ci-tools-5678.iam.gserviceaccount.com');
    expect(r.entitlements).toHaveLength(7);
  });
});

describe('conditional-binding', () => {
  const inv = loadGcpProject(join(FIXTURES, 'conditional-binding'), 'data-lake-4242');
  const etl = principal(resolveGcpProject(inv, bundledRoleCatalogue()), 'etl@data-lake-4242.iam.gserviceaccount.com');

  it('keeps conditional grants, marked conditional with the CEL expression', () => {
    const del = etl.entitlements.find((e) => e.permission === 'storage.objects.delete');
    expect(del?.isConditional).toBe(true);
    expect(del?.grantedBy[0]?.binding.condition).toEqual({
      expression: 'request.time < timestamp("2030-01-01T00:00:00Z")',
      title: 'expires-2030',
      description: 'Temporary write access for the 2024 migration',
    });
  });

  it('a permission also granted without condition is not conditional; inherited conditional grant keeps its own condition', () => {
    const get = etl.entitlements.find((e) => e.permission === 'storage.objects.get');
    expect(get?.isConditional).toBe(false);
    expect(get?.grantedBy.filter((p) => p.binding.condition).length).toBe(1);
    const create = etl.entitlements.find((e) => e.permission === 'storage.objects.create');
    expect(create?.grantedBy.map((p) => [p.resource.type, p.binding.condition?.title])).toEqual([
      ['project', 'expires-2030'],
      ['organization', 'raw-buckets-only'],
    ]);
    expect(etl.entitlements.length).toBe(
      union(rolePerms('roles/storage.objectAdmin'), rolePerms('roles/storage.objectViewer'), rolePerms('roles/storage.objectCreator')).size,
    );
  });
});

describe('deny-policy-subtracts', () => {
  const inv = loadGcpProject(join(FIXTURES, 'deny-policy-subtracts'), 'payments-9000');
  const result = resolveGcpProject(inv, bundledRoleCatalogue());
  const ops = principal(result, 'ops-automation@payments-9000.iam.gserviceaccount.com');
  const has = (p: string): boolean => ops.entitlements.some((e) => e.permission === p);
  const editor = rolePerms('roles/editor');

  it('an unconditional deny for the account removes the permission and records why', () => {
    expect(has('iam.serviceAccountKeys.create')).toBe(false);
    expect(has('storage.buckets.delete')).toBe(false);
    expect(ops.denied.find((d) => d.permission === 'iam.serviceAccountKeys.create')).toEqual({
      permission: 'iam.serviceAccountKeys.create',
      policy: 'policies/cloudresourcemanager.googleapis.com%2Fprojects%2F987654321098/denypolicies/no-key-creation',
      ruleIndex: 0,
      matchedBy: 'iam.googleapis.com/serviceAccountKeys.create',
    });
  });

  it('wildcard deny patterns subtract every matching permission; counts add up', () => {
    const setIam = editor.filter((p) => p.endsWith('.setIamPolicy'));
    for (const p of setIam) expect(has(p)).toBe(false);
    const expectedDenied = new Set([...setIam, 'iam.serviceAccountKeys.create', 'storage.buckets.delete']);
    expect(new Set(ops.denied.map((d) => d.permission))).toEqual(expectedDenied);
    expect(ops.entitlements.length).toBe(editor.length - expectedDenied.size);
  });

  it('a conditional deny is recorded, not subtracted', () => {
    const del = ops.entitlements.find((e) => e.permission === 'compute.instances.delete');
    expect(del?.conditionalDenies).toEqual([
      {
        policy: 'policies/cloudresourcemanager.googleapis.com%2Fprojects%2F987654321098/denypolicies/no-key-creation',
        ruleIndex: 1,
        condition: { expression: "resource.matchTag('123456789012/env', 'prod')", title: 'prod-tagged' },
        matchedBy: 'compute.googleapis.com/instances.*',
      },
    ]);
    const computeInstances = editor.filter((p) => p.startsWith('compute.instances.') && !p.endsWith('.setIamPolicy'));
    expect(ops.entitlements.filter((e) => e.conditionalDenies.length > 0).length).toBe(computeInstances.length);
  });

  it('an exception principal escapes the deny; a group principal without groups.json is a warning, not applied', () => {
    expect(has('storage.buckets.create')).toBe(true);
    const warnings = result.warnings.filter((w) => w.code === 'unsupported-deny-principal');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toContain('principalSet://goog/group/contractors@example.com');
  });

  it('v1 → v2 permission names (Resource Manager is the documented exception)', () => {
    expect(toV2Permission('resourcemanager.projects.delete')).toBe('cloudresourcemanager.googleapis.com/projects.delete');
    expect(toV2Permission('storage.buckets.delete')).toBe('storage.googleapis.com/buckets.delete');
    expect(denyPatternMatches('*.googleapis.com/*.setIamPolicy', 'pubsub.topics.setIamPolicy')).toBe(true);
    expect(denyPatternMatches('storage.googleapis.com/buckets.*', 'storage.objects.get')).toBe(false);
  });
});

describe('service-agent-skipped (gcpdiag gce3)', () => {
  const inv = loadGcpProject(join(FIXTURES, 'service-agent-skipped'), 'gcpdiag-gce3-aaaa');
  const result = resolveGcpProject(inv, bundledRoleCatalogue());

  it('resolves agents too, but every agent is marked so the analyzer can keep them apart', () => {
    const compute = principal(result, 'service-12345001@compute-system.iam.gserviceaccount.com');
    expect(compute.serviceAccount.isServiceAgent).toBe(true);
    // Custom role instanceschedulerole (start, stop) + roles/compute.serviceAgent.
    const expected = union(['compute.instances.start', 'compute.instances.stop'], rolePerms('roles/compute.serviceAgent'));
    expect(new Set(compute.entitlements.map((e) => e.permission))).toEqual(expected);
  });

  it('the default compute account is user-managed and holds owner + editor-level grants', () => {
    const dflt = principal(result, '12345001-compute@developer.gserviceaccount.com');
    expect(dflt.serviceAccount.isServiceAgent).toBe(false);
    const expected = union(
      rolePerms('roles/owner'),
      rolePerms('roles/iam.serviceAccountUser'),
      rolePerms('roles/logging.admin'),
      rolePerms('roles/logging.logWriter'),
      rolePerms('roles/monitoring.admin'),
      rolePerms('roles/monitoring.metricWriter'),
    );
    expect(dflt.entitlements.length).toBe(expected.size);
  });

  it('user: members are not principals', () => {
    expect(result.principals.some((p) => p.serviceAccount.email.includes('testuser'))).toBe(false);
  });
});

describe('permission → audit log type (data/gcp/permission-log-types.json)', () => {
  const table = bundledLogTypeTable();
  it.each([
    ['storage.objects.get', 'DATA_READ'],
    ['storage.objects.create', 'DATA_WRITE'],
    ['storage.buckets.get', 'ADMIN_READ'],
    ['storage.buckets.delete', 'ADMIN_WRITE'],
    ['secretmanager.versions.access', 'DATA_READ'],
    ['pubsub.topics.publish', 'NOT_LOGGED'],
    ['compute.instances.list', 'ADMIN_READ'],
    ['compute.instances.delete', 'ADMIN_WRITE'],
    ['bigquery.datasets.getIamPolicy', 'ADMIN_READ'],
    ['run.services.setIamPolicy', 'ADMIN_WRITE'],
    ['bigquery.tables.getData', 'unknown'],
    ['iam.serviceAccounts.actAs', 'unknown'],
  ])('%s → %s', (permission, logType) => {
    expect(table.classify(permission).logType).toBe(logType);
  });

  it('impersonation permissions are governed by iam.googleapis.com audit config; every verdict but unknown cites a URL', () => {
    expect(table.classify('iam.serviceAccounts.getAccessToken')).toMatchObject({ logType: 'ADMIN_READ', auditService: 'iam.googleapis.com' });
    expect(table.classify('resourcemanager.projects.getIamPolicy').auditService).toBe('cloudresourcemanager.googleapis.com');
    expect(table.classify('storage.objects.get').source).toMatch(/^https:\/\/cloud\.google\.com\/storage\//);
    expect(table.classify('bigquery.tables.getData').source).toBeUndefined();
  });
});
