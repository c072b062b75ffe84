/**
 * Boolean flags and their environment variables, through the built binary: a PERMDRIFT_* boolean
 * is read as 1/0/true/false/yes/no (empty = unset, anything else a usage error naming it), every
 * boolean flag has its --no-… form, and precedence is flag > environment > config file > default.
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import type { Report } from '../../src/model/report.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'permdrift');

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The built binary with a clean environment: only PATH, NO_COLOR and what the test adds. */
function permdrift(args: string[], env: Record<string, string> = {}, cwd = mkdtempSync(join(tmpdir(), 'permdrift-bool-'))): Result {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { PATH: process.env['PATH'] ?? '', NO_COLOR: '1', ...env },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The demo as JSON to a file: stderr then says "N warning(s)" unless quiet. */
function demoToFile(extra: string[], env: Record<string, string> = {}, cwd?: string): Result & { report: Report } {
  const dir = cwd ?? mkdtempSync(join(tmpdir(), 'permdrift-bool-'));
  const r = permdrift(['demo', '--format', 'json', '-o', join(dir, 'report.json'), ...extra], env, dir);
  const report = r.code === 0 ? (JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report) : ({} as Report);
  return { ...r, report };
}

const WARNINGS_LINE = /warning\(s\); see "warnings" in the report/;

describe('boolean environment variables', () => {
  it('PERMDRIFT_QUIET=false, 0, no and empty are not quiet; true, 1, YES are', () => {
    for (const value of ['false', '0', 'no', 'FALSE', '']) {
      const r = demoToFile([], { PERMDRIFT_QUIET: value });
      expect(r.code, value).toBe(0);
      expect(r.stderr, value).toMatch(WARNINGS_LINE);
    }
    for (const value of ['true', '1', 'YES']) {
      const r = demoToFile([], { PERMDRIFT_QUIET: value });
      expect(r.code, value).toBe(0);
      expect(r.stderr, value).toBe('');
    }
  });

  it('PERMDRIFT_INCLUDE_SERVICE_LINKED=0 skips service-linked roles; =1 includes them', () => {
    const off = demoToFile(['--quiet'], { PERMDRIFT_INCLUDE_SERVICE_LINKED: '0' });
    expect(off.code).toBe(0);
    expect(off.report.summary.skippedServiceLinked).toBe(1);
    const on = demoToFile(['--quiet'], { PERMDRIFT_INCLUDE_SERVICE_LINKED: '1' });
    expect(on.code).toBe(0);
    expect(on.report.summary.skippedServiceLinked).toBe(0);
  });

  it('any other value is a usage error naming the variable and the value', () => {
    const r = permdrift(['demo'], { PERMDRIFT_QUIET: 'maybe' });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('error: invalid PERMDRIFT_QUIET "maybe": expected 1/0, true/false or yes/no');
    expect(r.stderr).toMatch(/\nhint: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const org = permdrift(['collect', 'aws', '-o', 'snap', '--accounts', '111122223333'], { PERMDRIFT_ORG: 'on' });
    expect(org.code).toBe(2);
    expect(org.stderr).toContain('error: invalid PERMDRIFT_ORG "on"');
  });
});

describe('--no-… forms and precedence (flag > env > config > default)', () => {
  it('--no-quiet wins over PERMDRIFT_QUIET=1, and over quiet: true in the config file', () => {
    expect(demoToFile(['--no-quiet'], { PERMDRIFT_QUIET: '1' }).stderr).toMatch(WARNINGS_LINE);
    const dir = mkdtempSync(join(tmpdir(), 'permdrift-bool-'));
    writeFileSync(join(dir, 'permdrift.config.yaml'), 'quiet: true\ninclude-service-linked: true\n');
    expect(demoToFile([], {}, dir).stderr).toBe('');
    expect(demoToFile(['--no-quiet'], {}, dir).stderr).toMatch(WARNINGS_LINE);
    // The environment is above the config file: PERMDRIFT_QUIET=0 undoes quiet: true.
    expect(demoToFile([], { PERMDRIFT_QUIET: '0' }, dir).stderr).toMatch(WARNINGS_LINE);
    const linked = demoToFile(['--quiet'], {}, dir);
    expect(linked.report.summary.skippedServiceLinked).toBe(0);
    expect(demoToFile(['--quiet', '--no-include-service-linked'], {}, dir).report.summary.skippedServiceLinked).toBe(1);
    expect(demoToFile(['--quiet'], { PERMDRIFT_INCLUDE_SERVICE_LINKED: 'no' }, dir).report.summary.skippedServiceLinked).toBe(1);
  });

  it('the last of --x / --no-x on the command line wins', () => {
    expect(demoToFile(['--quiet', '--no-quiet']).stderr).toMatch(WARNINGS_LINE);
    expect(demoToFile(['--no-quiet', '--quiet']).stderr).toBe('');
  });
});

function sink(isTTY = false): PassThrough & { isTTY: boolean; text: () => string } {
  const s = new PassThrough() as PassThrough & { isTTY: boolean; text: () => string };
  let out = '';
  s.on('data', (d: Buffer) => (out += d.toString()));
  s.isTTY = isTTY;
  s.text = () => out;
  return s;
}

async function help(args: string[]): Promise<string> {
  const stdout = sink();
  const code = await run([...args, '--help'], { stdout, stderr: sink(), env: {} });
  expect(code).toBe(0);
  return stdout.text();
}

describe('every boolean flag has both forms in --help', () => {
  const cases: [string[], string[]][] = [
    [
      ['scan', 'files'],
      ['--include-service-linked', '--no-include-service-linked', '--quiet', '--no-quiet', '--color', '--no-color', '--debug', '--no-debug'],
    ],
    [['demo'], ['--no-include-service-linked', '--no-quiet', '--no-debug']],
    [
      ['baseline', 'update'],
      ['--no-include-service-linked', '--no-quiet'],
    ],
    [
      ['scan', 'aws'],
      ['--org', '--no-org', '--access-advisor', '--no-access-advisor', '--credential-report', '--no-credential-report', '--no-quiet'],
    ],
    [
      ['collect', 'aws'],
      ['--org', '--no-org', '--access-advisor', '--no-access-advisor', '--no-quiet', '--no-debug'],
    ],
    [
      ['scan', 'gcp'],
      ['--activity', '--no-activity', '--asset-inventory', '--no-asset-inventory', '--no-quiet'],
    ],
    [
      ['collect', 'gcp'],
      ['--activity', '--no-activity', '--asset-inventory', '--no-asset-inventory', '--no-quiet', '--no-debug'],
    ],
    [['diff'], ['--ascii', '--no-ascii', '--color', '--no-color', '--debug', '--no-debug']],
    [['trend'], ['--quiet', '--no-quiet', '--ascii', '--no-ascii']],
    [['init'], ['--force', '--no-force']],
    [
      ['policy', 'aws'],
      ['--org', '--no-org'],
    ],
  ];
  for (const [command, flags] of cases) {
    it(command.join(' '), async () => {
      const text = await help(command);
      for (const flag of flags) expect(text, flag).toMatch(new RegExp(`(^|[ ,])${flag}(\\s|$)`, 'm'));
    });
  }

  it('names the environment variable of a boolean flag that has one', async () => {
    const text = await help(['scan', 'files']);
    expect(text).toMatch(/--quiet\s[\s\S]*?\(default: false, env:\s+PERMDRIFT_QUIET\)/);
    expect(text).toMatch(/--include-service-linked\s[\s\S]*?\(default: false, env:\s+PERMDRIFT_INCLUDE_SERVICE_LINKED\)/);
  });
});

describe('CI', () => {
  async function demoOnTty(env: NodeJS.ProcessEnv): Promise<string> {
    const stderr = sink(true);
    const dir = mkdtempSync(join(tmpdir(), 'permdrift-bool-'));
    const code = await run(['demo', '--format', 'json', '-o', join(dir, 'r.json')], { stdout: sink(), stderr, env, cwd: dir });
    expect(code).toBe(0);
    return stderr.text();
  }

  it('CI=false, 0, no or empty is not CI: progress is drawn on a terminal; CI=true (or any other value) is', async () => {
    for (const value of ['false', '0', 'No', '']) expect(await demoOnTty({ CI: value }), value).toContain('\r\x1b[2K');
    for (const value of ['true', '1', 'woodpecker']) expect(await demoOnTty({ CI: value }), value).not.toContain('\r');
  });
});
