/**
 * `collectAws` against the fake endpoint with the real SDK: the snapshot it writes is the demo
 * fixture's, read back through every API with pagination, retries and faults.
 */

import { mkdtempSync, readFileSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditFiles } from '../../src/audit.js';
import { collectAws, type CollectAwsOptions } from '../../src/connectors/aws/live/collect.js';
import { DEMO_ACCOUNT_DIR, loadFakeAccount } from '../fake-aws/account.js';
import { FakeAws, type FakeAwsOptions } from '../fake-aws/server.js';
import { useFakeAws } from '../fake-aws/lifecycle.js';

const AS_OF = new Date('2026-11-20T00:00:00Z');
const WINDOW_START = new Date(AS_OF.getTime() - 90 * 86_400_000);
const FAST_POLL = { initialMs: 5, maxMs: 20, timeoutMs: 2000 };

const start = useFakeAws();

function startFake(opts: Partial<FakeAwsOptions> = {}): Promise<FakeAws> {
  return start({ account: loadFakeAccount(), ...opts });
}

function collectOptions(extra: Partial<CollectAwsOptions> = {}): CollectAwsOptions {
  return {
    outDir: mkdtempSync(join(tmpdir(), 'permdrift-live-')),
    regions: [],
    windowStart: WINDOW_START,
    asOf: AS_OF,
    cloudTrailSource: 'auto',
    accessAdvisorPoll: FAST_POLL,
    credentialReportPoll: FAST_POLL,
    ...extra,
  };
}

function json(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8'));
}

function filesUnder(dir: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
        .sort()
    : [];
}

/** The demo archive's files inside the 90-day window (2026-08-22 on), as relative paths. */
function windowFiles(): string[] {
  return filesUnder(join(DEMO_ACCOUNT_DIR, 'cloudtrail')).filter((p) => (/\/(\d{4})\/(\d{2})\/(\d{2})\//.exec(p)?.slice(1).join('-') ?? '') >= '2026-08-22');
}

describe('collect aws against the fake endpoint', () => {
  it('writes the demo account as the offline layout, IAM pages merged into one file', async () => {
    const f = await startFake({ iamPageSize: 3 });
    const r = await collectAws(collectOptions());
    expect(r.account).toBe('111122223333');
    expect(r.identityArn).toBe('arn:aws:sts::111122223333:assumed-role/permdrift-audit/session');
    expect(r.usageSource).toBe('s3://demo-cloudtrail-archive');
    // 11 entities at 3 a page = 4 pages, all merged.
    expect(f.calls('iam', 'GetAccountAuthorizationDetails')).toHaveLength(4);
    const want = json(join(DEMO_ACCOUNT_DIR, 'iam-get-account-authorization-details.json')) as Record<string, { Arn?: string }[]>;
    const got = json(join(r.accountDir, 'iam-get-account-authorization-details.json')) as Record<string, { Arn?: string }[]>;
    for (const list of ['UserDetailList', 'GroupDetailList', 'RoleDetailList', 'Policies']) {
      expect(got[list]?.map((x) => x.Arn)).toEqual(want[list]?.map((x) => x.Arn));
    }
    // Policy documents come back decoded into JSON objects, as the AWS CLI prints them.
    const role = (got['RoleDetailList'] as unknown as { RolePolicyList: { PolicyDocument: unknown }[] }[])[0];
    expect(typeof role?.RolePolicyList[0]?.PolicyDocument).toBe('object');
    expect(json(join(r.accountDir, 'cloudtrail-get-event-selectors.json'))).toEqual(json(join(DEMO_ACCOUNT_DIR, 'cloudtrail-get-event-selectors.json')));
    expect(r.warnings).toEqual([]);
  });
});

describe('pagination', () => {
  it('follows S3 continuation tokens and Access Advisor markers to the end', async () => {
    const f = await startFake({ s3PageSize: 1, accessAdvisorPageSize: 2 });
    const r = await collectAws(collectOptions());
    // Two region folders at one key a page: the second comes with the continuation token.
    const regionLists = f.calls('s3', 'ListObjectsV2').filter((c) => c.params['prefix'] === 'AWSLogs/111122223333/CloudTrail/');
    expect(regionLists.map((c) => c.params['continuation-token'])).toEqual([undefined, 'AWSLogs/111122223333/CloudTrail/eu-west-1/']);
    expect(filesUnder(join(r.accountDir, 'cloudtrail'))).toEqual(windowFiles());
    const aa = json(join(r.accountDir, 'access-advisor', 'nightly-report.json')) as { ServicesLastAccessed: { ServiceNamespace: string }[] };
    const wantAa = json(join(DEMO_ACCOUNT_DIR, 'access-advisor', 'nightly-report.json')) as typeof aa;
    expect(aa.ServicesLastAccessed.map((s) => s.ServiceNamespace)).toEqual(wantAa.ServicesLastAccessed.map((s) => s.ServiceNamespace));
    expect(f.calls('iam', 'GetServiceLastAccessedDetails').some((c) => c.params['Marker'] !== undefined)).toBe(true);
  });

  it('LookupEvents: every page of every region lands in one lookup-events file per region', async () => {
    const f = await startFake({ lookupPageSize: 30 });
    const start = new Date(AS_OF.getTime() - 10 * 86_400_000);
    const r = await collectAws(
      collectOptions({
        windowStart: start,
        cloudTrailSource: 'lookup-events',
        regions: ['us-east-1', 'eu-west-1'],
        isAccessAdvisorWanted: false,
        isCredentialReportWanted: false,
      }),
    );
    expect(r.usageSource).toBe('lookup-events (us-east-1, eu-west-1)');
    for (const region of ['us-east-1', 'eu-west-1']) {
      const file = json(join(r.accountDir, 'cloudtrail', 'lookup-events', `${region}.json`)) as { Events: { EventId: string; CloudTrailEvent: string }[] };
      const expected = (loadFakeAccount().lookupEvents[region] ?? []).filter((e) => (e['EventTime'] as number) >= start.getTime() / 1000);
      if (region === 'us-east-1') expect(expected.length).toBeGreaterThan(90);
      expect(expected.length).toBeGreaterThan(0);
      expect(file.Events.map((e) => e.EventId)).toEqual(expected.map((e) => e['EventId']));
      expect(f.calls('cloudtrail', 'LookupEvents', region)).toHaveLength(Math.ceil(expected.length / 30));
    }
    // Nothing read from S3 when LookupEvents was asked for.
    expect(f.calls('s3', 'ListObjectsV2')).toHaveLength(0);
  });
});

describe('retries and partial failure', () => {
  it('throttling once, then success: the SDK retries and the collection is complete', async () => {
    const f = await startFake({
      iamPageSize: 5,
      faults: [
        { service: 'iam', action: 'GetAccountAuthorizationDetails', kind: 'throttle', times: 1 },
        { service: 'cloudtrail', action: 'DescribeTrails', kind: 'throttle', times: 1 },
      ],
    });
    const r = await collectAws(collectOptions({ isAccessAdvisorWanted: false }));
    expect(r.warnings).toEqual([]);
    // 3 pages + 1 throttled attempt.
    expect(f.calls('iam', 'GetAccountAuthorizationDetails').map((c) => c.status)).toEqual([400, 200, 200, 200]);
    expect(f.calls('cloudtrail', 'DescribeTrails').map((c) => c.status)).toEqual([400, 200]);
    expect(r.requestsByOperation['iam:GetAccountAuthorizationDetails']).toBe(4);
  });

  it('a 500 then success on S3 objects and CloudTrail: retried, nothing missing', async () => {
    const f = await startFake({
      faults: [
        { service: 's3', action: 'GetObject', kind: 'server-error', times: 2 },
        { service: 'cloudtrail', action: 'GetEventSelectors', kind: 'server-error', times: 1 },
      ],
    });
    const r = await collectAws(collectOptions({ isAccessAdvisorWanted: false }));
    expect(r.warnings).toEqual([]);
    expect(f.calls('s3', 'GetObject').filter((c) => c.status === 500)).toHaveLength(2);
    expect(f.calls('cloudtrail', 'GetEventSelectors').map((c) => c.status)).toEqual([500, 200]);
    const downloaded = filesUnder(join(r.accountDir, 'cloudtrail'));
    expect(downloaded.length).toBe(f.calls('s3', 'GetObject').filter((c) => c.status === 200).length);
  });

  it('a fault that outlives the retries is a warning and a named gap, not a hole', async () => {
    const f = await startFake({ faults: [{ service: 's3', action: 'GetObject', kind: 'server-error', times: Infinity, when: { region: 'us-east-1' } }] });
    const r = await collectAws(collectOptions({ isAccessAdvisorWanted: false, isCredentialReportWanted: false, maxAttempts: 2 }));
    expect(filesUnder(join(r.accountDir, 'cloudtrail'))).toEqual([]);
    const gaps = r.warnings.filter((w) => w.code === 'cloudtrail-object-unreadable');
    // Each object was asked for (retried while the SDK's retry quota lasted); many alike are one warning.
    expect(f.calls('s3', 'GetObject').length).toBeGreaterThan(windowFiles().length);
    expect(gaps).toHaveLength(1);
    expect(gaps[0]?.message.startsWith(`${windowFiles().length} objects of s3://demo-cloudtrail-archive could not be read: InternalError (`)).toBe(true);
    expect(gaps[0]?.message).toContain(`first: ${windowFiles()[0] ?? ''}, `);
    const onDisk = json(join(r.accountDir, 'collect-warnings.json')) as { warnings: { code: string }[] };
    expect(onDisk.warnings.filter((w) => w.code === 'cloudtrail-object-unreadable')).toHaveLength(1);
  });

  it('a trail that started logging inside the window is a warning that bounds the evidence', async () => {
    const account = loadFakeAccount();
    account.trailLoggingSince = '2026-10-01T00:00:00Z';
    await start({ account });
    const r = await collectAws(collectOptions({ cloudTrailSource: 'none', isAccessAdvisorWanted: false, isCredentialReportWanted: false }));
    expect(r.warnings).toEqual([
      {
        code: 'cloudtrail-logging-started-late',
        account: '111122223333',
        message:
          'trail org-audit started logging at 2026-10-01T00:00:00.000Z, after the window start 2026-08-22T00:00:00.000Z: usage before it was not recorded',
      },
    ]);
    expect(json(join(r.accountDir, 'cloudtrail-get-trail-status.json'))).toMatchObject({ IsLogging: true, StartLoggingTime: '2026-10-01T00:00:00.000Z' });
  });

  it('a few unreadable objects are named one by one', async () => {
    await startFake({ faults: [{ service: 's3', action: 'GetObject', kind: 'access-denied', times: 3 }] });
    const r = await collectAws(collectOptions({ isAccessAdvisorWanted: false, isCredentialReportWanted: false }));
    const gaps = r.warnings.filter((w) => w.code === 'cloudtrail-object-unreadable');
    expect(gaps).toHaveLength(3);
    for (const g of gaps)
      expect(g.message).toMatch(
        /^s3:\/\/demo-cloudtrail-archive\/AWSLogs\/111122223333\/CloudTrail\/[a-z0-9-]+\/\d{4}\/\d{2}\/\d{2}\/.+\.json\.gz: AccessDenied .*coverage gap$/,
      );
    expect(filesUnder(join(r.accountDir, 'cloudtrail'))).toHaveLength(windowFiles().length - 3);
  });

  it('a region that answers "invalid token" after STS succeeded is a warning (region not enabled), not a credentials error', async () => {
    await startFake({ faults: [{ service: 'cloudtrail', action: 'LookupEvents', kind: 'invalid-token', times: Infinity, when: { region: 'ap-east-1' } }] });
    const r = await collectAws(
      collectOptions({
        cloudTrailSource: 'lookup-events',
        regions: ['us-east-1', 'ap-east-1'],
        windowStart: new Date(AS_OF.getTime() - 3 * 86_400_000),
        isAccessAdvisorWanted: false,
        isCredentialReportWanted: false,
      }),
    );
    expect(r.warnings.map((w) => w.code)).toEqual(['lookup-events-incomplete']);
    expect(r.warnings[0]?.message).toMatch(
      /^LookupEvents in ap-east-1 stopped after 0 events \(UnrecognizedClientException: .*is ap-east-1 enabled for this account\?/,
    );
    expect(existsSync(join(r.accountDir, 'cloudtrail', 'lookup-events', 'us-east-1.json'))).toBe(true);
  });

  it('AccessDenied on Access Advisor only: the collection completes with one warning naming the action', async () => {
    await startFake({ faults: [{ service: 'iam', action: 'GenerateServiceLastAccessedDetails', kind: 'access-denied', times: Infinity }] });
    const r = await collectAws(collectOptions());
    expect(r.warnings.map((w) => w.code)).toEqual(['access-advisor-failed']);
    expect(r.warnings[0]?.message).toContain('AccessDenied on iam:GenerateServiceLastAccessedDetails');
    expect(r.warnings[0]?.message).toContain('permdrift policy aws');
    expect(r.warnings[0]?.message).toMatch(/\(6 principal\(s\): /);
    expect(filesUnder(join(r.accountDir, 'access-advisor'))).toEqual([]);
    expect(existsSync(join(r.accountDir, 'iam-get-credential-report.json'))).toBe(true);
    expect(filesUnder(join(r.accountDir, 'cloudtrail')).length).toBeGreaterThan(100);
    // The warning travels with the snapshot into the report (scan files reads collect-warnings.json).
    const report = await auditFiles({ dir: join(r.accountDir, '..', '..'), asOf: AS_OF, windowMs: 90 * 86_400_000, workers: 1 });
    const inReport = report.warnings.filter((w) => w.code === 'access-advisor-failed');
    expect(inReport).toEqual([
      { code: 'access-advisor-failed', message: r.warnings[0]?.message, account: '111122223333', file: 'aws/111122223333/collect-warnings.json' },
    ]);
    expect(report.coverage[0]?.accessAdvisor.principals).toBe(0);
  });

  it('an Access Advisor job that stays IN_PROGRESS past the timeout is a warning; the others are written', async () => {
    const account = loadFakeAccount();
    const stuck = 'arn:aws:iam::111122223333:role/jobs/nightly-report';
    const f = await startFake({ stuckAccessAdvisor: [stuck], accessAdvisorInProgressPolls: 1 });
    const started = Date.now();
    const r = await collectAws(collectOptions({ accessAdvisorPoll: { initialMs: 20, maxMs: 50, timeoutMs: 300 }, cloudTrailSource: 'none' }));
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.warnings.map((w) => w.code)).toEqual(['access-advisor-failed']);
    expect(r.warnings[0]?.message).toMatch(/still IN_PROGRESS after 0s .*role\/nightly-report/);
    const written = filesUnder(join(r.accountDir, 'access-advisor'));
    expect(written).not.toContain('nightly-report.json');
    expect(written.length).toBe(5);
    // Polled with backoff until the timeout: a handful of polls, not hundreds.
    const polls = f.requests.filter((q) => q.action === 'GetServiceLastAccessedDetails').length;
    expect(polls).toBeLessThan(40);
    expect(account.accessAdvisor[stuck]).toBeDefined();
  });

  it('no Access Advisor job is left waiting: at most the configured number in flight', async () => {
    const f = await startFake({ accessAdvisorInProgressPolls: 2 });
    await collectAws(collectOptions({ accessAdvisorJobs: 2, cloudTrailSource: 'none', isCredentialReportWanted: false }));
    // Replay the log: a job is in flight from its Generate to its COMPLETED poll (the third).
    const gens = f.calls('iam', 'GenerateServiceLastAccessedDetails');
    expect(gens).toHaveLength(6);
    const polls = f.calls('iam', 'GetServiceLastAccessedDetails');
    expect(polls).toHaveLength(18);
    const byJob = new Map<string, number[]>();
    for (const p of polls) byJob.set(p.params['JobId'] ?? '', [...(byJob.get(p.params['JobId'] ?? '') ?? []), p.atMs]);
    const spans = gens.map((g, i) => ({ start: g.atMs, end: Math.max(...(byJob.get(`job-${i + 1}`) ?? [Infinity])) }));
    for (const s of spans) {
      const overlapping = spans.filter((o) => o.start <= s.start && o.end >= s.start);
      expect(overlapping.length).toBeLessThanOrEqual(2);
    }
  });

  it('expired credentials stop the run with a CREDENTIALS error and the sso hint', async () => {
    await startFake({ faults: [{ service: 'sts', action: 'GetCallerIdentity', kind: 'expired-token', times: Infinity }] });
    await expect(collectAws(collectOptions({ profile: undefined }))).rejects.toMatchObject({
      code: 'CREDENTIALS',
      message: expect.stringMatching(/^AWS credentials have expired \(ExpiredToken/) as string,
      hint: expect.stringContaining('aws sso login') as string,
    });
  });

  it('missing credentials: CREDENTIALS, never a probe of instance metadata', async () => {
    const fake = await startFake();
    delete process.env['AWS_ACCESS_KEY_ID'];
    delete process.env['AWS_SECRET_ACCESS_KEY'];
    await expect(collectAws(collectOptions())).rejects.toMatchObject({
      code: 'CREDENTIALS',
      message: expect.stringContaining('no usable AWS credentials') as string,
    });
    expect(fake.requests).toEqual([]);
  });
});
