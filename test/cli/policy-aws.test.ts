/**
 * `permdrift policy aws`: no wildcard role name in the --org policy, and the S3 statement narrowed
 * to the trail archive when it is named with --cloudtrail-s3.
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'permdrift');

interface PolicyDoc {
  Version: string;
  Statement: { Sid: string; Effect: string; Action: string[]; Resource: string }[];
}

function sink(): PassThrough & { text: () => string } {
  const s = new PassThrough() as PassThrough & { text: () => string };
  let out = '';
  s.on('data', (d: Buffer) => (out += d.toString()));
  s.text = () => out;
  return s;
}

async function policy(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = sink();
  const stderr = sink();
  const code = await run(['policy', 'aws', ...args], { stdout, stderr, env: {} });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe('policy aws --org --assume-role-name', () => {
  it('refuses wildcards in the role name: a usage error, no policy printed', async () => {
    for (const name of ['*', '?', 'Audit*', 'Permdrift?Audit', '*Audit*']) {
      const r = await policy(['--org', '--assume-role-name', name]);
      expect(r.code, name).toBe(2);
      expect(r.stdout, name).toBe('');
      expect(r.stderr, name).toContain(`error: invalid --assume-role-name "${name}": a role name cannot hold a wildcard`);
      expect(r.stderr, name).toMatch(/\nhint: /);
    }
  });

  it('refuses what is not an IAM role name', async () => {
    for (const name of ['', 'has space', 'a;b', 'x'.repeat(65)]) {
      const r = await policy(['--org', '--assume-role-name', name]);
      expect(r.code, name).toBe(2);
      expect(r.stderr, name).toContain('error: invalid --assume-role-name');
    }
  });

  it('prints AssumeRole on the named role, with a path when one is given', async () => {
    const r = await policy(['--org', '--assume-role-name', 'PermdriftAudit']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as PolicyDoc;
    expect(doc.Statement.find((s) => s.Action.includes('sts:AssumeRole'))?.Resource).toBe('arn:aws:iam::*:role/PermdriftAudit');
    const withPath = JSON.parse((await policy(['--org', '--assume-role-name', 'audit/PermdriftAudit'])).stdout) as PolicyDoc;
    expect(withPath.Statement.find((s) => s.Action.includes('sts:AssumeRole'))?.Resource).toBe('arn:aws:iam::*:role/audit/PermdriftAudit');
  });

  it('collect aws refuses a wildcard role name too, before any request', () => {
    const r = spawnSync(
      process.execPath,
      [BIN, 'collect', 'aws', '-o', mkdtempSync(join(tmpdir(), 'permdrift-policy-')), '--accounts', '111122223333', '--assume-role-name', '*'],
      {
        encoding: 'utf8',
        env: {
          PATH: process.env['PATH'] ?? '',
          NO_COLOR: '1',
          CI: 'true',
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_ACCESS_KEY_ID: 'x',
          AWS_SECRET_ACCESS_KEY: 'y',
          AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
        },
        timeout: 60_000,
      },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('error: invalid --assume-role-name "*": a role name cannot hold a wildcard');
  });
});

describe('policy aws --cloudtrail-s3', () => {
  it('without it, prints the policy in docs/ (S3 on any bucket)', async () => {
    const r = await policy([]);
    expect(r.stdout).toBe(readFileSync(join(ROOT, 'docs', 'permdrift-readonly-policy.json'), 'utf8'));
  });

  it('narrows GetObject to the bucket (and prefix) and ListBucket to the bucket; the rest is unchanged', async () => {
    const wide = JSON.parse((await policy([])).stdout) as PolicyDoc;
    const cases: [string, string][] = [
      ['s3://org-trail-logs', 'arn:aws:s3:::org-trail-logs/*'],
      ['s3://org-trail-logs/', 'arn:aws:s3:::org-trail-logs/*'],
      ['s3://org-trail-logs/cloudtrail/prod', 'arn:aws:s3:::org-trail-logs/cloudtrail/prod/*'],
    ];
    for (const [url, objects] of cases) {
      const r = await policy(['--cloudtrail-s3', url]);
      expect(r.code, url).toBe(0);
      const doc = JSON.parse(r.stdout) as PolicyDoc;
      const s3 = doc.Statement.filter((s) => s.Action.some((a) => a.startsWith('s3:')));
      expect(
        s3.map((s) => [s.Action, s.Resource]),
        url,
      ).toEqual([
        [['s3:ListBucket'], 'arn:aws:s3:::org-trail-logs'],
        [['s3:GetObject'], objects],
      ]);
      // Every other statement is exactly as in the default policy.
      expect(doc.Statement.filter((s) => !s.Action.some((a) => a.startsWith('s3:')))).toEqual(
        wide.Statement.filter((s) => !s.Action.some((a) => a.startsWith('s3:'))),
      );
      expect(doc.Statement.flatMap((s) => s.Action).sort()).toEqual(wide.Statement.flatMap((s) => s.Action).sort());
    }
  });

  it('refuses a value that is not s3://bucket[/prefix], a wildcard in it, or --org with it', async () => {
    for (const url of ['org-trail-logs', 'https://x/y', 's3://', 's3://org-*', 's3://logs/pre?fix']) {
      const r = await policy(['--cloudtrail-s3', url]);
      expect(r.code, url).toBe(2);
      expect(r.stderr, url).toContain(`error: invalid --cloudtrail-s3 "${url}"`);
    }
    const org = await policy(['--org', '--cloudtrail-s3', 's3://org-trail-logs']);
    expect(org.code).toBe(2);
    expect(org.stderr).toContain('error: --cloudtrail-s3 narrows the read-only policy; --org prints');
  });
});
