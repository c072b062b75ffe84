/**
 * SIGTERM in the middle of a live collection (the built binary against the fake endpoints, an
 * answer stalled so the run is half-way): exit 143; `scan aws|gcp` leaves no temporary snapshot;
 * `collect aws|gcp` leaves no partial file under a final name and a manifest that says
 * `complete: false`, which `scan files` refuses (exit 2, naming --allow-incomplete) unless told to
 * go on, and then reports what was not finished as gaps. `npm test` builds dist/.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { CollectManifest } from '../../src/model/collect-manifest.js';
import type { Report } from '../../src/model/report.js';
import { loadFakeAccount } from '../fake-aws/account.js';
import { fakeAwsEnv } from '../fake-aws/env.js';
import { FakeAws, type FakeAwsOptions } from '../fake-aws/server.js';
import { fakeGcpEnv } from '../fake-gcp/env.js';
import { FakeGcp } from '../fake-gcp/server.js';
import { fakeWorld } from '../fake-gcp/world.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'permdrift');
const AS_OF = '2026-11-20T00:00:00Z';

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function start(args: string[], env: Record<string, string>): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env['PATH'] ?? '', NO_COLOR: '1', CI: 'true', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const done = new Promise<Run>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, done };
}

async function until(what: string, predicate: () => boolean, ms = 30_000): Promise<void> {
  const t0 = Date.now();
  while (!predicate()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return start(args, env).done;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/** Every file under a final name is whole: no temp file, nothing empty, every .json parses, every .gz unpacks. */
function expectNoPartialFile(dir: string): void {
  const files = filesUnder(dir);
  expect(files.filter((f) => /\.tmp$/.test(f))).toEqual([]);
  for (const f of files) {
    expect(statSync(f).size, f).toBeGreaterThan(0);
    const data = readFileSync(f);
    if (f.endsWith('.gz')) expect(() => JSON.parse(gunzipSync(data).toString('utf8')), f).not.toThrow();
    else if (f.endsWith('.json')) expect(() => JSON.parse(data.toString('utf8')), f).not.toThrow();
  }
}

/** Half of every S3 log file after the first 20 is sent, the rest never: the collection hangs half-way. */
const S3_STALL: Partial<FakeAwsOptions> = { faults: [{ service: 's3', action: 'GetObject', kind: 'stall', stallPhase: 'body', times: Infinity, after: 20 }] };

async function withFakeAws<T>(opts: Partial<FakeAwsOptions>, fn: (env: Record<string, string>, fake: FakeAws) => Promise<T>): Promise<T> {
  const fake = new FakeAws({ account: loadFakeAccount(), ...opts });
  try {
    return await fn(fakeAwsEnv(await fake.start()), fake);
  } finally {
    await fake.stop();
  }
}

const stalledGets = (fake: FakeAws): number => fake.calls('s3', 'GetObject').filter((r) => r.stalled).length;

describe('SIGTERM during collect aws', () => {
  it('exits 143 and leaves only whole files and a manifest that says complete: false; scan files refuses it unless --allow-incomplete', async () => {
    const snapshot = mkdtempSync(join(tmpdir(), 'permdrift-interrupted-'));
    const tmp = mkdtempSync(join(tmpdir(), 'permdrift-tmpdir-'));
    const collected = await withFakeAws(S3_STALL, async (env, fake) => {
      const { child, done } = start(['collect', 'aws', '-o', snapshot, '--as-of', AS_OF], { ...env, TMPDIR: tmp });
      await until('stalled downloads', () => stalledGets(fake) >= 4);
      child.kill('SIGTERM');
      return done;
    });
    expect(collected.code).toBe(143);
    expect(collected.stderr).toContain('permdrift: interrupted (SIGTERM)');
    expect(collected.stderr).not.toMatch(/^\s+at /m);
    const account = join(snapshot, 'aws', '111122223333');
    expectNoPartialFile(account);
    // Some log files made it, whole, under their final names.
    expect(filesUnder(join(account, 'cloudtrail')).filter((f) => f.endsWith('.json.gz')).length).toBeGreaterThanOrEqual(1);
    const manifest = JSON.parse(readFileSync(join(account, 'collect-manifest.json'), 'utf8')) as CollectManifest;
    expect(manifest.complete).toBe(false);
    // The logs were not read to the end: nothing is claimed complete.
    expect(manifest.logs.complete).toEqual([]);
    expect(readdirSync(tmp)).toEqual([]);

    const refused = await run(['scan', 'files', snapshot, '--as-of', AS_OF, '--format', 'json']);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/^error: .*aws\/111122223333 holds an incomplete collection \(collect-manifest\.json says complete: false/m);
    expect(refused.stderr).toMatch(/^hint: .*--allow-incomplete/m);

    const allowed = await run(['scan', 'files', snapshot, '--as-of', AS_OF, '--format', 'json', '--allow-incomplete']);
    expect(allowed.code).toBe(0);
    const report = JSON.parse(allowed.stdout) as Report;
    const w = report.warnings.filter((x) => x.code === 'snapshot-incomplete');
    expect(w).toHaveLength(1);
    expect(w[0]?.account).toBe('111122223333');
    const ct = report.coverage[0]?.cloudTrail;
    expect(ct?.isWindowCovered).toBe(false);
    expect(ct?.gaps?.some((g) => g.kind === 'collection-failed' && g.cause.includes('did not finish'))).toBe(true);
    // Nothing is called unused from logs that were not read to the end.
    expect(report.findings.filter((f) => f.type === 'unused-permission' && f.evidence.sources.includes('cloudtrail'))).toEqual([]);

    const fromEnv = await run(['scan', 'files', snapshot, '--as-of', AS_OF, '--format', 'json'], { PERMDRIFT_ALLOW_INCOMPLETE: 'true' });
    expect(fromEnv.code).toBe(0);
    const notFromEnv = await run(['scan', 'files', snapshot, '--as-of', AS_OF, '--format', 'json'], { PERMDRIFT_ALLOW_INCOMPLETE: 'false' });
    expect(notFromEnv.code).toBe(2);
  });
});

describe('SIGTERM during scan aws', () => {
  it('exits 143 and removes the temporary snapshot', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'permdrift-tmpdir-'));
    const r = await withFakeAws(S3_STALL, async (env, fake) => {
      const { child, done } = start(['scan', 'aws', '--as-of', AS_OF, '--format', 'json'], { ...env, TMPDIR: tmp });
      await until('stalled downloads', () => stalledGets(fake) >= 4);
      // The temporary snapshot exists while the collection runs.
      expect(readdirSync(tmp).filter((n) => n.startsWith('permdrift-scan-aws-'))).toHaveLength(1);
      child.kill('SIGTERM');
      return done;
    });
    expect(r.code).toBe(143);
    expect(r.stdout).toBe('');
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('a run that fails (a required call timed out) exits 2 naming the call, and removes the temporary snapshot too', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'permdrift-tmpdir-'));
    const r = await withFakeAws({ faults: [{ service: 'iam', action: 'GetAccountAuthorizationDetails', kind: 'stall', times: Infinity }] }, (env) =>
      run(['scan', 'aws', '--as-of', AS_OF, '--format', 'json', '--request-timeout', '200ms', '--retry-budget', '1s'], { ...env, TMPDIR: tmp }),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: iam:GetAccountAuthorizationDetails timed out: no answer within the request timeout of 200 ms/m);
    expect(r.stderr).not.toContain('unexpected failure');
    expect(readdirSync(tmp)).toEqual([]);
  });
});

describe('SIGTERM during collect gcp and scan gcp', () => {
  async function withFakeGcp<T>(fn: (env: Record<string, string>, fake: FakeGcp) => Promise<T>): Promise<T> {
    // The Logging listing never answers: the collection waits there, half-way.
    const fake = new FakeGcp({ world: fakeWorld(), faults: [{ operation: 'logging.entries.list', kind: 'stall', times: Infinity }] });
    try {
      return await fn(fakeGcpEnv(await fake.start()), fake);
    } finally {
      await fake.stop();
    }
  }
  const stalled = (fake: FakeGcp): boolean => fake.calls('logging.entries.list').some((r) => r.stalled);

  it('collect gcp: exit 143, no partial file, the project manifest says complete: false', async () => {
    const snapshot = mkdtempSync(join(tmpdir(), 'permdrift-interrupted-gcp-'));
    const r = await withFakeGcp(async (env, fake) => {
      const { child, done } = start(['collect', 'gcp', '--project', 'alpha-prod', '-o', snapshot, '--as-of', AS_OF], env);
      await until('a stalled Logging page', () => stalled(fake));
      child.kill('SIGTERM');
      return done;
    });
    expect(r.code).toBe(143);
    const project = join(snapshot, 'gcp', 'alpha-prod');
    expectNoPartialFile(join(snapshot, 'gcp'));
    const manifest = JSON.parse(readFileSync(join(project, 'collect-manifest.json'), 'utf8')) as CollectManifest;
    expect(manifest.complete).toBe(false);
    expect(manifest.logs.complete).toEqual([]);
    const refused = await run(['scan', 'files', snapshot, '--as-of', AS_OF, '--format', 'json']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/gcp\/alpha-prod holds an incomplete collection/);
    const allowed = await run(['scan', 'files', snapshot, '--as-of', AS_OF, '--format', 'json', '--allow-incomplete']);
    expect(allowed.code).toBe(0);
    const report = JSON.parse(allowed.stdout) as Report;
    expect(report.warnings.some((w) => w.code === 'snapshot-incomplete' && w.account === 'alpha-prod')).toBe(true);
  });

  it('scan gcp: exit 143 and the temporary snapshot is removed', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'permdrift-tmpdir-'));
    const r = await withFakeGcp(async (env, fake) => {
      const { child, done } = start(['scan', 'gcp', '--project', 'alpha-prod', '--as-of', AS_OF, '--format', 'json'], { ...env, TMPDIR: tmp });
      await until('a stalled Logging page', () => stalled(fake));
      expect(readdirSync(tmp).filter((n) => n.startsWith('permdrift-scan-gcp-'))).toHaveLength(1);
      child.kill('SIGTERM');
      return done;
    });
    expect(r.code).toBe(143);
    expect(readdirSync(tmp)).toEqual([]);
  });
});
