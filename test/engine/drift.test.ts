/**
 * diffReports and trendReports on hand-made reports: each report holds only what the scenario
 * needs, so every expected value can be worked out by hand.
 */

import { describe, expect, it } from 'vitest';
import { diffReports } from '../../src/engine/drift.js';
import { trendReports } from '../../src/engine/drift-trend.js';
import { type TrendInput } from '../../src/model/drift-trend.js';
import { median } from '../../src/engine/drift-common.js';
import type { Finding, FindingException, FindingType, LastUsed, Report, ResolvedFinding, Severity } from '../../src/model/report.js';
import { sparkline } from '../../src/reporters/drift-sparkline.js';
import { renderDiffTable } from '../../src/reporters/drift-diff-table.js';
import { renderDiffMarkdown } from '../../src/reporters/drift-diff-markdown.js';
import { renderTrendTable } from '../../src/reporters/drift-trend-table.js';

const ACCOUNT = '111122223333';

interface FindingSpec {
  id: string;
  type: FindingType;
  severity: Severity;
  principal: string;
  service?: string;
  actions?: string[];
  lastUsed?: LastUsed | null;
  firstSeen?: string;
  exception?: FindingException['state'];
}

function finding(spec: FindingSpec): Finding {
  return {
    id: spec.id,
    type: spec.type,
    severity: spec.severity,
    provider: 'aws',
    account: ACCOUNT,
    principal: { id: `arn:aws:iam::${ACCOUNT}:role/${spec.principal}`, name: spec.principal, kind: 'role' },
    ...(spec.service !== undefined ? { service: spec.service } : {}),
    permissions: (spec.actions ?? []).map((action) => ({
      action,
      accessLevel: 'Write',
      provenance: 'direct',
      grantedBy: [],
      isConditional: false,
      resources: ['*'],
      lastUsed: spec.lastUsed ?? null,
    })),
    evidence: {
      window: { start: '2026-01-01T00:00:00.000Z', end: '2026-01-31T00:00:00.000Z', days: 30 },
      observed: null,
      sources: ['cloudtrail'],
      reason: 'hand-made',
    },
    recommendation: 'hand-made',
    ...(spec.firstSeen !== undefined ? { firstSeen: spec.firstSeen } : {}),
    ...(spec.exception !== undefined
      ? { exception: { entry: 1, reason: 'quarterly job', owner: 'data-team', expires: '2026-12-31', state: spec.exception } }
      : {}),
  };
}

function report(asOf: string, findings: Finding[], opts: { principals?: number; windowDays?: number; resolved?: ResolvedFinding[] } = {}): Report {
  const days = opts.windowDays ?? 30;
  const end = Date.parse(asOf);
  return {
    schemaVersion: 1,
    tool: { name: 'permdrift', version: 'test' },
    asOf,
    window: { start: new Date(end - days * 86_400_000).toISOString(), end: asOf, days },
    catalogue: 'test',
    summary: {
      accounts: 1,
      principals: opts.principals ?? 4,
      skippedServiceLinked: 0,
      findings: findings.length,
      byType: {
        'dormant-principal': 0,
        'unused-service': 0,
        'overbroad-grant': 0,
        'unused-permission': 0,
        'unverifiable-permission': 0,
        'stale-credential': 0,
      },
      bySeverity: { critical: 0, high: 0, medium: 0, low: 0, info: 0 },
    },
    coverage: [],
    findings,
    warnings: [],
    ...(opts.resolved !== undefined
      ? { baseline: { source: 'b.json', asOf, counts: { new: 0, existing: 0, resolved: opts.resolved.length }, resolved: opts.resolved } }
      : {}),
  };
}

function reversed<T>(list: T[]): T[] {
  return [...list].reverse();
}

// ---------------------------------------------------------------------------------------------
// diff

const passRole = finding({
  id: 'PD-passrole',
  type: 'unused-permission',
  severity: 'critical',
  principal: 'inventory-reader',
  service: 'iam',
  actions: ['iam:PassRole'],
});
const createTags = finding({
  id: 'PD-createtags',
  type: 'unused-permission',
  severity: 'low',
  principal: 'fn-builder',
  service: 'ec2',
  actions: ['ec2:CreateTags'],
});
const tagResource = finding({
  id: 'PD-tagresource',
  type: 'unverifiable-permission',
  severity: 'info',
  principal: 'fn-builder',
  service: 'lambda',
  actions: ['lambda:TagResource'],
});
const etlDormantExcepted = finding({ id: 'PD-etl-dormant', type: 'dormant-principal', severity: 'medium', principal: 'legacy-etl', exception: 'active' });

const OLD = report('2026-02-01T00:00:00.000Z', [passRole, createTags, tagResource, etlDormantExcepted]);
const s3Service = finding({
  id: 'PD-s3',
  type: 'unused-service',
  severity: 'high',
  principal: 'fn-builder',
  service: 's3',
  actions: ['s3:PutBucketPolicy', 's3:DeleteBucket'],
});
const staleKey = finding({ id: 'PD-stale-key', type: 'stale-credential', severity: 'high', principal: 'inventory-reader' });
const NEW = report('2026-03-01T00:00:00.000Z', [
  s3Service,
  // Same finding, now excepted and rated higher.
  { ...createTags, severity: 'medium', exception: { entry: 2, reason: 'blue/green cut-overs', owner: 'platform', state: 'active' } },
  tagResource,
  // The exception on the dormant role expired; the finding remains.
  { ...etlDormantExcepted, exception: { entry: 1, reason: 'quarterly job', owner: 'data-team', expires: '2026-02-15', state: 'expired' } },
  staleKey,
]);

describe('diffReports', () => {
  const diff = diffReports(OLD, NEW, { oldSource: 'old.json', newSource: 'new.json' });
  const byName = (name: string) => diff.principals.find((p) => p.principal.name === name);

  it('is a versioned document naming both reports', () => {
    expect(diff.kind).toBe('permdrift-diff');
    expect(diff.schemaVersion).toBe(1);
    expect(diff.old).toEqual({ source: 'old.json', asOf: OLD.asOf, window: OLD.window, findings: 4, principals: 4 });
    expect(diff.new.findings).toBe(5);
    expect(diff.notes).toEqual([]);
  });

  it('sorts each category and every principal with a change, by account then ARN', () => {
    expect(diff.principals.map((p) => p.principal.name)).toEqual(['fn-builder', 'inventory-reader', 'legacy-etl']);
  });

  it('names granted actions and the new unused finding they sit in', () => {
    const fn = byName('fn-builder');
    expect(fn?.granted.map((a) => [a.action, a.findingId, a.type])).toEqual([
      ['s3:DeleteBucket', 'PD-s3', 'unused-service'],
      ['s3:PutBucketPolicy', 'PD-s3', 'unused-service'],
    ]);
    expect(fn?.becameUnused.map((f) => [f.id, f.actions])).toEqual([['PD-s3', ['s3:DeleteBucket', 's3:PutBucketPolicy']]]);
    expect(fn?.cleared).toEqual([]);
    expect(fn?.resolved).toEqual([]);
  });

  it('reports an exception that became active and a severity change on the same finding', () => {
    const fn = byName('fn-builder');
    expect(fn?.excepted.map((e) => [e.finding.id, e.reason, e.owner])).toEqual([['PD-createtags', 'blue/green cut-overs', 'platform']]);
    expect(fn?.severityChanged).toEqual([{ finding: expect.objectContaining({ id: 'PD-createtags' }), from: 'low', to: 'medium', direction: 'raised' }]);
  });

  it('calls a finding that is gone resolved, and a new stale key newly flagged rather than unused', () => {
    const reader = byName('inventory-reader');
    expect(reader?.resolved.map((f) => f.id)).toEqual(['PD-passrole']);
    expect(reader?.cleared.map((a) => a.action)).toEqual(['iam:PassRole']);
    expect(reader?.newlyFlagged.map((f) => f.id)).toEqual(['PD-stale-key']);
    expect(reader?.becameUnused).toEqual([]);
  });

  it('reports an exception that expired while its finding stayed', () => {
    const etl = byName('legacy-etl');
    expect(etl?.exceptionLapsed.map((e) => [e.finding.id, e.lapse, e.expires])).toEqual([['PD-etl-dormant', 'expired', '2026-12-31']]);
    expect(etl?.excepted).toEqual([]);
  });

  it('counts every category in the summary', () => {
    expect(diff.summary).toEqual({
      principalsChanged: 3,
      granted: 2,
      heldBefore: 0,
      cleared: 1,
      becameUnused: 1,
      newlyFlagged: 1,
      resolved: 1,
      regrouped: 0,
      excepted: 1,
      exceptionLapsed: 1,
      severityChanged: 1,
      // Only the unverifiable lambda finding is the same in both.
      unchanged: 1,
    });
  });

  it('matches by id, not by position: reordering either report changes nothing', () => {
    const shuffled = diffReports(
      report(OLD.asOf, reversed(OLD.findings)),
      report(NEW.asOf, [NEW.findings[3], NEW.findings[0], NEW.findings[4], NEW.findings[1], NEW.findings[2]] as Finding[]),
      {
        oldSource: 'old.json',
        newSource: 'new.json',
      },
    );
    expect(JSON.stringify(shuffled)).toBe(JSON.stringify(diff));
  });

  it('sees no change between a report and itself in another order, even where positions swap severities', () => {
    const a = report('2026-02-01T00:00:00.000Z', [passRole, createTags]);
    const b = report('2026-03-01T00:00:00.000Z', [createTags, passRole]);
    const same = diffReports(a, b);
    expect(same.principals).toEqual([]);
    expect(same.summary.unchanged).toBe(2);
    expect(same.summary.severityChanged).toBe(0);
  });

  it('calls a finding folded into another finding regrouped, not resolved', () => {
    const before = report('2026-02-01T00:00:00.000Z', [createTags]);
    const wholeService = finding({
      id: 'PD-ec2-service',
      type: 'unused-service',
      severity: 'low',
      principal: 'fn-builder',
      service: 'ec2',
      actions: ['ec2:CreateTags', 'ec2:DescribeInstances'],
    });
    const d = diffReports(before, report('2026-03-01T00:00:00.000Z', [wholeService]));
    const fn = d.principals[0];
    expect(fn?.regrouped.map((f) => f.id)).toEqual(['PD-createtags']);
    expect(fn?.resolved).toEqual([]);
    // Only the action that was not flagged before counts as granted.
    expect(fn?.granted.map((a) => a.action)).toEqual(['ec2:DescribeInstances']);
  });

  it('tells an action held and used in the old window from a newly granted one', () => {
    const lastUsed = (date: string): LastUsed => ({ date, source: 'cloudtrail' });
    // Old window: 2026-01-02 → 2026-02-01.
    const stopped = finding({
      id: 'PD-glue-run',
      type: 'unused-permission',
      severity: 'low',
      principal: 'loader',
      service: 'glue',
      actions: ['glue:StartJobRun'],
      lastUsed: lastUsed('2026-01-20T00:00:00Z'),
    });
    const yearly = finding({
      id: 'PD-glue-del',
      type: 'unused-permission',
      severity: 'low',
      principal: 'loader',
      service: 'glue',
      actions: ['glue:DeleteJob'],
      lastUsed: lastUsed('2025-06-01T00:00:00Z'),
    });
    const d = diffReports(report('2026-02-01T00:00:00.000Z', []), report('2026-03-01T00:00:00.000Z', [stopped, yearly]));
    const loader = d.principals[0];
    expect(loader?.heldBefore.map((a) => [a.action, a.lastUsed?.date])).toEqual([['glue:StartJobRun', '2026-01-20T00:00:00Z']]);
    // Used a year ago and not flagged in the old report: it was not held then.
    expect(loader?.granted.map((a) => a.action)).toEqual(['glue:DeleteJob']);
    expect(d.summary.heldBefore).toBe(1);
    expect(renderDiffTable(d, { isColor: false })).toMatch(
      /^ {2}\+ held, now unused +glue:StartJobRun · low unused-permission PD-glue-run · last used 2026-01-20$/m,
    );
  });

  it('notes reports given in reverse order and windows of different lengths', () => {
    const d = diffReports(report('2026-03-01T00:00:00.000Z', [], { windowDays: 90 }), report('2026-02-01T00:00:00.000Z', []));
    expect(d.notes).toHaveLength(2);
    expect(d.notes[0]).toContain('older than the old one');
    expect(d.notes[1]).toContain('90 vs 30 days');
  });

  it('tells windows under a day apart (their days both round to 0) and shows them in hours', () => {
    const hours = (asOf: string, h: number): Report => {
      const r = report(asOf, []);
      return { ...r, window: { start: new Date(Date.parse(asOf) - h * 3_600_000).toISOString(), end: asOf, days: Math.round((h / 24) * 10) / 10 } };
    };
    const d = diffReports(hours('2026-02-01T00:00:00.000Z', 1), hours('2026-03-01T00:00:00.000Z', 2));
    expect(d.notes).toEqual([expect.stringContaining('The windows differ (1 vs 2 hours)')]);
    expect(renderDiffTable(d, { isColor: false })).toContain('1-hour window');
    expect(renderDiffMarkdown(d)).toContain('2-hour window');
    const t = trendReports([{ report: hours(JAN_1, 1) }, { report: hours('2026-01-08T00:00:00.000Z', 12) }]);
    expect(t.notes).toEqual([expect.stringContaining('different windows (1 hour, 12 hours)')]);
  });

  it('renders each category in the table and in Markdown', () => {
    const table = renderDiffTable(diff, { isColor: false });
    expect(table).toMatch(/^ {2}\+ granted +s3:DeleteBucket · high unused-service PD-s3 · never used$/m);
    expect(table).toMatch(/^ {2}- resolved +critical unused-permission iam · iam:PassRole · PD-passrole · revoked or now used$/m);
    expect(table).toMatch(/^ {2}~ severity +unused-permission ec2 · low → medium \(raised\) · PD-createtags$/m);
    expect(table).toMatch(/^ {2}\+ exception lapsed +medium dormant-principal · "quarterly job" \(data-team\) · until 2026-12-31 · expired$/m);
    expect(table).not.toMatch(/\x1b\[/);
    const md = renderDiffMarkdown(diff);
    expect(md).toContain('### fn-builder (role, 111122223333)');
    expect(md).toContain('- **Granted:** `s3:DeleteBucket`, `s3:PutBucketPolicy`');
    expect(md).toContain('| revoked or now used | 1 |');
  });
});

// ---------------------------------------------------------------------------------------------
// trend

const JAN_1 = '2026-01-01T00:00:00.000Z';
const JAN_8 = '2026-01-08T00:00:00.000Z';
const JAN_15 = '2026-01-15T00:00:00.000Z';
const JAN_29 = '2026-01-29T00:00:00.000Z';

/**
 * X: first seen Dec 2 (carried from a baseline), gone on Jan 8   → 37 days
 * Y: in the Jan 1 report, gone on Jan 15                          → 14 days
 * Z: appears Jan 8, gone Jan 29                                   → 21 days
 * U: an unverifiable grant in the Jan 1 report, gone on Jan 15     → 14 days
 * W: appears Jan 15 but first seen Jan 10, gone Jan 29            → 19 days
 * D: a dormant role in every report, never resolved.
 * Median over 37, 14, 14, 21, 19 = 19; at Jan 29 alone: (19 + 21) / 2 = 20.
 */
function knownSeries(): TrendInput[] {
  const x = finding({
    id: 'X',
    type: 'unused-permission',
    severity: 'high',
    principal: 'a',
    service: 'iam',
    actions: ['iam:PassRole'],
    firstSeen: '2025-12-02T00:00:00.000Z',
  });
  const y = finding({ id: 'Y', type: 'unused-service', severity: 'low', principal: 'a', service: 'sqs', actions: ['sqs:SendMessage', 'sqs:DeleteQueue'] });
  const z = finding({
    id: 'Z',
    type: 'overbroad-grant',
    severity: 'medium',
    principal: 'b',
    service: 's3',
    actions: ['s3:PutObject', 's3:DeleteObject', 's3:GetObject'],
  });
  const w = finding({
    id: 'W',
    type: 'unused-permission',
    severity: 'critical',
    principal: 'b',
    service: 'iam',
    actions: ['iam:CreateAccessKey'],
    firstSeen: '2026-01-10T00:00:00.000Z',
    exception: 'active',
  });
  const d = finding({ id: 'D', type: 'dormant-principal', severity: 'medium', principal: 'c' });
  const u = finding({ id: 'U', type: 'unverifiable-permission', severity: 'info', principal: 'a', service: 's3', actions: ['s3:GetObject'] });
  return [
    { report: report(JAN_1, [x, y, d, u]), source: 'r1.json' },
    { report: report(JAN_8, [y, z, d, u]), source: 'r2.json' },
    { report: report(JAN_15, [z, w, d]), source: 'r3.json' },
    { report: report(JAN_29, [d]), source: 'r4.json' },
  ];
}

describe('trendReports', () => {
  const trend = trendReports(knownSeries());

  it('is a versioned document with one point per report, ordered by asOf whatever the input order', () => {
    expect(trend.kind).toBe('permdrift-trend');
    expect(trend.schemaVersion).toBe(1);
    expect(trend.points.map((p) => p.source)).toEqual(['r1.json', 'r2.json', 'r3.json', 'r4.json']);
    const shuffled = knownSeries();
    expect(trendReports([shuffled[2], shuffled[0], shuffled[3], shuffled[1]] as TrendInput[])).toEqual(trend);
  });

  it('measures revocation speed from firstSeen, else the first report holding the finding', () => {
    expect(trend.resolutions.map((r) => [r.id, r.firstAppeared, r.resolvedAt, r.days])).toEqual([
      ['X', '2025-12-02T00:00:00.000Z', JAN_8, 37],
      ['U', JAN_1, JAN_15, 14],
      ['Y', JAN_1, JAN_15, 14],
      ['W', '2026-01-10T00:00:00.000Z', JAN_29, 19],
      ['Z', JAN_8, JAN_29, 21],
    ]);
    expect(trend.points.map((p) => p.revocation.medianDays)).toEqual([null, 37, 14, 20]);
    expect(trend.summary.revocation).toEqual({ resolved: 5, medianDays: 19 });
  });

  it('counts unused grants per principal, leaving out unverifiable and dormant findings', () => {
    // r1: a has iam:PassRole + 2 sqs actions = 3 (s3:GetObject is only unverifiable).
    // r2: a 2 (sqs), b 3 (s3) = 5.  r3: b 3 + 1 = 4.  r4: nothing but a dormant role.
    expect(trend.points.map((p) => p.drift.unusedGrants)).toEqual([3, 5, 4, 0]);
    expect(trend.points.map((p) => p.drift.change)).toEqual([null, 2, -1, -4]);
    expect(trend.points.map((p) => p.drift.growth)).toEqual([null, 0.67, -0.2, -1]);
    // Four principals audited in every report.
    expect(trend.points.map((p) => p.drift.meanPerPrincipal)).toEqual([0.75, 1.25, 1, 0]);
    expect(trend.points[1]?.drift.perPrincipal.map((e) => [e.principal.name, e.unusedGrants])).toEqual([
      ['b', 3],
      ['a', 2],
    ]);
  });

  it('counts active exceptions and findings by severity', () => {
    expect(trend.points.map((p) => p.exceptions.active)).toEqual([0, 0, 1, 0]);
    expect(trend.points[2]?.bySeverity).toEqual({ critical: 1, high: 0, medium: 2, low: 0, info: 0 });
    expect(trend.summary.exceptions).toEqual({ first: 0, last: 0, change: 0 });
  });

  it('does not call a finding folded into another one resolved, and carries its age over', () => {
    const tags = finding({ id: 'T', type: 'unused-permission', severity: 'low', principal: 'fn', service: 'ec2', actions: ['ec2:CreateTags'] });
    const ec2 = finding({
      id: 'E',
      type: 'unused-service',
      severity: 'low',
      principal: 'fn',
      service: 'ec2',
      actions: ['ec2:CreateTags', 'ec2:DescribeInstances'],
    });
    const t = trendReports([{ report: report(JAN_1, [tags]) }, { report: report(JAN_8, [ec2]) }, { report: report(JAN_29, []) }]);
    expect(t.points.map((p) => [p.revocation.resolved, p.revocation.regrouped])).toEqual([
      [0, 0],
      [0, 1],
      [1, 0],
    ]);
    // E was first flagged (as T) on Jan 1: 28 days, not 21.
    expect(t.resolutions.map((r) => [r.id, r.firstAppeared, r.days])).toEqual([['E', JAN_1, 28]]);
  });

  it('measures a finding that comes back from its return, not from its first life', () => {
    const f = finding({ id: 'R', type: 'unused-permission', severity: 'low', principal: 'a', service: 'sns', actions: ['sns:Publish'] });
    const t = trendReports([{ report: report(JAN_1, [f]) }, { report: report(JAN_8, []) }, { report: report(JAN_15, [f]) }, { report: report(JAN_29, []) }]);
    expect(t.resolutions.map((r) => [r.resolvedAt, r.days])).toEqual([
      [JAN_8, 7],
      [JAN_29, 14],
    ]);
  });

  it("uses a report's own baseline resolutions for what the series cannot see, without counting twice", () => {
    const resolved: ResolvedFinding = {
      id: 'OLD',
      type: 'unused-permission',
      severity: 'high',
      provider: 'aws',
      account: ACCOUNT,
      principal: { id: `arn:aws:iam::${ACCOUNT}:role/a`, name: 'a', kind: 'role' },
      service: 'iam',
      actions: ['iam:PassRole'],
      firstSeen: '2025-12-22T00:00:00.000Z',
      resolvedAt: JAN_1,
    };
    const single = trendReports([{ report: report(JAN_1, [], { resolved: [resolved] }) }]);
    expect(single.resolutions.map((r) => [r.id, r.days, r.from])).toEqual([['OLD', 10, 'baseline']]);
    // Seen in the series, the same resolution is counted once, from the series.
    const x = finding({
      id: 'OLD',
      type: 'unused-permission',
      severity: 'high',
      principal: 'a',
      service: 'iam',
      actions: ['iam:PassRole'],
      firstSeen: '2025-12-22T00:00:00.000Z',
    });
    const both = trendReports([{ report: report('2025-12-25T00:00:00.000Z', [x]) }, { report: report(JAN_1, [], { resolved: [resolved] }) }]);
    expect(both.resolutions.map((r) => [r.id, r.days, r.from])).toEqual([['OLD', 10, 'series']]);
  });

  it('does not take a baseline resolution for a finding whose actions are still flagged', () => {
    const folded: ResolvedFinding = {
      id: 'T',
      type: 'unused-permission',
      severity: 'low',
      provider: 'aws',
      account: ACCOUNT,
      principal: { id: `arn:aws:iam::${ACCOUNT}:role/fn`, name: 'fn', kind: 'role' },
      service: 'ec2',
      actions: ['ec2:CreateTags'],
      firstSeen: JAN_1,
      resolvedAt: JAN_8,
    };
    const ec2 = finding({
      id: 'E',
      type: 'unused-service',
      severity: 'low',
      principal: 'fn',
      service: 'ec2',
      actions: ['ec2:CreateTags', 'ec2:DescribeInstances'],
    });
    const t = trendReports([{ report: report(JAN_8, [ec2], { resolved: [folded] }) }]);
    expect(t.resolutions).toEqual([]);
    expect(t.points[0]?.revocation).toEqual({ resolved: 0, regrouped: 1, medianDays: null });
  });

  it('works on a single report: one point, no change, no resolution', () => {
    const one = trendReports([knownSeries()[0] as TrendInput]);
    expect(one.reports).toBe(1);
    expect(one.points[0]?.drift.change).toBeNull();
    expect(one.summary.revocation).toEqual({ resolved: 0, medianDays: null });
    expect(renderTrendTable(one, { isColor: false })).toMatch(/^ {2}unused grants +▄ +3 → 3$/m);
  });

  it('notes reports sharing an asOf and windows of different lengths', () => {
    const t = trendReports([
      { report: report(JAN_1, []), source: 'a.json' },
      { report: report(JAN_1, [], { windowDays: 90 }), source: 'b.json' },
    ]);
    expect(t.notes).toHaveLength(2);
    expect(t.notes[0]).toContain('same asOf');
    expect(t.notes[1]).toContain('30, 90 days');
  });

  it('renders a sparkline per metric in the table', () => {
    const table = renderTrendTable(trend, { isColor: false });
    // unused grants 3, 5, 4, 0 on a 0..5 scale.
    expect(table).toMatch(/^ {2}unused grants +▅█▇▁ +3 → 0$/m);
    // revocation days null, 37, 14, 20.
    expect(table).toMatch(/^ {2}revocation days +·█▁▃ +37\.0 → 20\.0$/m);
    expect(table).toContain('Revocation speed  median 19.0 days over 5 resolved findings');
  });
});

describe('median', () => {
  it('takes the middle value, or the mean of the two middle values', () => {
    expect(median([])).toBeNull();
    expect(median([5])).toBe(5);
    expect(median([9, 1, 5])).toBe(5);
    expect(median([21, 37, 14, 19])).toBe(20);
  });
});

describe('sparkline', () => {
  it('scales between the minimum and the maximum', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7])).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline([10, 20])).toBe('▁█');
  });

  it('draws a flat series low at zero and mid-height otherwise, and gaps for missing values', () => {
    expect(sparkline([0, 0, 0])).toBe('▁▁▁');
    expect(sparkline([4, 4])).toBe('▄▄');
    expect(sparkline([null, 1, null, 3])).toBe('·▁·█');
    expect(sparkline([null])).toBe('·');
  });

  it('has a plain ASCII form', () => {
    expect(sparkline([0, 7, null], true)).toBe('_# ');
  });
});
