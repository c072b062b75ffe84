/**
 * The built binary, spawned as a user would run it: stdout, stderr and exit code checked apart.
 * `npm test` builds dist/ first.
 */

import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateReport } from '../../src/model/validate-report.js';
import type { GrantPath } from '../../src/model/aws/entitlement.js';
import type { Report } from '../../src/model/report.js';
import { expectCleanError, runCli } from './run-cli.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'permdrift');
const GOLDEN = join(ROOT, 'test', 'cli', 'golden', 'demo-report.json');

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'permdrift-cli-'));
}

describe('permdrift demo', () => {
  it('prints the table to stdout and exits 0', () => {
    const r = runCli(['demo']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('111122223333');
    expect(r.stdout).toContain('ci-deployer');
    expect(r.stdout).not.toMatch(/\x1b\[/);
    expect(r.stderr).toBe('');
  });

  it('writes a schema-valid JSON report equal to the golden file', () => {
    const r = runCli(['demo', '--format', 'json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    const validation = validateReport(report);
    expect(validation.errors).toEqual([]);
    expect(validation.isValid).toBe(true);
    if (process.env['UPDATE_GOLDEN'] === '1') {
      mkdirSync(join(ROOT, 'test', 'cli', 'golden'), { recursive: true });
      writeFileSync(GOLDEN, r.stdout);
    }
    expect(r.stdout).toBe(readFileSync(GOLDEN, 'utf8').replace(/"version": "[^"]+"/, `"version": "${report.tool.version}"`));
  });

  it('tells the demo story: dormant role, stale key, inherited grant, Access Advisor proof, data-event gap', () => {
    const report = JSON.parse(runCli(['demo', '--format', 'json']).stdout) as Report;
    const find = (name: string, type: string, service?: string) =>
      report.findings.find((f) => f.principal.name === name && f.type === type && (service === undefined || f.service === service));
    expect(find('legacy-etl', 'dormant-principal')).toBeDefined();
    expect(find('backup-bot', 'stale-credential')?.severity).toBe('high');
    // iam:* through the group, with two iam calls in use: narrow the wildcard, on the group's policy.
    const iam = find('terraform-ci', 'overbroad-grant', 'iam');
    expect(iam?.severity).toBe('critical');
    expect(iam?.permissions[0]?.provenance).toBe('inherited');
    expect((iam?.permissions[0]?.grantedBy[0] as GrantPath | undefined)?.viaGroup?.name).toBe('platform-admins');
    expect(iam?.permissions.some((p) => p.action === 'iam:GetRole')).toBe(false);
    expect(iam?.recommendation).toContain('Replace "iam:*" with the iam actions in use: iam:GetRole, iam:ListAttachedRolePolicies');
    // Explicitly named and unused: one finding per action.
    const cfn = report.findings.filter((f) => f.principal.name === 'ci-deployer' && f.type === 'unused-permission' && f.service === 'cloudformation');
    expect(cfn.map((f) => f.permissions.map((p) => p.action))).toEqual([['cloudformation:CreateStack'], ['cloudformation:DeleteStack']]);
    // The agent cannot hold dynamodb: its boundary does not allow it.
    expect(report.findings.some((f) => f.principal.name === 'ml-agent' && f.service === 'dynamodb')).toBe(false);
    // Denied attempts are counted, not used.
    expect(report.coverage[0]?.deniedAttempts).toEqual([
      { principal: 'arn:aws:iam::111122223333:role/agents/ml-agent', action: 'iam:CreateAccessKey', count: 1 },
    ]);
    const dynamo = find('nightly-report', 'unused-service', 'dynamodb');
    expect(dynamo?.evidence.sources).toEqual(['access-advisor']);
    expect(find('ml-agent', 'dormant-principal')).toBeUndefined();
    expect(report.summary.skippedServiceLinked).toBe(1);
    expect(report.findings.some((f) => f.principal.name === 'AWSServiceRoleForSupport')).toBe(false);
    // ci-deployer passes its CloudFormation execution role on every UpdateStack: iam:PassRole is used.
    expect(report.findings.some((f) => f.principal.name === 'ci-deployer' && f.permissions.some((p) => p.action === 'iam:PassRole'))).toBe(false);
  });

  it('exits 1 with --fail-on high when high findings exist, 0 with --fail-on never', () => {
    expect(runCli(['demo', '--fail-on', 'high', '-q']).code).toBe(1);
    expect(runCli(['demo', '--fail-on', 'never', '-q']).code).toBe(0);
  });

  it('writes -o files and nothing to stdout', () => {
    const dir = tmp();
    const out = join(dir, 'report.json');
    const r = runCli(['demo', '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect((JSON.parse(readFileSync(out, 'utf8')) as Report).schemaVersion).toBe(2);
    // Written through a temp file and a rename: nothing else is left behind.
    expect(readdirSync(dir)).toEqual(['report.json']);
  });

  it('takes the window from PERMDRIFT_WINDOW, and the flag wins over it', () => {
    const fromEnv = JSON.parse(runCli(['demo', '--format', 'json'], { env: { PERMDRIFT_WINDOW: '30d' } }).stdout) as Report;
    expect(fromEnv.window.days).toBe(30);
    const fromFlag = JSON.parse(runCli(['demo', '--format', 'json', '--window', '7d'], { env: { PERMDRIFT_WINDOW: '30d' } }).stdout) as Report;
    expect(fromFlag.window.days).toBe(7);
  });
});

describe('selection', () => {
  it('audits only principals matching --principal, and service-linked roles only when asked', () => {
    const only = JSON.parse(runCli(['demo', '--format', 'json', '--principal', '*-ci', '--principal', 'arn:aws:iam::*:role/jobs/*']).stdout) as Report;
    expect([...new Set(only.findings.map((f) => f.principal.name))].sort()).toEqual(['nightly-report', 'terraform-ci']);
    expect(only.summary.principals).toBe(2);
    const all = JSON.parse(runCli(['demo', '--format', 'json', '--include-service-linked']).stdout) as Report;
    expect(all.summary.skippedServiceLinked).toBe(0);
    expect(all.summary.principals).toBe(7);
  });

  it('scans several accounts under one folder together', () => {
    const dir = tmp();
    cpSync(join(ROOT, 'fixtures', 'aws', 'demo', 'aws'), join(dir, 'aws'), { recursive: true });
    cpSync(join(ROOT, 'fixtures', 'aws', 'access-denied-not-usage', 'aws'), join(dir, 'aws'), { recursive: true });
    const r = runCli(['scan', 'files', dir, '--as-of', '2026-11-20T00:00:00Z', '--format', 'json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.summary.accounts).toBe(2);
    expect(report.coverage.map((c) => c.account)).toEqual(['111122223333', '210987654321']);
    expect(report.findings.some((f) => f.account === '210987654321' && f.principal.name === 'ci-bot')).toBe(true);
    // The second account's logs end in June: far outside this window, so nothing there is called unused from logs.
    expect(report.findings.filter((f) => f.account === '210987654321').every((f) => f.type === 'unverifiable-permission')).toBe(true);
  });
});

describe('bad input', () => {
  it('exits 2 with a one-line error and a hint for a missing folder', () => {
    const r = runCli(['scan', 'files', '/nonexistent/snapshot']);
    expect(r.code).toBe(2);
    expectCleanError(r.stderr);
    expect(r.stderr).toMatch(/hint: /);
    expect(r.stdout).toBe('');
  });

  it('exits 2 for a folder without account folders', () => {
    const dir = tmp();
    mkdirSync(join(dir, 'aws'));
    const r = runCli(['scan', 'files', dir]);
    expect(r.code).toBe(2);
    expectCleanError(r.stderr);
    expect(r.stderr).toContain('account');
  });

  it('exits 2 naming the file when the authorization details are not JSON', () => {
    const dir = tmp();
    mkdirSync(join(dir, 'aws', '123456789012'), { recursive: true });
    writeFileSync(join(dir, 'aws', '123456789012', 'iam-get-account-authorization-details.json'), '{"UserDetailList": [');
    const r = runCli(['scan', 'files', dir]);
    expect(r.code).toBe(2);
    expectCleanError(r.stderr);
    expect(r.stderr).toContain('iam-get-account-authorization-details.json');
  });

  it('exits 2 for authorization details of the wrong shape', () => {
    const dir = tmp();
    mkdirSync(join(dir, 'aws', '123456789012'), { recursive: true });
    writeFileSync(join(dir, 'aws', '123456789012', 'iam-get-account-authorization-details.json'), '{"RoleDetailList": [{"RoleName": 7}]}');
    const r = runCli(['scan', 'files', dir]);
    expect(r.code).toBe(2);
    expectCleanError(r.stderr);
  });

  it('exits 2 for bad flags: unknown option, bad window, bad as-of, bad format', () => {
    for (const args of [
      ['demo', '--bogus'],
      ['demo', '--window', '90x'],
      ['demo', '--as-of', 'yesterday'],
      ['demo', '--format', 'xml'],
      ['demo', '--fail-on', 'severe'],
    ]) {
      const r = runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/error/);
      expect(r.stdout).toBe('');
    }
  });

  it('exits 2 when not one CloudTrail file can be read', () => {
    const dir = tmp();
    const acct = join(dir, 'aws', '123456789012');
    mkdirSync(join(acct, 'cloudtrail'), { recursive: true });
    cpSync(
      join(ROOT, 'fixtures', 'aws', 'cloudmapper-demo', 'iam-get-account-authorization-details.json'),
      join(acct, 'iam-get-account-authorization-details.json'),
    );
    writeFileSync(join(acct, 'cloudtrail', 'not-cloudtrail.json'), '{"Users": []}');
    const r = runCli(['scan', 'files', dir]);
    expect(r.code).toBe(2);
    expectCleanError(r.stderr);
    expect(r.stderr).toContain('not-cloudtrail.json');
  });

  it('keeps going when one log file among many is corrupt: a warning and a coverage gap', () => {
    const dir = tmp();
    cpSync(join(ROOT, 'fixtures', 'aws', 'demo'), dir, { recursive: true });
    const bad = join(dir, 'aws', '111122223333', 'cloudtrail', 'broken.json.gz');
    writeFileSync(bad, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02, 0x03]));
    const r = runCli(['scan', 'files', dir, '--as-of', '2026-11-20T00:00:00Z', '--format', 'json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.coverage[0]?.cloudTrail.filesFailed).toBe(1);
    expect(report.warnings.some((w) => w.code === 'cloudtrail-file-unreadable' && w.file?.endsWith('broken.json.gz'))).toBe(true);
    expect(report.coverage[0]?.notes.join(' ')).toContain('could not be read');
    expect(r.stderr).toContain('warning');
    // A use recorded in the unread file would not be seen: nothing is called unused from the logs…
    const fromLogs = report.findings.filter(
      (f) => ['unused-permission', 'unused-service', 'overbroad-grant'].includes(f.type) && f.evidence.sources.includes('cloudtrail'),
    );
    expect(fromLogs).toEqual([]);
    expect(report.findings.some((f) => f.permissions.some((p) => p.unverifiable?.reason === 'log-files-unreadable'))).toBe(true);
    // …while Access Advisor's proof, which does not depend on the logs, still stands.
    expect(report.findings.find((f) => f.principal.name === 'nightly-report' && f.service === 'dynamodb')?.type).toBe('unused-service');
  });

  it('treats archive objects `collect aws` could not download as unread log files', () => {
    const dir = tmp();
    cpSync(join(ROOT, 'fixtures', 'aws', 'lambda-versioned-event-names'), dir, { recursive: true });
    const args = ['scan', 'files', dir, '--as-of', '2026-06-30T00:00:00Z', '--window', '30d', '--format', 'json'];
    const before = JSON.parse(runCli(args).stdout) as Report;
    expect(before.findings.map((f) => f.type)).toEqual(['unused-permission']);
    writeFileSync(
      join(dir, 'aws', '210987654321', 'collect-warnings.json'),
      JSON.stringify({
        warnings: [
          {
            code: 'cloudtrail-object-unreadable',
            message: 's3://trail/AWSLogs/210987654321/CloudTrail/us-east-1/2026/06/10/x.json.gz: AccessDenied (KMS key); its events are a coverage gap',
          },
        ],
      }),
    );
    const after = JSON.parse(runCli(args).stdout) as Report;
    expect(after.findings.map((f) => f.type)).toEqual(['unverifiable-permission']);
    expect(after.findings[0]?.permissions[0]?.unverifiable?.reason).toBe('log-files-unreadable');
    expect(after.coverage[0]?.cloudTrail.filesFailed).toBe(1);
    expect(after.warnings.map((w) => w.code)).toContain('cloudtrail-object-unreadable');
  });
});

describe('configuration', () => {
  it('takes settings from permdrift.config.yaml, with env and flags winning in that order', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'permdrift.config.yaml'), 'window: 30d\nformat: json\nprincipal: ci-*\n');
    const run = (args: string[], env: Record<string, string> = {}) => {
      const r = runCli(['demo', ...args], { cwd: dir, env });
      return { code: r.code, report: r.code === 0 ? (JSON.parse(r.stdout) as Report) : undefined, stderr: r.stderr };
    };
    const fromFile = run([]);
    expect(fromFile.report?.window.days).toBe(30);
    expect(new Set(fromFile.report?.findings.map((f) => f.principal.name))).toEqual(new Set(['ci-deployer']));
    expect(run([], { PERMDRIFT_WINDOW: '14d' }).report?.window.days).toBe(14);
    expect(run(['--window', '7d'], { PERMDRIFT_WINDOW: '14d' }).report?.window.days).toBe(7);
  });

  it('exits 2 naming an unknown config key', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'permdrift.config.yaml'), 'window: 30d\nfail_on: high\n');
    const r = runCli(['demo'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: .*permdrift\.config\.yaml: unknown key "fail_on"/m);
    expect(r.stderr).toMatch(/^hint: allowed keys: /m);
  });

  it('permdrift init writes a starter config once, and refuses to overwrite it', () => {
    const dir = tmp();
    const first = spawnSync(process.execPath, [BIN, 'init'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '' } });
    expect(first.status).toBe(0);
    expect(readFileSync(join(dir, 'permdrift.config.yaml'), 'utf8')).toContain('window: 90d');
    const second = spawnSync(process.execPath, [BIN, 'init'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '' } });
    expect(second.status).toBe(2);
    expect(second.stderr).toContain('already exists');
  });
});
