/**
 * The scanner's read-only custom role lists exactly the permissions the live GCP collector needs:
 * derived from the fake endpoint's request log over full collections (folder walk, every API, the
 * sink export), mapped through OPERATION_PERMISSIONS, and compared in both directions.
 */

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectGcp, type CollectGcpOptions } from '../../src/connectors/gcp/live/collect.js';
import { OPERATION_PERMISSIONS, READONLY_ROLE, readonlyRoleText } from '../../src/connectors/gcp/live/readonly-role.js';
import { useFakeGcp } from '../fake-gcp/lifecycle.js';
import { fakeWorld, FOLDER_ID, sinkExport } from '../fake-gcp/world.js';

const ROOT = join(import.meta.dirname, '..', '..');
const start = useFakeGcp();

function options(extra: Partial<CollectGcpOptions>): CollectGcpOptions {
  return {
    outDir: mkdtempSync(join(tmpdir(), 'permdrift-gcp-role-')),
    projects: [],
    folders: [],
    organizations: [],
    windowStart: new Date('2026-11-10T00:00:00Z'),
    asOf: new Date('2026-11-20T00:00:00Z'),
    auditLogs: 'api',
    endpoint: process.env['PERMDRIFT_GCP_ENDPOINT_URL'] ?? '',
    loggingReadsPerMinute: 60_000,
    ...extra,
  };
}

describe('permdrift policy gcp', () => {
  it('a full collection sends only requests the role covers, and the role holds nothing the collection does not need', async () => {
    const world = fakeWorld({ projects: ['alpha-prod', 'beta-prod'], days: 5 });
    sinkExport(world, 'org-audit-sink', 'exports');
    const fake = await start({ world, pageSize: 2 });
    // The folder through Cloud Asset Inventory, then through the resource-manager walk (Asset refused), then a sink export.
    await collectGcp(options({ folders: [FOLDER_ID] }));
    fake.addFault({ operation: 'cloudasset.searchAllIamPolicies', kind: 'denied', times: 1 });
    await collectGcp(options({ folders: [FOLDER_ID] }));
    await collectGcp(options({ projects: ['alpha-prod'], auditLogs: 'gs://org-audit-sink/exports', isInsightsWanted: true }));
    const operations = [...new Set(fake.requests.map((r) => r.operation))].sort();
    expect(operations).not.toContain('unknown');
    for (const op of operations) expect(OPERATION_PERMISSIONS[op], `no permission mapped for ${op}`).toBeDefined();
    const needed = [...new Set(operations.flatMap((op) => OPERATION_PERMISSIONS[op] ?? []))].sort();
    expect(READONLY_ROLE.includedPermissions).toEqual(needed);
    // Every operation the map knows was exercised, so the map cannot hold a stale entry either.
    expect(operations).toEqual(Object.keys(OPERATION_PERMISSIONS).sort());
  });

  it('grants no permission that writes, and docs/ holds the same role', () => {
    for (const p of READONLY_ROLE.includedPermissions) {
      expect(p).not.toContain('*');
      expect(p.split('.').pop(), p).toMatch(/^(get|list|getIamPolicy|query|searchAllIamPolicies|searchAllResources)$/);
    }
    expect(readFileSync(join(ROOT, 'docs', 'gcp-readonly-role.json'), 'utf8')).toBe(readonlyRoleText());
  });

  it('docs/gcp-live.md names the API each permission serves', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'gcp-live.md'), 'utf8');
    for (const p of READONLY_ROLE.includedPermissions) expect(doc, p).toContain(`\`${p}\``);
  });
});
