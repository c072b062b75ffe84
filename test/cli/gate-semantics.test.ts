/**
 * Gate semantics with the built binary: a baseline newer than the scan is refused, a gate that
 * judged nothing does not pass, and an exception that matches every principal must say so.
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/model/report.js';
import { validateReport } from '../../src/model/validate-report.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'permdrift');
/** The demo's clock (DEMO_AS_OF) and the GCP fixtures' one. */
const DEMO_AS_OF = '2026-11-20T00:00:00.000Z';
const GCP_SNAPSHOT = join(ROOT, 'fixtures', 'gcp', 'denied-attempt-not-usage');

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function permdrift(args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}): Result {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? work,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { PATH: process.env['PATH'] ?? '', NO_COLOR: '1', CI: 'true', AWS_EC2_METADATA_DISABLED: 'true', ...opts.env },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function expectCleanError(r: Result, message: string | RegExp): void {
  expect(r.code).toBe(2);
  if (typeof message === 'string') expect(r.stderr).toContain(`error: ${message}`);
  else expect(r.stderr).toMatch(message);
  expect(r.stderr).toMatch(/\nhint: /);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stderr).not.toContain('unexpected failure');
}

let work: string;
/** The demo's own report, as a baseline of the same moment. */
let demoReport: Report;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'permdrift-gate-semantics-'));
  const r = permdrift(['demo', '--format', 'json', '-o', 'demo.json', '--quiet']);
  expect(r.code).toBe(0);
  demoReport = JSON.parse(readFileSync(join(work, 'demo.json'), 'utf8')) as Report;
  // The same report, dated ten days after the demo's clock: as if written by a later run.
  writeFileSync(join(work, 'future.json'), `${JSON.stringify({ ...demoReport, asOf: '2026-11-30T00:00:00.000Z' }, null, 2)}\n`);
});

describe('a baseline newer than the scan', () => {
  it('is refused, naming both times, and writes nothing', () => {
    const r = permdrift(['demo', '--baseline', 'future.json', '--format', 'json', '-o', 'out.json']);
    expectCleanError(r, /error: baseline future\.json is newer than this scan: its asOf 2026-11-30T00:00:00\.000Z is after --as-of 2026-11-20T00:00:00\.000Z/);
    expect(r.stdout).toBe('');
    expect(() => readFileSync(join(work, 'out.json'))).toThrow();
    expect(r.stderr).toContain('--allow-future-baseline');
  });

  it('is refused by baseline update too (it carries first-seen dates over from the old one)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'permdrift-gate-semantics-'));
    writeFileSync(join(dir, 'permdrift.baseline.json'), readFileSync(join(work, 'future.json')));
    const r = permdrift(['baseline', 'update', join(ROOT, 'fixtures', 'aws', 'demo'), '--as-of', DEMO_AS_OF], { cwd: dir });
    expectCleanError(r, /is newer than this scan: its asOf 2026-11-30T00:00:00\.000Z is after --as-of 2026-11-20T00:00:00\.000Z/);
  });

  it('is refused by scan aws before anything is collected', () => {
    const r = permdrift(['scan', 'aws', '--as-of', DEMO_AS_OF, '--baseline', join(work, 'future.json')], {
      env: { AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', AWS_ENDPOINT_URL: 'http://127.0.0.1:9' },
    });
    expectCleanError(r, /is newer than this scan: its asOf 2026-11-30T00:00:00\.000Z is after --as-of 2026-11-20T00:00:00\.000Z/);
  });

  it('is accepted with --allow-future-baseline, PERMDRIFT_ALLOW_FUTURE_BASELINE or the config key, with a warning in the report', () => {
    const runs = [
      permdrift(['demo', '--baseline', 'future.json', '--allow-future-baseline', '--fail-on', 'never', '--format', 'json']),
      permdrift(['demo', '--baseline', 'future.json', '--fail-on', 'never', '--format', 'json'], { env: { PERMDRIFT_ALLOW_FUTURE_BASELINE: 'yes' } }),
    ];
    const dir = mkdtempSync(join(tmpdir(), 'permdrift-gate-semantics-'));
    writeFileSync(join(dir, 'permdrift.config.yaml'), `allow-future-baseline: true\nbaseline: ${join(work, 'future.json')}\nfail-on: never\n`);
    runs.push(permdrift(['demo', '--format', 'json'], { cwd: dir }));
    for (const r of runs) {
      expect(r.code, r.stderr).toBe(0);
      const report = JSON.parse(r.stdout) as Report;
      expect(validateReport(report).errors).toEqual([]);
      expect(report.baseline?.asOf).toBe('2026-11-30T00:00:00.000Z');
      const w = report.warnings.find((x) => x.code === 'baseline-after-as-of');
      expect(w?.message).toContain('2026-11-30T00:00:00.000Z');
      expect(w?.message).toContain(DEMO_AS_OF);
    }
    // The flag's --no- form wins over the config file.
    expectCleanError(permdrift(['demo', '--no-allow-future-baseline', '--format', 'json'], { cwd: dir }), /is newer than this scan/);
  });

  it('a baseline of the same moment, or an earlier one, is read as before', () => {
    const same = permdrift(['demo', '--baseline', 'demo.json', '--format', 'json']);
    expect(same.code).toBe(0);
    const report = JSON.parse(same.stdout) as Report;
    expect(report.baseline?.counts.new).toBe(0);
    expect(report.warnings.map((w) => w.code)).not.toContain('baseline-after-as-of');
    expect(permdrift(['demo', '--as-of', '2026-11-21T00:00:00Z', '--baseline', 'demo.json', '--fail-on', 'never', '--quiet']).code).toBe(0);
  });
});

describe('a gate that judged nothing', () => {
  it('warns without a gate: the report and stderr say nothing was judged, and the table does not say "No findings"', () => {
    const json = permdrift(['demo', '--principal', 'nomatch*', '--format', 'json']);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as Report;
    expect(report.summary.principals).toBe(0);
    const w = report.warnings.find((x) => x.code === 'nothing-judged');
    expect(w?.message).toMatch(/^nothing judged: .*no principal was audited/);
    expect(w?.message).toContain('--principal "nomatch*" matched none of the');
    expect(json.stderr).toMatch(/^warning: nothing judged: /m);
    // --quiet leaves data and errors: the warning stays in the report only.
    const quiet = permdrift(['demo', '--principal', 'nomatch*', '--format', 'json', '--quiet']);
    expect(quiet.stderr).toBe('');

    const table = permdrift(['demo', '--principal', 'nomatch*']);
    expect(table.code).toBe(0);
    expect(table.stdout).not.toContain('No findings');
    expect(table.stdout).toMatch(/Nothing judged: /);
    const markdown = permdrift(['demo', '--principal', 'nomatch*', '--format', 'markdown']);
    expect(markdown.stdout).toMatch(/^### ⚠️ permdrift: nothing judged/);
    expect(markdown.stdout).not.toContain('no findings');
  });

  it('under --fail-on exits 2 with an error, after writing the report', () => {
    const r = permdrift(['demo', '--principal', 'nomatch*', '--fail-on', 'high', '--format', 'json', '-o', 'empty.json']);
    expectCleanError(r, /error: nothing judged: .*a gate \(--fail-on high\) that judged nothing cannot pass/);
    const report = JSON.parse(readFileSync(join(work, 'empty.json'), 'utf8')) as Report;
    expect(report.warnings.map((w) => w.code)).toContain('nothing-judged');
  });

  it('the gate a baseline turns on (fail-on new by default) fails the same way', () => {
    expectCleanError(permdrift(['demo', '--principal', 'nomatch*', '--baseline', 'demo.json', '--quiet']), /error: nothing judged: /);
  });

  it('names service-linked roles skipped when they were all the scope held', () => {
    const r = permdrift(['demo', '--principal', 'AWSServiceRoleFor*', '--fail-on', 'any', '--format', 'json']);
    expectCleanError(r, /error: nothing judged: .*1 service-linked role/);
    expect(r.stderr).toContain('--include-service-linked');
  });

  it('GCP snapshots alike', () => {
    const quiet = permdrift(['scan', 'files', GCP_SNAPSHOT, '--as-of', DEMO_AS_OF, '--principal', 'nomatch*', '--format', 'json']);
    expect(quiet.code).toBe(0);
    expect((JSON.parse(quiet.stdout) as Report).warnings.map((w) => w.code)).toContain('nothing-judged');
    expectCleanError(
      permdrift(['scan', 'files', GCP_SNAPSHOT, '--as-of', DEMO_AS_OF, '--principal', 'nomatch*', '--fail-on', 'medium', '--format', 'json']),
      /error: nothing judged: /,
    );
    // A scope that selects a service account is judged as before.
    const one = permdrift(['scan', 'files', GCP_SNAPSHOT, '--as-of', DEMO_AS_OF, '--principal', 'reporter@*', '--fail-on', 'medium', '--format', 'json']);
    expect(one.code).toBe(1);
    expect((JSON.parse(one.stdout) as Report).warnings.map((w) => w.code)).not.toContain('nothing-judged');
  });
});

describe('an exception that matches every principal', () => {
  function exceptionsFile(body: string): string {
    const path = join(mkdtempSync(join(tmpdir(), 'permdrift-gate-semantics-')), 'ex.yaml');
    writeFileSync(path, body);
    return path;
  }

  it('is an error naming the entry unless it says allowWildcard: true', () => {
    for (const principal of ['"*"', '"**"', '"arn:aws:iam::*/**"', '"!nobody"']) {
      const file = exceptionsFile(`exceptions:\n  - principal: ${principal}\n    reason: everything is fine\n    owner: platform\n`);
      const r = permdrift(['demo', '--fail-on', 'high', '--exceptions', file, '--format', 'json']);
      expectCleanError(r, new RegExp(`error: .*ex\\.yaml:2: exception #1: principal ${principal.replace(/[*!]/g, '\\$&')} matches every principal`));
      expect(r.stderr).toContain('allowWildcard: true');
      expect(r.stdout).toBe('');
    }
  });

  it('with allowWildcard: true it applies, and the summary counts it', () => {
    const failing = permdrift(['demo', '--fail-on', 'high', '--format', 'json']);
    expect(failing.code).toBe(1);
    const file = exceptionsFile(
      [
        'exceptions:',
        '  - principal: "*"',
        '    allowWildcard: true',
        '    reason: accepted while the account is migrated',
        '    owner: platform',
        '  - principal: ci-*',
        '    reason: deploys',
        '    owner: platform',
        '',
      ].join('\n'),
    );
    const r = permdrift(['demo', '--fail-on', 'high', '--exceptions', file, '--format', 'json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(validateReport(report).errors).toEqual([]);
    expect(report.exceptions?.wildcard).toBe(1);
    expect(report.exceptions?.entries.map((e) => e.isWildcard)).toEqual([true, undefined]);
    const table = permdrift(['demo', '--fail-on', 'high', '--exceptions', file]);
    expect(table.stdout).toMatch(/1 wildcard/);
  });

  it('allowWildcard must be a real boolean', () => {
    const file = exceptionsFile('exceptions:\n  - principal: "*"\n    allowWildcard: "yes"\n    reason: r\n    owner: o\n');
    expectCleanError(permdrift(['demo', '--exceptions', file]), /ex\.yaml:3: exception #1: "allowWildcard" must be true or false/);
  });
});
