/**
 * A project with 100 service accounts and 5,000 audit log entries over 30 days: the request count
 * is exact (one per page and per account), and the time is measured against the fake endpoint.
 * Project discovery over an organization of 40 projects in 22 folders: the Cloud Asset path and the
 * resource-manager walk, request counts exact (docs/gcp-live.md, Measured).
 */

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectGcp } from '../../src/connectors/gcp/live/collect.js';
import { loadGcpProject } from '../../src/connectors/gcp/snapshot.js';
import { useFakeGcp } from '../fake-gcp/lifecycle.js';
import { fakeWorld, ORG_ID, type FakeWorld } from '../fake-gcp/world.js';

const start = useFakeGcp();

describe('scale', () => {
  it('100 service accounts, 5,000 log entries: 123 requests', async () => {
    const fake = await start({ world: fakeWorld({ serviceAccounts: 100, logEntries: 5000, days: 30 }) });
    const outDir = mkdtempSync(join(tmpdir(), 'permdrift-gcp-scale-'));
    const began = performance.now();
    const r = await collectGcp({
      outDir,
      projects: ['alpha-prod'],
      folders: [],
      organizations: [],
      windowStart: new Date('2026-10-21T00:00:00Z'),
      asOf: new Date('2026-11-20T00:00:00Z'),
      auditLogs: 'api',
      endpoint: process.env['PERMDRIFT_GCP_ENDPOINT_URL'] ?? '',
      // The default 60 reads a minute would make 5 pages take 4 s; the pacing has its own test.
      loggingReadsPerMinute: 6000,
    });
    const ms = performance.now() - began;
    console.log(`scale: ${r.requests} requests in ${ms.toFixed(0)} ms`, r.requestsByOperation);
    // 1 project policy + 1 project get + 1 folder get + 1 folder policy + 1 org policy
    // + 1 account page (100) + 100 key lists + 2 custom roles + 3 deny lists + 2 deny gets
    // + 5 log pages (1,000 each) + 2 activity queries + 1 roles.list page (predefined roles) = 121,
    // + the organization's bound group (groups:lookup + 1 memberships page) = 123, plus nothing retried.
    expect(r.requests).toBe(123);
    expect(fake.requests).toHaveLength(123);
    expect(r.requestsByOperation['cloudidentity.groups.lookup']).toBe(1);
    expect(r.requestsByOperation['cloudidentity.groups.memberships.list']).toBe(1);
    expect(r.requestsByOperation['logging.entries.list']).toBe(5);
    expect(r.requestsByOperation['iam.projects.serviceAccounts.keys.list']).toBe(100);
    expect(loadGcpProject(outDir, 'alpha-prod').serviceAccounts.filter((a) => a.isListed)).toHaveLength(100);
  }, 60_000);

  it('Logging reads are paced by the token bucket (here 600 a minute: at least 100 ms apart)', async () => {
    const fake = await start({ world: fakeWorld({ logEntries: 50 }), pageSize: 10 });
    await collectGcp({
      outDir: mkdtempSync(join(tmpdir(), 'permdrift-gcp-rate-')),
      projects: ['alpha-prod'],
      folders: [],
      organizations: [],
      windowStart: new Date('2026-10-21T00:00:00Z'),
      asOf: new Date('2026-11-20T00:00:00Z'),
      auditLogs: 'api',
      isActivityWanted: false,
      endpoint: process.env['PERMDRIFT_GCP_ENDPOINT_URL'] ?? '',
      loggingReadsPerMinute: 600,
    });
    const at = fake.calls('logging.entries.list').map((c) => c.atMs);
    expect(at).toHaveLength(5);
    // The bucket spaces the sends; arrival times add each request's own latency, so measure every
    // arrival from the first (k tokens take k × 100 ms), with room for the first request's latency.
    for (let i = 1; i < at.length; i++) expect((at[i] ?? 0) - (at[0] ?? 0)).toBeGreaterThanOrEqual(i * 100 - 30);
  });

  it('discovery of 40 projects in 22 folders: Cloud Asset 1 + 1 search pages (432 requests in all), the walk 23 + 23 lists (476)', async () => {
    // 40 projects with 2 accounts each, round-robin over 21 folders (two levels below the
    // organization, plus the fake's folder / sub-folder pair); the 22nd folder is empty.
    const organizationOf40 = (): FakeWorld => {
      const world = fakeWorld({ projects: Array.from({ length: 40 }, (_, i) => `proj-${String(i).padStart(2, '0')}`), serviceAccounts: 2 });
      const extra = Array.from({ length: 20 }, (_, i) => String(777000000 + i));
      for (const [i, id] of extra.entries())
        world.folders.push({
          id,
          parent: i < 10 ? `organizations/${ORG_ID}` : `folders/${extra[i - 10] ?? ''}`,
          policy: { version: 1, etag: 'AA==', bindings: [] },
          denyPolicies: [],
        });
      const holding = world.folders.map((f) => f.id).slice(0, 21);
      world.projects.forEach((p, i) => void (p.parent = `folders/${holding[i % holding.length] ?? ''}`));
      return world;
    };
    const fake = await start({ world: organizationOf40() });
    const counts: Record<string, number>[] = [];
    for (const isAssetInventoryWanted of [true, false]) {
      const before = fake.requests.length;
      const r = await collectGcp({
        outDir: mkdtempSync(join(tmpdir(), 'permdrift-gcp-discovery-')),
        projects: [],
        folders: [],
        organizations: [ORG_ID],
        isAssetInventoryWanted,
        windowStart: new Date('2026-10-21T00:00:00Z'),
        asOf: new Date('2026-11-20T00:00:00Z'),
        auditLogs: 'api',
        isActivityWanted: false,
        endpoint: process.env['PERMDRIFT_GCP_ENDPOINT_URL'] ?? '',
        loggingReadsPerMinute: 600_000,
      });
      expect(r.collected).toHaveLength(40);
      expect(fake.requests.length - before).toBe(r.requests);
      counts.push({ total: r.requests, ...r.requestsByOperation });
    }
    const [asset, walk] = counts;
    // 80 service accounts: one searchAllResources page; 40 projects: one searchAllIamPolicies page.
    expect(asset?.['cloudasset.searchAllIamPolicies']).toBe(1);
    expect(asset?.['cloudasset.searchAllResources']).toBe(1);
    expect(asset?.['cloudresourcemanager.projects.list']).toBeUndefined();
    expect(walk?.['cloudresourcemanager.projects.list']).toBe(23);
    expect(walk?.['cloudresourcemanager.folders.list']).toBe(23);
    expect(walk?.['cloudasset.searchAllResources']).toBeUndefined();
    // Either way one projects.get per project.
    expect(asset?.['cloudresourcemanager.projects.get']).toBe(40);
    expect(walk?.['cloudresourcemanager.projects.get']).toBe(40);
    // Each includes the organization's bound group, read once per run (lookup + 1 memberships page).
    expect(asset?.['total']).toBe(432);
    expect(walk?.['total']).toBe(476);
  }, 60_000);
});
