/**
 * `collect aws` leaves `collect-manifest.json` in the account folder: when each file was read and,
 * per region, which span of the logs was read in full and which was not; and it downloads the
 * CloudTrail digest files of the window where the snapshot reader takes them as proof of delivery.
 * Real SDK against the fake endpoint; the snapshot is then read back offline.
 */

import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditFiles } from '../../src/audit.js';
import { collectAws, type CollectAwsOptions } from '../../src/connectors/aws/live/collect.js';
import { TRAIL_STATUS_FILE, parseTrailStatus } from '../../src/connectors/aws/delivery-files.js';
import { parseCollectManifest } from '../../src/connectors/shared/collect-manifest-file.js';
import { discoverAwsSnapshot, loadAwsAccount } from '../../src/connectors/aws/snapshot.js';
import { accountDelivery } from '../../src/engine/aws/delivery.js';
import { gapsIn } from '../../src/engine/claim-coverage.js';
import { COLLECT_MANIFEST_FILE, type CollectManifest } from '../../src/model/collect-manifest.js';
import { TOOL_VERSION } from '../../src/version.js';
import { addDigests } from '../fake-aws/digests.js';
import { DEMO_ACCOUNT_DIR, loadFakeAccount } from '../fake-aws/account.js';
import { useFakeAws } from '../fake-aws/lifecycle.js';

const AS_OF = new Date('2026-11-20T00:00:00Z');
/** The collection runs an hour after as-of (a clock that stands still, so every time is known). */
const COLLECTED_AT = new Date('2026-11-20T01:00:00Z');
const DAY = 86_400_000;
const FAST_POLL = { initialMs: 5, maxMs: 20, timeoutMs: 2000 };
const ACCOUNT = '111122223333';
const BUCKET = 'demo-cloudtrail-archive';
const DEMO_DIR = join(DEMO_ACCOUNT_DIR, '..', '..');

const start = useFakeAws();

function options(days: number, extra: Partial<CollectAwsOptions> = {}): CollectAwsOptions {
  return {
    outDir: mkdtempSync(join(tmpdir(), 'permdrift-manifest-')),
    regions: [],
    windowStart: new Date(AS_OF.getTime() - days * DAY),
    asOf: AS_OF,
    cloudTrailSource: 'auto',
    accessAdvisorPoll: FAST_POLL,
    credentialReportPoll: FAST_POLL,
    now: () => COLLECTED_AT,
    ...extra,
  };
}

function json(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** The manifest on disk, checked to be what the snapshot reader accepts, unchanged by it. */
function manifestOf(accountDir: string): CollectManifest {
  const file = join(accountDir, COLLECT_MANIFEST_FILE);
  const onDisk = json(file);
  const parsed = parseCollectManifest(onDisk, COLLECT_MANIFEST_FILE);
  expect(parsed).toEqual(onDisk);
  return parsed;
}

function filesUnder(dir: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
        .sort()
    : [];
}

const iso = (d: Date | number): string => new Date(d).toISOString();

describe('collect-manifest.json from collect aws (S3 archive)', () => {
  it('records every source read and both regions read in full; digests land where the snapshot reader takes them; the offline scan uses them without a warning', async () => {
    const account = loadFakeAccount();
    const windowStart = new Date(AS_OF.getTime() - 5 * DAY);
    const digestKeys = addDigests(account, windowStart, AS_OF);
    // One digest before the window: its day folder is not listed.
    addDigests(account, new Date(windowStart.getTime() - 3 * DAY), new Date(windowStart.getTime() - 3 * DAY + 3_600_000));
    await start({ account });
    const r = await collectAws(options(5));
    expect(r.warnings).toEqual([]);

    const m = manifestOf(r.accountDir);
    const logFiles = filesUnder(join(r.accountDir, 'cloudtrail')).filter((f) => !f.includes('CloudTrail-Digest'));
    expect(logFiles.length).toBeGreaterThan(5);
    expect(m).toEqual({
      schemaVersion: 1,
      provider: 'aws',
      scope: ACCOUNT,
      tool: `permdrift ${TOOL_VERSION}`,
      complete: true,
      startedAt: iso(COLLECTED_AT),
      finishedAt: iso(COLLECTED_AT),
      sources: {
        'access-advisor': { readAt: iso(COLLECTED_AT) },
        cloudtrail: { readAt: iso(COLLECTED_AT) },
        'cloudtrail-describe-trails': { readAt: iso(COLLECTED_AT) },
        'cloudtrail-get-event-selectors': { readAt: iso(COLLECTED_AT) },
        'cloudtrail-get-trail-status': { readAt: iso(COLLECTED_AT) },
        'iam-get-account-authorization-details': { readAt: iso(COLLECTED_AT) },
        // IAM hands out a cached report: its data is as of its GeneratedTime, before the call.
        'iam-get-credential-report': { readAt: '2026-11-19T23:30:00.000Z' },
        'sts-get-caller-identity': { readAt: iso(COLLECTED_AT) },
      },
      logs: {
        source: 's3',
        requested: { start: iso(windowStart), end: iso(AS_OF) },
        complete: [
          { scope: 'eu-west-1', start: iso(windowStart), end: iso(AS_OF) },
          { scope: 'us-east-1', start: iso(windowStart), end: iso(AS_OF) },
        ],
        failed: [],
        filesWritten: logFiles.length,
      },
    });
    // Written last, through a temporary file that is gone.
    expect(readdirSync(r.accountDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    // Digests: every one of the window's day folders, kept at their key below cloudtrail/.
    const digests = filesUnder(join(r.accountDir, 'cloudtrail')).filter((f) => f.includes('/CloudTrail-Digest/'));
    expect(digests).toEqual([...digestKeys].sort());
    // The trail status of the chosen trail, where the snapshot reader looks for it.
    expect(parseTrailStatus(json(join(r.accountDir, TRAIL_STATUS_FILE)), TRAIL_STATUS_FILE)).toMatchObject({
      isLogging: true,
      startLoggingTime: '2024-01-01T00:00:00.000Z',
    });

    // Read back offline: the manifest, the status and every digest are evidence, none a warning.
    const [files] = await discoverAwsSnapshot(join(r.accountDir, '..', '..'));
    expect(files?.cloudTrailDigests).toHaveLength(digestKeys.length);
    expect(files?.cloudTrail).toHaveLength(logFiles.length);
    const loaded = await loadAwsAccount(files ?? (undefined as never), { windowStart: iso(windowStart), asOf: iso(AS_OF), workers: 1 });
    // The demo's own warning (a service-linked role's policy left out of the export) and no other.
    const [demoFiles] = await discoverAwsSnapshot(DEMO_DIR);
    const demo = await loadAwsAccount(demoFiles ?? (undefined as never), { windowStart: iso(windowStart), asOf: iso(AS_OF), workers: 1 });
    expect(demo.warnings.map((w) => w.code)).toEqual(['missing-managed-policy']);
    expect(loaded.warnings.map((w) => w.code)).toEqual(['missing-managed-policy']);
    expect(loaded.activity.delivery?.digests?.failed).toEqual([]);
    expect(loaded.activity.delivery?.digests?.digests).toHaveLength(digestKeys.length);
    expect(loaded.inventory.readAt).toEqual({ time: iso(COLLECTED_AT), basis: 'collect-manifest' });
    const delivery = accountDelivery(loaded.activity);
    expect(delivery.negatives).toEqual([]);
    expect(delivery.proofs).toContain(`${digestKeys.length} digest file(s) whose listed log files are all in the snapshot`);
    expect(delivery.proofs.some((p) => p.startsWith('collection manifest (s3,'))).toBe(true);
    // The logs were read up to --as-of (before the collection time): the evidence ends there.
    expect(delivery.evidenceEndMs).toBe(AS_OF.getTime());
    expect(gapsIn(delivery, windowStart.getTime(), AS_OF.getTime())).toEqual([]);

    // The scan files path over the same snapshot: no warning either.
    const report = await auditFiles({ dir: join(r.accountDir, '..', '..'), asOf: AS_OF, windowMs: 5 * DAY, workers: 1 });
    const demoReport = await auditFiles({ dir: DEMO_DIR, asOf: AS_OF, windowMs: 5 * DAY, workers: 1 });
    expect(report.warnings).toEqual(demoReport.warnings);
    expect(report.warnings.map((w) => w.code)).toEqual(['missing-managed-policy']);
  });

  it('a day folder denied to the collector is a failed span of its region, named with the prefix; the rest of the region stays complete', async () => {
    const denied = `AWSLogs/${ACCOUNT}/CloudTrail/eu-west-1/2026/11/17/`;
    await start({
      account: loadFakeAccount(),
      faults: [{ service: 's3', action: 'ListObjectsV2', kind: 'access-denied', times: Infinity, when: { prefix: denied } }],
    });
    const r = await collectAws(options(5, { isAccessAdvisorWanted: false, isCredentialReportWanted: false }));
    expect(r.warnings.map((w) => w.code)).toEqual(['cloudtrail-object-unreadable']);
    const m = manifestOf(r.accountDir);
    const windowStart = iso(AS_OF.getTime() - 5 * DAY);
    // The folder holds the files delivered that day, whose calls may go back a delivery cadence (1 h).
    expect(m.logs.failed).toEqual([
      {
        scope: 'eu-west-1',
        start: '2026-11-16T23:00:00.000Z',
        end: '2026-11-18T00:00:00.000Z',
        reason: `AccessDenied listing the day folders of s3://${BUCKET}/AWSLogs/${ACCOUNT}/CloudTrail/eu-west-1/ (User is not authorized to perform this action)`,
      },
    ]);
    expect(m.logs.complete).toEqual([
      { scope: 'eu-west-1', start: windowStart, end: '2026-11-16T23:00:00.000Z' },
      { scope: 'eu-west-1', start: '2026-11-18T00:00:00.000Z', end: iso(AS_OF) },
      { scope: 'us-east-1', start: windowStart, end: iso(AS_OF) },
    ]);
    // Offline, the failed span is a gap of the account's evidence.
    const [files] = await discoverAwsSnapshot(join(r.accountDir, '..', '..'));
    const loaded = await loadAwsAccount(files ?? (undefined as never), { windowStart, asOf: iso(AS_OF), workers: 1 });
    const negatives = accountDelivery(loaded.activity).negatives.filter((n) => n.kind === 'collection-failed');
    expect(negatives.map((n) => [iso(n.start), iso(n.end)])).toEqual([['2026-11-16T23:00:00.000Z', '2026-11-18T00:00:00.000Z']]);
  });

  it('a log file that cannot be downloaded fails the hour before its delivery time; a denied digest is a warning, not a log gap', async () => {
    const account = loadFakeAccount();
    const windowStart = new Date(AS_OF.getTime() - 3 * DAY);
    const digestKeys = addDigests(account, windowStart, AS_OF);
    const lost = Object.keys(account.buckets[BUCKET] ?? {}).find((k) => k.includes('/CloudTrail/us-east-1/2026/11/18/'));
    expect(lost).toBeDefined();
    const lostDigest = digestKeys[5] ?? '';
    await start({
      account,
      faults: [
        { service: 's3', action: 'GetObject', kind: 'access-denied', times: Infinity, when: { key: lost ?? '' } },
        { service: 's3', action: 'GetObject', kind: 'access-denied', times: Infinity, when: { key: lostDigest } },
      ],
    });
    const r = await collectAws(options(3, { isAccessAdvisorWanted: false, isCredentialReportWanted: false }));
    expect(r.warnings.map((w) => w.code)).toEqual(['cloudtrail-digest-unreadable', 'cloudtrail-object-unreadable']);
    expect(r.warnings[0]?.message).toContain(`first: ${lostDigest}`);
    const m = manifestOf(r.accountDir);
    // 111122223333_CloudTrail_us-east-1_20261118T2355Z_…: calls from 22:55 on.
    expect(m.logs.failed).toEqual([
      {
        scope: 'us-east-1',
        start: '2026-11-18T22:55:00.000Z',
        end: '2026-11-18T23:55:00.000Z',
        reason: `AccessDenied reading log files of s3://${BUCKET}/AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/ (User is not authorized to perform this action)`,
      },
    ]);
    expect(m.logs.complete.filter((s) => s.scope === 'eu-west-1')).toEqual([{ scope: 'eu-west-1', start: iso(windowStart), end: iso(AS_OF) }]);
    expect(filesUnder(join(r.accountDir, 'cloudtrail')).filter((f) => f.includes('CloudTrail-Digest'))).toHaveLength(digestKeys.length - 1);
  });

  it('a listing given up at the page guard is not complete', async () => {
    const account = loadFakeAccount();
    const objects = account.buckets[BUCKET] ?? {};
    const folder = `AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/2026/11/18/`;
    const one = Object.entries(objects).find(([k]) => k.startsWith(folder));
    if (!one) throw new Error('the demo archive has no file on 2026-11-18');
    // Three files in the folder at one key a page: a third page the guard of two does not allow.
    objects[`${folder}${ACCOUNT}_CloudTrail_us-east-1_20261118T1200Z_extra1.json.gz`] = one[1];
    objects[`${folder}${ACCOUNT}_CloudTrail_us-east-1_20261118T1300Z_extra2.json.gz`] = one[1];
    await start({ account, s3PageSize: 1 });
    const r = await collectAws(options(3, { maxListPages: 2, isAccessAdvisorWanted: false, isCredentialReportWanted: false }));
    expect(r.warnings.map((w) => w.code)).toEqual(['cloudtrail-object-unreadable']);
    const m = manifestOf(r.accountDir);
    expect(m.logs.failed).toEqual([
      {
        scope: 'us-east-1',
        start: '2026-11-17T23:00:00.000Z',
        end: '2026-11-19T00:00:00.000Z',
        reason: `ListingIncomplete listing the day folders of s3://${BUCKET}/AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/ (the listing of ${folder} was given up after 2 pages)`,
      },
    ]);
  });

  it('--cloudtrail-source s3 with the bucket unreadable: the whole window failed, nothing complete', async () => {
    await start({ account: loadFakeAccount(), faults: [{ service: 's3', action: 'ListObjectsV2', kind: 'access-denied', times: Infinity }] });
    const r = await collectAws(options(5, { cloudTrailSource: 's3', isAccessAdvisorWanted: false, isCredentialReportWanted: false }));
    expect(r.usageSource).toBe('none');
    const m = manifestOf(r.accountDir);
    expect(m.logs).toEqual({
      source: 's3',
      requested: { start: iso(AS_OF.getTime() - 5 * DAY), end: iso(AS_OF) },
      complete: [],
      failed: [
        {
          scope: `s3://${BUCKET}`,
          start: iso(AS_OF.getTime() - 5 * DAY),
          end: iso(AS_OF),
          reason: `AccessDenied listing s3://${BUCKET} (User is not authorized to perform this action)`,
        },
      ],
      filesWritten: 0,
    });
    expect(m.sources['cloudtrail']).toBeUndefined();
  });

  it('--cloudtrail-source none: no log span claimed; a denied optional read has no readAt', async () => {
    await start({ account: loadFakeAccount(), faults: [{ service: 'cloudtrail', action: 'GetEventSelectors', kind: 'access-denied', times: Infinity }] });
    const r = await collectAws(options(5, { cloudTrailSource: 'none', isAccessAdvisorWanted: false, isCredentialReportWanted: false }));
    expect(r.warnings.map((w) => w.code)).toEqual(['cloudtrail-selectors-failed']);
    const m = manifestOf(r.accountDir);
    expect(m.logs).toMatchObject({ source: 'none', complete: [], failed: [], filesWritten: 0 });
    expect(Object.keys(m.sources)).toEqual([
      'cloudtrail-describe-trails',
      'cloudtrail-get-trail-status',
      'iam-get-account-authorization-details',
      'sts-get-caller-identity',
    ]);
  });
});

describe('collect-manifest.json from collect aws (LookupEvents)', () => {
  it('a region whose LookupEvents fails is failed whole; the span beyond 90 days is failed in every region; a region read in full is complete', async () => {
    await start({
      account: loadFakeAccount(),
      faults: [{ service: 'cloudtrail', action: 'LookupEvents', kind: 'invalid-token', times: Infinity, when: { region: 'ap-east-1' } }],
    });
    const r = await collectAws(
      options(120, { cloudTrailSource: 'lookup-events', regions: ['us-east-1', 'ap-east-1'], isAccessAdvisorWanted: false, isCredentialReportWanted: false }),
    );
    expect(r.warnings.map((w) => w.code)).toEqual(['lookup-events-incomplete']);
    const m = manifestOf(r.accountDir);
    const windowStart = iso(AS_OF.getTime() - 120 * DAY);
    const reach = iso(AS_OF.getTime() - 90 * DAY);
    expect(m.logs.source).toBe('lookup-events');
    expect(m.logs.complete).toEqual([{ scope: 'us-east-1', start: reach, end: iso(AS_OF) }]);
    expect(m.logs.failed).toEqual([
      { scope: 'ap-east-1', start: windowStart, end: reach, reason: 'LookupEvents answers only the last 90 days' },
      {
        scope: 'ap-east-1',
        start: reach,
        end: iso(AS_OF),
        reason: expect.stringMatching(
          /^LookupEvents stopped after 0 events \(UnrecognizedClientException: .*is ap-east-1 enabled for this account\?\)$/,
        ) as string,
      },
      { scope: 'us-east-1', start: windowStart, end: reach, reason: 'LookupEvents answers only the last 90 days' },
    ]);
    expect(m.sources['cloudtrail']).toEqual({ readAt: iso(COLLECTED_AT) });
  });

  it('LookupEvents stopping after some pages: complete from just after the oldest event read, failed before it', async () => {
    const f = await start({
      account: loadFakeAccount(),
      lookupPageSize: 30,
      faults: [{ service: 'cloudtrail', action: 'LookupEvents', kind: 'server-error', times: Infinity, after: 2, when: { region: 'us-east-1' } }],
    });
    const r = await collectAws(
      options(30, { cloudTrailSource: 'lookup-events', regions: ['us-east-1'], maxAttempts: 1, isAccessAdvisorWanted: false, isCredentialReportWanted: false }),
    );
    expect(f.calls('cloudtrail', 'LookupEvents').map((c) => c.status)).toEqual([200, 200, 500]);
    const written = (json(join(r.accountDir, 'cloudtrail', 'lookup-events', 'us-east-1.json')) as { Events: { EventTime: string }[] }).Events;
    expect(written).toHaveLength(60);
    const oldest = Math.min(...written.map((e) => Date.parse(e.EventTime)));
    const m = manifestOf(r.accountDir);
    expect(m.logs.filesWritten).toBe(2);
    expect(m.logs.complete).toEqual([{ scope: 'us-east-1', start: iso(oldest + 1000), end: iso(AS_OF) }]);
    expect(m.logs.failed).toEqual([
      {
        scope: 'us-east-1',
        start: iso(AS_OF.getTime() - 30 * DAY),
        end: iso(oldest + 1000),
        reason: expect.stringMatching(/^LookupEvents stopped after 60 events \(InternalError|ServiceUnavailable/) as string,
      },
    ]);
  });
});
