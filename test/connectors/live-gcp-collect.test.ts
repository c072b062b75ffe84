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
import { fakeWorld, FOLDER_ID, ORG_ID, SUBFOLDER_ID } from '../fake-gcp/world.js';

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
    const files = readdirSync(root, { recursive: true }).map(String).filter((f) => f.endsWith('.json')).sort();
    expect(files).toEqual([
      'alpha-prod/activity/serviceAccountKeyLastAuthentication.json',
      'alpha-prod/activity/serviceAccountLastAuthentication.json',
      'alpha-prod/ancestry.json',
      'alpha-prod/audit-logs/entries.json',
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
      `organizations/${ORG_ID}/iam-policy.json`,
      `organizations/${ORG_ID}/roles/auditReader.json`,
    ]);
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
