/**
 * The `observed` basis: the log-type table overlaid with the permissionType the project's own audit
 * entries carry (src/engine/gcp/observed-log-types.ts) — a permission the table does not know is
 * classified by the logs, a disagreement between sources makes it unknown — and every unused GCP
 * verdict records the basis that made it observable, with severity capped on rule-based claims
 * (src/engine/gcp/severity.ts). Scenario: fixtures/gcp/observed-permission-types (README there).
 */

import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { auditFiles } from '../../src/audit.js';
import { severityOf } from '../../src/engine/gcp/judged.js';
import { withObservedLogTypes } from '../../src/engine/gcp/observed-log-types.js';
import { logTypeTableFrom } from '../../src/engine/gcp/permission-log-type.js';
import { RULE_BASIS_SEVERITY_CAP } from '../../src/engine/gcp/severity.js';
import type { GcpPermissionTypeAggregate } from '../../src/model/gcp/activity.js';
import type { Finding, FindingPermission, Report } from '../../src/model/report.js';
import { validateReport } from '../../src/model/validate-report.js';

const DIR = fileURLToPath(new URL('../../fixtures/gcp/observed-permission-types', import.meta.url));
const ENTRIES = join('gcp', 'obs-4242', 'audit-logs', 'logging-read.json');
const AS_OF = new Date('2026-11-20T00:00:00Z');
const WINDOW_MS = 90 * 86_400_000;

/** A small table: one cited entry per type, a rule pattern, a not-logged entry, an explicit unknown. */
const TABLE = logTypeTableFrom({
  sources: { page: 'https://cloud.google.com/example/docs/audit-logging' },
  permissions: {
    'ex.things.create': { logType: 'ADMIN_WRITE', source: 'page', basis: 'cited' },
    'ex.things.get': { logType: 'ADMIN_READ', source: 'page', basis: 'cited' },
    'ex.messages.publish': { logType: 'NOT_LOGGED', source: 'page', basis: 'cited' },
    'ex.accounts.actAs': { logType: 'unknown', source: 'page', note: 'checked inside other calls' },
  },
  patterns: [{ match: '*.setIamPolicy', logType: 'ADMIN_WRITE', source: 'page', basis: 'rule' }],
});

function rows(...list: [string, GcpPermissionTypeAggregate['permissionType'], number][]): GcpPermissionTypeAggregate[] {
  return list.map(([permission, permissionType, count]) => ({ permission, permissionType, count }));
}

describe('withObservedLogTypes', () => {
  it('classifies a permission the table does not know by the one type the logs show: basis observed', () => {
    const t = withObservedLogTypes(TABLE, rows(['ex.widgets.frobnicate', 'DATA_WRITE', 3]));
    expect(TABLE.classify('ex.widgets.frobnicate').logType).toBe('unknown');
    expect(t.classify('ex.widgets.frobnicate')).toMatchObject({
      logType: 'DATA_WRITE',
      basis: 'observed',
      matchedBy: 'observed',
      observedChecks: 3,
      auditService: 'ex.googleapis.com',
    });
    expect(t.conflicts()).toEqual([]);
  });

  it('keeps the table entry when the logs agree, cited or rule, and records the checks', () => {
    const t = withObservedLogTypes(TABLE, rows(['ex.things.create', 'ADMIN_WRITE', 2], ['ex.things.setIamPolicy', 'ADMIN_WRITE', 1]));
    expect(t.classify('ex.things.create')).toMatchObject({ logType: 'ADMIN_WRITE', basis: 'cited', matchedBy: 'exact', observedChecks: 2 });
    expect(t.classify('ex.things.setIamPolicy')).toMatchObject({ logType: 'ADMIN_WRITE', basis: 'rule', matchedBy: '*.setIamPolicy', observedChecks: 1 });
  });

  it('makes a permission unknown when the logs show another type than the table (cited, rule or not-logged), naming both', () => {
    const t = withObservedLogTypes(
      TABLE,
      rows(['ex.things.get', 'DATA_READ', 4], ['ex.things.setIamPolicy', 'DATA_WRITE', 1], ['ex.messages.publish', 'DATA_WRITE', 2]),
    );
    const get = t.classify('ex.things.get');
    expect(get.logType).toBe('unknown');
    expect(get.basis).toBeUndefined();
    expect(get.note).toContain('ADMIN_READ (cited: https://cloud.google.com/example/docs/audit-logging)');
    expect(get.note).toContain('DATA_READ (4 checks)');
    expect(t.classify('ex.things.setIamPolicy')).toMatchObject({ logType: 'unknown' });
    expect(t.classify('ex.messages.publish')).toMatchObject({ logType: 'unknown' });
    expect(t.conflicts()).toEqual([
      { permission: 'ex.messages.publish', table: { logType: 'NOT_LOGGED', basis: 'cited' }, observed: [{ permissionType: 'DATA_WRITE', count: 2 }] },
      { permission: 'ex.things.get', table: { logType: 'ADMIN_READ', basis: 'cited' }, observed: [{ permissionType: 'DATA_READ', count: 4 }] },
      { permission: 'ex.things.setIamPolicy', table: { logType: 'ADMIN_WRITE', basis: 'rule' }, observed: [{ permissionType: 'DATA_WRITE', count: 1 }] },
    ]);
  });

  it('makes a permission the logs show with several types unknown, whatever the table says', () => {
    const t = withObservedLogTypes(
      TABLE,
      rows(
        ['ex.widgets.frobnicate', 'ADMIN_WRITE', 1],
        ['ex.widgets.frobnicate', 'DATA_READ', 2],
        ['ex.things.create', 'ADMIN_WRITE', 1],
        ['ex.things.create', 'DATA_WRITE', 1],
      ),
    );
    expect(t.classify('ex.widgets.frobnicate')).toMatchObject({ logType: 'unknown', matchedBy: 'none' });
    expect(t.classify('ex.widgets.frobnicate').note).toContain('ADMIN_WRITE (1 check) and DATA_READ (2 checks)');
    expect(t.classify('ex.things.create').logType).toBe('unknown');
    expect(t.conflicts().map((c) => [c.permission, c.table?.logType ?? null, c.observed.length])).toEqual([
      ['ex.things.create', 'ADMIN_WRITE', 2],
      ['ex.widgets.frobnicate', null, 2],
    ]);
  });

  it("leaves an explicit unknown entry (e.g. checked only inside other calls) as the table has it: the logs do not overrule the table's reason", () => {
    const t = withObservedLogTypes(TABLE, rows(['ex.accounts.actAs', 'ADMIN_WRITE', 5]));
    expect(t.classify('ex.accounts.actAs')).toEqual(TABLE.classify('ex.accounts.actAs'));
    expect(t.conflicts()).toEqual([]);
  });

  it('without observations it is the table', () => {
    const t = withObservedLogTypes(TABLE, undefined);
    for (const p of ['ex.things.create', 'ex.things.get', 'ex.messages.publish', 'ex.accounts.actAs', 'ex.x.setIamPolicy', 'ex.widgets.frobnicate']) {
      expect(t.classify(p)).toEqual(TABLE.classify(p));
    }
  });
});

async function scan(dir = DIR): Promise<Report> {
  const report = await auditFiles({ dir, asOf: AS_OF, windowMs: WINDOW_MS });
  expect(validateReport(report).errors).toEqual([]);
  return report;
}

function permission(report: Report, action: string): { finding: Finding; permission: FindingPermission } {
  for (const finding of report.findings) for (const p of finding.permissions) if (p.action === action) return { finding, permission: p };
  throw new Error(`${action} is in no finding`);
}

type Entry = Record<string, unknown> & { protoPayload: { authorizationInfo: Record<string, unknown>[] } };

/** A copy of the fixture with `edit` applied to each entry. */
function variant(edit: (e: Entry) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'permdrift-observed-'));
  cpSync(DIR, dir, { recursive: true });
  const file = join(dir, ENTRIES);
  const entries = JSON.parse(readFileSync(file, 'utf8')) as Entry[];
  for (const e of entries) edit(e);
  writeFileSync(file, JSON.stringify(entries));
  return dir;
}

/** The fixture with every check's permissionType removed: what the table alone judges. */
function withoutTypes(): string {
  return variant((e) => {
    for (const c of e.protoPayload.authorizationInfo) delete c['permissionType'];
  });
}

describe('observed-permission-types scenario', () => {
  it('an entry with permissionType classifies a permission the table did not know: unused, basis observed', async () => {
    const report = await scan();
    const frobnicate = permission(report, 'examplesvc.widgets.frobnicate');
    expect(frobnicate.finding.type).toBe('unused-service');
    expect(frobnicate.permission.observability).toEqual({ basis: 'observed', logType: 'ADMIN_WRITE' });
    expect(frobnicate.permission.unverifiable).toBeUndefined();
    // Without the types, the same permission cannot be judged.
    const before = permission(await scan(withoutTypes()), 'examplesvc.widgets.frobnicate');
    expect(before.finding.type).toBe('unverifiable-permission');
    expect(before.permission.unverifiable?.reason).toBe('log-type-unknown');
    expect(before.permission.observability).toBeUndefined();
  });

  it('every unused permission records its basis: cited, rule or observed; used and unverifiable ones record none', async () => {
    const report = await scan();
    const bases = report.findings
      .filter((f) => f.type !== 'unverifiable-permission')
      .flatMap((f) => f.permissions.map((p) => [p.action, p.observability?.basis ?? null]))
      .sort();
    expect(bases).toEqual([
      ['accesscontextmanager.policies.setIamPolicy', 'rule'],
      ['dns.managedZones.setIamPolicy', 'rule'],
      ['dns.networks.bindPrivateDNSZone', 'observed'],
      ['examplesvc.widgets.frobnicate', 'observed'],
      ['storage.buckets.create', 'cited'],
    ]);
    expect(report.findings.flatMap((f) => f.permissions).find((p) => p.action === 'storage.buckets.update')).toBeUndefined();
    expect(permission(report, 'storage.buckets.delete').permission.observability).toBeUndefined();
  });

  it('a permissionType that disagrees with the cited table makes the permission unknown, with a warning; without it, it is unused', async () => {
    const report = await scan();
    const del = permission(report, 'storage.buckets.delete');
    expect(del.finding.type).toBe('unverifiable-permission');
    expect(del.permission.unverifiable?.reason).toBe('log-type-unknown');
    const warning = report.warnings.find((w) => w.code === 'gcp-permission-type-conflict');
    expect(warning?.account).toBe('obs-4242');
    expect(warning?.message).toContain('storage.buckets.delete (table: ADMIN_WRITE, cited; logs: DATA_READ ×1)');
    const plain = await scan(withoutTypes());
    expect(permission(plain, 'storage.buckets.delete').permission.observability).toEqual({ basis: 'cited', logType: 'ADMIN_WRITE' });
    expect(plain.warnings.some((w) => w.code === 'gcp-permission-type-conflict')).toBe(false);
  });

  it('entries without a logName are placed by their permissionType, and the report says how many', async () => {
    const report = await scan(variant((e) => delete e['logName']));
    const logs = report.gcpCoverage?.[0]?.auditLogs;
    // Four ADMIN_WRITE entries → Admin Activity; the denied delete typed DATA_READ → Data Access.
    expect(logs?.streams).toEqual({ activity: 4, data_access: 1, system_event: 0, policy: 0, other: 0 });
    expect(logs?.entriesStreamFromPermissionType).toEqual({ activity: 4, data_access: 1 });
    expect(permission(report, 'examplesvc.widgets.frobnicate').permission.observability).toEqual({ basis: 'observed', logType: 'ADMIN_WRITE' });
    expect((await scan()).gcpCoverage?.[0]?.auditLogs.entriesStreamFromPermissionType).toBeUndefined();
  });

  it('severity never rises on a rule-based verdict alone: rule-only findings are capped at low, a mixed one takes its other claims', async () => {
    expect(RULE_BASIS_SEVERITY_CAP).toBe('low');
    const report = await scan();
    const bySeverity = new Map(report.findings.map((f) => [`${f.type} ${f.service}`, f.severity]));
    // accesscontextmanager.policies.setIamPolicy is Permissions management (high) on its own.
    expect(bySeverity.get('unused-service accesscontextmanager')).toBe('low');
    // dns: a rule-based setIamPolicy (high uncapped) and an observed Write (medium).
    expect(bySeverity.get('unused-service dns')).toBe('medium');
    expect(bySeverity.get('unused-service examplesvc')).toBe('medium');
    expect(bySeverity.get('unused-permission storage')).toBe('medium');
  });

  it('severityOf caps only rule-based permissions: a cited or observed one keeps its level, privilege escalation included', () => {
    const perm = (action: string, accessLevel: FindingPermission['accessLevel'], basis?: 'cited' | 'observed' | 'rule'): FindingPermission => ({
      action,
      accessLevel,
      provenance: 'direct',
      grantedBy: [],
      isConditional: false,
      resources: [],
      lastUsed: null,
      ...(basis ? { observability: { basis, logType: 'ADMIN_WRITE' } } : {}),
    });
    expect(severityOf([perm('x.things.setIamPolicy', 'Permissions management', 'rule')])).toBe('low');
    expect(severityOf([perm('x.things.setIamPolicy', 'Permissions management', 'cited')])).toBe('high');
    expect(severityOf([perm('x.things.setIamPolicy', 'Permissions management', 'observed')])).toBe('high');
    expect(severityOf([perm('x.things.setIamPolicy', 'Permissions management')])).toBe('high');
    expect(severityOf([perm('x.things.list', 'List', 'rule')])).toBe('low');
    expect(severityOf([perm('x.things.setIamPolicy', 'Permissions management', 'rule'), perm('x.things.get', 'Read', 'cited')])).toBe('low');
    expect(severityOf([perm('x.things.setIamPolicy', 'Permissions management', 'rule'), perm('x.things.delete', 'Write', 'observed')])).toBe('medium');
    // A cited privilege-escalation permission stays critical; the same on the rule alone is low.
    expect(severityOf([perm('iam.serviceAccountKeys.create', 'Permissions management', 'cited')])).toBe('critical');
    expect(severityOf([perm('iam.serviceAccountKeys.create', 'Permissions management', 'rule')])).toBe('low');
  });
});
