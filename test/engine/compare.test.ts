import { describe, expect, it } from 'vitest';
import { parseExceptions } from '../../src/config/exceptions-file.js';
import { applyBaseline, applyExceptions } from '../../src/engine/compare.js';
import { failingFindings, parseGate } from '../../src/engine/gate.js';
import { UsageError } from '../../src/model/errors.js';
import type { Finding, Report } from '../../src/model/report.js';

function finding(id: string, principal: string, type: Finding['type'], severity: Finding['severity'], actions: string[]): Finding {
  return {
    id,
    type,
    severity,
    provider: 'aws',
    account: '111122223333',
    principal: { id: `arn:aws:iam::111122223333:role/${principal}`, name: principal, kind: 'role' },
    ...(actions.length > 0 ? { service: actions[0]?.split(':')[0] } : {}),
    permissions: actions.map((action) => ({
      action,
      accessLevel: 'Write',
      provenance: 'direct',
      grantedBy: [],
      isConditional: false,
      resources: ['*'],
      lastUsed: null,
    })),
    evidence: {
      window: { start: '2026-08-22T00:00:00.000Z', end: '2026-11-20T00:00:00.000Z', days: 90 },
      observed: null,
      sources: ['cloudtrail'],
      reason: 'r',
    },
    recommendation: 'remove it',
  };
}

function report(asOf: string, findings: Finding[]): Report {
  return {
    schemaVersion: 1,
    tool: { name: 'permdrift', version: '0.1.0' },
    asOf,
    window: { start: '2026-08-22T00:00:00.000Z', end: asOf, days: 90 },
    catalogue: 'c',
    summary: {
      accounts: 1,
      principals: 1,
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
  };
}

describe('applyBaseline', () => {
  const base = report('2026-10-01T00:00:00.000Z', [
    { ...finding('A', 'ci', 'unused-permission', 'high', ['iam:CreateUser']), firstSeen: '2026-07-01T00:00:00.000Z' },
    finding('B', 'ci', 'unused-permission', 'low', ['s3:GetBucketTagging']),
    finding('C', 'old', 'dormant-principal', 'critical', []),
  ]);

  it('matches by id whatever the order, carries firstSeen over, and lists the gone ones as resolved', () => {
    const now = report('2026-11-20T00:00:00.000Z', [
      finding('D', 'ci', 'unused-permission', 'critical', ['iam:PassRole']),
      finding('B', 'ci', 'unused-permission', 'low', ['s3:GetBucketTagging']),
      finding('A', 'ci', 'unused-permission', 'high', ['iam:CreateUser']),
    ]);
    const out = applyBaseline(now, base, 'base.json');
    expect(out.findings.map((f) => [f.id, f.baselineStatus, f.firstSeen])).toEqual([
      ['D', 'new', '2026-11-20T00:00:00.000Z'],
      ['B', 'existing', '2026-10-01T00:00:00.000Z'],
      ['A', 'existing', '2026-07-01T00:00:00.000Z'],
    ]);
    expect(out.baseline?.counts).toEqual({ new: 1, existing: 2, resolved: 1 });
    expect(out.baseline?.resolved).toEqual([
      expect.objectContaining({
        id: 'C',
        type: 'dormant-principal',
        actions: [],
        firstSeen: '2026-10-01T00:00:00.000Z',
        resolvedAt: '2026-11-20T00:00:00.000Z',
      }),
    ]);
    expect(out.baseline?.source).toBe('base.json');
    expect(now.findings[0]?.baselineStatus).toBeUndefined();
  });
});

describe('applyBaseline with regrouped findings', () => {
  it('does not call a finding new, nor the old ones resolved, when the same actions were only regrouped', () => {
    const base = report('2026-10-01T00:00:00.000Z', [
      { ...finding('P1', 'ci', 'unused-permission', 'medium', ['s3:PutObject']), firstSeen: '2026-09-01T00:00:00.000Z' },
      finding('P2', 'ci', 'unused-permission', 'low', ['s3:GetBucketTagging']),
    ]);
    // s3:GetObject went quiet too: the three actions now form one unused-service finding.
    const now = report('2026-11-20T00:00:00.000Z', [
      finding('S', 'ci', 'unused-service', 'medium', ['s3:GetBucketTagging', 's3:PutObject']),
      finding('T', 'ci', 'unused-service', 'medium', ['sqs:DeleteQueue', 's3:PutObject']),
    ]);
    const out = applyBaseline(now, base, 'b.json');
    expect(out.findings.map((f) => [f.id, f.baselineStatus, f.firstSeen])).toEqual([
      ['S', 'existing', '2026-09-01T00:00:00.000Z'],
      ['T', 'new', '2026-11-20T00:00:00.000Z'],
    ]);
    expect(out.baseline?.counts).toEqual({ new: 1, existing: 1, resolved: 0 });
  });
});

describe('applyExceptions', () => {
  const now = report('2026-11-20T00:00:00.000Z', [
    finding('A', 'legacy-etl', 'dormant-principal', 'critical', []),
    finding('B', 'ci', 'overbroad-grant', 'high', ['s3:GetObjectAcl', 's3:PutBucketPolicy']),
    finding('C', 'ci', 'unused-permission', 'medium', ['s3:GetObjectTagging']),
  ]);

  it('applies entries in force, marks expired ones, flags expiring and stale entries', () => {
    const file = parseExceptions(
      `exceptions:
  - principal: legacy-*
    reason: yearly job
    owner: data
    expires: 2026-11-19
  - principal: "arn:aws:iam::*:role/legacy-etl"
    type: dormant-principal
    reason: still needed until migration
    owner: data
    expires: 2026-12-01
  - permission: "s3:Get*"
    reason: read-only is fine
    owner: sec
  - principal: nobody
    reason: stale
    owner: sec
`,
      'ex.yaml',
    );
    const out = applyExceptions(now, file);
    const byId = new Map(out.findings.map((f) => [f.id, f.exception]));
    // Entry 1 expired on the 19th; entry 2, in force, wins over it.
    expect(byId.get('A')).toEqual({ entry: 2, reason: 'still needed until migration', owner: 'data', expires: '2026-12-01', state: 'active' });
    // s3:Get* does not cover s3:PutBucketPolicy: an exception never hides more than it names.
    expect(byId.get('B')).toBeUndefined();
    expect(byId.get('C')).toMatchObject({ entry: 3, state: 'active' });
    expect(out.exceptions).toMatchObject({ source: 'ex.yaml', inForce: 3, expiringSoon: 1, expired: 1, stale: 1 });
    expect(out.exceptions?.entries.map((e) => [e.entry, e.state, e.matches])).toEqual([
      [1, 'expired', 1],
      [2, 'expiring-soon', 1],
      [3, 'active', 1],
      [4, 'active', 0],
    ]);
  });

  it('keeps an exception in force through its expiry day, and lets it lapse the day after', () => {
    const file = parseExceptions('- principal: ci\n  reason: r\n  owner: o\n  expires: 2026-11-20\n', 'ex.yaml');
    expect(applyExceptions(now, file).findings.find((f) => f.id === 'C')?.exception?.state).toBe('active');
    const later = report('2026-11-21T00:00:00.000Z', now.findings);
    expect(applyExceptions(later, file).findings.find((f) => f.id === 'C')?.exception?.state).toBe('expired');
  });
});

describe('gate (--fail-on)', () => {
  it('parses scopes, severities and lists', () => {
    expect(parseGate('never')).toEqual([]);
    expect(parseGate('high')).toEqual([{ scope: 'any', minSeverity: 'high' }]);
    expect(parseGate('new')).toEqual([{ scope: 'new', minSeverity: 'low' }]);
    expect(parseGate('new:high, any:critical')).toEqual([
      { scope: 'new', minSeverity: 'high' },
      { scope: 'any', minSeverity: 'critical' },
    ]);
    for (const bad of ['', 'severe', 'new:severe', 'old:high', 'new:high:x', 'never,high']) expect(() => parseGate(bad), bad).toThrow(UsageError);
  });

  it('fails on new findings at or above the severity, never on excepted ones', () => {
    const r = report('2026-11-20T00:00:00.000Z', [
      { ...finding('A', 'ci', 'unused-permission', 'critical', ['iam:PassRole']), baselineStatus: 'new' },
      { ...finding('B', 'ci', 'unused-permission', 'medium', ['s3:PutObject']), baselineStatus: 'new' },
      { ...finding('C', 'ci', 'unused-permission', 'critical', ['iam:CreateUser']), baselineStatus: 'existing' },
      {
        ...finding('D', 'ci', 'unused-permission', 'critical', ['iam:DeleteUser']),
        baselineStatus: 'new',
        exception: { entry: 1, reason: 'r', owner: 'o', state: 'active' },
      },
      {
        ...finding('E', 'ci', 'unused-permission', 'critical', ['iam:TagUser']),
        baselineStatus: 'new',
        exception: { entry: 2, reason: 'r', owner: 'o', state: 'expired' },
      },
      { ...finding('F', 'ci', 'unverifiable-permission', 'info', ['s3:GetObject']), baselineStatus: 'new' },
    ]);
    expect(failingFindings(r, parseGate('new')).map((f) => f.id)).toEqual(['A', 'B', 'E']);
    expect(failingFindings(r, parseGate('new:high')).map((f) => f.id)).toEqual(['A', 'E']);
    expect(failingFindings(r, parseGate('any:critical')).map((f) => f.id)).toEqual(['A', 'C', 'E']);
    expect(failingFindings(r, parseGate('new:info')).map((f) => f.id)).toEqual(['A', 'B', 'E', 'F']);
    expect(failingFindings(r, parseGate('never'))).toEqual([]);
  });
});
