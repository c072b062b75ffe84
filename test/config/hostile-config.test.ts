/**
 * Hostile or absurd settings end as a usage or config error (`error: …`, exit 2), never as
 * "unexpected failure": a YAML alias bomb in the config file, a window of 10^20 hours, an as-of
 * in year 0 or past year 9999.
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { parseAsOf } from '../../src/cli/options.js';
import { parseConfig } from '../../src/config/config-file.js';
import { ConfigError, UsageError } from '../../src/model/errors.js';

async function permdrift(args: string[], opts: { cwd?: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  err.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const cwd = opts.cwd ?? mkdtempSync(join(tmpdir(), 'permdrift-hostile-config-'));
  const code = await run(args, { stdout: out, stderr: err, env: { NO_COLOR: '1', CI: 'true' }, cwd, now: () => new Date('2026-11-20T00:00:00Z') });
  return { code, stdout, stderr };
}

/** Nine levels of nine aliases: 9^9 (387 million) strings once expanded. */
function billionLaughs(): string {
  const lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i <= 9; i += 1) lines.push(`a${i}: &a${i} [${Array.from({ length: 9 }, () => `*a${i - 1}`).join(',')}]`);
  lines.push('window: 90d');
  return `${lines.join('\n')}\n`;
}

function expectUsageError(r: { code: number; stderr: string }, message: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/^error: /);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toContain('unexpected failure');
  expect(r.stderr).toMatch(/\nhint: /);
}

describe('a YAML alias bomb in the config file', () => {
  it('is a config error naming the file, without expanding it', () => {
    const started = Date.now();
    expect(() => parseConfig(billionLaughs(), 'permdrift.config.yaml')).toThrow(ConfigError);
    expect(() => parseConfig(billionLaughs(), 'permdrift.config.yaml')).toThrow(/permdrift\.config\.yaml: .*alias/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('ends the scan with error: and exit 2', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'permdrift-hostile-config-'));
    writeFileSync(join(cwd, 'permdrift.config.yaml'), billionLaughs());
    expectUsageError(await permdrift(['demo', '--format', 'json', '-o', '-'], { cwd }), /permdrift\.config\.yaml: .*alias/);
  });

  it('a few aliases, as people write them, still work', () => {
    expect(parseConfig('principal: &p ci-*\nfail-on: *p\n', 'c.yaml')).toEqual({ principal: ['ci-*'], 'fail-on': 'ci-*' });
    expect(parseConfig('window: &w 30d\n', 'c.yaml')).toEqual({ window: '30d' });
  });

  it('keys named like Object members are unknown keys, not a crash', () => {
    for (const key of ['__proto__', 'constructor', 'toString']) {
      expect(() => parseConfig(`${key}: 1\n`, 'c.yaml'), key).toThrow(`c.yaml: unknown key "${key}"`);
    }
  });
});

describe('a window far over the cap', () => {
  it.each([
    ['--window', '99999999999999999999h'],
    ['--window', '99999999999999999999d'],
    ['--window', `${'9'.repeat(400)}h`],
  ])('%s %s is a usage error', async (flag, value) => {
    expectUsageError(await permdrift(['demo', flag, value, '--format', 'json', '-o', '-']), /invalid --window .*over the 400-day/);
  });
});

describe('an as-of outside the times a report can hold', () => {
  const clock = (): Date => new Date('2026-11-20T00:00:00Z');
  const DAY = 86_400_000;

  it.each([
    ['0000-01-01', /before 1970-01-01/],
    ['1969-12-31T23:59:59Z', /before 1970-01-01/],
    ['9999-12-31T23:59:59-02:00', /after 9999-12-31/],
  ])('--as-of %s is a usage error', (text, problem) => {
    expect(() => parseAsOf(text, clock, 90 * DAY)).toThrow(UsageError);
    expect(() => parseAsOf(text, clock, 90 * DAY)).toThrow(problem);
  });

  it('a window reaching back before 1970 is a usage error that names both flags', () => {
    expect(() => parseAsOf('1970-02-01', clock, 90 * DAY)).toThrow(/the 90-day window before it would start before 1970-01-01/);
    expect(parseAsOf('1970-04-01', clock, 90 * DAY).toISOString()).toBe('1970-04-01T00:00:00.000Z');
    expect(parseAsOf('9999-12-31T23:59:59.999Z', clock, 90 * DAY).toISOString()).toBe('9999-12-31T23:59:59.999Z');
  });

  it.each(['scan', 'collect aws', 'collect gcp'])('%s --as-of 0000-01-01 ends with error: and exit 2', async (command) => {
    const args = command === 'scan' ? ['demo'] : command.split(' ');
    const out = command === 'scan' ? ['--format', 'json', '-o', '-'] : ['-o', 'snap'];
    expectUsageError(await permdrift([...args, '--as-of', '0000-01-01', ...out]), /invalid --as-of "0000-01-01": .*before 1970-01-01/);
  });

  it('as-of in the config file is checked the same way', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'permdrift-hostile-config-'));
    writeFileSync(join(cwd, 'permdrift.config.yaml'), 'as-of: "0000-01-01"\n');
    const r = await permdrift(['demo', '--format', 'json', '-o', '-'], { cwd });
    expectUsageError(r, /before 1970-01-01/);
  });
});
