/**
 * The timeout flags of `collect aws|gcp` and `scan aws|gcp` (flag, PERMDRIFT_* variable, config
 * key), their usage errors, and what a terminal sees while a source is slow: requests done, their
 * rate, and the retry in force. In-process against the fake endpoints, stderr a fake TTY.
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { loadFakeAccount } from '../fake-aws/account.js';
import { useFakeAws } from '../fake-aws/lifecycle.js';
import type { FakeAwsOptions } from '../fake-aws/server.js';
import { useFakeGcp } from '../fake-gcp/lifecycle.js';
import { fakeWorld } from '../fake-gcp/world.js';

const AS_OF = '2026-11-20T00:00:00Z';
const startAws = useFakeAws();
const startGcp = useFakeGcp();

function stream(isTTY: boolean): PassThrough & { isTTY: boolean; text: () => string } {
  const s = new PassThrough() as PassThrough & { isTTY: boolean; text: () => string };
  let out = '';
  s.on('data', (d: Buffer) => (out += d.toString()));
  s.isTTY = isTTY;
  s.text = () => out;
  return s;
}

/** `env` is set in this process for the run too: commander reads PERMDRIFT_* variables from process.env. */
async function cli(
  args: string[],
  opts: { isTTY?: boolean; env?: Record<string, string>; cwd?: string } = {},
): Promise<{ code: number; stderr: string; stdout: string }> {
  const stderr = stream(opts.isTTY ?? false);
  const stdout = stream(false);
  const saved = new Map(Object.keys(opts.env ?? {}).map((k) => [k, process.env[k]]));
  Object.assign(process.env, opts.env);
  try {
    const code = await run(args, { stdout, stderr, env: { ...process.env, CI: '' }, ...(opts.cwd ? { cwd: opts.cwd } : {}) });
    return { code, stderr: stderr.text(), stdout: stdout.text() };
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

const out = (): string => mkdtempSync(join(tmpdir(), 'permdrift-timeouts-cli-'));
const frames = (stderr: string): string[] => stderr.split('\r\x1b[2K').filter((f) => f !== '');

const IAM_STALL = (times: number): Partial<FakeAwsOptions> => ({
  iamPageSize: 3,
  faults: [{ service: 'iam', action: 'GetAccountAuthorizationDetails', kind: 'stall', times, after: 1 }],
});

describe('timeout flags', () => {
  it('a terminal sees requests, their rate and the retry in force while a page stalls; the run succeeds', async () => {
    await startAws({ account: loadFakeAccount(), accessAdvisorInProgressPolls: 0, ...IAM_STALL(2) });
    const r = await cli(['collect', 'aws', '-o', out(), '--as-of', AS_OF, '--request-timeout', '200ms', '--no-access-advisor'], { isTTY: true });
    expect(r.code).toBe(0);
    const f = frames(r.stderr);
    expect(f.some((x) => /retrying iam:GetAccountAuthorizationDetails \(attempt [23] of 6, after the request timeout of 200 ms\)/.test(x))).toBe(true);
    // Once the source is slow, the rate too; the line still ends with the requests sent.
    expect(f.some((x) => /^111122223333: .* · \d+(\.\d)?\/s · \d+ requests$/.test(x))).toBe(true);
    // The summary says how many were retried.
    expect(r.stderr).toMatch(/permdrift: account 111122223333 read as .*; \d+ request\(s\), 2 retried, in \d+\.\ds/);
  });

  it('no status line without a terminal, even while retrying', async () => {
    await startAws({ account: loadFakeAccount(), ...IAM_STALL(2) });
    const r = await cli(['collect', 'aws', '-o', out(), '--as-of', AS_OF, '--request-timeout', '200ms', '--no-access-advisor'], { isTTY: false });
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('\r');
  });

  it('PERMDRIFT_REQUEST_TIMEOUT and PERMDRIFT_RETRY_BUDGET set the limits: a page that never answers ends with error:, exit 2', async () => {
    await startAws({ account: loadFakeAccount(), ...IAM_STALL(Infinity) });
    const t0 = Date.now();
    const r = await cli(['collect', 'aws', '-o', out(), '--as-of', AS_OF], { env: { PERMDRIFT_REQUEST_TIMEOUT: '200ms', PERMDRIFT_RETRY_BUDGET: '1s' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^error: iam:GetAccountAuthorizationDetails timed out: no answer within the request timeout of 200 ms \(\d attempts in [\d.]+ s, the retry budget of 1 s\)$/m,
    );
    expect(r.stderr).toMatch(/^hint: .*--request-timeout/m);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('the config file sets them for scan aws and collect aws (flag > env > config)', async () => {
    await startAws({ account: loadFakeAccount(), ...IAM_STALL(Infinity) });
    const dir = out();
    writeFileSync(join(dir, 'permdrift.config.yaml'), 'request-timeout: 300ms\nretry-budget: 1s\n');
    const scan = await cli(['scan', 'aws', '--as-of', AS_OF, '--format', 'json'], { cwd: dir });
    expect(scan.code).toBe(2);
    expect(scan.stderr).toMatch(/^error: iam:GetAccountAuthorizationDetails timed out: no answer within the request timeout of 300 ms/m);
    const collect = await cli(['collect', 'aws', '-o', join(dir, 'snap'), '--as-of', AS_OF], { cwd: dir });
    expect(collect.stderr).toMatch(/the request timeout of 300 ms/);
    const env = await cli(['collect', 'aws', '-o', join(dir, 'snap2'), '--as-of', AS_OF], { cwd: dir, env: { PERMDRIFT_REQUEST_TIMEOUT: '250ms' } });
    expect(env.stderr).toMatch(/the request timeout of 250 ms/);
    const flag = await cli(['collect', 'aws', '-o', join(dir, 'snap3'), '--as-of', AS_OF, '--request-timeout', '0.2s'], {
      cwd: dir,
      env: { PERMDRIFT_REQUEST_TIMEOUT: '250ms' },
    });
    expect(flag.stderr).toMatch(/the request timeout of 200 ms/);
  });

  it('bad values are usage errors before any request', async () => {
    const fake = await startAws({ account: loadFakeAccount() });
    for (const [args, message] of [
      [['--request-timeout', '5x'], /^error: invalid --request-timeout "5x"/m],
      [['--connect-timeout', '0s'], /^error: invalid --connect-timeout "0s"/m],
      [['--retry-budget', '2d'], /^error: invalid --retry-budget "2d"/m],
      [['--connect-timeout', '30s', '--request-timeout', '10s'], /^error: --connect-timeout 30 s is longer than --request-timeout 10 s/m],
      [['--retry-budget', '5s', '--request-timeout', '10s'], /^error: --retry-budget 5 s is shorter than --request-timeout 10 s/m],
    ] as const) {
      for (const cmd of [
        ['collect', 'aws', '-o', out()],
        ['scan', 'aws'],
      ]) {
        const r = await cli([...cmd, '--as-of', AS_OF, ...args]);
        expect(r.code, `${cmd.join(' ')} ${args.join(' ')}`).toBe(2);
        expect(r.stderr).toMatch(message);
        expect(r.stderr).toMatch(/^hint: /m);
      }
    }
    expect(fake.requests).toEqual([]);
  });

  it('collect gcp shows the retry of a stalled gax call on a terminal', async () => {
    await startGcp({ world: fakeWorld(), faults: [{ operation: 'cloudresourcemanager.projects.getIamPolicy', kind: 'stall', times: 2 }] });
    const r = await cli(['collect', 'gcp', '--project', 'alpha-prod', '-o', out(), '--as-of', AS_OF, '--request-timeout', '200ms', '--no-activity'], {
      isTTY: true,
    });
    expect(r.code).toBe(0);
    expect(
      frames(r.stderr).some((x) => /retrying cloudresourcemanager\.projects\.getIamPolicy \(attempt [23] of 6, after the request timeout of 200 ms\)/.test(x)),
    ).toBe(true);
  });
});
