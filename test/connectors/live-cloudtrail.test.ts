/** CloudTrail usage through the fake endpoint: LookupEvents' rate, the S3 archive's window, organization trails, auto. */

import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectAws, type CollectAwsOptions } from '../../src/connectors/aws/live/collect.js';
import { RateLimiter } from '../../src/connectors/shared/rate-limiter.js';
import { windowDays } from '../../src/connectors/aws/live/s3-archive.js';
import { loadFakeAccount, type FakeAccount } from '../fake-aws/account.js';
import { useFakeAws } from '../fake-aws/lifecycle.js';
import { FakeAws, type FakeAwsOptions } from '../fake-aws/server.js';

const AS_OF = new Date('2026-11-20T00:00:00Z');

const start = useFakeAws();

function startFake(opts: Partial<FakeAwsOptions> = {}): Promise<FakeAws> {
  return start({ account: loadFakeAccount(), ...opts });
}

function options(days: number, extra: Partial<CollectAwsOptions> = {}): CollectAwsOptions {
  return {
    outDir: mkdtempSync(join(tmpdir(), 'permdrift-live-ct-')),
    regions: [],
    windowStart: new Date(AS_OF.getTime() - days * 86_400_000),
    asOf: AS_OF,
    cloudTrailSource: 'auto',
    isAccessAdvisorWanted: false,
    isCredentialReportWanted: false,
    ...extra,
  };
}

function filesUnder(dir: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
        .sort()
    : [];
}

describe('LookupEvents rate', () => {
  it('stays at or below 2 requests per second per region, measured by the server, regions in parallel', async () => {
    const account = loadFakeAccount();
    // A second busy region: the demo's eu-west-1 holds too few events for several pages.
    account.lookupEvents['ap-southeast-2'] = account.lookupEvents['us-east-1'] ?? [];
    const f = await start({
      account,
      lookupPageSize: 30,
      faults: [{ service: 'cloudtrail', action: 'LookupEvents', kind: 'throttle', times: 1, when: { region: 'ap-southeast-2' } }],
    });
    const r = await collectAws(options(10, { cloudTrailSource: 'lookup-events', regions: ['us-east-1', 'ap-southeast-2'] }));
    expect(r.warnings).toEqual([]);
    for (const region of ['us-east-1', 'ap-southeast-2']) {
      const at = f.calls('cloudtrail', 'LookupEvents', region).map((c) => c.atMs);
      expect(at.length).toBeGreaterThanOrEqual(4);
      // No three requests (retries included) inside any one second.
      for (let i = 2; i < at.length; i++) expect((at[i] ?? 0) - (at[i - 2] ?? 0)).toBeGreaterThanOrEqual(1000);
    }
    // The regions ran side by side: each one's requests interleave with the other's.
    const us = f.calls('cloudtrail', 'LookupEvents', 'us-east-1').map((c) => c.atMs);
    const ap = f.calls('cloudtrail', 'LookupEvents', 'ap-southeast-2').map((c) => c.atMs);
    expect(Math.min(...ap)).toBeLessThan(Math.max(...us));
    expect(Math.min(...us)).toBeLessThan(Math.max(...ap));
  });

  it('the token bucket spaces takes by 1/rate and refills only up to its burst (fake clock)', async () => {
    let t = 0;
    const waits: number[] = [];
    const limiter = new RateLimiter({
      ratePerSecond: 2,
      burst: 2,
      now: () => t,
      sleep: (ms) => {
        waits.push(ms);
        t += ms;
        return Promise.resolve();
      },
    });
    for (let i = 0; i < 4; i++) await limiter.take();
    expect(waits).toEqual([500, 500]);
    t += 10_000;
    waits.length = 0;
    for (let i = 0; i < 3; i++) await limiter.take();
    expect(waits).toEqual([500]);
  });
});

describe('S3 archive', () => {
  it('lists only the day folders inside the window and copies the .json.gz objects unchanged', async () => {
    const f = await startFake();
    const r = await collectAws(options(30));
    expect(r.usageSource).toBe('s3://demo-cloudtrail-archive');
    const days = new Set(windowDays(new Date(AS_OF.getTime() - 30 * 86_400_000), AS_OF));
    expect(days.size).toBe(31);
    const dayPrefixes = f
      .calls('s3', 'ListObjectsV2')
      .map((c) => c.params['prefix'] ?? '')
      .filter((p) => /\d{4}\/\d{2}\/\d{2}\/$/.test(p));
    expect(dayPrefixes).toHaveLength(2 * 31);
    for (const p of dayPrefixes) expect(days.has(p.slice(-11, -1))).toBe(true);
    const got = filesUnder(join(r.accountDir, 'cloudtrail'));
    expect(got.length).toBeGreaterThan(20);
    expect(got.every((p) => p.endsWith('.json.gz'))).toBe(true);
    expect(got.every((p) => (p.match(/\/(\d{4}\/\d{2}\/\d{2})\//)?.[1] ?? '') >= '2026/10/21')).toBe(true);
    const demo = join(import.meta.dirname, '..', '..', 'fixtures', 'aws', 'demo', 'aws', '111122223333', 'cloudtrail');
    for (const p of got) expect(readFileSync(join(r.accountDir, 'cloudtrail', p)).equals(readFileSync(join(demo, p)))).toBe(true);
    expect(f.calls('s3', 'GetObject')).toHaveLength(got.length);
  });

  it('reads an organization trail under AWSLogs/<org-id>/<account>/ and honours --cloudtrail-s3 with a prefix', async () => {
    const account: FakeAccount = loadFakeAccount();
    const objects = account.buckets['demo-cloudtrail-archive'] ?? {};
    const moved: Record<string, Buffer> = {};
    for (const [k, v] of Object.entries(objects)) moved[`org/logs/${k.replace('AWSLogs/', 'AWSLogs/o-abc123def4/')}`] = v;
    moved['org/logs/AWSLogs/o-abc123def4/999988887777/CloudTrail/us-east-1/2026/11/19/other-account.json.gz'] = Buffer.from('not ours');
    account.buckets = { 'org-archive': moved };
    await start({ account });
    const r = await collectAws(options(10, { cloudTrailSource: 's3', cloudTrailS3: 's3://org-archive/org/logs/' }));
    expect(r.usageSource).toBe('s3://org-archive/org/logs');
    const got = filesUnder(join(r.accountDir, 'cloudtrail'));
    expect(got.length).toBeGreaterThan(5);
    expect(got.every((p) => p.startsWith('AWSLogs/o-abc123def4/111122223333/CloudTrail/'))).toBe(true);
  });

  it('auto falls back to LookupEvents when the bucket is not readable, and says so', async () => {
    const f = await startFake({ faults: [{ service: 's3', action: 'ListObjectsV2', kind: 'access-denied', times: Infinity }] });
    const r = await collectAws(options(5, { cloudTrailSource: 'auto' }));
    expect(r.usageSource).toBe('lookup-events (us-east-1)');
    expect(r.warnings.map((w) => w.code)).toEqual(['cloudtrail-s3-unreadable']);
    expect(r.warnings[0]?.message).toContain('s3://demo-cloudtrail-archive could not be listed (AccessDenied');
    expect(r.warnings[0]?.message).toContain('usage comes from LookupEvents instead');
    expect(f.calls('cloudtrail', 'LookupEvents', 'us-east-1').length).toBeGreaterThan(0);
    expect(existsSync(join(r.accountDir, 'cloudtrail', 'lookup-events', 'us-east-1.json'))).toBe(true);
  });

  it('--cloudtrail-source s3 without a trail bucket is a usage error raised before Access Advisor starts', async () => {
    const account = loadFakeAccount();
    account.trails = [];
    const fake = await start({ account });
    await expect(collectAws(options(5, { cloudTrailSource: 's3', isAccessAdvisorWanted: true }))).rejects.toMatchObject({
      code: 'USAGE',
      message: '--cloudtrail-source s3 but no trail names a bucket',
    });
    expect(fake.calls('iam', 'GenerateServiceLastAccessedDetails')).toEqual([]);
  });

  it('--cloudtrail-source none reads no logs at all', async () => {
    const f = await startFake();
    const r = await collectAws(options(5, { cloudTrailSource: 'none' }));
    expect(r.usageSource).toBe('none');
    expect(f.requests.filter((q) => q.service === 's3' || q.action === 'LookupEvents')).toEqual([]);
  });
});
