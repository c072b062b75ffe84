/**
 * The live readers of Cloud Identity group membership and Recommender policy insights, with the real
 * google-auth-library REST path against the fake endpoint on 127.0.0.1: lookup + paged memberships,
 * nested groups followed once (cycles too), member types mapped to IAM member strings, a group that
 * cannot be read reported (never guessed), and every page of insights read.
 */

import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectGcp } from '../../src/connectors/gcp/live/collect.js';
import { readGcpPolicyInsights } from '../../src/connectors/gcp/recommender.js';
import { GcpClients } from '../../src/connectors/gcp/live/clients.js';
import { expandGroups } from '../../src/connectors/gcp/live/cloud-identity.js';
import { listPolicyInsights } from '../../src/connectors/gcp/live/recommender.js';
import { useFakeGcp } from '../fake-gcp/lifecycle.js';
import { fakeWorld } from '../fake-gcp/world.js';

const start = useFakeGcp();

async function clients(): Promise<GcpClients> {
  const c = new GcpClients({ endpoint: process.env['PERMDRIFT_GCP_ENDPOINT_URL'] ?? '', defaultProject: 'alpha-prod', backoff: { initialMs: 1, maxMs: 2 } });
  await c.init();
  return c;
}

const member = (type: string, id: string) => ({ name: `groups/x/memberships/${id}`, preferredMemberKey: { id }, type, roles: [{ name: 'MEMBER' }] });

describe('Cloud Identity group expansion (live)', () => {
  it('reads every page of each group, follows nested groups once, and maps member types to IAM member strings', async () => {
    const world = fakeWorld({ projects: ['alpha-prod'], days: 1 });
    world.groups = {
      'ci-deployers@example.com': {
        id: '01abc',
        memberships: [
          member('SERVICE_ACCOUNT', 'Deploy@alpha-prod.iam.gserviceaccount.com'),
          member('USER', 'alice@example.com'),
          member('GROUP', 'nested@example.com'),
          member('SHARED_DRIVE', 'drive-123'),
        ],
      },
      'nested@example.com': {
        id: '02def',
        memberships: [member('SERVICE_ACCOUNT', 'builder@alpha-prod.iam.gserviceaccount.com'), member('GROUP', 'ci-deployers@example.com')],
      },
    };
    const fake = await start({ world, pageSize: 1 });
    const c = await clients();
    try {
      const r = await expandGroups(c, ['group:CI-Deployers@example.com']);
      expect(r.failed).toEqual([]);
      expect(r.skippedMembers).toBe(1);
      expect(Object.keys(r.groups)).toEqual(['ci-deployers@example.com', 'nested@example.com']);
      expect(r.groups['ci-deployers@example.com']).toEqual([
        'group:nested@example.com',
        'serviceAccount:deploy@alpha-prod.iam.gserviceaccount.com',
        'user:alice@example.com',
      ]);
      expect(r.groups['nested@example.com']).toEqual(['group:ci-deployers@example.com', 'serviceAccount:builder@alpha-prod.iam.gserviceaccount.com']);
      // Page size 1: four pages for the first group, two for the nested one; each group looked up once despite the cycle.
      const ops = fake.requests.map((q) => q.operation);
      expect(ops.filter((o) => o === 'cloudidentity.groups.lookup')).toHaveLength(2);
      expect(ops.filter((o) => o === 'cloudidentity.groups.memberships.list')).toHaveLength(6);
    } finally {
      await c.close();
    }
  });

  it('a group the caller cannot read is reported with its error, the others are still expanded; a group named __proto__ stays a key', async () => {
    const world = fakeWorld({ projects: ['alpha-prod'], days: 1 });
    world.groups = { '__proto__@example.com': { id: '03', memberships: [member('SERVICE_ACCOUNT', 'a@alpha-prod.iam.gserviceaccount.com')] } };
    await start({ world });
    const c = await clients();
    try {
      const rethrown: unknown[] = [];
      const r = await expandGroups(c, ['missing@example.com', '__proto__@example.com'], (e) => rethrown.push(e));
      expect(r.failed.map((f) => f.group)).toEqual(['missing@example.com']);
      expect(rethrown).toHaveLength(1);
      expect(Object.hasOwn(r.groups, '__proto__@example.com')).toBe(true);
      expect(JSON.parse(JSON.stringify(r.groups))).toEqual({ '__proto__@example.com': ['serviceAccount:a@alpha-prod.iam.gserviceaccount.com'] });
    } finally {
      await c.close();
    }
  });
});

describe('Recommender policy insights (live)', () => {
  it('reads every page of the project insights, and retries a throttled page', async () => {
    const world = fakeWorld({ projects: ['alpha-prod'], days: 1 });
    const project = world.projects[0];
    if (!project) throw new Error('no project');
    project.insights = [1, 2, 3].map((i) => ({
      name: `projects/1/locations/global/insightTypes/google.iam.policy.Insight/insights/i${i}`,
      insightSubtype: 'PERMISSIONS_USAGE',
      content: {
        member: `serviceAccount:sa${i}@alpha-prod.iam.gserviceaccount.com`,
        role: 'roles/run.admin',
        exercisedPermissions: [{ permission: 'run.services.get' }],
      },
      lastRefreshTime: '2026-11-19T00:00:00Z',
      observationPeriod: '7776000s',
    }));
    const fake = await start({ world, pageSize: 2 });
    fake.addFault({ operation: 'recommender.projects.locations.insightTypes.insights.list', kind: 'quota', times: 1, after: 1 });
    const c = await clients();
    try {
      const insights = await listPolicyInsights(c, 'alpha-prod');
      expect(insights.map((i) => (i as { name: string }).name.split('/').pop())).toEqual(['i1', 'i2', 'i3']);
      const calls = fake.requests.filter((q) => q.operation === 'recommender.projects.locations.insightTypes.insights.list');
      expect(calls.map((q) => q.status)).toEqual([200, 429, 200]);
    } finally {
      await c.close();
    }
  });

  it('AccessDenied (no Security Command Center tier) surfaces as an error, not as "no insights"', async () => {
    const world = fakeWorld({ projects: ['alpha-prod'], days: 1 });
    const fake = await start({ world });
    fake.addFault({ operation: 'recommender.projects.locations.insightTypes.insights.list', kind: 'denied', times: Infinity });
    const c = await clients();
    try {
      await expect(listPolicyInsights(c, 'alpha-prod')).rejects.toThrow();
    } finally {
      await c.close();
    }
  });
});

describe('collect gcp --recommender-insights', () => {
  const base = (outDir: string) => ({
    outDir,
    projects: ['alpha-prod'],
    folders: [],
    organizations: [],
    windowStart: new Date('2026-11-10T00:00:00Z'),
    asOf: new Date('2026-11-20T00:00:00Z'),
    auditLogs: 'none',
    endpoint: process.env['PERMDRIFT_GCP_ENDPOINT_URL'] ?? '',
  });

  it('writes recommender/insights.json in the shape scan files reads, only when asked', async () => {
    const world = fakeWorld({ projects: ['alpha-prod'], days: 1 });
    const project = world.projects[0];
    if (!project) throw new Error('no project');
    project.insights = [
      {
        name: 'projects/1/locations/global/insightTypes/google.iam.policy.Insight/insights/i1',
        insightSubtype: 'PERMISSIONS_USAGE',
        content: {
          member: 'serviceAccount:sa1@alpha-prod.iam.gserviceaccount.com',
          role: 'roles/run.admin',
          exercisedPermissions: [{ permission: 'run.services.get' }],
        },
        lastRefreshTime: '2026-11-19T00:00:00Z',
        observationPeriod: '7776000s',
      },
    ];
    const fake = await start({ world });
    const asked = mkdtempSync(join(tmpdir(), 'permdrift-insights-'));
    await collectGcp({ ...base(asked), isInsightsWanted: true });
    const file = join(asked, 'gcp', 'alpha-prod', 'recommender', 'insights.json');
    expect((JSON.parse(readFileSync(file, 'utf8')) as { insights: { name: string }[] }).insights.map((i) => i.name.split('/').pop())).toEqual(['i1']);
    expect(readGcpPolicyInsights(asked, 'alpha-prod')?.insights.map((i) => i.member)).toEqual(['serviceAccount:sa1@alpha-prod.iam.gserviceaccount.com']);
    const quiet = mkdtempSync(join(tmpdir(), 'permdrift-insights-'));
    const before = fake.requests.length;
    await collectGcp(base(quiet));
    expect(existsSync(join(quiet, 'gcp', 'alpha-prod', 'recommender'))).toBe(false);
    expect(fake.requests.slice(before).some((q) => q.operation.startsWith('recommender.'))).toBe(false);
  });

  it('refused (no Security Command Center tier): a warning naming the permission, the collection goes on', async () => {
    const world = fakeWorld({ projects: ['alpha-prod'], days: 1 });
    const fake = await start({ world });
    fake.addFault({ operation: 'recommender.projects.locations.insightTypes.insights.list', kind: 'denied', times: Infinity });
    const dir = mkdtempSync(join(tmpdir(), 'permdrift-insights-'));
    await collectGcp({ ...base(dir), isInsightsWanted: true });
    const warnings = (
      JSON.parse(readFileSync(join(dir, 'gcp', 'alpha-prod', 'collect-warnings.json'), 'utf8')) as { warnings: { code: string; message: string }[] }
    ).warnings;
    const w = warnings.find((x) => x.code === 'insights-unreadable');
    expect(w?.message).toContain('recommender.iamPolicyInsights.list');
    expect(existsSync(join(dir, 'gcp', 'alpha-prod', 'service-accounts.json'))).toBe(true);
  });
});

describe('collect gcp: group membership', () => {
  it('a bound group the caller cannot read is a run warning naming it, and groups.json is not written for it', async () => {
    const world = fakeWorld({ projects: ['alpha-prod'], days: 1 });
    world.groups = {};
    await start({ world });
    const dir = mkdtempSync(join(tmpdir(), 'permdrift-groups-'));
    await collectGcp({
      outDir: dir,
      projects: ['alpha-prod'],
      folders: [],
      organizations: [],
      windowStart: new Date('2026-11-10T00:00:00Z'),
      asOf: new Date('2026-11-20T00:00:00Z'),
      auditLogs: 'none',
      endpoint: process.env['PERMDRIFT_GCP_ENDPOINT_URL'] ?? '',
    });
    const warnings = (
      JSON.parse(readFileSync(join(dir, 'gcp', 'alpha-prod', 'collect-warnings.json'), 'utf8')) as { warnings: { code: string; message: string }[] }
    ).warnings;
    const w = warnings.filter((x) => x.code === 'group-membership-unreadable');
    expect(w).toHaveLength(1);
    expect(w[0]?.message).toContain('group:platform@example.com');
    expect(existsSync(join(dir, 'gcp', 'groups.json'))).toBe(false);
  });
});
