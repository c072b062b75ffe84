// Cloud Audit Logs reader: the value splitter on its own (chunk boundaries, strings with brackets and
// escapes, the three layouts, broken input), hand-made entries in gcloud-array and sink form
// (fixtures/gcp-logs/same-entries-two-forms), broken files made on the fly, and public samples
// (gcpdiag, google-cloudevents) checked against a plain JSON.parse of the same files.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { canonicalJson, describeDelegate, normaliseTimestamp, parseLogName, parseTimestamp } from '../../src/connectors/gcp/audit-logs/audit-entry.js';
import { JsonValueSplitter } from '../../src/connectors/gcp/audit-logs/json-value-splitter.js';
import { listAuditLogFiles, readGcpProjectActivity } from '../../src/connectors/gcp/audit-logs/read-project-activity.js';
import type { GcpPermissionAggregate, GcpProjectActivity } from '../../src/model/gcp/activity.js';

const FIX = join(import.meta.dirname, '../../fixtures/gcp-logs');
const TWO_FORMS = join(FIX, 'same-entries-two-forms');
const WINDOW = { windowStart: new Date('2026-09-01T00:00:00Z'), asOf: new Date('2026-11-30T00:00:00Z') };
/** Everything in the window, for the public samples. */
const ALL_TIME = { windowStart: new Date('2000-01-01T00:00:00Z'), asOf: new Date('2100-01-01T00:00:00Z') };
const tmp = mkdtempSync(join(tmpdir(), 'permdrift-gcp-logs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Splits `text` fed in chunks of `size` bytes; returns the parsed values. */
function split(text: string | Buffer, size: number): unknown[] {
  const out: unknown[] = [];
  const s = new JsonValueSplitter((v) => out.push(v));
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  for (let i = 0; i < bytes.length; i += size) s.push(bytes.subarray(i, i + size));
  s.end();
  return out;
}

function splitter(text: string): JsonValueSplitter {
  const s = new JsonValueSplitter(() => {});
  s.push(Buffer.from(text, 'utf8'));
  return s;
}

/** A snapshot folder for project `p` with the given audit log files (path → content). */
function snapshot(name: string, files: Record<string, string | Buffer>): string {
  const root = join(tmp, name);
  for (const [path, content] of Object.entries(files)) {
    const full = join(root, 'gcp', 'p', 'audit-logs', path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
  return root;
}

function row(r: GcpProjectActivity, principal: string, permission: string, extra: Partial<GcpPermissionAggregate> = {}): GcpPermissionAggregate[] {
  return r.permissions.filter(
    (p) => p.principalEmail === principal && p.permission === permission && Object.entries(extra).every(([k, v]) => p[k as keyof GcpPermissionAggregate] === v),
  );
}

const TRICKY = [
  { s: 'brackets ] } [ { inside', esc: 'a "quoted" word', tail: 'ends with a backslash \\' },
  { s: '\\"', unicode: 'é ü 日本 \u2028', nested: [[{ x: ']' }], { y: '}' }], n: -1.5e3, t: true, f: false, z: null },
  'a bare string element',
  42,
  { deep: { a: { b: { c: ['"', '\\', '\\\\"', '{', '['] } } } },
];

describe('JsonValueSplitter', () => {
  it('splits a gcloud-style array at every chunk size, across strings with brackets and escaped quotes', () => {
    const text = JSON.stringify(TRICKY, null, 2);
    for (let size = 1; size <= 23; size++) expect(split(text, size), `chunk size ${size}`).toEqual(TRICKY);
    expect(split(text, 1 << 20)).toEqual(TRICKY);
  });

  it('splits JSON lines and concatenated pretty-printed values', () => {
    const lines = `${TRICKY.map((v) => JSON.stringify(v)).join('\n')}\n`;
    const pretty = TRICKY.map((v) => JSON.stringify(v, null, 3)).join('\n\n');
    for (const size of [1, 2, 3, 5, 8, 64, 4096]) {
      expect(split(lines, size), `lines, chunk ${size}`).toEqual(TRICKY);
      expect(split(pretty, size), `pretty, chunk ${size}`).toEqual(TRICKY);
    }
    const s = splitter(lines);
    s.end();
    expect(s.shape).toBe('values');
  });

  it('reads JSON lines that mix one-line values, a one-line entries.list page and a pretty-printed value', () => {
    const mixed = [
      JSON.stringify({ n: 1 }),
      JSON.stringify({ n: 2, s: 'line \n escaped, not a newline' }),
      JSON.stringify({ entries: [{ n: 3 }, { n: 4 }], nextPageToken: 't' }),
      JSON.stringify({ n: 5 }, null, 2),
      JSON.stringify({ n: 6 }),
      '',
    ].join('\r\n');
    for (const size of [1, 3, 10, 50, 1 << 16]) {
      expect(split(mixed, size), `chunk ${size}`).toEqual([{ n: 1 }, { n: 2, s: 'line \n escaped, not a newline' }, { n: 3 }, { n: 4 }, { n: 5 }, { n: 6 }]);
    }
  });

  it('names the value that is not valid JSON', () => {
    expect(() => split('{"a":1}\n{"b":2}\n{"c": 1.2.3}\n', 1 << 16)).toThrow(/invalid JSON in value 3/);
    expect(() => split('[{"a":1}, {"b": 1.2.3}]', 4)).toThrow(/invalid JSON in value 2/);
  });

  it('a backslash run ending exactly at a chunk boundary keeps its meaning', () => {
    // `"x\\"` (an escaped backslash, then the closing quote) and `"x\""` (an escaped quote).
    const values = [{ a: 'x\\' }, { b: 'x"' }, { c: 'x\\\\"y' }];
    const text = JSON.stringify(values);
    for (let cut = 1; cut < text.length; cut++) {
      const out: unknown[] = [];
      const s = new JsonValueSplitter((v) => out.push(v));
      s.push(Buffer.from(text.slice(0, cut)));
      s.push(Buffer.from(text.slice(cut)));
      s.end();
      expect(out, `cut at ${cut}`).toEqual(values);
    }
  });

  it('emits the elements of an entries.list response, whatever surrounds them', () => {
    const entries = [{ logName: 'a', entries: 'not the wrapper key at depth 2' }, { logName: 'b' }];
    const wrapper = JSON.stringify({ nextPageToken: 'x]"{', other: { entries: [1, 2] }, entries, tail: [{ a: 1 }] });
    for (const size of [1, 2, 3, 4, 7, 16, 1000]) expect(split(wrapper, size), `chunk ${size}`).toEqual(entries);
    const s = splitter(wrapper);
    s.end();
    expect(s.shape).toBe('entries-list');
    // Saved pages concatenated one after the other.
    expect(split(`${wrapper}\n${wrapper}\n`, 5)).toEqual([...entries, ...entries]);
    // An object whose `entries` is not an array is an ordinary value.
    expect(split('{"entries": "none"}', 3)).toEqual([{ entries: 'none' }]);
  });

  it('accepts a UTF-8 byte order mark and an empty array', () => {
    expect(split(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('[{"a":1}]')]), 2)).toEqual([{ a: 1 }]);
    expect(split('  [ ]  ', 1)).toEqual([]);
    expect(split('', 1)).toEqual([]);
  });

  it('rejects broken input with a reason', () => {
    const cases: [string, RegExp][] = [
      ['[{"a":1},{"b":', /unexpected end of data/],
      ['[{"a":"unterminated', /unexpected end of data/],
      ['[{"a":1}', /end of data inside the top-level array/],
      ['hello', /expected '\[' or '\{'/],
      ['[{"a":1}{"b":2}]', /expected ','/],
      ['[{"a":1}] {"b":2}', /data after the top-level array/],
      ['{"a":1}}', /unbalanced/],
      ['[{"a":1}}', /closed by '}'/],
      ['[{"a":\u0001}]', /unexpected byte 0x01/],
    ];
    for (const [text, reason] of cases) {
      expect(() => {
        const s = splitter(text);
        s.end();
      }, text).toThrow(reason);
    }
  });

  it('caps the size of one value', () => {
    const s = new JsonValueSplitter(() => {}, 64);
    expect(() => {
      s.push(Buffer.from('[{"a":"'));
      s.push(Buffer.from('x'.repeat(100)));
    }).toThrow(/larger than/);
  });
});

describe('audit entry fields', () => {
  it('reads the stream and project from logName', () => {
    expect(parseLogName('projects/p-1/logs/cloudaudit.googleapis.com%2Factivity')).toEqual({ stream: 'activity', project: 'p-1' });
    expect(parseLogName('projects/p-1/logs/cloudaudit.googleapis.com%2fdata_access')).toEqual({ stream: 'data_access', project: 'p-1' });
    expect(parseLogName('folders/12/logs/cloudaudit.googleapis.com%2Fsystem_event')).toEqual({ stream: 'system_event' });
    expect(parseLogName('organizations/9/logs/cloudaudit.googleapis.com/policy')).toEqual({ stream: 'policy' });
    expect(parseLogName('projects/p/logs/cloudaudit.googleapis.com%2Faccess_transparency')).toEqual({ stream: 'other', project: 'p' });
    expect(parseLogName(null)).toEqual({ stream: 'other' });
  });

  it('normalises RFC 3339 timestamps to milliseconds, truncating', () => {
    expect(normaliseTimestamp('2026-11-20T10:15:02.123456789Z')).toBe('2026-11-20T10:15:02.123Z');
    expect(normaliseTimestamp('2026-11-20T10:15:02Z')).toBe('2026-11-20T10:15:02.000Z');
    expect(normaliseTimestamp('2026-11-20T10:15:02.5Z')).toBe('2026-11-20T10:15:02.500Z');
    expect(normaliseTimestamp('2026-11-20T11:15:02+01:00')).toBe('2026-11-20T10:15:02.000Z');
    expect(normaliseTimestamp('2026-13-20T10:15:02Z')).toBeNull();
    expect(normaliseTimestamp('2026-11-20T24:00:00Z')).toBeNull();
    expect(normaliseTimestamp('2026-11-00T10:00:00Z')).toBeNull();
    expect(normaliseTimestamp('yesterday')).toBeNull();
  });

  it('parses timestamps strictly: zone-less is UTC and flagged, the calendar is checked, Date.parse free text is refused', () => {
    expect(parseTimestamp('2026-10-20T10:00:00')).toEqual({ time: '2026-10-20T10:00:00.000Z', isZoneless: true });
    expect(parseTimestamp('2026-10-20 10:00:00.25')).toEqual({ time: '2026-10-20T10:00:00.250Z', isZoneless: true });
    expect(parseTimestamp('2026-10-20T10:00:00Z')).toEqual({ time: '2026-10-20T10:00:00.000Z', isZoneless: false });
    expect(parseTimestamp('2026-10-20t10:00:00z')).toEqual({ time: '2026-10-20T10:00:00.000Z', isZoneless: false });
    // BigQuery's TIMESTAMP form (a log sink to BigQuery, exported as JSON).
    expect(parseTimestamp('2026-10-20 10:00:00.123456 UTC')).toEqual({ time: '2026-10-20T10:00:00.123Z', isZoneless: false });
    expect(parseTimestamp('2026-10-20T01:30:00-09:30')?.time).toBe('2026-10-20T11:00:00.000Z');
    expect(parseTimestamp('2026-01-01T00:30:00+01:00')?.time).toBe('2025-12-31T23:30:00.000Z');
    expect(parseTimestamp('2024-02-29T00:00:00Z')?.time).toBe('2024-02-29T00:00:00.000Z');
    expect(parseTimestamp('0050-06-01T00:00:00Z')?.time).toBe('0050-06-01T00:00:00.000Z');
    for (const bad of [
      '2026-02-30T10:00:00Z',
      '2023-02-29T00:00:00Z',
      '2026-04-31T00:00:00',
      '2026-10-20',
      '12',
      'Oct 20 2026 10:00',
      '1763500000',
      '2026-10-20T10:00:00+25:00',
      '0000-01-01T00:30:00+01:00',
      '',
    ]) {
      expect(parseTimestamp(bad), bad).toBeNull();
    }
  });

  it('reads arrays of arrays (jq -s over several gcloud outputs) element by element', async () => {
    const e = (n: number) => ({
      logName: 'projects/p/logs/cloudaudit.googleapis.com%2Factivity',
      protoPayload: {
        '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
        authenticationInfo: { principalEmail: 'a@p.iam.gserviceaccount.com' },
        authorizationInfo: [{ permission: `x.things.p${n}`, granted: true }],
      },
      timestamp: `2026-11-1${n}T00:00:00Z`,
    });
    const root = snapshot('nested-arrays', { 'slurped.json': JSON.stringify([[e(1), e(2)], [e(3)], []]) });
    const r = await readGcpProjectActivity(root, 'p', WINDOW);
    expect(r.auditLogs).toMatchObject({ valuesRead: 3, entriesRead: 3, recordsSkipped: 0 });
    expect(r.permissions.map((x) => x.permission)).toEqual(['x.things.p1', 'x.things.p2', 'x.things.p3']);
  });

  it('names delegation hops: first-party email, principalSubject, canonical third-party claims', () => {
    expect(describeDelegate({ firstPartyPrincipal: { principalEmail: 'Bob@Example.com' } })).toBe('bob@example.com');
    expect(describeDelegate({ principalSubject: 'principal://iam.googleapis.com/x/subject/y', thirdPartyPrincipal: { thirdPartyClaims: { a: 1 } } })).toBe(
      'principal://iam.googleapis.com/x/subject/y',
    );
    const a = describeDelegate({ thirdPartyPrincipal: { thirdPartyClaims: { sub: 's', iss: 'i', nested: { z: 1, a: [2] } } } });
    const b = describeDelegate({ thirdPartyPrincipal: { thirdPartyClaims: { nested: { a: [2], z: 1 }, iss: 'i', sub: 's' } } });
    expect(a).toBe('thirdParty:{"iss":"i","nested":{"a":[2],"z":1},"sub":"s"}');
    expect(b).toBe(a);
    expect(describeDelegate({})).toBe('unknown');
    expect(describeDelegate('x')).toBe('unknown');
    expect(canonicalJson([{ b: 1, a: null }])).toBe('[{"a":null,"b":1}]');
  });
});

describe('same entries as a gcloud array and as a sink export', () => {
  const read = (project: string, tuning?: { readChunkBytes?: number; gunzipChunkBytes?: number }) =>
    readGcpProjectActivity(TWO_FORMS, project, { ...WINDOW, ...(tuning ? { tuning } : {}) });

  it('lists the sink files recursively, sorted, .json and .json.gz alike', async () => {
    const files = await listAuditLogFiles(join(TWO_FORMS, 'gcp/sink-form/audit-logs'));
    expect(files.map((f) => f.slice(f.indexOf('audit-logs/') + 11))).toEqual([
      'cloudaudit.googleapis.com/activity/2026/06/15/08-00-00_08-59-59_S0.json.gz',
      'cloudaudit.googleapis.com/activity/2026/11/20/10-00-00_10-59-59_S0.json.gz',
      'cloudaudit.googleapis.com/activity/2026/12/02/00-00-00_00-59-59_S0.json.gz',
      'cloudaudit.googleapis.com/data_access/2026/11/20/10-00-00_10-59-59_S0.json',
      'cloudaudit.googleapis.com/policy/2026/11/20/10-00-00_10-59-59_S0.json',
      'cloudaudit.googleapis.com/system_event/2026/11/20/10-00-00_10-59-59_S0.json',
      'cloudfunctions.googleapis.com/cloud-functions/2026/11/20/10-00-00_10-59-59_S0.json',
    ]);
  });

  it('gives identical aggregates and entry counts in both forms', async () => {
    const array = await read('array-form');
    const sink = await read('sink-form');
    expect(sink.permissions).toEqual(array.permissions);
    expect(sink.unmapped).toEqual(array.unmapped);
    expect(sink.delegations).toEqual(array.delegations);
    // The per-file lists differ only in the file names: compare their totals per reason.
    const perReason = (list: { reason: string; count: number }[] = []) =>
      list.reduce<Record<string, number>>((m, x) => ({ ...m, [x.reason]: (m[x.reason] ?? 0) + x.count }), {});
    const { filesRead: af, bytesRead: ab, entriesSkipped: as, entriesUnattributed: au, ...arrayCoverage } = array.auditLogs ?? { filesRead: 0, bytesRead: 0 };
    const { filesRead: sf, bytesRead: sb, entriesSkipped: ss, entriesUnattributed: su, ...sinkCoverage } = sink.auditLogs ?? { filesRead: 0, bytesRead: 0 };
    expect(sinkCoverage).toEqual(arrayCoverage);
    expect(perReason(ss)).toEqual(perReason(as));
    expect(perReason(su)).toEqual(perReason(au));
    expect([af, sf]).toEqual([1, 7]);
    expect(ab).toBe(readFileSync(join(TWO_FORMS, 'gcp/array-form/audit-logs/logging-read.json')).length);
    expect(sb).toBeGreaterThan(0);
  });

  it('reads the same with tiny chunks (entries split across reads and gunzip output)', async () => {
    const reference = await read('sink-form');
    for (const tuning of [{ readChunkBytes: 7 }, { readChunkBytes: 1, gunzipChunkBytes: 64 }]) {
      expect(await read('sink-form', tuning)).toEqual(reference);
      expect(await read('array-form', tuning)).toEqual(await read('array-form'));
    }
  });

  it('counts entries per stream and what it could not attribute', async () => {
    const r = await read('array-form');
    expect(r.auditLogs).toEqual({
      filesRead: 1,
      bytesRead: expect.any(Number),
      valuesRead: 14,
      entriesRead: 13,
      filesFailed: [],
      filesIgnored: [],
      firstEntry: '2026-06-15T08:00:00.000Z',
      lastEntry: '2026-12-02T00:00:00.000Z',
      streams: { activity: 8, data_access: 3, system_event: 1, policy: 1, other: 0 },
      entriesAfterAsOf: 1,
      recordsSkipped: 1,
      entriesSkipped: [{ file: expect.stringMatching(/array-form\/audit-logs\/logging-read\.json$/), reason: 'no-proto-payload', count: 1 }],
      entriesWithoutPrincipal: 1,
      entriesUnattributed: [{ file: expect.stringMatching(/logging-read\.json$/), reason: 'no-principal', count: 1 }],
      entriesTimedByReceiveTimestamp: 0,
      zonelessTimes: 0,
    });
    expect(r.activity).toBeNull();
  });

  it('aggregates granted checks as usage, in and before the window, lower-casing the principal', async () => {
    const r = await read('array-form');
    const deployer = 'ci-deployer@acme-prod.iam.gserviceaccount.com';
    expect(row(r, deployer, 'compute.instances.create')).toEqual([
      {
        principalEmail: deployer,
        permission: 'compute.instances.create',
        isDenied: false,
        project: 'acme-prod',
        stream: 'activity',
        period: 'before-window',
        count: 1,
        firstSeen: '2026-06-15T08:00:00.000Z',
        lastSeen: '2026-06-15T08:00:00.000Z',
      },
      {
        principalEmail: deployer,
        permission: 'compute.instances.create',
        isDenied: false,
        project: 'acme-prod',
        stream: 'activity',
        period: 'window',
        count: 2,
        firstSeen: '2026-11-20T10:15:02.123Z',
        lastSeen: '2026-11-20T10:40:00.000Z',
      },
    ]);
    expect(row(r, deployer, 'compute.disks.create', { period: 'window' })).toHaveLength(1);
    expect(r.permissions.some((p) => p.principalEmail.startsWith('CI-'))).toBe(false);
    // After asOf: counted in the coverage, no row.
    expect(row(r, deployer, 'compute.instances.delete')).toEqual([]);
    const etl = 'etl-nightly@acme-prod.iam.gserviceaccount.com';
    expect(row(r, etl, 'storage.objects.get')).toEqual([
      expect.objectContaining({ isDenied: false, stream: 'data_access', count: 1, firstSeen: '2026-11-20T10:30:00.500Z' }),
    ]);
  });

  it('counts a denied check (granted false or omitted) as denied, never as usage', async () => {
    const r = await read('array-form');
    const etl = 'etl-nightly@acme-prod.iam.gserviceaccount.com';
    expect(row(r, etl, 'storage.buckets.create')).toEqual([expect.objectContaining({ isDenied: true, count: 1 })]);
    expect(row(r, etl, 'resourcemanager.projects.setIamPolicy')).toEqual([expect.objectContaining({ isDenied: true, count: 1 })]);
    expect(r.permissions.filter((p) => p.principalEmail === etl && !p.isDenied).map((p) => p.permission)).toEqual([
      'storage.objects.get',
      'storage.objects.list',
    ]);
  });

  it('records the delegation chain of an impersonated call, original caller first', async () => {
    const r = await read('array-form');
    const base = { period: 'window', count: 1 };
    expect(r.delegations).toEqual([
      {
        serviceAccount: 'deploy-prod@acme-prod.iam.gserviceaccount.com',
        delegate: 'alice@example.com',
        position: 0,
        ...base,
        firstSeen: '2026-11-20T10:45:00.000Z',
        lastSeen: '2026-11-20T10:45:00.000Z',
      },
      {
        serviceAccount: 'deploy-prod@acme-prod.iam.gserviceaccount.com',
        delegate: 'ci-deployer@acme-prod.iam.gserviceaccount.com',
        position: 1,
        ...base,
        firstSeen: '2026-11-20T10:45:00.000Z',
        lastSeen: '2026-11-20T10:45:00.000Z',
      },
      {
        serviceAccount: 'gh-actions@acme-prod.iam.gserviceaccount.com',
        delegate:
          'principal://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/github/subject/repo:acme/app:ref:refs/heads/main',
        position: 0,
        ...base,
        firstSeen: '2026-11-20T10:50:00.000Z',
        lastSeen: '2026-11-20T10:50:00.000Z',
      },
    ]);
    // The permission is the impersonated account's, not the delegates'.
    expect(row(r, 'deploy-prod@acme-prod.iam.gserviceaccount.com', 'secretmanager.versions.access')).toHaveLength(1);
    expect(r.permissions.some((p) => p.principalEmail === 'alice@example.com')).toBe(false);
  });

  it('makes an unmapped row for a call that names no permission, but not for a policy denial', async () => {
    const r = await read('array-form');
    expect(r.unmapped).toEqual([
      {
        principalEmail: 'batch@acme-prod.iam.gserviceaccount.com',
        serviceName: 'datastore.googleapis.com',
        methodName: 'google.datastore.v1.Datastore.RunQuery',
        period: 'window',
        count: 1,
        firstSeen: '2026-11-20T10:55:00.000Z',
        lastSeen: '2026-11-20T10:55:00.000Z',
      },
    ]);
  });

  it('keeps organization-level entries without a project', async () => {
    const r = await read('array-form');
    const [org] = row(r, 'org-admin-bot@acme-prod.iam.gserviceaccount.com', 'resourcemanager.organizations.setIamPolicy');
    expect(org).toBeDefined();
    expect(org && 'project' in org).toBe(false);
  });

  it('sorts its output and is byte-identical across runs', async () => {
    const a = await read('sink-form');
    const b = await read('sink-form');
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    const keys = a.permissions.map((p) => `${p.principalEmail} ${p.permission} ${Number(p.isDenied)} ${p.project ?? ''} ${p.stream} ${p.period}`);
    expect(keys).toEqual([...keys].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
  });

  it('rejects a window that is not one', async () => {
    await expect(readGcpProjectActivity(TWO_FORMS, 'array-form', { windowStart: new Date('nope'), asOf: WINDOW.asOf })).rejects.toThrow(/windowStart/);
    await expect(readGcpProjectActivity(TWO_FORMS, 'array-form', { windowStart: WINDOW.asOf, asOf: WINDOW.windowStart })).rejects.toThrow(/after asOf/);
  });
});

describe('broken and partial input', () => {
  const entry = (n: number, permission: string) => ({
    logName: 'projects/p/logs/cloudaudit.googleapis.com%2Factivity',
    protoPayload: {
      '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
      authenticationInfo: { principalEmail: 'job@p.iam.gserviceaccount.com' },
      authorizationInfo: [{ granted: true, permission, resource: 'projects/p' }],
      serviceName: 'x.googleapis.com',
      methodName: 'x',
    },
    timestamp: `2026-11-2${n}T00:00:00Z`,
  });
  const lines = (...es: object[]) => `${es.map((e) => JSON.stringify(e)).join('\n')}\n`;

  it('lists a corrupt gzip, a truncated gzip and broken JSON structure in filesFailed and still reads the rest; an invalid value is counted and its file read on', async () => {
    const big = lines(...Array.from({ length: 200 }, (_, i) => entry(i % 9, `x.things.lost${i}`)));
    const gz = gzipSync(big);
    const root = snapshot('broken', {
      'good.json': JSON.stringify([entry(1, 'x.things.get')], null, 2),
      'good-lines.ndjson': lines(entry(2, 'x.things.list')),
      'deep/dir/good.jsonl.gz': gzipSync(lines(entry(3, 'x.things.update'))),
      'truncated.json.gz': gz.subarray(0, Math.floor(gz.length / 2)),
      'corrupt.json.gz': Buffer.concat([gz.subarray(0, 20), Buffer.alloc(200, 0x41), gz.subarray(220)]),
      'invalid.json': '[{"logName": "projects/p/logs/x", "protoPayload": {"a": tru}}]',
      'invalid-number.json': '[{"timestamp": 1.2.3}]',
      'bad-line.jsonl': `${lines(entry(4, 'x.things.half'))}{"logName": oops}\n`,
      'notes.txt': 'not a log file',
      'README.md': '# not read',
    });
    const r = await readGcpProjectActivity(root, 'p', WINDOW);
    const failed = r.auditLogs?.filesFailed ?? [];
    const name = (f: string | { file: string }) => {
      const file = typeof f === 'string' ? f : f.file;
      return file.slice(file.indexOf('audit-logs/') + 11);
    };
    expect(failed.map(name)).toEqual(['bad-line.jsonl', 'corrupt.json.gz', 'truncated.json.gz']);
    const reasons = Object.fromEntries(failed.map((f) => [name(f), f.reason]));
    expect(reasons['truncated.json.gz']).toMatch(/truncated gzip/);
    expect(reasons['corrupt.json.gz']).toMatch(/gzip|header|check/i);
    expect(reasons['bad-line.jsonl']).toMatch(/unexpected byte 0x6f \('o'\) outside a string at byte \d+/);
    // A value whose end the scanner found but JSON.parse rejects is counted, and its file read on.
    expect(r.auditLogs?.entriesSkipped.map((x) => [name(x), x.reason, x.count])).toEqual([
      ['invalid-number.json', 'not-json', 1],
      ['invalid.json', 'not-json', 1],
    ]);
    // Files whose names are not log files' are listed, not read in silence.
    expect(r.auditLogs?.filesIgnored.map(name)).toEqual(['README.md', 'notes.txt']);
    // The good files count; a failed file contributes nothing, not even its readable first half.
    expect(r.auditLogs?.filesRead).toBe(5);
    expect(r.auditLogs?.valuesRead).toBe(5);
    expect(r.auditLogs?.entriesRead).toBe(3);
    expect(r.permissions.map((p) => p.permission)).toEqual(['x.things.get', 'x.things.list', 'x.things.update']);
  });

  it('follows symlinked folders and files, once each even through a loop; a dangling link is a failed file', async () => {
    const root = snapshot('symlinks', { 'real/2026/11/a.jsonl': lines(entry(1, 'x.things.get')) });
    const logs = join(root, 'gcp', 'p', 'audit-logs');
    const elsewhere = join(tmp, 'symlinks-elsewhere');
    mkdirSync(join(elsewhere, '12'), { recursive: true });
    writeFileSync(join(elsewhere, '12', 'b.json'), JSON.stringify([entry(2, 'x.things.list')]));
    symlinkSync(elsewhere, join(logs, 'month-link'));
    symlinkSync(join(elsewhere, '12', 'b.json'), join(logs, 'file-link.json'));
    symlinkSync(logs, join(logs, 'real', 'loop'));
    symlinkSync(join(tmp, 'no-such-target'), join(logs, 'dangling.json'));
    const r = await readGcpProjectActivity(root, 'p', WINDOW);
    const rel = (f: string) => f.slice(f.indexOf('audit-logs/') + 11);
    // The linked folder and the linked file are read (the same file twice: two paths, as on disk).
    expect(r.auditLogs?.filesRead).toBe(3);
    expect(r.permissions.map((p) => [p.permission, p.count])).toEqual([
      ['x.things.get', 1],
      ['x.things.list', 2],
    ]);
    expect(r.auditLogs?.filesFailed.map((f) => [rel(f.file), f.reason.split(':')[0]])).toEqual([['dangling.json', 'symbolic link that leads nowhere']]);
  });

  it('has no audit log coverage without an audit-logs folder, and none of the activity either', async () => {
    const root = join(tmp, 'empty');
    mkdirSync(join(root, 'gcp', 'p'), { recursive: true });
    expect(await readGcpProjectActivity(root, 'p', WINDOW)).toEqual({
      provider: 'gcp',
      projectId: 'p',
      permissions: [],
      unmapped: [],
      delegations: [],
      auditLogs: null,
      activity: null,
    });
  });

  it('an empty audit-logs folder is coverage of nothing, not missing coverage', async () => {
    const root = join(tmp, 'empty-logs');
    mkdirSync(join(root, 'gcp', 'p', 'audit-logs'), { recursive: true });
    const r = await readGcpProjectActivity(root, 'p', WINDOW);
    expect(r.auditLogs).toMatchObject({ filesRead: 0, entriesRead: 0, filesFailed: [], firstEntry: null, lastEntry: null });
  });

  it('skips values that are not audit entries and entries it cannot place in time', async () => {
    const root = snapshot('skips', {
      'mixed.json': JSON.stringify([
        42,
        'text',
        null,
        [],
        { textPayload: 'app log', timestamp: '2026-11-20T00:00:00Z' },
        { protoPayload: { '@type': 'type.googleapis.com/google.appengine.logging.v1.RequestLog' }, timestamp: '2026-11-20T00:00:00Z' },
        { ...entry(1, 'x.things.get'), timestamp: 'not a time' },
        entry(2, 'x.things.get'),
      ]),
    });
    const r = await readGcpProjectActivity(root, 'p', WINDOW);
    // The empty nested array holds no value: 7 values, of which one dated audit entry.
    expect(r.auditLogs).toMatchObject({ valuesRead: 7, entriesRead: 1, recordsSkipped: 6 });
    expect(r.auditLogs?.entriesSkipped.map((x) => [x.reason, x.count])).toEqual([
      ['not-a-log-entry', 3],
      ['no-proto-payload', 1],
      ['not-an-audit-log', 1],
      ['time-invalid', 1],
    ]);
  });
});

/** Independent counts from a plain JSON.parse of a sample file. */
function expectedFrom(file: string) {
  const raw: unknown = JSON.parse(readFileSync(file, 'utf8'));
  const list = Array.isArray(raw) ? raw : ((raw as { entries?: unknown[] }).entries ?? [raw]);
  let audit = 0;
  let noProto = 0;
  let granted = 0;
  let denied = 0;
  let hops = 0;
  const principals = new Set<string>();
  for (const e of list as { protoPayload?: Record<string, unknown> }[]) {
    const p = e.protoPayload;
    if (p === undefined) {
      noProto++;
      continue;
    }
    if (p['@type'] !== undefined && p['@type'] !== 'type.googleapis.com/google.cloud.audit.AuditLog') continue;
    audit++;
    const auth = p['authenticationInfo'] as { principalEmail?: string; serviceAccountDelegationInfo?: unknown[] } | undefined;
    if (auth?.principalEmail) principals.add(auth.principalEmail.toLowerCase());
    hops += auth?.serviceAccountDelegationInfo?.length ?? 0;
    for (const a of (p['authorizationInfo'] as { granted?: boolean }[] | undefined) ?? []) {
      if (a.granted === true) granted++;
      else denied++;
    }
  }
  return { total: list.length, audit, noProto, granted, denied, hops, principals };
}

const sum = (rows: { count: number }[]) => rows.reduce((s, r) => s + r.count, 0);

describe('public samples', () => {
  const GCPDIAG = join(FIX, 'gcpdiag-samples');
  for (const project of ['gcpdiag-gce5-aaaa', 'gcpdiag-gce6-aaaa', 'gcpdiag-gcf2-aaaa']) {
    it(`gcpdiag ${project}: the reader's counts match a plain JSON.parse`, async () => {
      const x = expectedFrom(join(GCPDIAG, 'gcp', project, 'audit-logs', 'logging-entries-1.json'));
      const r = await readGcpProjectActivity(GCPDIAG, project, ALL_TIME);
      expect(r.auditLogs?.filesFailed).toEqual([]);
      expect(r.auditLogs?.entriesRead).toBe(x.audit);
      expect(r.auditLogs?.recordsSkipped).toBe(x.total - x.audit);
      // Every entry of the file is accounted for: read, or skipped with its reason (here only
      // application logs without protoPayload), per file.
      const logs = r.auditLogs;
      expect(logs?.valuesRead).toBe(x.total);
      expect((logs?.entriesRead ?? 0) + sum(logs?.entriesSkipped ?? [])).toBe(x.total);
      expect(logs?.entriesSkipped).toEqual(
        x.noProto === 0 ? [] : [{ file: join(GCPDIAG, 'gcp', project, 'audit-logs', 'logging-entries-1.json'), reason: 'no-proto-payload', count: x.noProto }],
      );
      expect(logs?.zonelessTimes).toBe(0);
      expect(sum(r.permissions.filter((p) => !p.isDenied))).toBe(x.granted);
      expect(sum(r.permissions.filter((p) => p.isDenied))).toBe(x.denied);
      expect(sum(r.delegations)).toBe(x.hops);
      expect(new Set([...r.permissions, ...r.unmapped].map((p) => p.principalEmail))).toEqual(x.principals);
      expect(r.permissions.every((p) => p.project === project)).toBe(true);
    });
  }

  it('gcpdiag gce6: a service account denied five compute permissions while a service agent acted for it', async () => {
    const r = await readGcpProjectActivity(GCPDIAG, 'gcpdiag-gce6-aaaa', ALL_TIME);
    const sa = 'no-compute-perm-sa@gcpdiag-gce6-aaaa.iam.gserviceaccount.com';
    expect(r.permissions.map((p) => [p.principalEmail, p.permission, p.isDenied])).toEqual(
      [
        'compute.disks.create',
        'compute.instances.create',
        'compute.instances.setServiceAccount',
        'compute.subnetworks.use',
        'compute.subnetworks.useExternalIp',
      ].map((perm) => [sa, perm, true]),
    );
    expect(r.delegations).toEqual([
      expect.objectContaining({ serviceAccount: sa, delegate: 'service-1234560123456@compute-system.iam.gserviceaccount.com', position: 0 }),
    ]);
  });

  it('gcpdiag gce5: Admin Activity and System Event counts', async () => {
    const r = await readGcpProjectActivity(GCPDIAG, 'gcpdiag-gce5-aaaa', ALL_TIME);
    expect(r.auditLogs?.streams).toEqual({ activity: 76, data_access: 0, system_event: 93, policy: 0, other: 0 });
  });

  it('gcpdiag gcf2: Data Access entries are counted apart from Admin Activity; application logs are skipped', async () => {
    const r = await readGcpProjectActivity(GCPDIAG, 'gcpdiag-gcf2-aaaa', ALL_TIME);
    expect(r.auditLogs?.streams).toEqual({ activity: 2, data_access: 6, system_event: 0, policy: 0, other: 0 });
    expect(r.auditLogs?.recordsSkipped).toBe(42);
    expect(r.auditLogs).toMatchObject({ valuesRead: 50, entriesRead: 8, entriesSkipped: [{ reason: 'no-proto-payload', count: 42 }], entriesUnattributed: [] });
  });

  it('google-cloudevents: one pretty-printed entry per file, including a payload without @type', async () => {
    const root = join(FIX, 'cloudevents-samples');
    const r = await readGcpProjectActivity(root, 'test-project', ALL_TIME);
    expect(r.auditLogs).toMatchObject({ filesRead: 3, entriesRead: 3, recordsSkipped: 0, filesFailed: [], streams: { activity: 1, data_access: 2 } });
    const robot = 'robot@test-project.iam.gserviceaccount.com';
    expect(r.permissions.map((p) => [p.principalEmail, p.permission, p.isDenied, p.stream])).toEqual([
      [robot, 'monitoring.timeSeries.create', false, 'data_access'],
      [robot, 'pubsub.topics.create', false, 'activity'],
    ]);
    expect(r.unmapped).toEqual([
      expect.objectContaining({ principalEmail: robot, serviceName: 'bigquery.googleapis.com', methodName: 'jobservice.jobcompleted' }),
    ]);
  });
});
