/**
 * A project with 100 service accounts and 5,000 audit log entries over 30 days: the request count
 * is exact (one per page and per account), and the time is measured against the fake endpoint.
 */

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectGcp } from '../../src/connectors/gcp/live/collect.js';
import { loadGcpProject } from '../../src/connectors/gcp/snapshot.js';
import { useFakeGcp } from '../fake-gcp/lifecycle.js';
import { fakeWorld } from '../fake-gcp/world.js';

const start = useFakeGcp();

describe('scale', () => {
  it('100 service accounts, 5,000 log entries: 121 requests', async () => {
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
    // + 5 log pages (1,000 each) + 2 activity queries + 1 roles.list page (predefined roles) = 121, plus nothing retried.
    expect(r.requests).toBe(121);
    expect(fake.requests).toHaveLength(121);
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
});
