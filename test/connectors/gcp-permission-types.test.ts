// `authorizationInfo[].permissionType` in the audit log reader: counted per permission for every
// check (any principal, denied ones too), the same from the three file layouts (a `gcloud logging
// read --format=json` array, a sink export's JSON lines, an `entries.list` response) and from the
// live collector's file, the same with worker threads; and used to place an entry whose logName
// names no audit log in the Admin Activity or Data Access stream when its checks agree.
//
// Real records: the panther-analysis rule test events of 2025-12 (the only vendored entries from
// after Google added permissionType, fixtures/gcp/public-samples/panther-analysis), gcpdiag's
// gce6 `entries.list` response (fixtures/gcp-logs/gcpdiag-samples) and plaso's JSON lines
// (fixtures/gcp/public-samples/plaso), copied into temporary snapshots unchanged unless a test says
// what it changed.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readGcpProjectActivity } from '../../src/connectors/gcp/audit-logs/read-project-activity.js';
import { listAuditLogEntries } from '../../src/connectors/gcp/live/audit-logs.js';
import type { GcpClients } from '../../src/connectors/gcp/live/clients.js';
import type { GcpPermissionTypeAggregate } from '../../src/model/gcp/activity.js';

const ROOT = join(import.meta.dirname, '..', '..');
const PANTHER = join(ROOT, 'fixtures', 'gcp', 'public-samples', 'panther-analysis', 'gcp_audit_rules.tests.jsonl');
const PLASO = join(ROOT, 'fixtures', 'gcp', 'public-samples', 'plaso', 'gcp_logging.jsonl');
const GCPDIAG = join(ROOT, 'fixtures', 'gcp-logs', 'gcpdiag-samples');
const ALL_TIME = { windowStart: new Date('2000-01-01T00:00:00Z'), asOf: new Date('2100-01-01T00:00:00Z') };
const tmp = mkdtempSync(join(tmpdir(), 'permdrift-gcp-permission-types-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Obj = Record<string, unknown>;

function lines(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
}

/** The panther events whose checks carry a permissionType (the 2025-12 KMS rules' tests). */
const typedPanther = lines(PANTHER).filter((l) => l.includes('"permissionType"'));

/** A snapshot of project `p` with the given audit log files (path → content). */
function snapshot(name: string, files: Record<string, string>): string {
  const root = join(tmp, name);
  for (const [path, content] of Object.entries(files)) {
    const full = join(root, 'gcp', 'p', 'audit-logs', path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
  return root;
}

/** Independent count: per permission and type, every check of every object (plain JSON.parse). */
function countTypes(entries: Obj[]): GcpPermissionTypeAggregate[] {
  const m = new Map<string, number>();
  for (const e of entries) {
    const checks = (e['protoPayload'] as Obj | undefined)?.['authorizationInfo'];
    for (const c of Array.isArray(checks) ? (checks as Obj[]) : []) {
      if (typeof c['permission'] !== 'string' || typeof c['permissionType'] !== 'string') continue;
      const key = `${c['permission']}\u0000${c['permissionType']}`;
      m.set(key, (m.get(key) ?? 0) + 1);
    }
  }
  return [...m]
    .map(([k, count]) => {
      const [permission = '', permissionType = ''] = k.split('\u0000');
      return { permission, permissionType, count } as GcpPermissionTypeAggregate;
    })
    .sort((a, b) => (a.permission < b.permission ? -1 : a.permission > b.permission ? 1 : a.permissionType < b.permissionType ? -1 : 1));
}

describe('permissionType, read from real entries', () => {
  it('panther 2025 events: the gcloud array and the sink export JSON lines give the same types, counted per check', async () => {
    expect(typedPanther.length).toBe(4);
    const entries = typedPanther.map((l) => JSON.parse(l) as Obj);
    const arrayRoot = snapshot('panther-array', { 'logging-read.json': JSON.stringify(entries, null, 2) });
    const sinkRoot = snapshot('panther-sink', {
      'cloudaudit.googleapis.com/data_access/2025/12/02/19-00-00_19-59-59_S0.json': `${typedPanther.slice(0, 2).join('\n')}\n`,
      'cloudaudit.googleapis.com/activity/2025/12/02/19-00-00_19-59-59_S0.json': `${typedPanther.slice(2).join('\n')}\n`,
    });
    const array = await readGcpProjectActivity(arrayRoot, 'p', ALL_TIME);
    const sink = await readGcpProjectActivity(sinkRoot, 'p', ALL_TIME);
    expect(array.permissionTypes).toEqual([
      { permission: 'cloudkms.cryptoKeyVersions.update', permissionType: 'ADMIN_WRITE', count: 1 },
      { permission: 'cloudkms.cryptoKeyVersions.useToEncrypt', permissionType: 'DATA_READ', count: 2 },
      { permission: 'cloudkms.cryptoKeys.setIamPolicy', permissionType: 'ADMIN_WRITE', count: 1 },
    ]);
    expect(array.permissionTypes).toEqual(countTypes(entries));
    expect(sink.permissionTypes).toEqual(array.permissionTypes);
    // Their logNames name the audit logs: nothing is placed by type.
    expect(array.auditLogs?.entriesStreamFromPermissionType).toBeUndefined();
  });

  it('gcpdiag gce6 (an entries.list response): the five denied checks of one call give their types', async () => {
    const r = await readGcpProjectActivity(GCPDIAG, 'gcpdiag-gce6-aaaa', ALL_TIME);
    const raw = JSON.parse(readFileSync(join(GCPDIAG, 'gcp', 'gcpdiag-gce6-aaaa', 'audit-logs', 'logging-entries-1.json'), 'utf8')) as { entries: Obj[] };
    expect(r.permissions.every((p) => p.isDenied)).toBe(true);
    expect(r.permissionTypes).toEqual(countTypes(raw.entries));
    expect(r.permissionTypes?.map((t) => `${t.permission} ${t.permissionType}`)).toEqual([
      'compute.disks.create ADMIN_WRITE',
      'compute.instances.create ADMIN_WRITE',
      'compute.instances.setServiceAccount ADMIN_WRITE',
      'compute.subnetworks.use ADMIN_WRITE',
      'compute.subnetworks.useExternalIp ADMIN_WRITE',
    ]);
  });

  it('plaso JSON lines: granted and denied checks alike; entries of another project in the file count too', async () => {
    const root = snapshot('plaso', { 'gcp_logging.jsonl': readFileSync(PLASO, 'utf8') });
    const r = await readGcpProjectActivity(root, 'p', ALL_TIME);
    const expected = countTypes(lines(PLASO).map((l) => JSON.parse(l) as Obj));
    expect(expected.reduce((n, t) => n + t.count, 0)).toBe(8);
    expect(r.permissionTypes).toEqual(expected);
    expect(r.permissions.some((p) => p.isDenied)).toBe(true);
  });

  it('workers give the serial result', async () => {
    const files: Record<string, string> = {};
    typedPanther.forEach((l, i) => (files[`f${i}.jsonl`] = `${l}\n${l}\n`));
    const root = snapshot('panther-pool', files);
    const serial = await readGcpProjectActivity(root, 'p', { ...ALL_TIME, workers: 1 });
    const pooled = await readGcpProjectActivity(root, 'p', { ...ALL_TIME, workers: 2 });
    expect(pooled.permissionTypes).toEqual(serial.permissionTypes);
    expect(serial.permissionTypes?.find((t) => t.permission === 'cloudkms.cryptoKeyVersions.useToEncrypt')?.count).toBe(4);
  });

  it('the live collector writes entries.list pages unchanged, so the file it writes gives the same types', async () => {
    const entries = typedPanther.map((l) => JSON.parse(l) as Obj);
    const pages = [{ entries: entries.slice(0, 2), nextPageToken: 'next' }, { entries: entries.slice(2) }];
    const clients = { rest: () => Promise.resolve(pages.shift()) } as unknown as GcpClients;
    const root = join(tmp, 'live');
    const file = join(root, 'gcp', 'p', 'audit-logs', 'entries.json');
    mkdirSync(dirname(file), { recursive: true });
    const listed = await listAuditLogEntries(clients, 'p', { start: ALL_TIME.windowStart, end: ALL_TIME.asOf }, file);
    expect(listed.entries).toBe(4);
    const r = await readGcpProjectActivity(root, 'p', ALL_TIME);
    expect(r.permissionTypes).toEqual(countTypes(entries));
  });
});

/** A real panther KMS event with `edit` applied to a copy. */
function pantherEntry(index: number, edit: (e: Obj, payload: Obj) => void): Obj {
  const e = JSON.parse(typedPanther[index] as string) as Obj;
  edit(e, e['protoPayload'] as Obj);
  return e;
}

const checksOf = (payload: Obj): Obj[] => payload['authorizationInfo'] as Obj[];

describe('permissionType: what counts, and the stream of an entry whose logName does not say', () => {
  it('places an entry without logName by its checks: DATA_READ → Data Access, ADMIN_WRITE → Admin Activity; mixed or untyped stays other', async () => {
    const noLogName = (e: Obj): void => {
      delete e['logName'];
    };
    const root = snapshot('streams', {
      'entries.json': JSON.stringify([
        // The Encrypt event without its logName: one DATA_READ check.
        pantherEntry(0, noLogName),
        // The SetIamPolicy event without its logName: one ADMIN_WRITE check.
        pantherEntry(2, noLogName),
        // Mixed: an ADMIN_WRITE check and a DATA_READ check.
        pantherEntry(3, (e, p) => {
          noLogName(e);
          checksOf(p).push({ ...checksOf(p)[0], permission: 'cloudkms.cryptoKeyVersions.useToDecrypt', permissionType: 'DATA_READ' });
        }),
        // One check without a type.
        pantherEntry(1, (e, p) => {
          noLogName(e);
          delete checksOf(p)[0]?.['permissionType'];
        }),
        // A logName of an audit log permdrift does not judge: never overruled.
        pantherEntry(2, (e) => (e['logName'] = 'projects/p/logs/cloudaudit.googleapis.com%2Faccess_transparency')),
        // A log outside Cloud Audit Logs: placed by type.
        pantherEntry(0, (e) => (e['logName'] = 'projects/p/logs/relayed-audit')),
      ]),
    });
    const r = await readGcpProjectActivity(root, 'p', ALL_TIME);
    expect(r.auditLogs?.streams).toEqual({ activity: 1, data_access: 2, system_event: 0, policy: 0, other: 3 });
    expect(r.auditLogs?.entriesStreamFromPermissionType).toEqual({ activity: 1, data_access: 2 });
    const streamOf = (permission: string) => [...new Set(r.permissions.filter((p) => p.permission === permission).map((p) => p.stream))].sort();
    expect(streamOf('cloudkms.cryptoKeys.setIamPolicy')).toEqual(['activity', 'other']);
    expect(streamOf('cloudkms.cryptoKeyVersions.useToDecrypt')).toEqual(['other']);
    expect(streamOf('cloudkms.cryptoKeyVersions.useToEncrypt')).toEqual(['data_access', 'other']);
  });

  it('counts the checks of entries without a principal and of undated entries, not of entries after asOf, and no other values', async () => {
    const window = { windowStart: new Date('2025-01-01T00:00:00Z'), asOf: new Date('2025-12-10T00:00:00Z') };
    const root = snapshot('what-counts', {
      'entries.json': JSON.stringify([
        // No principal (an anonymous caller): still the permission's type.
        pantherEntry(0, (_e, p) => delete (p['authenticationInfo'] as Obj)['principalEmail']),
        // No usable time: aggregated as unknown-time, its type counted.
        pantherEntry(1, (e) => (e['timestamp'] = 'not a time')),
        // 2025-12-15, after asOf: not counted.
        pantherEntry(3, () => {}),
        // Values that are not one of the four types.
        pantherEntry(2, (_e, p) => {
          const c = checksOf(p)[0] as Obj;
          checksOf(p).push({ ...c, permission: 'x.unspecified.get', permissionType: 'PERMISSION_TYPE_UNSPECIFIED' });
          checksOf(p).push({ ...c, permission: 'x.numbered.get', permissionType: 2 });
          checksOf(p).push({ ...c, permission: 'x.lower.get', permissionType: 'admin_write' });
        }),
      ]),
    });
    const r = await readGcpProjectActivity(root, 'p', window);
    expect(r.auditLogs?.entriesAfterAsOf).toBe(1);
    expect(r.permissionTypes).toEqual([
      { permission: 'cloudkms.cryptoKeyVersions.useToEncrypt', permissionType: 'DATA_READ', count: 2 },
      { permission: 'cloudkms.cryptoKeys.setIamPolicy', permissionType: 'ADMIN_WRITE', count: 1 },
    ]);
  });

  it('a permission seen with two types keeps both counts (the engine calls that a conflict)', async () => {
    const root = snapshot('two-types', {
      'entries.jsonl': [
        typedPanther[0],
        JSON.stringify(pantherEntry(0, (_e, p) => ((checksOf(p)[0] as Obj)['permissionType'] = 'DATA_WRITE'))),
        typedPanther[1],
      ].join('\n'),
    });
    const r = await readGcpProjectActivity(root, 'p', ALL_TIME);
    expect(r.permissionTypes).toEqual([
      { permission: 'cloudkms.cryptoKeyVersions.useToEncrypt', permissionType: 'DATA_READ', count: 2 },
      { permission: 'cloudkms.cryptoKeyVersions.useToEncrypt', permissionType: 'DATA_WRITE', count: 1 },
    ]);
  });

  it('a project without audit logs has no permissionTypes', async () => {
    const root = join(tmp, 'no-logs');
    mkdirSync(join(root, 'gcp', 'p'), { recursive: true });
    expect((await readGcpProjectActivity(root, 'p', ALL_TIME)).permissionTypes).toBeUndefined();
  });
});
