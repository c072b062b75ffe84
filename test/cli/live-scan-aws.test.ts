/**
 * The built binary against the fake AWS endpoint: `collect aws` then `scan files` gives the same
 * JSON report as `scan aws`, with the demo fixture as the fake account. `npm test` builds dist/.
 */

import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/model/report.js';
import { loadFakeAccount } from '../fake-aws/account.js';
import { fakeAwsEnv } from '../fake-aws/env.js';
import { FakeAws, type FakeAwsOptions } from '../fake-aws/server.js';
import { scaleAccount } from '../fake-aws/scale-account.js';
import { type CliRun, runCliAsync } from './run-cli.js';

const ROOT = join(import.meta.dirname, '..', '..');
const AS_OF = '2026-11-20T00:00:00Z';

async function withFake<T>(opts: Partial<FakeAwsOptions>, fn: (env: Record<string, string>, fake: FakeAws) => Promise<T>): Promise<T> {
  const fake = new FakeAws({ account: loadFakeAccount(), ...opts });
  try {
    return await fn(fakeAwsEnv(await fake.start()), fake);
  } finally {
    await fake.stop();
  }
}

const SECRET = fakeAwsEnv('http://x')['AWS_SECRET_ACCESS_KEY'] ?? '';

describe('scan aws and collect aws (built binary, fake endpoint)', () => {
  let collected: CliRun;
  let replayed: CliRun;
  let live: CliRun;
  let snapshot: string;
  let requestsPerCollect = 0;

  beforeAll(async () => {
    snapshot = mkdtempSync(join(tmpdir(), 'permdrift-live-cli-'));
    await withFake({ iamPageSize: 4, s3PageSize: 7 }, async (env, fake) => {
      collected = await runCliAsync(['collect', 'aws', '-o', snapshot, '--as-of', AS_OF], { env });
      requestsPerCollect = fake.requests.length;
      live = await runCliAsync(['scan', 'aws', '--as-of', AS_OF, '--format', 'json'], { env });
    });
    replayed = await runCliAsync(['scan', 'files', snapshot, '--as-of', AS_OF, '--format', 'json']);
  });

  it('collect aws writes the account folder in the offline layout and says what it read', () => {
    expect(collected.code).toBe(0);
    expect(collected.stdout).toBe('');
    expect(collected.stderr).toContain('account 111122223333 read as arn:aws:sts::111122223333:assumed-role/permdrift-audit/session');
    expect(collected.stderr).toContain('usage from s3://demo-cloudtrail-archive');
    expect(collected.stderr).toMatch(/\d+ request\(s\) in \d+\.\ds/);
    const dir = join(snapshot, 'aws', '111122223333');
    expect(readdirSync(dir).sort()).toEqual([
      'access-advisor',
      'cloudtrail',
      'cloudtrail-describe-trails.json',
      'cloudtrail-get-event-selectors.json',
      'cloudtrail-get-trail-status.json',
      'collect-manifest.json',
      'collect-warnings.json',
      'iam-get-account-authorization-details.json',
      'iam-get-credential-report.json',
      'sts-get-caller-identity.json',
    ]);
    expect(JSON.parse(readFileSync(join(dir, 'collect-warnings.json'), 'utf8'))).toEqual({ warnings: [] });
    expect(requestsPerCollect).toBeGreaterThan(10);
  });

  it('scan aws gives byte for byte the report of collect aws + scan files', () => {
    expect(live.code).toBe(0);
    expect(replayed.code).toBe(0);
    const report = JSON.parse(live.stdout) as Report;
    expect(report.summary.accounts).toBe(1);
    expect(report.coverage[0]?.account).toBe('111122223333');
    // The report names the identity that read the account.
    expect(report.coverage[0]?.collectedBy).toBe('arn:aws:sts::111122223333:assumed-role/permdrift-audit/session');
    expect(report.coverage[0]?.cloudTrail.filesRead).toBeGreaterThan(100);
    expect(report.findings.length).toBeGreaterThan(0);
    expect(live.stdout).toBe(replayed.stdout);
  });

  it('finds what the demo scan finds on the same window (the live path loses nothing)', async () => {
    const demo = await runCliAsync(['demo', '--format', 'json']);
    const ids = (r: string): string[] =>
      (JSON.parse(r) as Report).findings
        .filter((f) => f.type !== 'unused-service' && f.type !== 'unused-permission')
        .map((f) => f.id)
        .sort();
    // Access Advisor evidence differs (the live path asks for every principal), so compare the
    // findings that rest on inventory and logs alone.
    expect(ids(live.stdout)).toEqual(ids(demo.stdout));
  });

  it('never prints the secret key', () => {
    for (const r of [collected, live]) {
      expect(r.stdout).not.toContain(SECRET);
      expect(r.stderr).not.toContain(SECRET);
    }
  });
});

describe('credentials and permissions (built binary)', () => {
  it('expired credentials: error with the sso login hint, exit 2, no stack, no secret', async () => {
    await withFake({ faults: [{ service: 'sts', action: 'GetCallerIdentity', kind: 'expired-token', times: Infinity }] }, async (env) => {
      const r = await runCliAsync(['scan', 'aws', '--profile', 'prod', '--format', 'json'], { env: { ...env, AWS_CONFIG_FILE: writeProfile() } });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^error: AWS credentials have expired for profile "prod"/m);
      expect(r.stderr).toContain('hint: run `aws sso login --profile prod`');
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(r.stderr).not.toContain(SECRET);
    });
  });

  it('scan aws --org: every reachable account in one report, the unreachable one a warning; exit 0', async () => {
    const member = scaleAccount({
      accountId: '444455556666',
      principals: 3,
      days: 2,
      asOf: new Date(AS_OF),
      regions: ['us-east-1'],
      filesPerDay: 1,
      recordsPerFile: 5,
    });
    await withFake({ members: [member], organization: { id: 'o-abc123def4', unreachable: ['777788889999'] } }, async (env) => {
      const r = await runCliAsync(['scan', 'aws', '--org', '--as-of', AS_OF, '--window', '30d', '--format', 'json'], { env });
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout) as Report;
      expect(report.coverage.map((c) => c.account)).toEqual(['111122223333', '444455556666']);
      expect(report.warnings.filter((w) => w.code === 'account-unreachable').map((w) => w.message)).toEqual([
        expect.stringContaining('account 777788889999: cannot assume arn:aws:iam::777788889999:role/OrganizationAccountAccessRole (AccessDenied') as string,
      ]);
      expect(r.stderr).toContain('permdrift: 2 account(s) read, 1 not;');
    });
  });

  it('--org and --accounts together are a usage error (exit 2) before any request', async () => {
    await withFake({}, async (env, fake) => {
      const r = await runCliAsync(['collect', 'aws', '-o', mkdtempSync(join(tmpdir(), 'permdrift-x-')), '--org', '--accounts', '444455556666'], { env });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^error: --org and --accounts exclude each other/m);
      expect(fake.requests).toEqual([]);
    });
  });

  it('a missing --baseline fails before any request is sent (exit 2)', async () => {
    await withFake({}, async (env, fake) => {
      const r = await runCliAsync(['scan', 'aws', '--baseline', '/nonexistent/baseline.json'], { env });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^error: .*baseline/m);
      expect(fake.requests).toEqual([]);
    });
  });

  it('a malformed --cloudtrail-s3 is a usage error before any request (exit 2)', async () => {
    await withFake({}, async (env, fake) => {
      const r = await runCliAsync(['scan', 'aws', '--cloudtrail-s3', 'bucket/prefix'], { env });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('error: invalid --cloudtrail-s3 "bucket/prefix"');
      expect(r.stderr).toContain('hint: use s3://<bucket>/<prefix>');
      expect(fake.requests).toEqual([]);
    });
  });

  it('policy aws --org names the role to assume', async () => {
    const r = await runCliAsync(['policy', 'aws', '--org', '--assume-role-name', 'PermdriftAudit']);
    expect(r.code).toBe(0);
    const policy = JSON.parse(r.stdout) as { Statement: { Action: string[]; Resource: string }[] };
    expect(policy.Statement.flatMap((st) => st.Action)).toEqual(['organizations:ListAccounts', 'sts:AssumeRole']);
    expect(policy.Statement[1]?.Resource).toBe('arn:aws:iam::*:role/PermdriftAudit');
  });

  it('policy aws prints docs/permdrift-readonly-policy.json', async () => {
    const r = await runCliAsync(['policy', 'aws']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(ROOT, 'docs', 'permdrift-readonly-policy.json'), 'utf8'));
  });
});

/** A profile whose credentials are static keys, so `--profile prod` resolves without SSO. */
function writeProfile(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'permdrift-aws-config-')), 'config');
  writeFileSync(file, `[profile prod]\nregion = us-east-1\naws_access_key_id = AKIAFAKEFAKEFAKEFAKE\naws_secret_access_key = ${SECRET}\n`);
  return file;
}
