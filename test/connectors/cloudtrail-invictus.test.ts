// The whole Invictus IR CloudTrail dataset (MIT, fixtures/aws/invictus-cloudtrail/LICENSE) streamed
// by the reader; expected figures come from a plain JSON.parse of the same small files.

import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallAggregate } from '../../src/model/aws/activity.js';
import { readCloudTrail } from '../../src/connectors/aws/cloudtrail/read-cloudtrail.js';

const DIR = join(import.meta.dirname, '../../fixtures/aws/invictus-cloudtrail/CloudTrail');
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => join(DIR, f));
const ACCOUNT = '123837392027';

interface RawRecord {
  eventTime: string;
  eventSource: string;
  eventName: string;
  errorCode?: string;
  userIdentity?: { type?: string; arn?: string; invokedBy?: string; sessionContext?: { sessionIssuer?: { type?: string; arn?: string } } };
}

const records: RawRecord[] = FILES.flatMap((f) => (JSON.parse(readFileSync(f, 'utf8')) as { Records: RawRecord[] }).Records);

/** Independent attribution: straight from the parsed objects. */
function expectedCaller(r: RawRecord): string {
  const ui = r.userIdentity ?? {};
  if (ui.type === 'AssumedRole') return `AssumedRole ${ui.sessionContext?.sessionIssuer?.arn}`;
  if (ui.type === 'IAMUser') return `IAMUser ${ui.arn ?? '(no arn)'}`;
  if (ui.type === 'AWSService' || (ui.type === undefined && ui.invokedBy !== undefined)) return `AWSService ${ui.invokedBy}`;
  return `${ui.type} ${ui.arn}`;
}

function countBy<T>(items: T[], key: (t: T) => string, weight: (t: T) => number = () => 1): Map<string, number> {
  const m = new Map<string, number>();
  for (const it of items) m.set(key(it), (m.get(key(it)) ?? 0) + weight(it));
  return m;
}

const window = { account: ACCOUNT, windowStart: '2023-07-01T00:00:00Z', asOf: '2023-07-11T00:00:00Z' };

describe('Invictus CloudTrail dataset', () => {
  let calls: CallAggregate[];
  let result: Awaited<ReturnType<typeof readCloudTrail>>;
  let tmp: string;

  beforeAll(async () => {
    result = await readCloudTrail({ files: FILES, ...window, workers: 1 });
    calls = result.calls;
    tmp = mkdtempSync(join(tmpdir(), 'permdrift-invictus-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('reads every event of every file', () => {
    expect(FILES).toHaveLength(55);
    expect(records).toHaveLength(2900);
    expect(result.coverage.eventsRead).toBe(records.length);
    expect(result.coverage.filesRead).toBe(FILES.length);
    expect(result.coverage.filesFailed).toEqual([]);
    expect(result.coverage.recordsSkipped).toBe(0);
    expect(result.coverage.eventsAfterAsOf).toBe(0);
    expect(calls.reduce((s, c) => s + c.count, 0)).toBe(records.length);
    const times = records.map((r) => r.eventTime).sort();
    expect(result.coverage.firstEvent).toBe(times[0]?.replace('Z', '.000Z'));
    expect(result.coverage.lastEvent).toBe(times[times.length - 1]?.replace('Z', '.000Z'));
    expect(result.coverage.regions).toEqual([...new Set(records.map((r) => (r as unknown as { awsRegion: string }).awsRegion))].sort());
    expect(result.coverage.bytesRead).toBe(FILES.reduce((s, f) => s + readFileSync(f).length, 0));
  });

  it('attributes events per principal like a plain JSON.parse does', () => {
    const expected = countBy(records, expectedCaller);
    const got = countBy(
      calls,
      (c) => `${c.callerType} ${c.callerArn ?? '(no arn)'}`,
      (c) => c.count,
    );
    // One console sign-in event of bert-jan carries no ARN; the reader names the user from userName.
    const noArn = expected.get('IAMUser (no arn)') ?? 0;
    expect(noArn).toBe(1);
    expected.delete('IAMUser (no arn)');
    const bertJan = 'IAMUser arn:aws:iam::123837392027:user/bert-jan';
    expected.set(bertJan, (expected.get(bertJan) ?? 0) + noArn);
    expect(new Map([...got].sort())).toEqual(new Map([...expected].sort()));
    expect(got.get('IAMUser arn:aws:iam::123837392027:user/benjamin')).toBe(105);
  });

  it('keeps role paths from the session issuer', () => {
    const slr = calls.filter((c) => c.callerArn === 'arn:aws:iam::123837392027:role/aws-service-role/rds.amazonaws.com/AWSServiceRoleForRDS');
    expect(slr.reduce((s, c) => s + c.count, 0)).toBe(
      records.filter((r) => r.userIdentity?.sessionContext?.sessionIssuer?.arn?.endsWith('/AWSServiceRoleForRDS')).length,
    );
    expect(calls.some((c) => c.callerArn?.startsWith('arn:aws:sts:'))).toBe(false);
  });

  it('counts access-denied errors as denied and other errors as usage', () => {
    const deniedCodes = new Set(['AccessDenied', 'Client.UnauthorizedOperation']);
    const denied = records.filter((r) => r.errorCode !== undefined && deniedCodes.has(r.errorCode)).length;
    expect(denied).toBe(60);
    expect(calls.filter((c) => c.isDenied).reduce((s, c) => s + c.count, 0)).toBe(denied);
    const throttled = records.filter((r) => r.errorCode === 'ThrottlingException');
    expect(throttled.length).toBeGreaterThan(0);
    // Throttled calls passed authorization: usage.
    const perCall = countBy(
      records.filter((r) => !(r.errorCode !== undefined && deniedCodes.has(r.errorCode))),
      (r) => `${r.eventSource} ${r.eventName}`,
    );
    const gotPerCall = countBy(
      calls.filter((c) => !c.isDenied),
      (c) => `${c.eventSource} ${c.eventName}`,
      (c) => c.count,
    );
    expect(new Map([...gotPerCall].sort())).toEqual(new Map([...perCall].sort()));
  });

  it('reads the same data gzipped, told apart by magic bytes rather than the name', async () => {
    const gzFiles = FILES.map((f, i) => {
      // Every fifth file keeps its .json name although gzipped.
      const out = join(tmp, `${i}-${f.split('/').pop()}${i % 5 === 0 ? '' : '.gz'}`);
      writeFileSync(out, gzipSync(readFileSync(f)));
      return out;
    });
    const gz = await readCloudTrail({ files: gzFiles, ...window, workers: 1 });
    expect(gz.calls).toEqual(calls);
    expect(gz.coverage.eventsRead).toBe(2900);
    expect(gz.coverage.bytesRead).toBe(gzFiles.reduce((s, f) => s + readFileSync(f).length, 0));
    expect(gz.coverage.bytesRead).toBeLessThan(result.coverage.bytesRead);
  });

  it('gives identical results through the worker pool and in-process', async () => {
    const progress: number[] = [];
    const threads: number[] = [];
    const pooled = await readCloudTrail(
      { files: [...FILES].reverse(), ...window, workers: 2, onProgress: (p) => progress.push(p.filesDone) },
      { onWorkerReady: (id) => threads.push(id) },
    );
    // Two real worker threads ran (not the in-process fallback), and the merge matches.
    expect(new Set(threads).size).toBe(2);
    expect(pooled).toEqual(result);
    expect(progress[progress.length - 1]).toBe(FILES.length);
  });

  it('sorts calls deterministically, one row per key', () => {
    const tuple = (c: CallAggregate): string[] => [
      c.account,
      c.callerType,
      c.callerArn ?? '',
      c.eventSource,
      c.eventName,
      c.region,
      c.period,
      String(c.isDenied),
    ];
    const keys = calls.map((c) => tuple(c).join('|'));
    expect(new Set(keys).size).toBe(keys.length);
    for (let i = 1; i < calls.length; i++) {
      const a = tuple(calls[i - 1] as CallAggregate);
      const b = tuple(calls[i] as CallAggregate);
      const firstDiff = a.findIndex((v, k) => v !== b[k]);
      expect(firstDiff).toBeGreaterThanOrEqual(0);
      expect((a[firstDiff] as string) < (b[firstDiff] as string)).toBe(true);
    }
  });
});
