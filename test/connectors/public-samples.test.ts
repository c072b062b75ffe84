// Public CloudTrail and Cloud Audit Log samples written by others (fixtures/aws/public-samples/*,
// fixtures/gcp/public-samples/*; each folder's SOURCE.md names the repository, commit, paths and
// licence). Every set is read twice: by the reader alone, with its figures checked against an
// independent parse of the same files, and by the whole pipeline (`auditFiles`, what
// `permdrift scan files` runs) on a snapshot made in a temporary folder whose principals hold a
// wildcard grant on every service they were seen using.
//
// What must hold (issue 11, "Done when", second bullet):
// - no crash, no file refused (bare arrays, JSON lines, lookup-events lines, gzip, null fields);
// - every record is accounted for: records aggregated (any period) + events after asOf + records
//   listed in `coverage.recordsUnusable` = records in the files, counted here by plain JSON.parse;
// - no action that appears in a sample's events (not denied) is reported unused (unused-permission,
//   unused-service, overbroad-grant) for its caller, and no caller seen using something is called
//   dormant, including callers whose only use sits in a record without a usable time.
//
// The CloudTrail reader is being changed to accept bare arrays and JSON lines and to fill
// `recordsUnusable` / `recordsTimedByFile` / `zonelessTimes` (CloudTrailCoverage, model/activity.ts);
// these tests are written against that contract and several fail until it lands.

import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditFiles } from '../../src/audit.js';
import { loadAwsCatalogue } from '../../src/catalogue/aws-catalogue.js';
import { readCloudTrail, type ReadCloudTrailResult } from '../../src/connectors/aws/cloudtrail/read-cloudtrail.js';
import { readGcpProjectActivity } from '../../src/connectors/gcp/audit-logs/read-project-activity.js';
import type { ActionCatalogue } from '../../src/model/aws/catalogue.js';
import type { GcpProjectActivity } from '../../src/model/gcp/activity.js';
import type { Report } from '../../src/model/report.js';

const ROOT = join(import.meta.dirname, '..', '..');
const AWS_SAMPLES = join(ROOT, 'fixtures', 'aws', 'public-samples');
const GCP_SAMPLES = join(ROOT, 'fixtures', 'gcp', 'public-samples');
const LOG_FILE = /\.(json|jsonl|ndjson)(\.gz)?$/i;
const DAY_MS = 86_400_000;
const MAX_WINDOW_MS = 400 * DAY_MS;

const tmp = mkdtempSync(join(tmpdir(), 'permdrift-public-samples-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// ---------------------------------------------------------------------------------------------
// Independent reading of the files: plain JSON.parse, nothing from src/.

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(o: Obj | undefined, k: string): string | null {
  const v = o?.[k];
  return typeof v === 'string' && v !== '' ? v : null;
}

function logFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...logFilesUnder(full));
    else if (LOG_FILE.test(name)) out.push(full);
  }
  return out;
}

function fileText(file: string): string {
  const bytes = readFileSync(file);
  const plain = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
  return plain.toString('utf8');
}

/** The top-level JSON values of a file: one document, or one per line (JSON lines). */
function topValues(file: string): Json[] {
  const text = fileText(file);
  try {
    return [JSON.parse(text) as Json];
  } catch {
    return text
      .split(/\r?\n/)
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Json);
  }
}

/** One record of a CloudTrail file, and the CloudTrail event it stands for. */
interface RawRecord {
  file: string;
  /** The CloudTrail event: the record itself, or the parsed `CloudTrailEvent` of a lookup-events element. */
  event: Json;
}

/** `{"Records":[…]}`, `{"Events":[…]}` (lookup-events), a bare array, or a single record per value. */
function cloudTrailRecords(file: string): RawRecord[] {
  const out: RawRecord[] = [];
  for (const value of topValues(file)) {
    let elements: Json[];
    if (Array.isArray(value)) elements = value;
    else if (isObj(value) && Array.isArray(value['Records'])) elements = value['Records'];
    else if (isObj(value) && Array.isArray(value['Events'])) elements = value['Events'];
    else elements = [value];
    for (const el of elements) {
      const inner = isObj(el) ? el['CloudTrailEvent'] : undefined;
      out.push({ file, event: typeof inner === 'string' ? (JSON.parse(inner) as Json) : el });
    }
  }
  return out;
}

/**
 * A usable time, in UTC milliseconds, from RFC 3339 with `T` or a space, with or without fraction,
 * with `Z`, an offset, or no zone at all (UTC, as CloudTrail and Cloud Logging times are).
 * Anything else (missing, not a string, an epoch number, `redacted`) is not a time.
 */
function parseTime(raw: unknown): { ms: number; zoneless: boolean } | null {
  if (typeof raw !== 'string') return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/i.exec(raw.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const base = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(base);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return null;
  const ms = Number(`0.${m[7] ?? '0'}`) * 1000;
  const zone = m[8];
  let offset = 0;
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
    if (!z) return null;
    offset = (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3])) * 60_000;
  }
  return { ms: Math.floor(base + ms - offset), zoneless: zone === undefined };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Broad on purpose: a call counted here as denied is only left out of the "must not be unused" set. */
function mayBeDenied(e: Obj): boolean {
  const code = str(e, 'errorCode') ?? '';
  const message = str(e, 'errorMessage') ?? '';
  return /denied|unauthori[sz]ed|notauthorized|authorizationerror|forbidden/i.test(code) || /not authorized/i.test(message);
}

/** The IAM principal of a record, when it names one well enough to put in a snapshot. */
function principalOf(e: Obj): { kind: 'user' | 'role'; arn: string; account: string; path: string; name: string } | null {
  const ui = isObj(e['userIdentity']) ? e['userIdentity'] : undefined;
  const type = str(ui, 'type');
  let arn: string | null = null;
  if (type === 'IAMUser') {
    arn = str(ui, 'arn');
    const userName = str(ui, 'userName');
    const accountId = str(ui, 'accountId');
    if (arn === null && userName !== null && accountId !== null) arn = `arn:aws:iam::${accountId}:user/${userName}`;
  } else if (type === 'AssumedRole') {
    const ctx = isObj(ui?.['sessionContext']) ? ui['sessionContext'] : undefined;
    const issuer = isObj(ctx?.['sessionIssuer']) ? ctx['sessionIssuer'] : undefined;
    if (str(issuer, 'type') === 'Role' && str(issuer, 'arn') !== null) arn = str(issuer, 'arn');
    else {
      const m = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(str(ui, 'arn') ?? '');
      if (m) arn = `arn:aws:iam::${m[1]}:role/${m[2]}`;
    }
  }
  const m = /^arn:aws:iam::(\d{12}):(user|role)(\/(?:[\w+=,.@-]+\/)*)([\w+=,.@-]+)$/.exec(arn ?? '');
  if (!m) return null;
  return { kind: m[2] as 'user' | 'role', arn: arn as string, account: m[1] as string, path: m[3] as string, name: m[4] as string };
}

/** What the independent parse says a set must give. */
interface Expected {
  records: number;
  /** Not an object, or without eventSource / eventName. */
  notCloudTrail: number;
  /** CloudTrail-shaped but without a usable time. */
  timeless: number;
  /** CloudTrail-shaped with a usable time. */
  timed: number;
  zoneless: number;
  first: string | null;
  last: string | null;
  /** Files holding records of the first two kinds. */
  filesWithUnusable: Set<string>;
  /** `callerArn|eventSource|eventName` of timed records with no error at all: must be aggregated as allowed use. */
  plainUse: Set<string>;
}

function expectedFor(records: RawRecord[]): Expected {
  const ex: Expected = {
    records: records.length,
    notCloudTrail: 0,
    timeless: 0,
    timed: 0,
    zoneless: 0,
    first: null,
    last: null,
    filesWithUnusable: new Set(),
    plainUse: new Set(),
  };
  let min = Infinity;
  let max = -Infinity;
  for (const r of records) {
    const e = r.event;
    if (!isObj(e) || str(e, 'eventSource') === null || str(e, 'eventName') === null) {
      ex.notCloudTrail++;
      ex.filesWithUnusable.add(r.file);
      continue;
    }
    const t = parseTime(e['eventTime'] ?? e['@timestamp']);
    if (t === null) {
      ex.timeless++;
      ex.filesWithUnusable.add(r.file);
      continue;
    }
    ex.timed++;
    if (t.zoneless) ex.zoneless++;
    min = Math.min(min, t.ms);
    max = Math.max(max, t.ms);
    const p = principalOf(e);
    if (p !== null && e['errorCode'] === undefined && e['errorMessage'] === undefined)
      ex.plainUse.add(`${p.arn}|${str(e, 'eventSource')}|${str(e, 'eventName')}`);
  }
  if (min !== Infinity) {
    ex.first = iso(min);
    ex.last = iso(max);
  }
  return ex;
}

// ---------------------------------------------------------------------------------------------
// The sets.

interface AwsSet {
  name: string;
  files: string[];
  records: RawRecord[];
  expected: Expected;
  /** Exact record counts per set, so a fixture change is noticed. */
  count: number;
}

const AWS_SETS: { name: string; count: number; files: number }[] = [
  { name: 'stratus-red-team', count: 310, files: 35 },
  { name: 'panther-analysis', count: 461, files: 1 },
  { name: 'plaso', count: 6, files: 1 },
  { name: 'aws-cloudtrail-processing-library', count: 15, files: 5 },
  { name: 'trailscraper', count: 2, files: 1 },
];

const awsSets: AwsSet[] = AWS_SETS.map(({ name, count }) => {
  const files = logFilesUnder(join(AWS_SAMPLES, name));
  const records = files.flatMap(cloudTrailRecords);
  return { name, files, records, expected: expectedFor(records), count };
});

/** A window that holds every usable time of the set, a day either side. */
function windowOf(ex: Expected): { windowStart: string; asOf: string } {
  if (ex.first === null || ex.last === null) return { windowStart: '2000-01-01T00:00:00.000Z', asOf: '2030-01-01T00:00:00.000Z' };
  return { windowStart: iso(Date.parse(ex.first) - DAY_MS), asOf: iso(Date.parse(ex.last) + DAY_MS) };
}

const PLACEHOLDER_ACCOUNT = '000000000000';

let catalogue: ActionCatalogue;
beforeAll(async () => {
  catalogue = await loadAwsCatalogue();
});

describe('public CloudTrail samples: the sets themselves', () => {
  it.each(AWS_SETS)('$name has $files files and $count records', ({ name, count, files }) => {
    const set = awsSets.find((s) => s.name === name) as AwsSet;
    expect(set.files).toHaveLength(files);
    expect(set.records).toHaveLength(count);
    // Every set ships its licence and provenance.
    const names = readdirSync(join(AWS_SAMPLES, name));
    expect(names.some((n) => /^LICENSE/.test(n))).toBe(true);
    expect(names).toContain('SOURCE.md');
  });

  it('cover the odd shapes they were chosen for', () => {
    const all = awsSets.flatMap((s) => s.records.map((r) => r.event)).filter(isObj);
    const types = new Set(all.map((e) => (isObj(e['userIdentity']) ? str(e['userIdentity'], 'type') : null)));
    for (const t of ['IAMUser', 'AssumedRole', 'Root', 'AWSService', 'FederatedUser']) expect(types).toContain(t);
    const totals = awsSets.reduce(
      (a, s) => ({
        notCloudTrail: a.notCloudTrail + s.expected.notCloudTrail,
        timeless: a.timeless + s.expected.timeless,
        zoneless: a.zoneless + s.expected.zoneless,
      }),
      { notCloudTrail: 0, timeless: 0, zoneless: 0 },
    );
    expect(totals.notCloudTrail).toBeGreaterThan(0);
    expect(totals.timeless).toBeGreaterThan(0);
    expect(totals.zoneless).toBeGreaterThan(0);
  });
});

describe.each(awsSets.map((s) => ({ name: s.name, set: s })))('public CloudTrail samples, reader: $name', ({ set }) => {
  const ex = set.expected;
  let result: ReadCloudTrailResult;

  beforeAll(async () => {
    result = await readCloudTrail({ files: set.files, account: PLACEHOLDER_ACCOUNT, ...windowOf(ex), workers: 1 });
  });

  it('reads every file (bare arrays, JSON lines and lookup-events lines included)', () => {
    expect(result.coverage.filesFailed).toEqual([]);
    expect(result.coverage.filesRead).toBe(set.files.length);
  });

  it('accounts for every record: aggregated with a time + after asOf + unusable = records in the files', () => {
    // A record without a usable time that its file name cannot date is listed as unusable AND
    // aggregated as `unknown-time` (so its caller's claims become unverifiable): count it once.
    const aggregated = result.calls.filter((c) => c.period !== 'unknown-time').reduce((s, c) => s + c.count, 0);
    const unusable = result.coverage.recordsUnusable.reduce((s, u) => s + u.count, 0);
    expect(aggregated + result.coverage.eventsAfterAsOf + unusable).toBe(ex.records);
    expect(result.coverage.eventsAfterAsOf).toBe(0);
  });

  it('lists unusable records per file and reason, and only records that are not CloudTrail events or have no usable time', () => {
    const u = result.coverage.recordsUnusable;
    for (const entry of u) {
      expect(set.files).toContain(entry.file);
      expect(entry.count).toBeGreaterThan(0);
    }
    const byReason = (reason: string): number => u.filter((x) => x.reason === reason).reduce((s, x) => s + x.count, 0);
    expect(byReason('not-a-cloudtrail-event')).toBe(ex.notCloudTrail);
    // A record without a usable time is either placed at its file's delivery time, or listed as
    // unusable (time-missing / time-invalid) and aggregated as `unknown-time`: never lost.
    const unknownTime = result.calls.filter((c) => c.period === 'unknown-time').reduce((s, c) => s + c.count, 0);
    expect(byReason('time-missing') + byReason('time-invalid') + result.coverage.recordsTimedByFile).toBe(ex.timeless);
    expect(unknownTime).toBe(byReason('time-missing') + byReason('time-invalid'));
    // Records with a usable time are all aggregated (the window holds them all).
    const timedRows = result.calls.filter((c) => c.period !== 'unknown-time').reduce((s, c) => s + c.count, 0);
    expect(timedRows).toBe(ex.timed + result.coverage.recordsTimedByFile);
    expect([...new Set(u.map((x) => x.file))].sort()).toEqual([...set.files].filter((f) => u.some((x) => x.file === f)).sort());
  });

  it('reads zone-less times as UTC and counts them', () => {
    expect(result.coverage.zonelessTimes).toBe(ex.zoneless);
    expect(result.coverage.firstEvent).toBe(ex.first);
    expect(result.coverage.lastEvent).toBe(ex.last);
  });

  it('aggregates every error-free call of a named principal as allowed use in the window', () => {
    const got = new Set(result.calls.filter((c) => !c.isDenied && c.period === 'window').map((c) => `${c.callerArn}|${c.eventSource}|${c.eventName}`));
    const missing = [...ex.plainUse].filter((k) => !got.has(k));
    expect(missing).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// The whole pipeline on snapshots made from each set.

/** `prefix:Action` as the catalogue spells it, from the event alone (no event map), or null. */
function plainAction(eventSource: string, eventName: string): string | null {
  const prefix = eventSource.replace(/\.amazonaws\.com$/i, '').toLowerCase();
  const direct = catalogue.lookup(`${prefix}:${eventName}`);
  if (direct) return direct.action;
  const unversioned = eventName.replace(/\d{8}(v\d+)?$/, '');
  return unversioned !== eventName ? (catalogue.lookup(`${prefix}:${unversioned}`)?.action ?? null) : null;
}

type Principal = NonNullable<ReturnType<typeof principalOf>>;

/** One account of a set, made into a snapshot of its own. */
interface AccountSnapshot {
  account: string;
  dir: string;
  /** Snapshot-relative paths of the log files placed in `cloudtrail/`. */
  placed: string[];
  /** Sample files placed. */
  sources: string[];
  /** principal ARN → actions it was seen using (not denied): none of them may be reported unused. */
  used: Map<string, Set<string>>;
  asOf: Date;
  windowMs: number;
}

/**
 * One snapshot per account whose principals appear in the set (a set without any gets one
 * placeholder account holding every file). Each principal gets `<service>:*` on every service it
 * was seen calling, so an action it did not use shows as overbroad-grant. An account's snapshot
 * holds every sample file that mentions one of its principals, and is judged over the span of the
 * usable times in those files — the span its own logs cover, so verdicts are made rather than all
 * left unverifiable.
 */
function makeSnapshots(set: AwsSet): AccountSnapshot[] {
  const principals = new Map<string, Principal>();
  const filesOf = new Map<string, Set<string>>();
  const seen: { p: Principal; action: string | null; file: string; ms: number | null }[] = [];
  for (const r of set.records) {
    const e = r.event;
    if (!isObj(e)) continue;
    const source = str(e, 'eventSource');
    const name = str(e, 'eventName');
    const p = principalOf(e);
    if (source === null || name === null || p === null) continue;
    // One principal per (account, kind, name): IAM names are unique in an account whatever the path.
    const clash = [...principals.values()].find(
      (q) => q.account === p.account && q.kind === p.kind && q.name.toLowerCase() === p.name.toLowerCase() && q.arn !== p.arn,
    );
    if (clash) continue;
    principals.set(p.arn, p);
    const files = filesOf.get(p.account) ?? new Set<string>();
    files.add(r.file);
    filesOf.set(p.account, files);
    seen.push({ p, action: mayBeDenied(e) ? null : plainAction(source, name), file: r.file, ms: parseTime(e['eventTime'] ?? e['@timestamp'])?.ms ?? null });
  }
  if (filesOf.size === 0) filesOf.set(PLACEHOLDER_ACCOUNT, new Set(set.files));
  const out: AccountSnapshot[] = [];
  for (const [account, fileSet] of [...filesOf].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const files = [...fileSet].sort();
    const dir = join(tmp, `aws-${set.name}-${account}`);
    const accountDir = join(dir, 'aws', account);
    mkdirSync(join(accountDir, 'cloudtrail'), { recursive: true });
    // Every record of the files placed here, whoever made it, a usable time or not, lies in the window.
    let min = Infinity;
    let max = -Infinity;
    for (const r of set.records) {
      if (!fileSet.has(r.file) || !isObj(r.event)) continue;
      const t = parseTime(r.event['eventTime'] ?? r.event['@timestamp']);
      if (t === null) continue;
      min = Math.min(min, t.ms);
      max = Math.max(max, t.ms);
    }
    if (min === Infinity) {
      min = Date.parse('2000-01-01T00:00:00Z');
      max = Date.parse('2030-01-01T00:00:00Z');
    }
    // A single instant is no window: one minute before it.
    // At most the 400-day cap: a use before the window may then be called unused, so only uses
    // inside it (or without a time, which may lie inside) count as "used" for the check.
    const startMs = Math.max(max - min < 60_000 ? max - 60_000 : min, max - MAX_WINDOW_MS);
    const used = new Map<string, Set<string>>();
    for (const s of seen) {
      if (s.p.account !== account || s.action === null) continue;
      if (s.ms !== null && s.ms < startMs) continue;
      const actions = used.get(s.p.arn) ?? new Set<string>();
      actions.add(s.action);
      used.set(s.p.arn, actions);
    }
    const mine = [...principals.values()].filter((p) => p.account === account && used.has(p.arn));
    const policy = (p: Principal): { PolicyName: string; PolicyDocument: unknown }[] => [
      {
        PolicyName: 'seen-services',
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: [...new Set([...(used.get(p.arn) ?? [])].map((a) => `${a.split(':')[0]}:*`))].sort(), Resource: '*' }],
        },
      },
    ];
    const details = {
      UserDetailList: mine
        .filter((p) => p.kind === 'user')
        .map((p, i) => ({
          Path: p.path,
          UserName: p.name,
          UserId: `AIDA${String(i).padStart(17, '0')}`,
          Arn: p.arn,
          CreateDate: '2000-01-01T00:00:00Z',
          GroupList: [],
          AttachedManagedPolicies: [],
          UserPolicyList: policy(p),
        })),
      GroupDetailList: [],
      RoleDetailList: mine
        .filter((p) => p.kind === 'role')
        .map((p, i) => ({
          Path: p.path,
          RoleName: p.name,
          RoleId: `AROA${String(i).padStart(17, '0')}`,
          Arn: p.arn,
          CreateDate: '2000-01-01T00:00:00Z',
          AttachedManagedPolicies: [],
          RolePolicyList: policy(p),
        })),
      Policies: [],
    };
    writeFileSync(join(accountDir, 'iam-get-account-authorization-details.json'), JSON.stringify(details, null, 1));
    const placed: string[] = [];
    for (const f of files) {
      cpSync(f, join(accountDir, 'cloudtrail', basename(f)));
      placed.push(join('aws', account, 'cloudtrail', basename(f)));
    }
    out.push({ account, dir, placed, sources: files, used, asOf: new Date(max), windowMs: max - startMs });
  }
  return out;
}

/** Finding types that call a permission unused. */
const UNUSED_TYPES = new Set(['unused-permission', 'unused-service', 'overbroad-grant']);

/** What went wrong for the principals of `used` in a report: `principal action type`, `principal dormant`. */
function unusedClaimsOnUse(report: Report, used: Map<string, Set<string>>, key: (f: Report['findings'][number]) => string): string[] {
  const wrong: string[] = [];
  for (const f of report.findings) {
    const seen = used.get(key(f));
    if (seen === undefined) continue;
    if (f.type === 'dormant-principal') wrong.push(`${key(f)} dormant`);
    if (!UNUSED_TYPES.has(f.type)) continue;
    const lower = new Set([...seen].map((a) => a.toLowerCase()));
    for (const p of f.permissions) if (lower.has(p.action.toLowerCase())) wrong.push(`${key(f)} ${p.action} ${f.type}`);
  }
  return wrong;
}

describe.each(awsSets.map((s) => ({ name: s.name, set: s })))('public CloudTrail samples, scan files: $name', ({ set }) => {
  let snaps: AccountSnapshot[];
  const reports: (Report | Error)[] = [];

  beforeAll(async () => {
    snaps = makeSnapshots(set);
    for (const snap of snaps) {
      try {
        reports.push(await auditFiles({ dir: snap.dir, asOf: snap.asOf, windowMs: snap.windowMs, workers: 1 }));
      } catch (err) {
        reports.push(err as Error);
      }
    }
  });

  it('builds snapshots with something to check (sets with named principals)', () => {
    const checked = snaps.reduce((n, s) => n + [...s.used.values()].reduce((m, a) => m + a.size, 0), 0);
    if (set.name === 'aws-cloudtrail-processing-library')
      expect(checked).toBe(0); // placeholder ARNs only
    else expect(checked).toBeGreaterThan(0);
  });

  it('scans every snapshot without an error', () => {
    expect(reports.map((r, i) => (r instanceof Error ? `${snaps[i]?.account}: ${r.message}` : null)).filter((m) => m !== null)).toEqual([]);
  });

  it('reads every file it was given', () => {
    const wrong: string[] = [];
    snaps.forEach((snap, i) => {
      const report = reports[i];
      if (report === undefined || report instanceof Error) {
        wrong.push(`${snap.account}: no report`);
        return;
      }
      const cov = report.coverage.find((c) => 'account' in c && c.account === snap.account) as
        { cloudTrail: { filesRead: number; filesFailed: number } } | undefined;
      if (cov?.cloudTrail.filesFailed !== 0 || cov.cloudTrail.filesRead !== snap.placed.length) {
        wrong.push(`${snap.account}: read ${cov?.cloudTrail.filesRead} of ${snap.placed.length}, failed ${cov?.cloudTrail.filesFailed}`);
      }
    });
    expect(wrong).toEqual([]);
  });

  it('reports no action seen in the events as unused for its caller, and no such caller as dormant', () => {
    const wrong = snaps.flatMap((snap, i) => {
      const report = reports[i];
      return report === undefined || report instanceof Error ? [] : unusedClaimsOnUse(report, snap.used, (f) => f.principal.id);
    });
    expect(wrong).toEqual([]);
  });

  it('names in the report every file holding records it could not use as they stand', () => {
    const missing: string[] = [];
    for (const f of set.expected.filesWithUnusable) {
      const i = snaps.findIndex((s) => s.sources.includes(f));
      const report = reports[i];
      if (report === undefined || report instanceof Error || !JSON.stringify(report).includes(basename(f))) missing.push(relative(AWS_SAMPLES, f));
    }
    expect(missing).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Cloud Audit Logs.

interface GcpSet {
  name: string;
  files: string[];
  values: Json[];
}

const GCP_SETS: { name: string; count: number; files: number }[] = [
  { name: 'panther-analysis', count: 143, files: 1 },
  { name: 'plaso', count: 11, files: 1 },
];

const gcpSets: GcpSet[] = GCP_SETS.map(({ name }) => {
  const files = logFilesUnder(join(GCP_SAMPLES, name));
  return {
    name,
    files,
    values: files.flatMap(topValues).flatMap((v) => (Array.isArray(v) ? v : isObj(v) && Array.isArray(v['entries']) ? v['entries'] : [v])),
  };
});

const GCP_AUDIT_LOG = 'type.googleapis.com/google.cloud.audit.AuditLog';

/** The project of an entry from its logName, when it has one. */
function gcpProject(entry: Obj): string | null {
  return /^projects\/([^/]+)\/logs\//.exec(str(entry, 'logName') ?? '')?.[1] ?? null;
}

/** Granted checks of audit entries with a usable time and a principal: `principal|permission|project`. */
function gcpGrantedUse(values: Json[]): { key: string; principal: string; permission: string; project: string | null; ms: number }[] {
  const out: { key: string; principal: string; permission: string; project: string | null; ms: number }[] = [];
  for (const v of values) {
    if (!isObj(v) || !isObj(v['protoPayload'])) continue;
    const payload = v['protoPayload'];
    const type = payload['@type'];
    if (type !== undefined && type !== GCP_AUDIT_LOG) continue;
    const t = parseTime(v['timestamp'] ?? v['receiveTimestamp']);
    const auth = isObj(payload['authenticationInfo']) ? payload['authenticationInfo'] : undefined;
    const principal = str(auth, 'principalEmail')?.toLowerCase() ?? null;
    const checks = payload['authorizationInfo'];
    if (t === null || principal === null || !Array.isArray(checks)) continue;
    for (const c of checks) {
      const permission = isObj(c) ? str(c, 'permission') : null;
      if (permission === null || !isObj(c) || c['granted'] !== true) continue;
      out.push({ key: `${principal}|${permission}`, principal, permission, project: gcpProject(v), ms: t.ms });
    }
  }
  return out;
}

const GCP_ALL_TIME = { windowStart: new Date('2000-01-01T00:00:00Z'), asOf: new Date('2100-01-01T00:00:00Z') };

describe('public Cloud Audit Log samples: the sets themselves', () => {
  it.each(GCP_SETS)('$name has $files files and $count entries', ({ name, count, files }) => {
    const set = gcpSets.find((s) => s.name === name) as GcpSet;
    expect(set.files).toHaveLength(files);
    expect(set.values).toHaveLength(count);
    const names = readdirSync(join(GCP_SAMPLES, name));
    expect(names.some((n) => /^LICENSE/.test(n))).toBe(true);
    expect(names).toContain('SOURCE.md');
  });
});

describe.each(gcpSets.map((s) => ({ name: s.name, set: s })))('public Cloud Audit Log samples, reader: $name', ({ set }) => {
  let activity: GcpProjectActivity;

  beforeAll(async () => {
    const dir = join(tmp, `gcp-reader-${set.name}`);
    const logs = join(dir, 'gcp', 'samples', 'audit-logs');
    mkdirSync(logs, { recursive: true });
    for (const f of set.files) cpSync(f, join(logs, basename(f)));
    activity = await readGcpProjectActivity(dir, 'samples', { ...GCP_ALL_TIME, workers: 1 });
  });

  it('reads every file and accounts for every entry (read + skipped = values in the files)', () => {
    const cov = activity.auditLogs;
    expect(cov).not.toBeNull();
    expect(cov?.filesFailed).toEqual([]);
    expect(cov?.filesRead).toBe(set.files.length);
    expect((cov?.entriesRead ?? 0) + (cov?.recordsSkipped ?? 0)).toBe(set.values.length);
  });

  it('aggregates every granted check of an attributed, timed entry as use (undated ones only as unknown-time)', () => {
    const expected = new Map<string, number>();
    for (const g of gcpGrantedUse(set.values)) expected.set(g.key, (expected.get(g.key) ?? 0) + 1);
    expect(expected.size).toBeGreaterThan(0);
    const got = new Map<string, number>();
    for (const p of activity.permissions)
      if (!p.isDenied && p.period !== 'unknown-time')
        got.set(`${p.principalEmail}|${p.permission}`, (got.get(`${p.principalEmail}|${p.permission}`) ?? 0) + p.count);
    expect(new Map([...got].sort())).toEqual(new Map([...expected].sort()));
  });
});

/**
 * GCP verdicts are made for service accounts only (users are not judged), so of the principals
 * bound here only the service accounts can show a wrong "unused"; the check covers them all.
 *
 * One project folder per project named in the entries' logName, with a custom role holding every
 * permission seen granted in it, bound to each principal seen using it; every log file in each.
 */
function makeGcpSnapshot(set: GcpSet): { dir: string; used: Map<string, Set<string>>; asOf: Date; windowMs: number } {
  const dir = join(tmp, `gcp-${set.name}`);
  const grants = gcpGrantedUse(set.values).filter((g) => g.project !== null && /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/.test(g.project));
  const min = Math.min(...grants.map((g) => g.ms));
  const max = Math.max(...grants.map((g) => g.ms));
  const asOf = new Date(max + DAY_MS);
  // At most the 400-day cap; only uses inside the window count as "used" for the check.
  const windowMs = Math.min(asOf.getTime() - (min - DAY_MS), MAX_WINDOW_MS);
  const used = new Map<string, Set<string>>();
  const byProject = new Map<string, typeof grants>();
  for (const g of grants) {
    const list = byProject.get(g.project as string) ?? [];
    list.push(g);
    byProject.set(g.project as string, list);
    const key = `${g.project}|${g.principal}`;
    if (g.ms < asOf.getTime() - windowMs) continue;
    const perms = used.get(key) ?? new Set<string>();
    perms.add(g.permission);
    used.set(key, perms);
  }
  for (const [project, list] of byProject) {
    const p = join(dir, 'gcp', project);
    mkdirSync(join(p, 'audit-logs'), { recursive: true });
    mkdirSync(join(p, 'roles'), { recursive: true });
    const members = [
      ...new Set(list.map((g) => (/\.gserviceaccount\.com$/.test(g.principal) ? `serviceAccount:${g.principal}` : `user:${g.principal}`))),
    ].sort();
    writeFileSync(
      join(p, 'iam-policy.json'),
      JSON.stringify({ bindings: [{ role: `projects/${project}/roles/seen`, members }], etag: 'BwYA', version: 1 }, null, 1),
    );
    writeFileSync(
      join(p, 'roles', 'seen.json'),
      JSON.stringify(
        {
          name: `projects/${project}/roles/seen`,
          title: 'Seen in the samples',
          stage: 'GA',
          etag: 'BwYA',
          includedPermissions: [...new Set(list.map((g) => g.permission))].sort(),
        },
        null,
        1,
      ),
    );
    for (const f of set.files) cpSync(f, join(p, 'audit-logs', basename(f)));
  }
  return { dir, used, asOf, windowMs };
}

describe.each(gcpSets.map((s) => ({ name: s.name, set: s })))('public Cloud Audit Log samples, scan files: $name', ({ set }) => {
  let snap: ReturnType<typeof makeGcpSnapshot>;
  let report: Report;

  beforeAll(async () => {
    snap = makeGcpSnapshot(set);
    report = await auditFiles({ dir: snap.dir, asOf: snap.asOf, windowMs: snap.windowMs, workers: 1 });
  });

  it('reports no permission seen granted in the entries as unused for its principal', () => {
    expect(snap.used.size).toBeGreaterThan(0);
    const key = (f: Report['findings'][number]): string => `${f.account}|${f.principal.name.toLowerCase()}`;
    expect(unusedClaimsOnUse(report, snap.used, key)).toEqual([]);
  });
});
