// CloudTrail files in every shape exports come in (fixtures/aws/cloudtrail-reader/shapes: the same
// five records as {"Records":[…]}, a bare array and JSON lines), told apart by content, not name.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { CallerCache } from '../../src/connectors/aws/cloudtrail/caller-cache.js';
import { CallStore } from '../../src/connectors/aws/cloudtrail/call-store.js';
import { aggregateCloudTrailFile } from '../../src/connectors/aws/cloudtrail/read-cloudtrail-file.js';
import { readCloudTrail } from '../../src/connectors/aws/cloudtrail/read-cloudtrail.js';
import type { ReadCloudTrailResult } from '../../src/connectors/aws/cloudtrail/read-cloudtrail.js';

const FIX = join(import.meta.dirname, '../../fixtures/aws/cloudtrail-reader');
const SHAPES = join(FIX, 'shapes');
const WINDOW = { account: '111122223333', windowStart: '2026-06-01T00:00:00Z', asOf: '2026-06-30T00:00:00Z' };
const tmp = mkdtempSync(join(tmpdir(), 'permdrift-ct-shapes-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function write(name: string, content: string | Buffer): string {
  const path = join(tmp, name);
  writeFileSync(path, content);
  return path;
}

async function read(files: string[], workers = 1): Promise<ReadCloudTrailResult> {
  return readCloudTrail({ files, ...WINDOW, workers });
}

/** The result without the file names, which differ between the shapes. */
function withoutFiles(r: ReadCloudTrailResult): unknown {
  const { bytesRead: _bytes, recordsUnusable, ...coverage } = r.coverage;
  return { calls: r.calls, coverage: { ...coverage, recordsUnusable: recordsUnusable.map(({ file: _file, ...u }) => u) } };
}

const records = (JSON.parse(readFileSync(join(SHAPES, 'records.json'), 'utf8')) as { Records: Record<string, unknown>[] }).Records;

describe('input shapes', () => {
  it('reads {"Records":[…]}, a bare array and JSON lines to the same aggregates', async () => {
    const wrapped = await read([join(SHAPES, 'records.json')]);
    expect(wrapped.coverage.filesFailed).toEqual([]);
    expect(wrapped.coverage.eventsRead).toBe(records.length);
    expect(wrapped.calls.map((c) => `${c.eventName} ${c.period}${c.isDenied ? ' denied' : ''}`)).toEqual([
      'DescribeInstances before-window',
      'GetObject window',
      'ListBuckets window',
      'GetCallerIdentity window denied',
      'PutObject window',
    ]);
    for (const file of ['bare-array.json', 'json-lines.json']) {
      const other = await read([join(SHAPES, file)]);
      expect(other.coverage.filesFailed, file).toEqual([]);
      expect(withoutFiles(other), file).toEqual(withoutFiles(wrapped));
    }
  });

  it('tells the shape by content: gzipped, misnamed, chunked one byte at a time', async () => {
    const expected = withoutFiles(await read([join(SHAPES, 'records.json')]));
    const lines = readFileSync(join(SHAPES, 'json-lines.json'));
    const array = readFileSync(join(SHAPES, 'bare-array.json'));
    const gzLines = write('export.json', gzipSync(lines));
    const gzArray = write('athena-result.json.gz', gzipSync(array));
    for (const f of [gzLines, gzArray]) expect(withoutFiles(await read([f])), f).toEqual(expected);
    const window = { account: WINDOW.account, windowStart: '2026-06-01T00:00:00.000Z', asOf: '2026-06-30T00:00:00.000Z' };
    for (const f of [join(SHAPES, 'json-lines.json'), join(SHAPES, 'bare-array.json'), gzLines]) {
      const whole = await aggregateCloudTrailFile(f, window, new CallerCache());
      const bytewise = await aggregateCloudTrailFile(f, window, new CallerCache(), undefined, { readChunkBytes: 1, gunzipChunkBytes: 64 });
      expect(bytewise.report, f).toEqual(whole.report);
      expect((bytewise.calls ?? new CallStore()).toCalls(), f).toEqual((whole.calls ?? new CallStore()).toCalls());
      expect(whole.report.isOk && whole.report.stats.eventsRead, f).toBe(records.length);
    }
  });

  it('names the shape it read', async () => {
    const window = { account: WINDOW.account, windowStart: '2026-06-01T00:00:00.000Z', asOf: '2026-06-30T00:00:00.000Z' };
    const shapes: Record<string, string | null> = {};
    for (const f of ['records.json', 'bare-array.json', 'json-lines.json']) {
      const o = await aggregateCloudTrailFile(join(SHAPES, f), window, new CallerCache());
      shapes[f] = o.report.isOk ? o.report.shape : null;
    }
    expect(shapes).toEqual({ 'records.json': 'Records', 'bare-array.json': 'Array', 'json-lines.json': 'Lines' });
  });

  it('reads concatenated delivery files (cat *.json.gz) and a wrapper whose Records key is not first', async () => {
    const one = readFileSync(join(SHAPES, 'records.json'));
    const concatenated = write('concatenated.json.gz', Buffer.concat([gzipSync(one), gzipSync(one)]));
    const r = await read([concatenated]);
    expect(r.coverage.filesFailed).toEqual([]);
    expect(r.coverage.eventsRead).toBe(2 * records.length);
    expect(r.calls.find((c) => c.eventName === 'ListBuckets')?.count).toBe(2);
    const late = write('late-records-key.json', JSON.stringify({ exportedBy: 'tool', exportedAt: '2026-07-01', Records: records }));
    const lr = await read([late]);
    expect(lr.coverage.filesFailed).toEqual([]);
    expect(withoutFiles(lr)).toEqual(withoutFiles(await read([join(SHAPES, 'records.json')])));
  });

  it('counts the lines of JSON lines that are not CloudTrail events, and refuses a file of nothing else', async () => {
    const lines = readFileSync(join(SHAPES, 'json-lines.json'), 'utf8');
    const mixed = write('mixed.json', `${lines}{"message":"heartbeat"}\n42\n"text"\n`);
    const r = await read([mixed]);
    expect(r.coverage.filesFailed).toEqual([]);
    expect(r.coverage.eventsRead).toBe(records.length);
    expect(r.coverage.recordsUnusable).toEqual([{ file: mixed, reason: 'not-a-cloudtrail-event', count: 3 }]);
    const other = write('other-tool.json', '{"message":"a"}\n{"message":"b"}\n');
    const otherArray = write('other-array.json', '[{"RoleName":"x"}]');
    const o = await read([other, otherArray, join(SHAPES, 'records.json')]);
    expect(o.coverage.filesRead).toBe(1);
    expect(o.coverage.filesFailed.map((f) => f.file)).toEqual([otherArray, other].sort());
    for (const f of o.coverage.filesFailed) expect(f.reason).toMatch(/not a CloudTrail file: none of its \d JSON value\(s\) is a CloudTrail event/);
    // A refused file counts nothing, not even its records as unusable.
    expect(o.coverage.recordsUnusable).toEqual([]);
  });

  it('an empty bare array is a valid file without events; a line cut short fails the file', async () => {
    const empty = await read([write('empty-array.json', '[]\n')]);
    expect(empty.coverage).toMatchObject({ filesRead: 1, eventsRead: 0, filesFailed: [] });
    const lines = readFileSync(join(SHAPES, 'json-lines.json'), 'utf8');
    const cut = write('cut.json', lines.slice(0, lines.length - 40));
    const r = await read([cut]);
    expect(r.coverage.filesRead).toBe(0);
    expect(r.calls).toEqual([]);
    expect(r.coverage.filesFailed[0]?.reason).toMatch(/truncated/);
  });

  it('reads lookup-events elements saved as a bare array (jq .Events) as lookup-events', async () => {
    const lookup = JSON.parse(readFileSync(join(FIX, 'lookup-events.json'), 'utf8')) as { Events: unknown[] };
    const arr = write('events-array.json', JSON.stringify(lookup.Events));
    const fromArray = await read([arr]);
    const fromOutput = await read([join(FIX, 'lookup-events.json')]);
    expect(fromArray.coverage.lookupEventsFiles).toBe(1);
    expect(fromArray.coverage.lookupEventsRegions).toEqual(fromOutput.coverage.lookupEventsRegions);
    expect(fromArray.calls).toEqual(fromOutput.calls);
    expect(fromArray.coverage.eventsRead).toBe(3);
  });
});
