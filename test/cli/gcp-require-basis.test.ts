/**
 * `--require-basis` and an exception's `requireBasis`, with the built binary, on
 * fixtures/gcp/observed-permission-types (README there): four findings that fail `--fail-on any:low`
 * — examplesvc (observed), dns (observed + rule), accesscontextmanager (rule), storage.buckets.create
 * (cited) — and what each basis requirement lets through. Also: the flag from the environment and
 * the config file, invalid values, AWS findings untouched, and the basis in JSON, SARIF and Markdown.
 */

import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/model/report.js';
import { validateReport } from '../../src/model/validate-report.js';
import { type CliRun, runCli } from './run-cli.js';

const ROOT = join(import.meta.dirname, '..', '..');
const AS_OF = '2026-11-20T00:00:00Z';
const DEPLOYER = 'deployer@obs-4242.iam.gserviceaccount.com';

function snapshot(): string {
  const dir = mkdtempSync(join(tmpdir(), 'permdrift-require-basis-'));
  cpSync(join(ROOT, 'fixtures', 'gcp', 'observed-permission-types'), dir, { recursive: true });
  return dir;
}

function scan(dir: string, extra: string[], env: Record<string, string> = {}): CliRun {
  return runCli(['scan', 'files', dir, '--as-of', AS_OF, '--format', 'json', ...extra], { cwd: dir, env });
}

/** How many findings the run says fail (its stderr line; 0 when it names none). */
function failingCount(r: CliRun): number {
  const m = /permdrift: (\d+) finding\(s\) match --fail-on/.exec(r.stderr);
  return m ? Number(m[1]) : 0;
}

describe('--require-basis', () => {
  const dir = snapshot();

  it('without it, the four unused findings at low or above fail; the report validates and records each claim’s basis', () => {
    const r = scan(dir, ['--fail-on', 'any:low']);
    expect(r.code).toBe(1);
    expect(failingCount(r)).toBe(4);
    const report = JSON.parse(r.stdout) as Report;
    expect(validateReport(report).errors).toEqual([]);
    const bases = Object.fromEntries(
      report.findings.filter((f) => f.type !== 'unverifiable-permission').map((f) => [f.service, f.permissions.map((p) => p.observability?.basis).join('+')]),
    );
    expect(bases).toEqual({ examplesvc: 'observed', dns: 'rule+observed', accesscontextmanager: 'rule', storage: 'cited' });
  });

  it('cited,observed fails only findings whose every unused claim a Google page or the logs back', () => {
    const r = scan(dir, ['--fail-on', 'any:low', '--require-basis', 'cited,observed']);
    expect(r.code).toBe(1);
    expect(failingCount(r)).toBe(2);
    expect(r.stderr).toContain('2 finding(s) match --fail-on any:low --require-basis cited,observed');
  });

  it('one basis at a time: rule → accesscontextmanager only; observed at medium → examplesvc only; cited at medium → storage only', () => {
    expect(failingCount(scan(dir, ['--fail-on', 'any:low', '--require-basis', 'rule']))).toBe(1);
    expect(failingCount(scan(dir, ['--fail-on', 'any:medium', '--require-basis', 'observed']))).toBe(1);
    const cited = scan(dir, ['--fail-on', 'any:medium', '--require-basis', 'Cited']);
    expect(cited.code).toBe(1);
    expect(failingCount(cited)).toBe(1);
  });

  it('the severity cap keeps rule-based claims out of a high gate: nothing is high', () => {
    const r = scan(dir, ['--fail-on', 'high']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.findings.find((f) => f.service === 'accesscontextmanager')?.severity).toBe('low');
    expect(report.findings.find((f) => f.service === 'dns')?.severity).toBe('medium');
  });

  it('from PERMDRIFT_REQUIRE_BASIS and from the config key require-basis (a list), the flag winning over both', () => {
    expect(failingCount(scan(dir, ['--fail-on', 'any:low'], { PERMDRIFT_REQUIRE_BASIS: 'rule' }))).toBe(1);
    const configDir = snapshot();
    writeFileSync(join(configDir, 'permdrift.config.yaml'), 'require-basis: [cited, observed]\n');
    expect(failingCount(scan(configDir, ['--fail-on', 'any:low']))).toBe(2);
    expect(failingCount(scan(configDir, ['--fail-on', 'any:low', '--require-basis', 'rule']))).toBe(1);
  });

  it('an unknown basis is a usage error (exit 2), on the flag and in the config file', () => {
    const r = scan(dir, ['--fail-on', 'any:low', '--require-basis', 'cited,guessed']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('invalid --require-basis "cited,guessed": "guessed" is not a basis');
    expect(r.stderr).toContain('cited, observed, rule');
    const configDir = snapshot();
    writeFileSync(join(configDir, 'permdrift.config.yaml'), 'require-basis: [documented]\n');
    const c = scan(configDir, ['--fail-on', 'any:low']);
    expect(c.code).toBe(2);
    expect(c.stderr).toContain('"require-basis"');
    expect(c.stderr).toContain('"documented" is not a basis');
  });

  it('leaves AWS findings as they are: they carry no basis', () => {
    const demo = join(ROOT, 'fixtures', 'aws', 'demo');
    const plain = runCli(['scan', 'files', demo, '--as-of', AS_OF, '--fail-on', 'any:low', '--format', 'json']);
    const required = runCli(['scan', 'files', demo, '--as-of', AS_OF, '--fail-on', 'any:low', '--require-basis', 'cited', '--format', 'json']);
    expect(plain.code).toBe(1);
    expect(required.code).toBe(1);
    expect(failingCount(required)).toBe(failingCount(plain));
    expect((JSON.parse(plain.stdout) as Report).findings.some((f) => f.permissions.some((p) => p.observability !== undefined))).toBe(false);
  });
});

describe('an exception with requireBasis', () => {
  it('rule: excepts only the finding whose claims all rest on the verb rule; the mixed one still fails', () => {
    const dir = snapshot();
    const exceptions = join(dir, 'exceptions.yaml');
    writeFileSync(
      exceptions,
      [
        `- principal: "${DEPLOYER}"`,
        '  requireBasis: rule',
        '  reason: verb-rule verdicts are checked by hand first',
        '  owner: platform@example.com',
        '',
      ].join('\n'),
    );
    const r = scan(dir, ['--fail-on', 'any:low', '--exceptions', exceptions]);
    expect(r.code).toBe(1);
    expect(failingCount(r)).toBe(3);
    const report = JSON.parse(r.stdout) as Report;
    expect(validateReport(report).errors).toEqual([]);
    expect(report.findings.filter((f) => f.exception?.state === 'active').map((f) => f.service)).toEqual(['accesscontextmanager']);
    expect(report.exceptions?.entries[0]).toMatchObject({ matches: 1, requireBasis: ['rule'] });
  });

  it('a list: cited and observed excepts the two findings they back, and the gate fails on the other two', () => {
    const dir = snapshot();
    const exceptions = join(dir, 'exceptions.yaml');
    writeFileSync(
      exceptions,
      [
        `- principal: "${DEPLOYER}"`,
        '  requireBasis: [observed, cited]',
        '  reason: accepted until the Q1 role review',
        '  owner: platform@example.com',
        '',
      ].join('\n'),
    );
    const r = scan(dir, ['--fail-on', 'any:low', '--exceptions', exceptions]);
    expect(failingCount(r)).toBe(2);
    const report = JSON.parse(r.stdout) as Report;
    expect(
      report.findings
        .filter((f) => f.exception?.state === 'active')
        .map((f) => f.service)
        .sort(),
    ).toEqual(['examplesvc', 'storage']);
    expect(report.exceptions?.entries[0]?.requireBasis).toEqual(['cited', 'observed']);
  });

  it('an unknown basis names the entry and its line (exit 2)', () => {
    const dir = snapshot();
    const exceptions = join(dir, 'exceptions.yaml');
    writeFileSync(exceptions, [`- principal: "${DEPLOYER}"`, '  reason: r', '  owner: o', '  requireBasis: [cited, hunch]', ''].join('\n'));
    const r = scan(dir, ['--fail-on', 'any:low', '--exceptions', exceptions]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('exceptions.yaml:4: exception #1: "requireBasis" "hunch" is not a basis');
  });
});

describe('the basis in the other formats', () => {
  it('SARIF lists each action’s basis and log type; Markdown counts them and names the rule-based ones', () => {
    const dir = snapshot();
    const sarif = runCli(['scan', 'files', dir, '--as-of', AS_OF, '--format', 'sarif']);
    const results = (JSON.parse(sarif.stdout) as { runs: { results: { properties: Record<string, unknown> }[] }[] }).runs[0]?.results ?? [];
    const gadget = results.find((r) => r.properties['service'] === 'dns');
    expect(gadget?.properties['observability']).toEqual([
      { action: 'dns.managedZones.setIamPolicy', basis: 'rule', logType: 'ADMIN_WRITE' },
      { action: 'dns.networks.bindPrivateDNSZone', basis: 'observed', logType: 'ADMIN_WRITE' },
    ]);
    const unverifiable = results.find((r) => (r.properties['actions'] as string[]).includes('storage.buckets.delete'));
    expect(unverifiable).toBeDefined();
    expect(unverifiable?.properties['observability']).toBeUndefined();
    const md = runCli(['scan', 'files', dir, '--as-of', AS_OF, '--format', 'markdown']).stdout;
    expect(md).toContain('- Log type basis: 1 observed, 1 rule (the verb rule alone: `dns.managedZones.setIamPolicy`)');
    expect(md).toContain('- Log type basis: 1 cited');
  });
});
