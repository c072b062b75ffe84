/**
 * `collectGcp` against the fake endpoint with the real client libraries: the snapshot it writes is
 * the docs/gcp.md layout and loads back with the offline reader; every list is paginated; quota
 * and 5xx errors are retried; denied projects, disabled APIs and unreadable logs become warnings.
 */

import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectGcp, type CollectGcpOptions } from '../../src/connectors/gcp/live/collect.js';
import { loadGcpProject } from '../../src/connectors/gcp/snapshot.js';
import { CALLER_EMAIL } from '../fake-gcp/env.js';
import { useFakeGcp } from '../fake-gcp/lifecycle.js';
import type { FakeGcpOptions } from '../fake-gcp/server.js';
import { fakePredefinedRoles, fakeWorld, FOLDER_ID, HOST_ONLY_PROJECT, LIVE_ONLY_PERMISSION, ORG_ID, sinkExport, SUBFOLDER_ID } from '../fake-gcp/world.js';
import { readPredefinedRoles } from '../../src/connectors/gcp/predefined-roles.js';
import { PermdriftError } from '../../src/model/errors.js';
import { parseCollectManifest } from '../../src/connectors/shared/collect-manifest-file.js';
import { COLLECT_MANIFEST_FILE, type CollectManifest } from '../../src/model/collect-manifest.js';
import { TOOL_VERSION } from '../../src/version.js';

const AS_OF = new Date('2026-11-20T00:00:00Z');
const WINDOW_START = new Date(AS_OF.getTime() - 90 * 86_400_000);

const start = useFakeGcp();

function options(extra: Partial<CollectGcpOptions> = {}): CollectGcpOptions {
  return {
    outDir: mkdtempSync(join(tmpdir(), 'permdrift-gcp-live-')),
    projects: ['alpha-prod'],
    folders: [],
    organizations: [],
    windowStart: WINDOW_START,
    asOf: AS_OF,
    auditLogs: 'api',
    endpoint: process.env['PERMDRIFT_GCP_ENDPOINT_URL'] ?? '',
    backoff: { initialMs: 1, maxMs: 5 },
    loggingReadsPerMinute: 60_000,
    ...extra,
  };
}

function startFake(extra: Partial<FakeGcpOptions> = {}): ReturnType<typeof start> {
  return start({ world: fakeWorld(), ...extra });
}

function json(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8'));
}

function warningsOf(dir: string, project: string): { code: string; message: string }[] {
  return (json(join(dir, 'gcp', project, 'collect-warnings.json')) as { warnings: { code: string; message: string }[] }).warnings;
}

describe('collect gcp against the fake endpoint', () => {
  it('writes one project in the docs/gcp.md layout, and the offline reader loads it', async () => {
    const fake = await startFake({ pageSize: 2 });
    const opts = options();
    const r = await collectGcp(opts);
    expect(r.failed).toEqual([]);
    expect(r.collected.map((c) => c.projectId)).toEqual(['alpha-prod']);
    expect(r.caller).toEqual({ credentialType: 'service_account', principal: `serviceAccount:${CALLER_EMAIL}` });
    const root = join(opts.outDir, 'gcp');
    const files = readdirSync(root, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.json'))
      .sort();
    expect(files).toEqual([
      'alpha-prod/activity/serviceAccountKeyLastAuthentication.json',
      'alpha-prod/activity/serviceAccountLastAuthentication.json',
      'alpha-prod/ancestry.json',
      'alpha-prod/audit-logs/entries.json',
      'alpha-prod/collect-manifest.json',
      'alpha-prod/collect-warnings.json',
      'alpha-prod/deny-policies/no-secrets.json',
      'alpha-prod/deny-policies/organization-123456789012-no-key-creation.json',
      'alpha-prod/iam-policy.json',
      'alpha-prod/roles/deployer.json',
      'alpha-prod/service-account-keys/sa-000@alpha-prod.iam.gserviceaccount.com.json',
      'alpha-prod/service-account-keys/sa-001@alpha-prod.iam.gserviceaccount.com.json',
      'alpha-prod/service-account-keys/sa-002@alpha-prod.iam.gserviceaccount.com.json',
      'alpha-prod/service-accounts.json',
      `folders/${FOLDER_ID}/iam-policy.json`,
      // The organization binds group:platform@example.com: its members, from Cloud Identity.
      'groups.json',
      `organizations/${ORG_ID}/iam-policy.json`,
      `organizations/${ORG_ID}/roles/auditReader.json`,
      'predefined-roles.json',
    ]);
    expect(json(join(root, 'groups.json'))).toEqual({ 'platform@example.com': ['user:alice@example.com'] });
    // gcloud's shapes: the policy as the API returns it (conditions, auditConfigs, etag as base64).
    expect(json(join(root, 'alpha-prod', 'iam-policy.json'))).toEqual(fake.world.projects[0]?.policy);
    expect(json(join(root, 'alpha-prod', 'ancestry.json'))).toEqual([
      { id: 'alpha-prod', type: 'project' },
      { id: FOLDER_ID, type: 'folder' },
      { id: ORG_ID, type: 'organization' },
    ]);
    expect(json(join(root, 'alpha-prod', 'deny-policies', 'no-secrets.json'))).toEqual(fake.world.projects[0]?.denyPolicies[0]);
    expect(json(join(root, 'alpha-prod', 'audit-logs', 'entries.json'))).toEqual(fake.world.projects[0]?.logEntries);
    expect(warningsOf(opts.outDir, 'alpha-prod')).toEqual([]);
    expect((json(join(root, 'alpha-prod', 'collect-warnings.json')) as { caller: unknown }).caller).toEqual(r.caller);

    const inventory = loadGcpProject(opts.outDir, 'alpha-prod');
    expect(inventory.warnings).toEqual([]);
    expect(inventory.ancestry.map((a) => a.type)).toEqual(['project', 'folder', 'organization']);
    expect(inventory.policies).toHaveLength(3);
    expect(inventory.serviceAccounts.filter((a) => a.isListed).map((a) => a.email)).toEqual(fake.world.projects[0]?.serviceAccounts.map((a) => a['email']));
    expect(inventory.keys).toHaveLength(6);
    expect(inventory.customRoles.map((c) => c.name).sort()).toEqual([`organizations/${ORG_ID}/roles/auditReader`, 'projects/alpha-prod/roles/deployer']);
    expect(inventory.denyPolicies).toHaveLength(2);
    // Every request signed with the key file's own JWT; nothing tried to leave 127.0.0.1.
    expect(new Set(fake.requests.map((q) => q.auth))).toEqual(new Set([`jwt:${CALLER_EMAIL}`]));
    expect(fake.escaped).toEqual([]);
  });
});

describe('predefined roles (IAM roles.list, view FULL)', () => {
  it('are read once per run, every page, and written sorted to gcp/predefined-roles.json with the API and the time', async () => {
    const world = fakeWorld({ projects: ['alpha-prod', 'beta-prod'] });
    // Unsorted on the server side of the test, to show the file's order is the collector's.
    world.predefinedRoles = { 'roles/z.last': ['z.b.get', 'z.a.get', 'z.a.get'], ...fakePredefinedRoles() };
    const fake = await start({ world, pageSize: 2 });
    const clock = (): Date => new Date('2026-11-20T08:30:00Z');
    const opts = options({ projects: ['alpha-prod', 'beta-prod'], now: clock });
    const r = await collectGcp(opts);
    // 5 roles at 2 a page: 3 pages, once for the two projects, view=FULL, the API's maximum page size asked for.
    const calls = fake.calls('iam.roles.list');
    expect(calls).toHaveLength(3);
    expect(fake.requests.filter((q) => q.path === '/v1/roles')).toHaveLength(3);
    expect(r.requestsByOperation['iam.roles.list']).toBe(3);
    const file = join(opts.outDir, 'gcp', 'predefined-roles.json');
    expect(r.predefinedRoles).toEqual({ roles: 5, file, collectedAt: '2026-11-20T08:30:00.000Z' });
    const text = readFileSync(file, 'utf8');
    const data = JSON.parse(text) as { source: string; collectedAt: string; roleCount: number; roles: Record<string, string[]> };
    expect(data.source).toBe('IAM roles.list (view FULL) of 2026-11-20T08:30:00.000Z');
    expect(data.roleCount).toBe(5);
    expect(Object.keys(data.roles)).toEqual([...Object.keys(world.predefinedRoles)].sort());
    expect(data.roles['roles/z.last']).toEqual(['z.a.get', 'z.b.get']);
    expect(data.roles['roles/storage.objectViewer']).toContain(LIVE_ONLY_PERMISSION);
    // The offline reader takes it back; a second collection of the same roles at the same time is byte-identical.
    expect(readPredefinedRoles(opts.outDir)?.roles).toEqual(data.roles);
    const again = options({ projects: ['alpha-prod', 'beta-prod'], now: clock });
    await collectGcp(again);
    expect(readFileSync(join(again.outDir, 'gcp', 'predefined-roles.json'), 'utf8')).toBe(text);
    expect(warningsOf(opts.outDir, 'alpha-prod')).toEqual([]);
  });

  it("roles.list refused: a predefined-roles-unreadable warning in the first project's file, no predefined-roles.json (the bundled snapshot is used)", async () => {
    await startFake({ faults: [{ operation: 'iam.roles.list', kind: 'denied', times: Infinity }] });
    const opts = options({ projects: ['alpha-prod'] });
    const r = await collectGcp(opts);
    expect(r.predefinedRoles).toBeUndefined();
    expect(r.warnings.map((w) => w.code)).toEqual(['predefined-roles-unreadable']);
    expect(existsSync(join(opts.outDir, 'gcp', 'predefined-roles.json'))).toBe(false);
    const w = warningsOf(opts.outDir, 'alpha-prod');
    expect(w.map((x) => x.code)).toEqual(['predefined-roles-unreadable']);
    expect(w[0]?.message).toContain('403 PERMISSION_DENIED');
    expect(w[0]?.message).toContain('needs iam.roles.list');
    expect(w[0]?.message).toContain('bundled snapshot');
    expect(r.collected[0]?.warnings.map((x) => x.code)).toEqual(['predefined-roles-unreadable']);
  });

  it('a failure on a later page writes nothing: a partial list would hide roles behind the older snapshot', async () => {
    const fake = await startFake({ pageSize: 2, faults: [{ operation: 'iam.roles.list', kind: 'unavailable', times: Infinity, after: 1 }] });
    const opts = options({ maxAttempts: 2 });
    const r = await collectGcp(opts);
    expect(fake.calls('iam.roles.list').map((c) => c.status)).toEqual([200, 503, 503]);
    expect(existsSync(join(opts.outDir, 'gcp', 'predefined-roles.json'))).toBe(false);
    expect(r.warnings.map((w) => w.code)).toEqual(['predefined-roles-unreadable']);
    expect(r.warnings[0]?.message).toContain('503 UNAVAILABLE');
  });
});

describe('pagination', () => {
  it('follows every list to its last page: accounts, deny policies, log entries, activity, projects and folders', async () => {
    const world = fakeWorld({ projects: ['alpha-prod', 'beta-prod', 'gamma-prod', 'delta-prod'], serviceAccounts: 5, logEntries: 7 });
    const fake = await start({ world, pageSize: 2 });
    // The resource-manager walk (Cloud Asset Inventory has its own tests).
    const opts = options({ projects: [], folders: [FOLDER_ID], serviceAccountPageSize: 2, logPageSize: 3, isAssetInventoryWanted: false });
    const r = await collectGcp(opts);
    expect(r.collected.map((c) => c.projectId)).toEqual(['alpha-prod', 'beta-prod', 'delta-prod', 'gamma-prod']);
    expect(fake.calls('cloudasset.searchAllIamPolicies')).toEqual([]);
    expect(fake.calls('cloudasset.searchAllResources')).toEqual([]);
    // Three projects sit in the sub-folder: two pages of at most 2.
    const lists = fake.calls('cloudresourcemanager.projects.list');
    expect(lists.map((c) => c.target)).toEqual([FOLDER_ID, '555000222', '555000222']);
    // 5 accounts at 2 a page = 3 pages per project.
    expect(fake.calls('iam.projects.serviceAccounts.list').filter((c) => c.target === 'alpha-prod')).toHaveLength(3);
    // 7 entries at 2 a page (the server's cap beats the client's 3) = 4 pages.
    expect(fake.calls('logging.entries.list').filter((c) => c.target === 'alpha-prod')).toHaveLength(4);
    expect(
      fake.calls('policyanalyzer.projects.locations.activityTypes.activities.query:serviceAccountLastAuthentication').filter((c) => c.target === 'alpha-prod'),
    ).toHaveLength(3);
    for (const p of ['alpha-prod', 'beta-prod', 'gamma-prod', 'delta-prod']) {
      const inv = loadGcpProject(opts.outDir, p);
      expect(inv.serviceAccounts.filter((a) => a.isListed)).toHaveLength(5);
      expect((json(join(opts.outDir, 'gcp', p, 'audit-logs', 'entries.json')) as unknown[]).length).toBe(7);
      expect((json(join(opts.outDir, 'gcp', p, 'activity', 'serviceAccountKeyLastAuthentication.json')) as unknown[]).length).toBe(5);
    }
    // Folders and the organization are read once for the four projects.
    expect(
      fake
        .calls('cloudresourcemanager.folders.getIamPolicy')
        .map((c) => c.target)
        .sort(),
    ).toEqual([FOLDER_ID, '555000222']);
    expect(fake.calls('cloudresourcemanager.organizations.getIamPolicy')).toHaveLength(1);
    expect(fake.calls('iam.organizations.roles.get')).toHaveLength(1);
    expect(loadGcpProject(opts.outDir, 'gamma-prod').ancestry.map((a) => a.id)).toEqual(['gamma-prod', '555000222', FOLDER_ID, ORG_ID]);
  });
});

describe('--organization / --folder with Cloud Asset Inventory', () => {
  const FOUR = ['alpha-prod', 'beta-prod', 'gamma-prod', 'delta-prod'];

  it('searchAllIamPolicies (service-account bindings on projects) and searchAllResources (service accounts) replace the folder walk; each project is read with projects.get once', async () => {
    const world = fakeWorld({ projects: [...FOUR, 'users-only'], hostOnlyProjects: [HOST_ONLY_PROJECT] });
    // A project whose own policy binds no service account and which hosts none: neither search names it.
    const usersOnly = world.projects.find((p) => p.projectId === 'users-only');
    if (usersOnly) {
      usersOnly.policy = { version: 1, etag: 'AA==', bindings: [{ role: 'roles/owner', members: ['user:alice@example.com'] }] };
      usersOnly.serviceAccounts = [];
      usersOnly.keys = {};
    }
    const host = world.projects.find((p) => p.projectId === HOST_ONLY_PROJECT);
    const fake = await start({ world, pageSize: 2 });
    const opts = options({ projects: [], organizations: [ORG_ID] });
    const r = await collectGcp(opts);
    // ci-runners binds no service account in its own policy, but hosts sa-000, which holds a role on the folder.
    expect(r.collected.map((c) => c.projectId)).toEqual(['alpha-prod', 'beta-prod', HOST_ONLY_PROJECT, 'delta-prod', 'gamma-prod']);
    const searches = fake.calls('cloudasset.searchAllIamPolicies');
    // 4 matching projects at 2 a page: 2 pages, scope and query as sent by the client library.
    expect(searches).toHaveLength(2);
    expect(searches.every((c) => c.path === `/v1/organizations/${ORG_ID}:searchAllIamPolicies` && c.status === 200)).toBe(true);
    // 5 projects × 3 service accounts at 2 a page: 8 pages, the same scope.
    const accountSearches = fake.calls('cloudasset.searchAllResources');
    expect(accountSearches).toHaveLength(8);
    expect(accountSearches.every((c) => c.path === `/v1/organizations/${ORG_ID}:searchAllResources` && c.status === 200)).toBe(true);
    expect(fake.calls('cloudresourcemanager.projects.list')).toEqual([]);
    expect(fake.calls('cloudresourcemanager.folders.list')).toEqual([]);
    // projects.get by number (Asset names numbers), once per project (found by one search or both): the ancestry reuses it.
    expect(
      fake
        .calls('cloudresourcemanager.projects.get')
        .map((c) => c.target)
        .sort(),
    ).toEqual(
      world.projects
        .filter((p) => p.projectId !== 'users-only')
        .map((p) => p.projectNumber)
        .sort(),
    );
    expect(r.warnings).toEqual([]);
    expect(loadGcpProject(opts.outDir, 'gamma-prod').ancestry.map((a) => a.id)).toEqual(['gamma-prod', SUBFOLDER_ID, FOLDER_ID, ORG_ID]);
    // The policies written are projects.getIamPolicy's (version 3, auditConfigs), never the search's partial ones.
    expect(json(join(opts.outDir, 'gcp', 'alpha-prod', 'iam-policy.json'))).toEqual(world.projects[0]?.policy);
    expect(fake.calls('cloudresourcemanager.projects.getIamPolicy')).toHaveLength(5);
    // The host-only project is audited in full: its accounts, and the folder grant of its sa-000 through its ancestry.
    const inv = loadGcpProject(opts.outDir, HOST_ONLY_PROJECT);
    expect(inv.serviceAccounts.filter((a) => a.isListed).map((a) => a.email)).toEqual(host?.serviceAccounts.map((a) => a['email']));
    expect(inv.ancestry.map((a) => a.id)).toEqual([HOST_ONLY_PROJECT, SUBFOLDER_ID, FOLDER_ID, ORG_ID]);
    const folderPolicy = inv.policies.find((p) => p.resource.type === 'folder' && p.resource.id === FOLDER_ID);
    expect(folderPolicy?.bindings.some((b) => b.members.includes(`serviceAccount:sa-000@${HOST_ONLY_PROJECT}.iam.gserviceaccount.com`))).toBe(true);
    expect(inv.policies.find((p) => p.resource.type === 'project')?.bindings.flatMap((b) => b.members)).toEqual(['user:alice@example.com']);
  });

  it('finds projects in a folder the scanner cannot list; a project resource manager reports DELETE_REQUESTED or cannot read is a warning, not audited', async () => {
    const world = fakeWorld({ projects: [...FOUR, 'going-away'] });
    const goingAway = world.projects.find((p) => p.projectId === 'going-away');
    if (goingAway) goingAway.state = 'DELETE_REQUESTED';
    const delta = world.projects.find((p) => p.projectId === 'delta-prod');
    const fake = await start({
      world,
      faults: [
        { operation: 'cloudresourcemanager.folders.list', kind: 'denied', times: Infinity },
        { operation: 'cloudresourcemanager.projects.list', kind: 'denied', times: Infinity },
        { operation: 'cloudresourcemanager.projects.get', kind: 'denied', times: Infinity, target: delta?.projectNumber ?? '' },
      ],
    });
    const opts = options({ projects: [], folders: [FOLDER_ID] });
    const r = await collectGcp(opts);
    expect(r.collected.map((c) => c.projectId)).toEqual(['alpha-prod', 'beta-prod', 'gamma-prod']);
    expect(fake.calls('cloudresourcemanager.folders.list')).toEqual([]);
    expect(r.warnings.map((w) => w.code)).toEqual(['asset-project-skipped', 'asset-project-skipped']);
    const text = r.warnings.map((w) => w.message).join('\n');
    expect(text).toContain(
      `1 project(s) found by Cloud Asset Inventory below folders/${FOLDER_ID} but not audited: resource manager reports it DELETE_REQUESTED (not ACTIVE): going-away (${goingAway?.projectNumber ?? ''})`,
    );
    expect(text).toContain('resource manager cannot read it (projects.get): 403 PERMISSION_DENIED');
    expect(text).toContain(`needs resourcemanager.projects.get`);
    expect(warningsOf(opts.outDir, 'alpha-prod').map((w) => w.code)).toEqual(['asset-project-skipped', 'asset-project-skipped']);
  });

  it.each(['denied', 'disabled'] as const)('Asset %s: the resource-manager walk, with a warning that says so (never a crash)', async (kind) => {
    const world = fakeWorld({ projects: FOUR });
    const fake = await start({ world, faults: [{ operation: 'cloudasset.searchAllIamPolicies', kind, times: Infinity }] });
    const opts = options({ projects: [], folders: [FOLDER_ID] });
    const r = await collectGcp(opts);
    expect(r.collected.map((c) => c.projectId)).toEqual(['alpha-prod', 'beta-prod', 'delta-prod', 'gamma-prod']);
    expect(fake.calls('cloudasset.searchAllIamPolicies')).toHaveLength(1);
    // The walk lists every project anyway: the second search is not sent.
    expect(fake.calls('cloudasset.searchAllResources')).toEqual([]);
    expect(fake.calls('cloudresourcemanager.projects.list').length).toBeGreaterThan(0);
    expect(r.warnings.map((w) => w.code)).toEqual(['asset-inventory-unavailable']);
    const message = r.warnings[0]?.message ?? '';
    expect(message).toContain(`Cloud Asset Inventory searchAllIamPolicies on folders/${FOLDER_ID}: 403 PERMISSION_DENIED`);
    expect(message).toContain('listed with resource manager instead');
    expect(message).toContain(
      kind === 'denied' ? 'needs cloudasset.assets.searchAllIamPolicies' : '`gcloud services enable cloudasset.googleapis.com --project 424242`',
    );
    expect(warningsOf(opts.outDir, 'alpha-prod').map((w) => w.code)).toEqual(['asset-inventory-unavailable']);
  });

  it.each(['denied', 'unavailable'] as const)(
    'searchAllResources %s: the walk completes the discovery (projects hosting accounts are not missed), with a warning that says so',
    async (kind) => {
      const world = fakeWorld({ projects: FOUR, hostOnlyProjects: [HOST_ONLY_PROJECT] });
      const fake = await start({ world, faults: [{ operation: 'cloudasset.searchAllResources', kind, times: Infinity }] });
      const opts = options({ projects: [], folders: [FOLDER_ID], maxAttempts: 2 });
      const r = await collectGcp(opts);
      expect(r.collected.map((c) => c.projectId)).toEqual(['alpha-prod', 'beta-prod', HOST_ONLY_PROJECT, 'delta-prod', 'gamma-prod']);
      expect(fake.calls('cloudasset.searchAllIamPolicies')).toHaveLength(1);
      expect(fake.calls('cloudasset.searchAllResources').map((c) => c.status)).toEqual(kind === 'denied' ? [403] : [503, 503]);
      expect(fake.calls('cloudresourcemanager.projects.list').map((c) => c.target)).toEqual([FOLDER_ID, SUBFOLDER_ID]);
      // The four projects searchAllIamPolicies found were read with projects.get once (kept for the ancestry); the walk's fifth by id.
      expect(
        fake
          .calls('cloudresourcemanager.projects.get')
          .map((c) => c.target)
          .sort(),
      ).toEqual([...world.projects.filter((p) => p.projectId !== HOST_ONLY_PROJECT).map((p) => p.projectNumber), HOST_ONLY_PROJECT].sort());
      expect(r.warnings.map((w) => w.code)).toEqual(['asset-inventory-unavailable']);
      const message = r.warnings[0]?.message ?? '';
      expect(message).toContain(
        `Cloud Asset Inventory searchAllResources (service accounts) on folders/${FOLDER_ID}: ${kind === 'denied' ? '403 PERMISSION_DENIED' : '503 UNAVAILABLE'}`,
      );
      expect(message).toContain('listed with resource manager instead');
      expect(message).toContain('in addition to the 4 project(s) searchAllIamPolicies found');
      expect(message).toContain(kind === 'denied' ? 'needs cloudasset.assets.searchAllResources' : 'quota and 5xx errors were retried');
      expect(warningsOf(opts.outDir, 'alpha-prod').map((w) => w.code)).toEqual(['asset-inventory-unavailable']);
    },
  );

  it('searchAllResources refused and a sub-folder unlistable: the projects searchAllIamPolicies found there are still collected', async () => {
    const world = fakeWorld({ projects: FOUR, hostOnlyProjects: [HOST_ONLY_PROJECT] });
    const fake = await start({
      world,
      faults: [
        { operation: 'cloudasset.searchAllResources', kind: 'denied', times: Infinity },
        { operation: 'cloudresourcemanager.projects.list', kind: 'denied', times: Infinity, target: SUBFOLDER_ID },
      ],
    });
    const r = await collectGcp(options({ projects: [], folders: [FOLDER_ID] }));
    // beta, gamma and delta sit in the sub-folder: Asset found them; the host-only project there is lost, and said so.
    expect(r.collected.map((c) => c.projectId)).toEqual(['alpha-prod', 'beta-prod', 'delta-prod', 'gamma-prod']);
    expect(r.failed.map((f) => [f.project, f.code])).toEqual([[`folders/${SUBFOLDER_ID}`, 'projects-unlisted']]);
    expect(r.warnings.map((w) => w.code)).toEqual(['asset-inventory-unavailable']);
    expect(fake.calls('cloudasset.searchAllResources')).toHaveLength(1);
  });

  it('Asset finding nothing (an organization not indexed yet) also falls back to the walk', async () => {
    const world = fakeWorld({ projects: ['alpha-prod'] });
    for (const p of world.projects) {
      p.policy = { version: 1, etag: 'AA==', bindings: [{ role: 'roles/owner', members: ['user:alice@example.com'] }] };
      p.serviceAccounts = [];
      p.keys = {};
    }
    const fake = await start({ world });
    const r = await collectGcp(options({ projects: [], organizations: [ORG_ID] }));
    expect(r.collected.map((c) => c.projectId)).toEqual(['alpha-prod']);
    expect(r.warnings.map((w) => w.code)).toEqual(['asset-inventory-empty']);
    expect(fake.calls('cloudasset.searchAllIamPolicies')).toHaveLength(1);
    expect(fake.calls('cloudasset.searchAllResources')).toHaveLength(1);
    expect(fake.calls('cloudresourcemanager.projects.list').length).toBeGreaterThan(0);
  });
});

describe('retries', () => {
  it('a 429 quota error and a 503 are retried with backoff, then succeed: same snapshot, no warning', async () => {
    const fake = await startFake({
      faults: [
        { operation: 'logging.entries.list', kind: 'quota', times: 2 },
        { operation: 'cloudresourcemanager.projects.getIamPolicy', kind: 'unavailable', times: 1 },
        { operation: 'iam.projects.serviceAccounts.list', kind: 'quota', times: 1 },
        { operation: 'iam.policies.get', kind: 'unavailable', times: 1 },
      ],
    });
    const sleeps: number[] = [];
    const opts = options({ sleep: async (ms) => void sleeps.push(ms) });
    const r = await collectGcp(opts);
    expect(r.retries).toBe(5);
    expect(sleeps).toHaveLength(5);
    // Exponential backoff: the second wait on the same call is drawn from a larger range.
    expect(sleeps.every((ms) => ms > 0 && ms <= 5)).toBe(true);
    expect(fake.calls('logging.entries.list').map((c) => c.status)).toEqual([429, 429, 200]);
    expect(fake.calls('cloudresourcemanager.projects.getIamPolicy').map((c) => c.status)).toEqual([503, 200]);
    expect(warningsOf(opts.outDir, 'alpha-prod')).toEqual([]);
    expect(json(join(opts.outDir, 'gcp', 'alpha-prod', 'audit-logs', 'entries.json'))).toEqual(fake.world.projects[0]?.logEntries);
  });

  it('a quota error that outlasts the retries mid-listing keeps the entries read and records the gap', async () => {
    const fake = await startFake({ pageSize: 5, faults: [{ operation: 'logging.entries.list', kind: 'quota', times: Infinity, after: 2 }] });
    const opts = options({ maxAttempts: 3 });
    await collectGcp(opts);
    expect(fake.calls('logging.entries.list').map((c) => c.status)).toEqual([200, 200, 429, 429, 429]);
    const entries = json(join(opts.outDir, 'gcp', 'alpha-prod', 'audit-logs', 'entries.json')) as { timestamp: string }[];
    expect(entries).toEqual(fake.world.projects[0]?.logEntries.slice(0, 10));
    const w = warningsOf(opts.outDir, 'alpha-prod');
    expect(w.map((x) => x.code)).toEqual(['audit-logs-incomplete']);
    expect(w[0]?.message).toContain(`stopped after 10 entries (up to ${entries[9]?.timestamp ?? ''})`);
    expect(w[0]?.message).toContain('coverage gap');
  });
});

describe('partial failure is data', () => {
  it('PERMISSION_DENIED on one project of a folder: the others are collected, the failure is a warning', async () => {
    const world = fakeWorld({ projects: ['alpha-prod', 'beta-prod', 'gamma-prod'] });
    const fake = await start({ world, faults: [{ operation: '*', kind: 'denied', times: Infinity, target: 'beta-prod' }] });
    const opts = options({ projects: [], folders: [FOLDER_ID] });
    const r = await collectGcp(opts);
    expect(r.collected.map((c) => c.projectId)).toEqual(['alpha-prod', 'gamma-prod']);
    expect(r.failed.map((f) => [f.project, f.code])).toEqual([['beta-prod', 'project-failed']]);
    expect(r.failed[0]?.message).toContain('403 PERMISSION_DENIED (IAM_PERMISSION_DENIED)');
    expect(r.failed[0]?.message).toContain('resourcemanager.projects.getIamPolicy');
    expect(existsSync(join(opts.outDir, 'gcp', 'beta-prod'))).toBe(false);
    // The failed project's warning travels in the first collected project's file.
    expect(warningsOf(opts.outDir, 'alpha-prod').map((w) => w.code)).toEqual(['project-failed']);
    expect(fake.calls('cloudresourcemanager.projects.getIamPolicy').map((c) => c.target)).toEqual(['alpha-prod', 'beta-prod', 'gamma-prod']);
  });

  it('disabled APIs (Logging, Policy Analyzer) become warnings naming the API to enable; no audit-logs folder is left to read as "no usage"', async () => {
    await startFake({
      faults: [
        { operation: 'logging.entries.list', kind: 'disabled', times: Infinity },
        { operation: 'policyanalyzer.projects.locations.activityTypes.activities.query:serviceAccountLastAuthentication', kind: 'disabled', times: Infinity },
        {
          operation: 'policyanalyzer.projects.locations.activityTypes.activities.query:serviceAccountKeyLastAuthentication',
          kind: 'disabled',
          times: Infinity,
        },
      ],
    });
    const opts = options();
    const r = await collectGcp(opts);
    const projectDir = join(opts.outDir, 'gcp', 'alpha-prod');
    expect(r.collected[0]?.usageSource).toBe('none');
    expect(existsSync(join(projectDir, 'audit-logs'))).toBe(false);
    expect(existsSync(join(projectDir, 'activity'))).toBe(false);
    const w = warningsOf(opts.outDir, 'alpha-prod');
    expect(w.map((x) => x.code)).toEqual(['activity-unreadable', 'activity-unreadable', 'audit-logs-unreadable']);
    expect(w[2]?.message).toContain('(SERVICE_DISABLED)');
    expect(w[2]?.message).toContain('`gcloud services enable logging.googleapis.com --project 424242`');
    expect(w[2]?.message).toContain('no grant is called unused from logs');
    expect(w[0]?.message).toContain('policyanalyzer.googleapis.com');
    // The inventory is whole.
    expect(loadGcpProject(opts.outDir, 'alpha-prod').warnings).toEqual([]);
  });

  it('denied optional reads (keys, a custom role, deny policies, a folder policy) are warnings; the reader notices the missing folder policy too', async () => {
    await startFake({
      faults: [
        { operation: 'iam.projects.serviceAccounts.keys.list', kind: 'denied', times: Infinity },
        { operation: 'iam.organizations.roles.get', kind: 'denied', times: Infinity },
        { operation: 'iam.policies.listPolicies', kind: 'denied', times: Infinity, target: ORG_ID },
        { operation: 'cloudresourcemanager.folders.getIamPolicy', kind: 'denied', times: Infinity },
      ],
    });
    const opts = options();
    await collectGcp(opts);
    const w = warningsOf(opts.outDir, 'alpha-prod');
    expect(w.map((x) => x.code)).toEqual([
      'ancestor-policy-unreadable',
      'custom-role-unreadable',
      'deny-policies-unreadable',
      'service-account-keys-unreadable',
    ]);
    expect(w[3]?.message).toContain('(3 account(s): sa-000@alpha-prod.iam.gserviceaccount.com');
    expect(w[0]?.message).toContain('resourcemanager.folders.getIamPolicy');
    const inv = loadGcpProject(opts.outDir, 'alpha-prod');
    expect(inv.warnings.map((x) => x.code)).toEqual(['missing-ancestor-policy']);
    expect(inv.denyPolicies).toHaveLength(1);
  });
});

describe('credentials', () => {
  it('no Application Default Credentials: a CREDENTIALS error naming `gcloud auth application-default login`, before any request', async () => {
    const fake = await start({ world: fakeWorld() }, 'none');
    const err = await collectGcp(options()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermdriftError);
    expect((err as PermdriftError).code).toBe('CREDENTIALS');
    expect((err as PermdriftError).message).toContain('no Google Cloud credentials found');
    expect((err as PermdriftError).hint).toContain('gcloud auth application-default login');
    expect(fake.requests).toEqual([]);
    expect(fake.escaped).toEqual([]);
  });

  it('user ADC (gcloud auth application-default login): the refresh token is exchanged once, every request carries the access token', async () => {
    const fake = await start({ world: fakeWorld() }, 'user');
    const r = await collectGcp(options());
    expect(r.caller).toEqual({ credentialType: 'authorized_user' });
    expect(fake.calls('oauth2.token')).toHaveLength(1);
    expect(new Set(fake.requests.filter((q) => q.operation !== 'oauth2.token').map((q) => q.auth))).toEqual(new Set(['token:ya29.fake-user-token']));
    expect(fake.escaped).toEqual([]);
  });

  it('--impersonate-service-account: one generateAccessToken, then every request carries the impersonated token', async () => {
    const target = 'scanner@audit-host.iam.gserviceaccount.com';
    const fake = await start({ world: fakeWorld(), impersonable: [target] }, 'user');
    const r = await collectGcp(options({ impersonateServiceAccount: target }));
    expect(r.caller.impersonating).toBe(target);
    expect(fake.requests.slice(0, 2).map((q) => q.operation)).toEqual(['oauth2.token', 'iamcredentials.serviceAccounts.generateAccessToken']);
    expect(fake.requests[1]?.auth).toBe('token:ya29.fake-user-token');
    expect(new Set(fake.requests.slice(2).map((q) => q.auth))).toEqual(new Set([`token:ya29.fake-for-${target}`]));
    expect(fake.calls('iamcredentials.serviceAccounts.generateAccessToken')).toHaveLength(1);
    expect(fake.escaped).toEqual([]);
  });

  it('impersonation refused: a CREDENTIALS error naming roles/iam.serviceAccountTokenCreator', async () => {
    await start({ world: fakeWorld(), impersonable: [] }, 'user');
    const err = (await collectGcp(options({ impersonateServiceAccount: 'other@x-project.iam.gserviceaccount.com' })).catch(
      (e: unknown) => e,
    )) as PermdriftError;
    expect(err.code).toBe('CREDENTIALS');
    expect(err.message).toContain('cannot impersonate other@x-project.iam.gserviceaccount.com: 403 PERMISSION_DENIED');
    expect(err.hint).toContain('roles/iam.serviceAccountTokenCreator');
  });
});

describe('--audit-logs gs://… (sink export)', () => {
  it("downloads only the window's hour files, keeping their paths, and the reader-facing layout is audit-logs/cloudaudit.googleapis.com/…", async () => {
    const world = fakeWorld({ logEntries: 60, days: 10 });
    sinkExport(world, 'org-audit-sink', 'exports');
    // An hour file before the window must not be read.
    const old = 'exports/cloudaudit.googleapis.com/activity/2026/01/01/00:00:00_00:59:59_S0.json';
    (world.buckets['org-audit-sink'] ?? {})[old] = '{}\n';
    const fake = await start({ world, pageSize: 3 });
    const opts = options({ auditLogs: 'gs://org-audit-sink/exports', windowStart: new Date('2026-11-12T00:00:00Z') });
    const r = await collectGcp(opts);
    const inWindow = Object.keys(world.buckets['org-audit-sink'] ?? {}).filter((n) => (/\/(\d{4}\/\d{2}\/\d{2})\//.exec(n)?.[1] ?? '') >= '2026/11/12');
    expect(r.collected[0]?.usageSource).toBe(`gs://org-audit-sink/exports (${inWindow.length} files: activity, data_access)`);
    const dir = join(opts.outDir, 'gcp', 'alpha-prod', 'audit-logs');
    const got = readdirSync(dir, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.json'))
      .sort();
    // Written with ':' as '-' (portable file names); the reader goes by content.
    const local = (n: string): string => n.slice('exports/'.length).replace(/:/g, '-');
    expect(got).toEqual(inWindow.map(local).sort());
    expect(fake.calls('storage.objects.get')).toHaveLength(inWindow.length);
    // 2 logs × 9 days (2026-11-12 … 2026-11-20), plus the listing of the logs themselves.
    expect(new Set(fake.calls('storage.objects.list').map((c) => c.path)).size).toBe(1);
    expect(warningsOf(opts.outDir, 'alpha-prod')).toEqual([]);
    for (const n of inWindow) expect(readFileSync(join(dir, local(n)), 'utf8')).toBe(world.buckets['org-audit-sink']?.[n]);
  });

  it('an object that cannot be read is a coverage-gap warning; a bucket that cannot be listed leaves no audit-logs folder', async () => {
    const world = fakeWorld({ logEntries: 30, days: 5 });
    sinkExport(world, 'org-audit-sink', '');
    await start({ world, faults: [{ operation: 'storage.objects.get', kind: 'denied', times: 1 }] });
    const opts = options({ auditLogs: 'gs://org-audit-sink' });
    await collectGcp(opts);
    const w = warningsOf(opts.outDir, 'alpha-prod');
    expect(w.map((x) => x.code)).toEqual(['audit-log-object-unreadable']);
    expect(w[0]?.message).toContain('1 object(s) of gs://org-audit-sink could not be read');
    expect(w[0]?.message).toContain('coverage gap');

    const opts2 = options({ auditLogs: 'gs://no-such-bucket/x' });
    await collectGcp(opts2);
    expect(warningsOf(opts2.outDir, 'alpha-prod').map((x) => x.code)).toEqual(['audit-logs-unreadable']);
    expect(existsSync(join(opts2.outDir, 'gcp', 'alpha-prod', 'audit-logs'))).toBe(false);
  });
});

describe('collect-manifest.json from collect gcp', () => {
  /** Collected three hours after as-of, by a clock that stands still. */
  const COLLECTED_AT = new Date(AS_OF.getTime() + 3 * 3_600_000);
  const at = COLLECTED_AT.toISOString();
  const REQUIRED = ['cloudaudit.googleapis.com/activity', 'cloudaudit.googleapis.com/policy', 'cloudaudit.googleapis.com/system_event'];

  function manifestOf(dir: string, project: string): CollectManifest {
    const onDisk = json(join(dir, 'gcp', project, COLLECT_MANIFEST_FILE));
    const parsed = parseCollectManifest(onDisk, COLLECT_MANIFEST_FILE);
    expect(parsed).toEqual(onDisk);
    return parsed;
  }

  it('entries.list read to the end: every source read, and the _Required audit logs complete for the window (Data Access claims nothing)', async () => {
    const fake = await startFake({ pageSize: 7 });
    const opts = options({ now: () => COLLECTED_AT });
    await collectGcp(opts);
    const pages = fake.calls('logging.entries.list').length;
    expect(pages).toBeGreaterThan(1);
    expect(manifestOf(opts.outDir, 'alpha-prod')).toEqual({
      schemaVersion: 1,
      provider: 'gcp',
      scope: 'alpha-prod',
      tool: `permdrift ${TOOL_VERSION}`,
      complete: true,
      startedAt: at,
      finishedAt: at,
      sources: {
        'activity/serviceAccountKeyLastAuthentication': { readAt: at },
        'activity/serviceAccountLastAuthentication': { readAt: at },
        ancestry: { readAt: at },
        'audit-logs': { readAt: at },
        'deny-policies': { readAt: at },
        'iam-policy': { readAt: at },
        roles: { readAt: at },
        'service-account-keys': { readAt: at },
        'service-accounts': { readAt: at },
      },
      logs: {
        source: 'api',
        requested: { start: WINDOW_START.toISOString(), end: AS_OF.toISOString() },
        complete: REQUIRED.map((scope) => ({ scope, start: WINDOW_START.toISOString(), end: AS_OF.toISOString() })),
        failed: [],
        filesWritten: pages,
      },
    });
    // Written through a temporary file that is gone.
    expect(readdirSync(join(opts.outDir, 'gcp', 'alpha-prod')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a listing that stops mid-way is complete up to just before the last entry read, failed after it', async () => {
    const fake = await startFake({ pageSize: 5, faults: [{ operation: 'logging.entries.list', kind: 'quota', times: Infinity, after: 2 }] });
    const opts = options({ maxAttempts: 3, now: () => COLLECTED_AT });
    await collectGcp(opts);
    const last = String(fake.world.projects[0]?.logEntries[9]?.['timestamp']);
    const cut = new Date(Date.parse(last) - 1).toISOString();
    const m = manifestOf(opts.outDir, 'alpha-prod');
    expect(m.logs.complete).toEqual(REQUIRED.map((scope) => ({ scope, start: WINDOW_START.toISOString(), end: cut })));
    // One listing reads every audit log: the Data Access entries after the stop are lost too.
    expect(m.logs.failed).toEqual(
      [...REQUIRED, 'cloudaudit.googleapis.com/data_access'].sort().map((scope) => ({
        scope,
        start: cut,
        end: AS_OF.toISOString(),
        reason: expect.stringMatching(/^logging entries\.list stopped after 10 entries \(429 RESOURCE_EXHAUSTED/) as string,
      })),
    );
    expect(m.logs.filesWritten).toBe(2);
    expect(m.sources['audit-logs']).toEqual({ readAt: at });
  });

  it('Logging disabled: the whole window failed for every _Required log, no audit-logs source', async () => {
    await startFake({ faults: [{ operation: 'logging.entries.list', kind: 'disabled', times: Infinity }] });
    const opts = options({ now: () => COLLECTED_AT });
    await collectGcp(opts);
    const m = manifestOf(opts.outDir, 'alpha-prod');
    expect(m.logs.complete).toEqual([]);
    expect(m.logs.failed.map((f) => [f.scope, f.start, f.end])).toEqual(
      [...REQUIRED, 'cloudaudit.googleapis.com/data_access'].sort().map((scope) => [scope, WINDOW_START.toISOString(), AS_OF.toISOString()]),
    );
    expect(m.logs.failed[0]?.reason).toContain('SERVICE_DISABLED');
    expect(m.sources['audit-logs']).toBeUndefined();
  });

  /** Per log, from the first hour file in [start, end] to the end of the last: what a sink export proves. */
  function writtenSpans(objects: Record<string, string>, start: Date, end: number): { scope: string; start: string; end: string }[] {
    const spans = new Map<string, [number, number]>();
    for (const n of Object.keys(objects)) {
      const m = /cloudaudit\.googleapis\.com\/(\w+)\/(\d{4})\/(\d{2})\/(\d{2})\/(\d{2}):00:00_/.exec(n);
      if (!m) continue;
      const h = Date.UTC(Number(m[2]), Number(m[3]) - 1, Number(m[4]), Number(m[5]));
      if (h + 3_600_000 <= start.getTime() || h > AS_OF.getTime()) continue;
      const known = spans.get(m[1] ?? '');
      spans.set(m[1] ?? '', known ? [Math.min(known[0], h), Math.max(known[1], h + 3_600_000)] : [h, h + 3_600_000]);
    }
    return [...spans]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([log, [a, b]]) => ({
        scope: `cloudaudit.googleapis.com/${log}`,
        start: new Date(Math.max(a, start.getTime())).toISOString(),
        end: new Date(Math.min(b, end)).toISOString(),
      }));
  }

  it('a sink export: each log complete from its first hour file to its last (nothing shows the sink exporting outside them); an unreadable hour file and an unlistable day folder are failed spans of their log', async () => {
    const world = fakeWorld({ logEntries: 60, days: 10 });
    sinkExport(world, 'org-audit-sink', 'exports');
    const windowStart = new Date('2026-11-12T00:00:00Z');
    // Clean first.
    const fake = await start({ world });
    const clean = options({ auditLogs: 'gs://org-audit-sink/exports', windowStart, now: () => COLLECTED_AT });
    await collectGcp(clean);
    const m = manifestOf(clean.outDir, 'alpha-prod');
    expect(m.logs).toEqual({
      source: 'gcs',
      requested: { start: windowStart.toISOString(), end: AS_OF.toISOString() },
      complete: writtenSpans(world.buckets['org-audit-sink'] ?? {}, windowStart, AS_OF.getTime()),
      failed: [],
      filesWritten: fake.calls('storage.objects.get').length,
    });

    // Then one object denied and one day folder listing refused (the second listing: the first is the logs' own).
    fake.addFault({ operation: 'storage.objects.get', kind: 'denied', times: 1 });
    fake.addFault({ operation: 'storage.objects.list', kind: 'denied', times: 1, after: 1 });
    const opts = options({ auditLogs: 'gs://org-audit-sink/exports', windowStart, now: () => COLLECTED_AT });
    await collectGcp(opts);
    const w = warningsOf(opts.outDir, 'alpha-prod');
    expect(w.map((x) => x.code)).toEqual(['audit-log-object-unreadable', 'audit-logs-incomplete']);
    const object = /could not be read: (exports\/\S+) \(/.exec(w[0]?.message ?? '')?.[1] ?? '';
    const folder = /could not be listed: (exports\/\S+) \(/.exec(w[1]?.message ?? '')?.[1] ?? '';
    const hour = /cloudaudit\.googleapis\.com\/(\w+)\/(\d{4})\/(\d{2})\/(\d{2})\/(\d{2}):00:00_/.exec(object);
    const day = /cloudaudit\.googleapis\.com\/(\w+)\/(\d{4})\/(\d{2})\/(\d{2})\/$/.exec(folder);
    if (!hour || !day) throw new Error(`unexpected names: ${object} ${folder}`);
    const hourStart = Date.UTC(Number(hour[2]), Number(hour[3]) - 1, Number(hour[4]), Number(hour[5]));
    const dayStart = Date.UTC(Number(day[2]), Number(day[3]) - 1, Number(day[4]));
    const failed = manifestOf(opts.outDir, 'alpha-prod').logs.failed;
    expect(failed).toHaveLength(2);
    expect(failed).toContainEqual({
      scope: `cloudaudit.googleapis.com/${hour[1] ?? ''}`,
      start: new Date(hourStart).toISOString(),
      end: new Date(hourStart + 3_600_000).toISOString(),
      reason: expect.stringContaining('hour files of gs://org-audit-sink/exports/cloudaudit.googleapis.com/') as string,
    });
    expect(failed).toContainEqual({
      scope: `cloudaudit.googleapis.com/${day[1] ?? ''}`,
      start: new Date(dayStart).toISOString(),
      end: new Date(dayStart + 86_400_000).toISOString(),
      reason: expect.stringContaining('the day folders of gs://org-audit-sink/exports/cloudaudit.googleapis.com/') as string,
    });
  });

  it('a sink export read shortly after as-of: the hours the sink may not have written yet are not claimed', async () => {
    const world = fakeWorld({ logEntries: 20, days: 5 });
    sinkExport(world, 'org-audit-sink', '');
    await start({ world });
    const soon = new Date(AS_OF.getTime() + 30 * 60_000);
    // An hour file of the last hour before as-of: the sink was exporting up to then.
    const bucket = world.buckets['org-audit-sink'] ?? {};
    bucket['cloudaudit.googleapis.com/activity/2026/11/19/23:00:00_23:59:59_S0.json'] =
      `${JSON.stringify({ ...world.projects[0]?.logEntries[0], timestamp: '2026-11-19T23:30:00Z' })}\n`;
    const opts = options({ auditLogs: 'gs://org-audit-sink', windowStart: new Date('2026-11-16T00:00:00Z'), now: () => soon });
    await collectGcp(opts);
    const activity = manifestOf(opts.outDir, 'alpha-prod').logs.complete.find((s) => s.scope === 'cloudaudit.googleapis.com/activity');
    expect(activity?.end).toBe(new Date(soon.getTime() - 2 * 3_600_000).toISOString());
  });
});
