/**
 * The CI-gate flow end to end with the built binary: baseline → IAM change → the gate fails naming
 * only the new permission → an exception makes it pass → the exception expires → it fails again.
 * The clock is injected with --as-of.
 */

import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GrantPath } from '../../src/model/aws/entitlement.js';
import type { Report } from '../../src/model/report.js';
import { validateReport } from '../../src/model/validate-report.js';
import { runCli } from './run-cli.js';

const ROOT = join(import.meta.dirname, '..', '..');
const ACCOUNT = '210987654321';
/** The scenario's logs end 2026-06-29T23:00Z; both clocks below are within them. */
const BEFORE_EXPIRY = '2026-06-29T23:30:00Z';
const AFTER_EXPIRY = '2026-06-30T00:00:00Z';

describe('CI gate flow', () => {
  let work: string;
  let snapshot: string;
  const authFile = (): string => join(snapshot, 'aws', ACCOUNT, 'iam-get-account-authorization-details.json');

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'permdrift-gate-'));
    snapshot = join(work, 'snapshot');
    cpSync(join(ROOT, 'fixtures', 'aws', 'lambda-versioned-event-names'), snapshot, { recursive: true });
  });

  it('runs the whole flow', () => {
    const common = ['--window', '30d', '--format', 'json'];

    // 1. Accept the current state.
    const update = runCli(['baseline', 'update', snapshot, '--as-of', BEFORE_EXPIRY, '--window', '30d'], { cwd: work });
    expect(update.code).toBe(0);
    expect(update.stdout).toBe('');
    expect(update.stderr).toContain('baseline written to permdrift.baseline.json');
    const baseline = JSON.parse(readFileSync(join(work, 'permdrift.baseline.json'), 'utf8')) as Report;
    expect(validateReport(baseline).errors).toEqual([]);
    expect(baseline.findings.map((f) => f.permissions.map((p) => p.action))).toEqual([['lambda:DeleteFunction']]);

    // 2. Nothing changed: the gate passes.
    const same = runCli(['scan', 'files', snapshot, '--as-of', BEFORE_EXPIRY, ...common, '--baseline', 'permdrift.baseline.json'], { cwd: work });
    expect(same.code).toBe(0);
    const sameReport = JSON.parse(same.stdout) as Report;
    expect(sameReport.baseline?.counts).toEqual({ new: 0, existing: 1, resolved: 0 });

    // 3. A pull request grants a permission nobody uses: the gate fails, naming only it.
    const auth = JSON.parse(readFileSync(authFile(), 'utf8')) as { RoleDetailList: { RolePolicyList: { PolicyDocument: { Statement: unknown[] } }[] }[] };
    auth.RoleDetailList[0]?.RolePolicyList[0]?.PolicyDocument.Statement.push({ Sid: 'Aliases', Effect: 'Allow', Action: 'lambda:DeleteAlias', Resource: '*' });
    writeFileSync(authFile(), JSON.stringify(auth, null, 2));
    const changed = runCli(['scan', 'files', snapshot, '--as-of', BEFORE_EXPIRY, ...common, '--baseline', 'permdrift.baseline.json'], { cwd: work });
    expect(changed.code).toBe(1);
    expect(changed.stderr).toContain('1 finding(s) match --fail-on new');
    const changedReport = JSON.parse(changed.stdout) as Report;
    const fresh = changedReport.findings.filter((f) => f.baselineStatus === 'new');
    expect(fresh.map((f) => f.permissions.map((p) => p.action))).toEqual([['lambda:DeleteAlias']]);
    expect((fresh[0]?.permissions[0]?.grantedBy[0] as GrantPath | undefined)?.statement.sid).toBe('Aliases');
    expect(changedReport.findings.find((f) => f.baselineStatus === 'existing')?.firstSeen).toBe(baseline.asOf);

    // The same run as a PR comment and for code scanning: the summary names the permission and its grant.
    const outputs = runCli(
      [
        'scan',
        'files',
        snapshot,
        '--as-of',
        BEFORE_EXPIRY,
        '--window',
        '30d',
        '--baseline',
        'permdrift.baseline.json',
        '-o',
        'summary.md',
        '-o',
        'permdrift.sarif',
        '--sarif-artifact',
        'permdrift.baseline.json',
      ],
      { cwd: work },
    );
    expect(outputs.code).toBe(1);
    const summary = readFileSync(join(work, 'summary.md'), 'utf8');
    expect(summary).toContain('lambda:DeleteAlias');
    expect(summary).toContain('Aliases');
    expect(summary).not.toContain('lambda:DeleteFunction`');
    const sarif = JSON.parse(readFileSync(join(work, 'permdrift.sarif'), 'utf8')) as {
      version: string;
      runs: { results: { baselineState?: string; locations?: unknown[] }[] }[];
    };
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0]?.results.map((r) => r.baselineState).sort()).toEqual(['new', 'unchanged']);
    expect(sarif.runs[0]?.results.every((r) => (r.locations?.length ?? 0) > 0)).toBe(true);

    // With the Terraform that grants it, the SARIF result points at the statement's line.
    mkdirSync(join(work, 'infra'));
    writeFileSync(
      join(work, 'infra', 'lambda.tf'),
      [
        'resource "aws_iam_role_policy" "deployer" {',
        '  name = "fn-deployer-policy"',
        '  role = aws_iam_role.fn_deployer.id',
        '  policy = jsonencode({',
        '    Version = "2012-10-17"',
        '    Statement = [',
        '      { Effect = "Allow", Action = ["lambda:UpdateFunctionCode", "lambda:CreateFunction", "lambda:GetFunction", "lambda:DeleteFunction"], Resource = "*" },',
        '      { Sid = "Aliases", Effect = "Allow", Action = "lambda:DeleteAlias", Resource = "*" },',
        '    ]',
        '  })',
        '}',
      ].join('\n'),
    );
    const located = runCli(
      [
        'scan',
        'files',
        snapshot,
        '--as-of',
        BEFORE_EXPIRY,
        '--window',
        '30d',
        '--baseline',
        'permdrift.baseline.json',
        '-o',
        'located.sarif',
        '--policy-source',
        'infra',
      ],
      { cwd: work },
    );
    expect(located.code).toBe(1);
    type Located = { baselineState?: string; locations: { physicalLocation?: { artifactLocation: { uri: string }; region?: { startLine: number } } }[] };
    const results = (JSON.parse(readFileSync(join(work, 'located.sarif'), 'utf8')) as { runs: { results: Located[] }[] }).runs[0]?.results ?? [];
    const newOne = results.find((r) => r.baselineState === 'new');
    expect(newOne?.locations[0]?.physicalLocation).toEqual({ artifactLocation: { uri: 'infra/lambda.tf' }, region: { startLine: 8 } });
    // The old grant has no Sid: it is located at the policy's name.
    const oldOne = results.find((r) => r.baselineState === 'unchanged');
    expect(oldOne?.locations[0]?.physicalLocation?.region?.startLine).toBe(2);

    // 4. The owner accepts it until the end of 2026-06-29.
    writeFileSync(
      join(work, 'permdrift.exceptions.yaml'),
      `exceptions:
  - principal: fn-deployer
    permission: lambda:DeleteAlias
    reason: alias clean-up job ships next sprint
    owner: platform-team
    expires: 2026-06-29
    ticket: https://tickets.example/PLAT-42
`,
    );
    const excepted = runCli(
      ['scan', 'files', snapshot, '--as-of', BEFORE_EXPIRY, ...common, '--baseline', 'permdrift.baseline.json', '--exceptions', 'permdrift.exceptions.yaml'],
      { cwd: work },
    );
    expect(excepted.code).toBe(0);
    const exceptedReport = JSON.parse(excepted.stdout) as Report;
    expect(exceptedReport.findings.find((f) => f.baselineStatus === 'new')?.exception).toMatchObject({ state: 'active', owner: 'platform-team' });
    expect(exceptedReport.exceptions).toMatchObject({ inForce: 1, expiringSoon: 1, expired: 0, stale: 0 });

    // 5. The clock passes the expiry: the exception stops applying and the gate fails again.
    const expired = runCli(
      ['scan', 'files', snapshot, '--as-of', AFTER_EXPIRY, ...common, '--baseline', 'permdrift.baseline.json', '--exceptions', 'permdrift.exceptions.yaml'],
      { cwd: work },
    );
    expect(expired.code).toBe(1);
    const expiredReport = JSON.parse(expired.stdout) as Report;
    expect(expiredReport.findings.find((f) => f.baselineStatus === 'new')?.exception?.state).toBe('expired');
    expect(expiredReport.exceptions).toMatchObject({ inForce: 0, expired: 1 });
    expect(validateReport(expiredReport).errors).toEqual([]);
  });

  it('rejects a baseline of another schemaVersion, a file that is not a report, and a bad exceptions file (exit 2)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'permdrift-badbase-'));
    const report = JSON.parse(
      runCli(['scan', 'files', join(ROOT, 'fixtures', 'aws', 'lambda-versioned-event-names'), '--as-of', BEFORE_EXPIRY, '--format', 'json'], { cwd: dir })
        .stdout,
    ) as Report;
    writeFileSync(join(dir, 'v2.json'), JSON.stringify({ ...report, schemaVersion: 3 }));
    // A schemaVersion 1 baseline (before logging-gap / event-time-unknown) is still read.
    writeFileSync(join(dir, 'v1.json'), JSON.stringify({ ...report, schemaVersion: 1 }));
    writeFileSync(join(dir, 'other.json'), JSON.stringify({ Records: [] }));
    writeFileSync(join(dir, 'ex.yaml'), 'exceptions:\n  - principal: x\n    owner: me\n');
    const snap = join(ROOT, 'fixtures', 'aws', 'lambda-versioned-event-names');
    const v2 = runCli(['scan', 'files', snap, '--baseline', 'v2.json'], { cwd: dir });
    expect(v2.code).toBe(2);
    expect(v2.stderr).toMatch(/^error: baseline v2\.json has schemaVersion 3; this permdrift reads schemaVersion 1 and 2/m);
    const v1 = runCli(['scan', 'files', snap, '--as-of', BEFORE_EXPIRY, '--baseline', 'v1.json', '--format', 'json'], { cwd: dir });
    expect(v1.stderr).not.toMatch(/^error/m);
    expect(v1.code).toBe(0);
    expect((JSON.parse(v1.stdout) as Report).baseline?.counts.new).toBe(0);
    const other = runCli(['scan', 'files', snap, '--baseline', 'other.json'], { cwd: dir });
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/^error: baseline other\.json is not a permdrift report/m);
    const ex = runCli(['scan', 'files', snap, '--exceptions', 'ex.yaml'], { cwd: dir });
    expect(ex.code).toBe(2);
    expect(ex.stderr).toMatch(/^error: ex\.yaml:2: exception #1 has no reason/m);
    const noBase = runCli(['scan', 'files', snap, '--fail-on', 'new'], { cwd: dir });
    expect(noBase.code).toBe(2);
    expect(noBase.stderr).toContain('--fail-on new needs --baseline');
    for (const r of [v2, other, ex, noBase]) expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});
