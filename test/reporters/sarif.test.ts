import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FINDING_TYPES, type Report } from '../../src/model/report.js';
import { reporters } from '../../src/reporters/index.js';
import { FINGERPRINT_KEY, renderSarif } from '../../src/reporters/sarif.js';
import { baselineWithExceptions } from './fixtures/baseline-with-exceptions.js';
import { twoAccountsPartialCoverage } from './fixtures/two-accounts-partial-coverage.js';
import { expectGolden } from './golden-file.js';
import { SARIF_SCHEMA_FILE, sarifErrors } from './sarif-schema.js';

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: { physicalLocation?: { artifactLocation: { uri: string } }; logicalLocations: { name: string; fullyQualifiedName: string; kind: string }[] }[];
  partialFingerprints: Record<string, string>;
  baselineState?: string;
  suppressions?: { kind: string; status: string; justification: string; properties: Record<string, unknown> }[];
  properties: Record<string, unknown>;
}
interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string };
  defaultConfiguration: { level: string };
  properties: { tags: string[] };
}
interface SarifLog {
  $schema: string;
  version: string;
  runs: {
    tool: { driver: { name: string; version: string; informationUri: string; rules: SarifRule[] } };
    invocations: { executionSuccessful: boolean; toolExecutionNotifications: { descriptor: { id: string }; level: string; message: { text: string } }[] }[];
    results: SarifResult[];
    properties: Record<string, unknown>;
  }[];
}

function parse(text: string): SarifLog {
  return JSON.parse(text) as SarifLog;
}

function run(report: Report): SarifLog['runs'][number] {
  const first = parse(renderSarif(report)).runs[0];
  if (first === undefined) throw new Error('SARIF log has no run');
  return first;
}

function resultFor(report: Report, id: string): SarifResult {
  const found = run(report).results.find((r) => r.partialFingerprints[FINGERPRINT_KEY] === id);
  if (found === undefined) throw new Error(`no result for ${id}`);
  return found;
}

describe('vendored SARIF schema', () => {
  it('is the unmodified OASIS SARIF 2.1.0 Errata 01 file named in its notice', () => {
    const bytes = readFileSync(SARIF_SCHEMA_FILE);
    const notice = readFileSync(new URL('../../schema/sarif-schema-2.1.0.NOTICE.md', import.meta.url), 'utf8');
    const sha = createHash('sha256').update(bytes).digest('hex');
    expect(notice).toContain(sha);
    expect(JSON.parse(bytes.toString('utf8'))).toMatchObject({
      id: 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json',
    });
  });

  it('rejects what SARIF 2.1.0 forbids, so a pass below means something', () => {
    const log = parse(renderSarif(twoAccountsPartialCoverage()));
    expect(sarifErrors(log)).toEqual([]);
    const first = log.runs[0]?.results[0];
    if (first === undefined) throw new Error('no result');
    first.level = 'critical';
    expect(sarifErrors(log).join('\n')).toContain('/runs/0/results/0/level must be equal to one of the allowed values');
    expect(sarifErrors({ ...log, version: '2.0.0' }).join('\n')).toContain('/version');
  });
});

describe('SARIF reporter', () => {
  it('validates against the official SARIF 2.1.0 schema for both fixtures and with an artifact', () => {
    expect(sarifErrors(JSON.parse(renderSarif(twoAccountsPartialCoverage())))).toEqual([]);
    expect(sarifErrors(JSON.parse(renderSarif(baselineWithExceptions())))).toEqual([]);
    expect(sarifErrors(JSON.parse(renderSarif(baselineWithExceptions(), { artifactUri: 'iam/snapshot.json' })))).toEqual([]);
  });

  it('matches the golden files', () => {
    expectGolden('two-accounts-partial-coverage.sarif', renderSarif(twoAccountsPartialCoverage()));
    expectGolden('baseline-with-exceptions.sarif', renderSarif(baselineWithExceptions()));
  });

  it('describes the tool and one rule per finding type, in the model order', () => {
    const log = parse(renderSarif(twoAccountsPartialCoverage()));
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    const driver = log.runs[0]?.tool.driver;
    expect(driver?.name).toBe('permdrift');
    expect(driver?.version).toBe('0.1.0');
    expect(driver?.informationUri).toMatch(/^https:\/\//);
    expect(driver?.rules.map((r) => r.id)).toEqual([...FINDING_TYPES]);
    for (const rule of driver?.rules ?? []) {
      expect(rule.shortDescription.text.length).toBeGreaterThan(10);
      expect(rule.fullDescription.text.length).toBeGreaterThan(rule.shortDescription.text.length);
      expect(rule.help.text.length).toBeGreaterThan(10);
      expect(rule.properties.tags).toContain('security');
    }
    const levels = Object.fromEntries((driver?.rules ?? []).map((r) => [r.id, r.defaultConfiguration.level]));
    expect(levels['unverifiable-permission']).toBe('note');
    expect(levels['unused-service']).toBe('warning');
  });

  it('maps severity to level: critical and high are errors, medium warnings, low and info notes', () => {
    const report = twoAccountsPartialCoverage();
    const bySeverity = new Map(run(report).results.map((r) => [r.properties['severity'], r.level]));
    expect(Object.fromEntries(bySeverity)).toEqual({ critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' });
  });

  it('gives each finding one result, with its type as rule, its id as fingerprint and its principal as logical location', () => {
    const report = twoAccountsPartialCoverage();
    const results = run(report).results;
    expect(results).toHaveLength(report.findings.length);
    expect(new Set(results.map((r) => r.partialFingerprints[FINGERPRINT_KEY]))).toEqual(new Set(report.findings.map((f) => f.id)));
    const ec2 = resultFor(report, 'PD-8e21b6d94f0a7c35');
    expect(ec2.ruleId).toBe('unused-service');
    expect(ec2.ruleIndex).toBe(FINDING_TYPES.indexOf('unused-service'));
    expect(ec2.locations).toEqual([
      { logicalLocations: [{ name: 'ci-deployer', fullyQualifiedName: 'arn:aws:iam::111122223333:user/ci/ci-deployer', kind: 'resource' }] },
    ]);
    expect(ec2.properties).toEqual({
      severity: 'high',
      account: '111122223333',
      principalKind: 'user',
      service: 'ec2',
      actions: ['ec2:RunInstances', 'ec2:TerminateInstances'],
    });
  });

  it('writes a one-line message: what is unused, then the recommendation', () => {
    const report = twoAccountsPartialCoverage();
    const text = resultFor(report, 'PD-8e21b6d94f0a7c35').message.text;
    expect(text).toBe(
      'user ci-deployer (account 111122223333): no use of ec2 in 90 days; 2 granted actions unused: ec2:RunInstances, ec2:TerminateInstances. Remove inline policy deploy-ec2 (statement LaunchBuildHosts) from ci-deployer, and its ec2 access through group platform-admins (AdministratorAccess).',
    );
    for (const r of run(report).results) expect(r.message.text).not.toMatch(/[\r\n]/);
    expect(resultFor(report, 'PD-0b7d52e1c6a94f88').message.text).toContain('cannot be judged (data-events-not-logged)');
    expect(resultFor(report, 'PD-5d96e0b4a87c1f23').message.text).toContain('No call in the 12 days CloudTrail covers');
  });

  it('names at most five actions in a message and counts the rest', () => {
    const report = twoAccountsPartialCoverage();
    const finding = report.findings.find((f) => f.id === 'PD-6a0f3c9e2b7d4418');
    const template = finding?.permissions[0];
    if (finding === undefined || template === undefined) throw new Error('fixture changed');
    finding.permissions = Array.from({ length: 8 }, (_, i) => ({ ...template, action: `iam:Action${i}` }));
    const text = resultFor(report, finding.id).message.text;
    expect(text).toContain('iam:Action0, iam:Action1, iam:Action2, iam:Action3, iam:Action4 and 3 more.');
    expect(text).not.toContain('iam:Action5');
  });

  it('marks baseline state and suppresses only findings under an exception in force', () => {
    const report = baselineWithExceptions();
    const passRole = resultFor(report, 'PD-19c4e7a05d2b8f63');
    expect(passRole.baselineState).toBe('new');
    expect(passRole.suppressions).toEqual([
      {
        kind: 'external',
        status: 'accepted',
        justification: 'ECS deploys pass the task role; narrowing tracked in PLAT-123',
        properties: { entry: 1, owner: 'platform-team', expires: '2024-07-10', ticket: 'https://tickets.example.com/PLAT-123' },
      },
    ]);
    const expired = resultFor(report, 'PD-c3f8a1e9072b6d54');
    expect(expired.baselineState).toBe('unchanged');
    expect(expired.suppressions).toBeUndefined();
    expect(expired.properties['exception']).toMatchObject({ state: 'expired', entry: 2 });
    expect(resultFor(report, 'PD-5d96e0b4a87c1f23').suppressions?.[0]?.justification).toBe('Quarterly reporting job: runs in July <b>only</b>');
    const results = run(report).results;
    expect(results.filter((r) => r.suppressions !== undefined)).toHaveLength(2);
    expect(results.filter((r) => r.baselineState === 'new')).toHaveLength(4);
    expect(results.filter((r) => r.baselineState === 'unchanged')).toHaveLength(6);
    expect(results.every((r) => r.properties['baselineStatus'] === (r.baselineState === 'new' ? 'new' : 'existing'))).toBe(true);
  });

  it('has no baseline state without a baseline', () => {
    for (const r of run(twoAccountsPartialCoverage()).results) {
      expect(r.baselineState).toBeUndefined();
      expect(r.suppressions).toBeUndefined();
      expect(r.properties['baselineStatus']).toBeUndefined();
    }
  });

  it('orders results the same way whatever order the findings come in', () => {
    const report = twoAccountsPartialCoverage();
    const shuffled = { ...report, findings: [...report.findings].reverse() };
    expect(renderSarif(shuffled)).toBe(renderSarif(report));
    const severities = run(report).results.map((r) => r.properties['severity']);
    expect(severities).toEqual(['critical', 'high', 'high', 'medium', 'medium', 'medium', 'medium', 'low', 'low', 'info']);
  });

  it('locates every result in the given artifact as well, for GitHub code scanning', () => {
    const log = parse(renderSarif(twoAccountsPartialCoverage(), { artifactUri: 'iam/snapshot.json' }));
    const results = log.runs[0]?.results ?? [];
    expect(results.length).toBe(10);
    for (const r of results) {
      expect(r.locations[0]?.physicalLocation).toEqual({ artifactLocation: { uri: 'iam/snapshot.json' } });
      expect(r.locations[0]?.logicalLocations[0]?.kind).toBe('resource');
    }
    const viaRegistry = parse(reporters.sarif(twoAccountsPartialCoverage(), { isColor: true, sarifArtifactUri: 'iam/snapshot.json' }));
    expect(viaRegistry.runs[0]?.results[0]?.locations[0]?.physicalLocation?.artifactLocation.uri).toBe('iam/snapshot.json');
  });

  it('carries report warnings as tool notifications, so partial failures are not lost', () => {
    const notifications = run(twoAccountsPartialCoverage()).invocations[0]?.toolExecutionNotifications ?? [];
    expect(notifications.map((n) => n.descriptor.id)).toEqual(['corrupt-log-file', 'unknown-action', 'window-not-covered', 'access-advisor-missing']);
    expect(notifications.every((n) => n.level === 'warning')).toBe(true);
  });

  it('is never coloured and ends with one newline', () => {
    const text = reporters.sarif(baselineWithExceptions(), { isColor: true, width: 80 });
    expect(text).not.toContain('\u001b');
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toBe(renderSarif(baselineWithExceptions()));
  });
});
