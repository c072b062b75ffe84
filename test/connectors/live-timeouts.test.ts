/**
 * Timeouts of the live collectors, against the fake endpoints with the real SDKs: a stalled answer
 * (before its headers, or half-way through its body) is given up after the request timeout and
 * retried with backoff; a stall that clears on a retry costs nothing; one that does not ends
 * inside the retry budget with an error (required calls) or a warning and a coverage gap (the
 * rest), each naming the call and the timeout that was hit. A TLS handshake that never completes
 * is the connection timeout.
 */

import { mkdtempSync, readFileSync, readdirSync, existsSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { collectAws, type CollectAwsOptions } from '../../src/connectors/aws/live/collect.js';
import { collectGcp, type CollectGcpOptions } from '../../src/connectors/gcp/live/collect.js';
import { PermdriftError } from '../../src/model/errors.js';
import type { CollectManifest } from '../../src/model/collect-manifest.js';
import { loadFakeAccount } from '../fake-aws/account.js';
import { useFakeAws } from '../fake-aws/lifecycle.js';
import type { FakeAwsOptions } from '../fake-aws/server.js';
import { useFakeGcp } from '../fake-gcp/lifecycle.js';
import type { FakeGcpOptions } from '../fake-gcp/server.js';
import { fakeWorld, sinkExport } from '../fake-gcp/world.js';
import { useFakeAwsEnv } from '../fake-aws/env.js';
import { useFakeGcpEnv } from '../fake-gcp/env.js';

const AS_OF = new Date('2026-11-20T00:00:00Z');
const WINDOW_START = new Date(AS_OF.getTime() - 90 * 86_400_000);
const FAST_POLL = { initialMs: 5, maxMs: 20, timeoutMs: 2000 };
/** Small limits, so a stall costs a fraction of a second: a connection 100 ms, each attempt 200 ms, each call at most 1.5 s. */
const TIMEOUTS = { connectMs: 100, requestMs: 200, budgetMs: 1500 };

const startAws = useFakeAws();
const startGcp = useFakeGcp();

function awsOptions(extra: Partial<CollectAwsOptions> = {}): CollectAwsOptions {
  return {
    outDir: mkdtempSync(join(tmpdir(), 'permdrift-timeouts-')),
    regions: [],
    windowStart: WINDOW_START,
    asOf: AS_OF,
    cloudTrailSource: 'auto',
    accessAdvisorPoll: FAST_POLL,
    credentialReportPoll: FAST_POLL,
    timeouts: TIMEOUTS,
    ...extra,
  };
}

function fakeAws(opts: Partial<FakeAwsOptions> = {}): ReturnType<typeof startAws> {
  return startAws({ account: loadFakeAccount(), ...opts });
}

function gcpOptions(extra: Partial<CollectGcpOptions> = {}): CollectGcpOptions {
  return {
    outDir: mkdtempSync(join(tmpdir(), 'permdrift-gcp-timeouts-')),
    projects: ['alpha-prod'],
    folders: [],
    organizations: [],
    windowStart: WINDOW_START,
    asOf: AS_OF,
    auditLogs: 'api',
    endpoint: process.env['PERMDRIFT_GCP_ENDPOINT_URL'] ?? '',
    backoff: { initialMs: 1, maxMs: 5 },
    loggingReadsPerMinute: 60_000,
    timeouts: TIMEOUTS,
    ...extra,
  };
}

function fakeGcp(extra: Partial<FakeGcpOptions> = {}): ReturnType<typeof startGcp> {
  return startGcp({ world: fakeWorld(), ...extra });
}

function json(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8'));
}

function filesUnder(dir: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => join(e.parentPath, e.name))
    : [];
}

async function failure(p: Promise<unknown>): Promise<{ err: unknown; ms: number }> {
  const t0 = Date.now();
  try {
    await p;
  } catch (err) {
    return { err, ms: Date.now() - t0 };
  }
  throw new Error('expected the collection to fail');
}

/** A TCP server that accepts connections and never says a word: a TLS handshake with it never completes. */
let silent: { server: Server; sockets: Set<Socket> } | undefined;
async function silentServer(): Promise<string> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  silent = { server, sockets };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
afterEach(async () => {
  if (!silent) return;
  for (const s of silent.sockets) s.destroy();
  const server = silent.server;
  silent = undefined;
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('collect aws: request timeouts, retries and the retry budget', () => {
  it('a stalled IAM page is retried, then ends inside the budget with an error naming the call and the timeout', async () => {
    const fake = await fakeAws({
      iamPageSize: 3,
      faults: [{ service: 'iam', action: 'GetAccountAuthorizationDetails', kind: 'stall', times: Infinity, after: 1 }],
    });
    const { err, ms } = await failure(collectAws(awsOptions()));
    expect(err).toBeInstanceOf(PermdriftError);
    const message = (err as PermdriftError).message;
    expect(message).toMatch(/^iam:GetAccountAuthorizationDetails timed out: no answer within the request timeout of 200 ms/);
    expect(message).toMatch(/\d+ attempts in [\d.]+ s/);
    expect((err as PermdriftError).hint).toContain('--request-timeout');
    // The second page was asked for more than once (retried), and the whole call stayed inside its budget.
    const stalled = fake.calls('iam', 'GetAccountAuthorizationDetails').filter((r) => r.stalled);
    expect(stalled.length).toBeGreaterThanOrEqual(2);
    expect(ms).toBeLessThan(TIMEOUTS.budgetMs + 1500);
  });

  it('a stall that clears on a retry costs one more attempt and nothing else', async () => {
    const fake = await fakeAws({ iamPageSize: 3, faults: [{ service: 'iam', action: 'GetAccountAuthorizationDetails', kind: 'stall', times: 2, after: 1 }] });
    const opts = awsOptions();
    const r = await collectAws(opts);
    // 11 entities at 3 a page: 4 pages, the second asked for three times.
    expect(fake.calls('iam', 'GetAccountAuthorizationDetails')).toHaveLength(6);
    const auth = json(join(r.accountDir, 'iam-get-account-authorization-details.json')) as Record<string, { Arn?: string }[]>;
    const demo = loadFakeAccount().authorizationDetails as Record<string, { Arn?: string }[]>;
    for (const list of ['UserDetailList', 'GroupDetailList', 'RoleDetailList', 'Policies'])
      expect(auth[list]?.map((x) => x.Arn)).toEqual(demo[list]?.map((x) => x.Arn));
    expect(r.warnings).toEqual([]);
  });

  it('an S3 log file whose body stalls half-way is downloaded again, whole', async () => {
    const key = Object.keys(loadFakeAccount().buckets['demo-cloudtrail-archive'] ?? {}).filter((k) => k.includes('/2026/11/1'))[0] ?? '';
    const fake = await fakeAws({ faults: [{ service: 's3', action: 'GetObject', kind: 'stall', stallPhase: 'body', times: 1, when: { key } }] });
    const r = await collectAws(awsOptions());
    expect(fake.calls('s3', 'GetObject').filter((c) => c.params['key'] === key)).toHaveLength(2);
    expect(r.warnings.filter((w) => w.code === 'cloudtrail-object-unreadable')).toEqual([]);
    const file = join(r.accountDir, 'cloudtrail', ...key.split('/'));
    expect(gunzipSync(readFileSync(file)).equals(gunzipSync(loadFakeAccount().buckets['demo-cloudtrail-archive']?.[key] ?? Buffer.alloc(0)))).toBe(true);
  });

  it('an S3 log file that never arrives is a warning naming the call and the timeout, and a gap of its region; no partial file is left', async () => {
    const key = Object.keys(loadFakeAccount().buckets['demo-cloudtrail-archive'] ?? {}).filter((k) => k.includes('/2026/11/1'))[0] ?? '';
    await fakeAws({ faults: [{ service: 's3', action: 'GetObject', kind: 'stall', stallPhase: 'body', times: Infinity, when: { key } }] });
    const t0 = Date.now();
    const r = await collectAws(awsOptions());
    expect(Date.now() - t0).toBeLessThan(15_000);
    const w = r.warnings.filter((x) => x.code === 'cloudtrail-object-unreadable');
    expect(w).toHaveLength(1);
    expect(w[0]?.message).toContain(key);
    expect(w[0]?.message).toMatch(/s3:GetObject timed out: the answer stalled for longer than the request timeout of 200 ms/);
    const manifest = json(join(r.accountDir, 'collect-manifest.json')) as CollectManifest;
    expect(manifest.complete).toBe(true);
    expect(manifest.logs.failed.some((f) => f.reason.includes('s3:GetObject timed out'))).toBe(true);
    expect(existsSync(join(r.accountDir, 'cloudtrail', ...key.split('/')))).toBe(false);
    expect(filesUnder(r.accountDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a LookupEvents page that never answers stops that region with a warning naming the timeout; the run goes on', async () => {
    await fakeAws({ faults: [{ service: 'cloudtrail', action: 'LookupEvents', kind: 'stall', times: Infinity, when: { region: 'us-east-1' } }] });
    const r = await collectAws(awsOptions({ cloudTrailSource: 'lookup-events', regions: ['us-east-1'] }));
    const w = r.warnings.find((x) => x.code === 'lookup-events-incomplete');
    expect(w?.message).toMatch(
      /LookupEvents in us-east-1 stopped after 0 events \(CallTimeout: cloudtrail:LookupEvents timed out: no answer within the request timeout of 200 ms/,
    );
    // The file is still written (valid, empty) and its span is a gap.
    expect(json(join(r.accountDir, 'cloudtrail', 'lookup-events', 'us-east-1.json'))).toEqual({ Events: [] });
  });

  it('a TLS handshake that never completes is the connection timeout, named in the error', async () => {
    const restore = useFakeAwsEnv(await silentServer());
    try {
      const { err, ms } = await failure(collectAws(awsOptions({ regions: ['us-east-1'] })));
      expect(err).toBeInstanceOf(PermdriftError);
      expect((err as PermdriftError).message).toMatch(/^sts:GetCallerIdentity timed out: no connection within the connect timeout of 100 ms/);
      expect((err as PermdriftError).hint).toContain('--connect-timeout');
      expect(ms).toBeLessThan(TIMEOUTS.budgetMs + 1500);
    } finally {
      restore();
    }
  });
});

describe('collect gcp: request timeouts, retries and the retry budget', () => {
  it('a stalled allow-policy read (gax client) is retried once and succeeds', async () => {
    const fake = await fakeGcp({ faults: [{ operation: 'cloudresourcemanager.projects.getIamPolicy', kind: 'stall', times: 1 }] });
    const opts = gcpOptions();
    const r = await collectGcp(opts);
    expect(r.failed).toEqual([]);
    expect(fake.calls('cloudresourcemanager.projects.getIamPolicy').filter((c) => c.target === 'alpha-prod')).toHaveLength(2);
    expect(r.retries).toBeGreaterThanOrEqual(1);
    expect(json(join(opts.outDir, 'gcp', 'alpha-prod', 'iam-policy.json'))).toEqual(fake.world.projects[0]?.policy);
  });

  it('an allow-policy read that never answers fails the project, naming the REST method and the timeout, inside the budget', async () => {
    await fakeGcp({ faults: [{ operation: 'cloudresourcemanager.projects.getIamPolicy', kind: 'stall', times: Infinity }] });
    const { err, ms } = await failure(collectGcp(gcpOptions()));
    expect(err).toBeInstanceOf(PermdriftError);
    expect((err as PermdriftError).message).toMatch(
      /cloudresourcemanager\.projects\.getIamPolicy timed out: no answer within the request timeout of 200 ms \(\d+ attempts in [\d.]+ s/,
    );
    expect(ms).toBeLessThan(TIMEOUTS.budgetMs + 3000);
  });

  it('a Logging page that never answers is a warning and a gap; nothing claims the logs were read', async () => {
    await fakeGcp({ faults: [{ operation: 'logging.entries.list', kind: 'stall', times: Infinity }] });
    const opts = gcpOptions();
    const r = await collectGcp(opts);
    const w = r.collected[0]?.warnings.find((x) => x.code === 'audit-logs-unreadable');
    expect(w?.message).toMatch(/logging\.entries\.list timed out: no answer within the request timeout of 200 ms/);
    const manifest = json(join(opts.outDir, 'gcp', 'alpha-prod', 'collect-manifest.json')) as CollectManifest;
    expect(manifest.logs.failed.some((f) => f.scope === 'cloudaudit.googleapis.com/activity' && f.reason.includes('timed out'))).toBe(true);
    expect(existsSync(join(opts.outDir, 'gcp', 'alpha-prod', 'audit-logs', 'entries.json'))).toBe(false);
  });

  it('a sink hour file whose body stalls half-way is downloaded again, whole', async () => {
    const world = fakeWorld();
    sinkExport(world, 'org-audit-sink', 'exports');
    const name = Object.keys(world.buckets['org-audit-sink'] ?? {})[0] ?? '';
    const fake = await startGcp({ world, faults: [{ operation: 'storage.objects.get', kind: 'stall', stallPhase: 'body', times: 1 }] });
    const opts = gcpOptions({ auditLogs: 'gs://org-audit-sink/exports' });
    const r = await collectGcp(opts);
    expect(r.collected[0]?.warnings.filter((x) => x.code === 'audit-log-object-unreadable')).toEqual([]);
    expect(fake.calls('storage.objects.get').length).toBe(Object.keys(world.buckets['org-audit-sink'] ?? {}).length + 1);
    const file = join(
      opts.outDir,
      'gcp',
      'alpha-prod',
      'audit-logs',
      ...name
        .slice('exports/'.length)
        .split('/')
        .map((s) => s.replace(/:/g, '-')),
    );
    expect(readFileSync(file, 'utf8')).toBe(world.buckets['org-audit-sink']?.[name]);
  });

  it('a TLS handshake that never completes is the connection timeout, named in the error', async () => {
    const url = await silentServer();
    const restore = useFakeGcpEnv(url);
    try {
      const { err, ms } = await failure(collectGcp(gcpOptions({ endpoint: url })));
      expect(err).toBeInstanceOf(PermdriftError);
      expect((err as PermdriftError).message).toMatch(
        /cloudresourcemanager\.projects\.getIamPolicy timed out: no connection within the connect timeout of 100 ms/,
      );
      expect(ms).toBeLessThan(2 * TIMEOUTS.budgetMs + 3000);
    } finally {
      restore();
    }
  });
});
