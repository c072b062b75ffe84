/**
 * What requiring a basis means for one finding (engine/compare.ts restsOnBases, engine/gate.ts):
 * every unused claim must rest on a listed basis; findings that make no claim with a basis are
 * left to the gate as they are, and never match an exception that requires one.
 */

import { describe, expect, it } from 'vitest';
import { applyExceptions, restsOnBases } from '../../src/engine/compare.js';
import { failingFindings, parseGate, parseRequireBasis } from '../../src/engine/gate.js';
import { parseExceptions } from '../../src/config/exceptions-file.js';
import type { Finding, FindingPermission, Report, VerdictBasis } from '../../src/model/report.js';

function perm(action: string, basis?: VerdictBasis): FindingPermission {
  return {
    action,
    accessLevel: 'Write',
    provenance: 'direct',
    grantedBy: [],
    isConditional: false,
    resources: [],
    lastUsed: null,
    ...(basis ? { observability: { basis, logType: 'ADMIN_WRITE' as const } } : {}),
  };
}

function finding(id: string, type: Finding['type'], permissions: FindingPermission[], provider: Finding['provider'] = 'gcp'): Finding {
  return {
    id,
    type,
    severity: type === 'unverifiable-permission' ? 'info' : 'medium',
    provider,
    account: provider === 'gcp' ? 'p-1' : '111122223333',
    principal: { id: `serviceAccount:${id}@p-1.iam.gserviceaccount.com`, name: `${id}@p-1.iam.gserviceaccount.com`, kind: 'service-account' },
    permissions,
    evidence: { window: { start: '2026-08-22T00:00:00.000Z', end: '2026-11-20T00:00:00.000Z', days: 90 }, observed: null, sources: [], reason: 'r' },
    recommendation: 'x',
  };
}

const CITED = finding('cited', 'unused-service', [perm('a.b.create', 'cited'), perm('a.b.delete', 'cited')]);
const MIXED = finding('mixed', 'overbroad-grant', [perm('a.b.create', 'cited'), perm('a.b.setIamPolicy', 'rule')]);
const PARTLY = finding('partly', 'unused-permission', [perm('a.b.create', 'observed'), perm('a.b.update')]);
const DORMANT = finding('dormant', 'dormant-principal', []);
const UNVERIFIABLE = finding('unverifiable', 'unverifiable-permission', [perm('a.b.get')]);
const AWS = finding('aws', 'unused-service', [perm('s3:GetObject')], 'aws');

describe('restsOnBases', () => {
  it('needs every unused claim on a listed basis', () => {
    expect(restsOnBases(CITED, ['cited'])).toBe(true);
    expect(restsOnBases(MIXED, ['cited'])).toBe(false);
    expect(restsOnBases(MIXED, ['cited', 'rule'])).toBe(true);
    // A claim without a basis beside one with a basis does not rest on any.
    expect(restsOnBases(PARTLY, ['cited', 'observed', 'rule'])).toBe(false);
  });

  it('says nothing about findings that make no claim with a basis', () => {
    for (const f of [DORMANT, UNVERIFIABLE, AWS]) expect(restsOnBases(f, ['cited'])).toBeUndefined();
  });
});

describe('the gate and exceptions with a basis', () => {
  const report = { findings: [CITED, MIXED, PARTLY, DORMANT, UNVERIFIABLE, AWS] } as unknown as Report;

  it('--require-basis keeps the findings without basis claims in the gate and drops those that do not rest on the bases', () => {
    const gate = parseGate('any:info');
    expect(failingFindings(report, gate).map((f) => f.id)).toEqual(['cited', 'mixed', 'partly', 'dormant', 'unverifiable', 'aws']);
    expect(failingFindings(report, gate, parseRequireBasis('cited')).map((f) => f.id)).toEqual(['cited', 'dormant', 'unverifiable', 'aws']);
    expect(failingFindings(report, gate, parseRequireBasis(' RULE , cited,cited')).map((f) => f.id)).toEqual([
      'cited',
      'mixed',
      'dormant',
      'unverifiable',
      'aws',
    ]);
  });

  it('parseRequireBasis reads each basis once, in a fixed order, and refuses others and an empty list', () => {
    expect(parseRequireBasis('rule,observed,cited,rule')).toEqual(['cited', 'observed', 'rule']);
    expect(() => parseRequireBasis('cited,docs')).toThrow(/"docs" is not a basis/);
    expect(() => parseRequireBasis(' , ')).toThrow(/names no basis/);
  });

  it('an exception with requireBasis matches only findings whose claims all rest on it, never those without basis claims', () => {
    const file = parseExceptions(
      ['- principal: "*@p-1.iam.gserviceaccount.com"', '  requireBasis: cited', '  reason: r', '  owner: o', ''].join('\n'),
      'exceptions.yaml',
    );
    expect(file.entries[0]?.requireBasis).toEqual(['cited']);
    const out = applyExceptions({ ...report, asOf: '2026-11-20T00:00:00.000Z' } as Report, file);
    expect(out.findings.filter((f) => f.exception).map((f) => f.id)).toEqual(['cited']);
    expect(out.exceptions?.entries[0]).toMatchObject({ matches: 1, requireBasis: ['cited'] });
  });

  it('requireBasis is no selector on its own, and must name bases', () => {
    expect(() => parseExceptions(['- requireBasis: rule', '  reason: r', '  owner: o', ''].join('\n'), 'x.yaml')).toThrow(/selects nothing/);
    expect(() => parseExceptions(['- type: unused-service', '  requireBasis: 3', '  reason: r', '  owner: o', ''].join('\n'), 'x.yaml')).toThrow(
      /x\.yaml:2: exception #1: "requireBasis" must be a basis or a list of them, not 3/,
    );
  });
});
