// Hand-made CloudTrail inputs (fixtures/aws/cloudtrail-reader) and broken files made on the fly.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { CallAggregate } from '../../src/model/aws/activity.js';
import { CallerCache } from '../../src/connectors/aws/cloudtrail/caller-cache.js';
import { CallStore } from '../../src/connectors/aws/cloudtrail/call-store.js';
import { aggregateCloudTrailFile } from '../../src/connectors/aws/cloudtrail/read-cloudtrail-file.js';
import { readCloudTrail } from '../../src/connectors/aws/cloudtrail/read-cloudtrail.js';

const FIX = join(import.meta.dirname, '../../fixtures/aws/cloudtrail-reader');
const INVICTUS = join(import.meta.dirname, '../../fixtures/aws/invictus-cloudtrail/CloudTrail');
const ACCOUNT = '111122223333';
const WINDOW = { account: ACCOUNT, windowStart: '2026-06-01T00:00:00Z', asOf: '2026-06-30T00:00:00Z' };
const tmp = mkdtempSync(join(tmpdir(), 'permdrift-ct-reader-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function write(name: string, content: string | Buffer): string {
  const path = join(tmp, name);
  writeFileSync(path, content);
  return path;
}

async function read(files: string[], overrides: Partial<typeof WINDOW> = {}) {
  return readCloudTrail({ files, ...WINDOW, ...overrides, workers: 1 });
}

function total(calls: CallAggregate[], pred: (c: CallAggregate) => boolean = () => true): number {
  return calls.filter(pred).reduce((s, c) => s + c.count, 0);
}

describe('lookup-events output', () => {
  it('reads the CloudTrailEvent strings and ignores NextToken', async () => {
    const r = await read([join(FIX, 'lookup-events.json')]);
    expect(r.coverage.filesFailed).toEqual([]);
    expect(r.coverage.eventsRead).toBe(3);
    const deployer = r.calls.filter((c) => c.callerArn === 'arn:aws:iam::111122223333:role/ci/deployer');
    expect(deployer).toEqual([
      expect.objectContaining({
        callerType: 'AssumedRole',
        eventName: 'ListBuckets',
        count: 2,
        firstSeen: '2026-06-10T08:00:00.000Z',
        lastSeen: '2026-06-10T09:30:00.000Z',
        isDenied: false,
      }),
    ]);
    const ops = r.calls.find((c) => c.callerArn === 'arn:aws:iam::111122223333:user/ops');
    expect(ops).toMatchObject({ eventName: 'TerminateInstances', region: 'eu-west-1', isDenied: true, count: 1 });
    expect(r.coverage.regions).toEqual(['eu-west-1', 'us-east-1']);
    expect(r.coverage.lookupEventsFiles).toBe(1);
    expect(r.coverage.lookupEventsRegions).toEqual(['eu-west-1', 'us-east-1']);
  });

  it('counts lookup-events files apart from log files as delivered to S3', async () => {
    const r = await read([join(FIX, 'lookup-events.json'), join(INVICTUS, '218007301253_CloudTrail_us-east-1_20230710T1145Z_7xgocspSowgK0Gto.json')]);
    expect(r.coverage.filesRead).toBe(2);
    expect(r.coverage.lookupEventsFiles).toBe(1);
    expect(r.coverage.lookupEventsRegions).toEqual(['eu-west-1', 'us-east-1']);
  });
});

describe('records split across stream chunks', () => {
  const window = { account: ACCOUNT, windowStart: '2026-06-01T00:00:00.000Z', asOf: '2026-06-30T00:00:00.000Z' };

  async function byChunks(file: string, readChunkBytes?: number, gunzipChunkBytes?: number) {
    const outcome = await aggregateCloudTrailFile(file, window, new CallerCache(), undefined, {
      ...(readChunkBytes !== undefined ? { readChunkBytes } : {}),
      ...(gunzipChunkBytes !== undefined ? { gunzipChunkBytes } : {}),
    });
    expect(outcome.report).toMatchObject({ isOk: true });
    return { report: outcome.report, calls: (outcome.calls ?? new CallStore()).toCalls().sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) };
  }

  it('decodes escapes and ignores look-alike keys nested in strings and objects', async () => {
    const { calls } = await byChunks(join(FIX, 'tricky-strings.json'));
    const expected = (JSON.parse(readFileSync(join(FIX, 'tricky-strings.json'), 'utf8')) as { Records: Record<string, unknown>[] }).Records;
    expect(total(calls)).toBe(expected.length);
    expect(calls.find((c) => c.eventName === 'PutObject')).toMatchObject({
      callerType: 'IAMUser',
      callerArn: 'arn:aws:iam::111122223333:user/dev/zoé',
      eventSource: 's3.amazonaws.com',
      firstSeen: '2026-06-10T12:00:00.000Z',
    });
    // `Access\u0044enied` is AccessDenied once unescaped.
    expect(calls.find((c) => c.eventName === 'Invoke')).toMatchObject({ callerArn: 'arn:aws:iam::111122223333:role/service-role/app', isDenied: true });
    // Pretty-printed record, keys in another order, escaped eventSource, no recipientAccountId.
    expect(calls.find((c) => c.eventName === 'PutEvents')).toMatchObject({
      eventSource: 'events.amazonaws.com',
      account: ACCOUNT,
      callerArn: 'arn:aws:iam::111122223333:role/service-role/app',
    });
    expect(calls.some((c) => c.eventName === 'NotThisOne' || c.callerType === 'Root')).toBe(false);
  });

  it('gives the same result whatever the chunk size (plain and gzip)', async () => {
    const file = join(FIX, 'tricky-strings.json');
    const gz = write('tricky.json.gz', gzipSync(readFileSync(file)));
    const whole = await byChunks(file);
    for (const size of [1, 2, 3, 7, 64, 333]) expect(await byChunks(file, size)).toEqual(whole);
    const fromGz = await byChunks(gz, 5, 64);
    expect(fromGz.calls).toEqual(whole.calls);
    expect(fromGz.report.isOk && fromGz.report.stats).toEqual(whole.report.isOk && whole.report.stats);
    // bytesRead counts the compressed bytes.
    expect(fromGz.report.isOk && fromGz.report.bytesRead).toBe(readFileSync(gz).length);
    // A real file, one byte at a time.
    const invictus = join(INVICTUS, '218007301253_CloudTrail_us-east-1_20230710T1145Z_7xgocspSowgK0Gto.json');
    const inv = await byChunks(invictus);
    expect(await byChunks(invictus, 1)).toEqual(inv);
    expect(inv.report.isOk && inv.report.stats.eventsRead).toBe((JSON.parse(readFileSync(invictus, 'utf8')) as { Records: unknown[] }).Records.length);
  });
});

describe('bad input is data', () => {
  const good = join(FIX, 'error-codes.json');
  const goodEvents = (JSON.parse(readFileSync(good, 'utf8')) as { Records: unknown[] }).Records.length;

  it('a truncated or corrupt gzip fails alone; other files still count', async () => {
    const gz = gzipSync(readFileSync(join(INVICTUS, '218007301253_CloudTrail_us-east-1_20230710T1145Z_7xgocspSowgK0Gto.json')));
    const truncated = write('truncated.json.gz', gz.subarray(0, Math.floor(gz.length / 2)));
    const corrupt = Buffer.from(gz);
    for (let i = 200; i < 260; i++) corrupt[i] = (corrupt[i] as number) ^ 0x5a;
    const corruptPath = write('corrupt.json.gz', corrupt);
    const r = await read([truncated, good, corruptPath]);
    expect(r.coverage.filesRead).toBe(1);
    expect(r.coverage.eventsRead).toBe(goodEvents);
    expect(total(r.calls)).toBe(goodEvents);
    expect(r.coverage.filesFailed.map((f) => f.file)).toEqual([corruptPath, truncated]);
    expect(r.coverage.filesFailed[1]?.reason).toMatch(/truncated|unexpected end/i);
    expect(r.coverage.filesFailed[0]?.reason).toMatch(/gzip|invalid|truncated/i);
    expect(r.coverage.bytesRead).toBe(readFileSync(good).length);
  });

  it('a file failing half-way contributes nothing', async () => {
    const text = readFileSync(good, 'utf8');
    const cut = write('half.json', text.slice(0, Math.floor(text.length * 0.8)));
    const garbage = write('garbage-tail.json', text.replace(/\]\}$/, ',{"eventTime": oops}]}'));
    const r = await read([cut, garbage]);
    expect(r.coverage.filesRead).toBe(0);
    expect(r.coverage.eventsRead).toBe(0);
    expect(r.calls).toEqual([]);
    expect(r.coverage.firstEvent).toBeNull();
    const reasons = Object.fromEntries(r.coverage.filesFailed.map((f) => [f.file, f.reason]));
    expect(reasons[cut]).toMatch(/truncated/);
    expect(reasons[garbage]).toMatch(/invalid JSON/);
  });

  it('JSON that is not CloudTrail, empty files and missing files are reported', async () => {
    const files = {
      roles: write('roles.json', JSON.stringify({ Roles: [{ RoleName: 'x', Arn: 'arn:aws:iam::1:role/x' }] })),
      array: write('array.json', JSON.stringify([{ eventTime: '2026-06-10T00:00:00Z' }])),
      recordsNotArray: write('records-object.json', JSON.stringify({ Records: { a: 1 } })),
      empty: write('empty.json', ''),
      text: write('notes.json', 'hello world'),
      missing: join(tmp, 'does-not-exist.json'),
    };
    const r = await read([...Object.values(files), good]);
    expect(r.coverage.filesRead).toBe(1);
    expect(total(r.calls)).toBe(goodEvents);
    const reasons = Object.fromEntries(r.coverage.filesFailed.map((f) => [f.file, f.reason]));
    expect(Object.keys(reasons).sort()).toEqual(Object.values(files).sort());
    expect(reasons[files.roles]).toMatch(/not a CloudTrail file/);
    expect(reasons[files.array]).toMatch(/not a CloudTrail file/);
    expect(reasons[files.recordsNotArray]).toMatch(/not an array/);
    expect(reasons[files.empty]).toMatch(/empty/);
    expect(reasons[files.text]).toMatch(/not a CloudTrail file/);
    expect(reasons[files.missing]).toMatch(/not found/);
  });

  it('an empty Records array is a valid file with no events', async () => {
    const r = await read([write('no-records.json', '{"Records":[]}\n')]);
    expect(r.coverage).toMatchObject({ filesRead: 1, eventsRead: 0, filesFailed: [], firstEvent: null });
  });
});

describe('denied attempts vs other errors', () => {
  it('only the access-denied family is denied; NoSuchKey and friends are usage', async () => {
    const r = await read([join(FIX, 'error-codes.json')]);
    const denied = Object.fromEntries(r.calls.map((c) => [c.eventName, c.isDenied]));
    expect(denied).toEqual({
      GetObject: true, // AccessDenied
      DescribeTable: true, // AccessDeniedException
      RunInstances: true, // Client.UnauthorizedOperation
      Publish: true, // SNS AuthorizationError
      GetParameter: true, // unknown code, but IAM's "is not authorized to perform" message
      HeadObject: false, // NoSuchKey: authorization passed
      PutItem: false, // ValidationException
      DescribeInstances: false, // ThrottlingException
      InitiateAuth: false, // Cognito's wrong-password error, not an IAM denial
      ListBuckets: false, // no error
    });
  });
});

describe('window, before-window and after asOf', () => {
  it('splits events by period with inclusive bounds', async () => {
    const r = await read([join(FIX, 'window-periods.json')]);
    const rows = Object.fromEntries(r.calls.map((c) => [c.period, c]));
    expect(r.calls).toHaveLength(2);
    expect(rows['before-window']).toMatchObject({ count: 2, firstSeen: '2026-05-01T00:00:00.000Z', lastSeen: '2026-05-31T23:59:59.000Z' });
    expect(rows['window']).toMatchObject({ count: 3, firstSeen: '2026-06-01T00:00:00.000Z', lastSeen: '2026-06-30T00:00:00.000Z' });
    expect(r.coverage.eventsAfterAsOf).toBe(2);
    expect(r.coverage.eventsRead).toBe(7);
    expect(r.coverage.firstEvent).toBe('2026-05-01T00:00:00.000Z');
    expect(r.coverage.lastEvent).toBe('2026-07-02T00:00:00.000Z');
    // Regions of every event read, the ones after asOf included.
    expect(r.coverage.regions).toEqual(['ap-south-1', 'us-east-1']);
  });

  it('compares times with milliseconds and offsets correctly', async () => {
    const r = await read([join(FIX, 'window-periods.json')], { windowStart: '2026-06-01T00:00:00.500Z', asOf: '2026-06-30T02:00:00+02:00' });
    const rows = Object.fromEntries(r.calls.map((c) => [c.period, c.count]));
    // 2026-06-01T00:00:00Z is now before the window; asOf is the same instant as before.
    expect(rows).toEqual({ 'before-window': 3, window: 2 });
    expect(r.coverage.eventsAfterAsOf).toBe(2);
  });

  it('rejects bounds that are not times', async () => {
    await expect(read([], { asOf: 'yesterday' })).rejects.toThrow(/asOf/);
  });
});

describe('caller mapping', () => {
  it('keeps every kind of caller apart', async () => {
    const r = await read([join(FIX, 'caller-types.json')]);
    const callers = r.calls
      .filter((c) => c.period !== 'unknown-time')
      .map((c) => `${c.callerType} ${c.callerArn}`)
      .sort();
    expect(callers).toEqual(
      [
        'AWSAccount null',
        'AWSService ec2.amazonaws.com', // no type, only invokedBy: a service event
        'AWSService lambda.amazonaws.com',
        'AssumedRole arn:aws:iam::111122223333:role/no-issuer-role', // derived from the session ARN
        'FederatedUser arn:aws:sts::111122223333:federated-user/bob',
        'IAMUser arn:aws:iam::111122223333:user/alice',
        'IAMUser arn:aws:iam::111122223333:user/carol', // no ARN: named from userName
        'IdentityCenterUser null',
        'Root arn:aws:iam::111122223333:root',
        'SAMLUser null',
        'Unknown arn:aws:iam::111122223333:thing/new',
        'Unknown null', // no userIdentity at all
        'WebIdentityUser null',
      ].sort(),
    );
    expect(r.coverage.recordsSkipped).toBe(3);
    expect(r.coverage.eventsRead).toBe(13);
    // The two records without a usable time (the file name gives none) stay with their caller.
    expect(r.calls.filter((c) => c.period === 'unknown-time')).toEqual([
      expect.objectContaining({ callerArn: 'arn:aws:iam::111122223333:user/alice', eventName: 'X', count: 2, firstSeen: '', lastSeen: '' }),
    ]);
    const file = join(FIX, 'caller-types.json');
    expect(r.coverage.recordsUnusable).toEqual([
      { file, reason: 'not-a-cloudtrail-event', count: 1 },
      { file, reason: 'time-invalid', count: 1 },
      { file, reason: 'time-missing', count: 1 },
    ]);
  });

  it('falls back to the folder account when recipientAccountId is absent', async () => {
    const r = await read([join(FIX, 'caller-types.json')], { account: '999999999999' });
    const alice = r.calls.filter((c) => c.callerArn === 'arn:aws:iam::111122223333:user/alice');
    // The window record has no recipientAccountId; the two without a usable time name 111122223333.
    expect(alice.map((c) => [c.period, c.account])).toEqual([
      ['unknown-time', '111122223333'],
      ['window', '999999999999'],
    ]);
    expect(r.calls.filter((c) => c.account === '999999999999')).toHaveLength(1);
  });
});
