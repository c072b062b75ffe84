/**
 * A record over the size cap fails its file with the same reason whether the file is plain or
 * gzip: the cap and its value, not zlib's `ABORT_ERR: The operation was aborted` (the gunzip stream
 * torn down under a parser that gave up). CloudTrail and GCP audit logs alike.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { aggregateCloudTrailFile } from '../../src/connectors/aws/cloudtrail/read-cloudtrail-file.js';
import { readCloudTrail } from '../../src/connectors/aws/cloudtrail/read-cloudtrail.js';
import { aggregateAuditLogFile } from '../../src/connectors/gcp/audit-logs/read-audit-log-file.js';

const ACCOUNT = '111122223333';
const WINDOW = { account: ACCOUNT, windowStart: '2026-06-01T00:00:00Z', asOf: '2026-06-30T00:00:00Z' };
const tmp = mkdtempSync(join(tmpdir(), 'permdrift-oversize-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function write(name: string, content: string | Buffer): string {
  const path = join(tmp, name);
  writeFileSync(path, content);
  return path;
}

function cloudTrailFile(padBytes: number): string {
  const small = {
    eventVersion: '1.08',
    eventTime: '2026-06-10T08:00:00Z',
    eventSource: 's3.amazonaws.com',
    eventName: 'ListBuckets',
    awsRegion: 'us-east-1',
    userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/a` },
  };
  const big = { ...small, requestParameters: { pad: 'x'.repeat(padBytes) } };
  return JSON.stringify({ Records: [small, big, small] });
}

function auditLogFile(padBytes: number): string {
  const entry = {
    logName: 'projects/p/logs/cloudaudit.googleapis.com%2Factivity',
    timestamp: '2026-06-10T08:00:00Z',
    protoPayload: { methodName: 'x', pad: 'x'.repeat(padBytes) },
  };
  return `${JSON.stringify(entry)}\n`;
}

describe('a CloudTrail record over the cap', () => {
  const text = cloudTrailFile(64 * 1024);

  it('fails a plain and a gzip file with the same reason, naming the cap', async () => {
    const plain = await aggregateCloudTrailFile(write('plain.json', text), WINDOW, undefined, undefined, { maxRecordBytes: 16 * 1024, readChunkBytes: 4096 });
    const gzip = await aggregateCloudTrailFile(write('packed.json.gz', gzipSync(text)), WINDOW, undefined, undefined, {
      maxRecordBytes: 16 * 1024,
      gunzipChunkBytes: 4096,
    });
    expect(plain.report.isOk).toBe(false);
    expect(gzip.report.isOk).toBe(false);
    const reasons = [plain.report, gzip.report].map((r) => (r.isOk ? '' : r.reason));
    expect(reasons[0]).toMatch(/exceeds the 16 KiB limit on one record/);
    expect(reasons[1]).toBe(reasons[0]);
    expect(reasons[1]).not.toMatch(/ABORT|aborted/i);
  });

  it('at the default 32 MiB cap, the failed .gz file is named with that reason', async () => {
    const file = write('111122223333_CloudTrail_us-east-1_20260610T0800Z_big.json.gz', gzipSync(cloudTrailFile(33 * 1024 * 1024)));
    const r = await readCloudTrail({ files: [file], ...WINDOW, workers: 1 });
    expect(r.coverage.filesFailed).toEqual([{ file, reason: expect.stringMatching(/exceeds the 32 MiB limit on one record/) }]);
  });
});

describe('a GCP audit-log entry over the cap', () => {
  it('fails a plain and a gzip file with the same reason, naming the cap', async () => {
    const text = auditLogFile(64 * 1024);
    const window = { windowStart: WINDOW.windowStart, asOf: WINDOW.asOf };
    const plain = await aggregateAuditLogFile(write('entries.json', text), window, { maxValueBytes: 16 * 1024, readChunkBytes: 4096 });
    const gzip = await aggregateAuditLogFile(write('entries.json.gz', gzipSync(text)), window, { maxValueBytes: 16 * 1024, gunzipChunkBytes: 4096 });
    const reasons = [plain, gzip].map((r) => (r.isOk ? '' : r.reason));
    expect(reasons[0]).toMatch(/larger than the 16 KiB limit on one value/);
    expect(reasons[1]).toBe(reasons[0]);
  });
});
