/**
 * `collectAws` against the fake endpoint with the real SDK: the snapshot it writes is the demo
 * fixture's, read back through every API with pagination, retries and faults.
 */

import { mkdtempSync, readFileSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { collectAws, type CollectAwsOptions } from '../../src/connectors/aws/live/collect.js';
import { DEMO_ACCOUNT_DIR, loadFakeAccount } from '../fake-aws/account.js';
import { FakeAws, type FakeAwsOptions } from '../fake-aws/server.js';
import { useFakeAwsEnv } from '../fake-aws/env.js';

const AS_OF = new Date('2026-11-20T00:00:00Z');
const WINDOW_START = new Date(AS_OF.getTime() - 90 * 86_400_000);
const FAST_POLL = { initialMs: 5, maxMs: 20, timeoutMs: 2000 };

let fake: FakeAws | undefined;
let restoreEnv: (() => void) | undefined;

afterEach(async () => {
  await fake?.stop();
  restoreEnv?.();
  fake = undefined;
});

async function startFake(opts: Partial<FakeAwsOptions> = {}): Promise<FakeAws> {
  fake = new FakeAws({ account: loadFakeAccount(), ...opts });
  restoreEnv = useFakeAwsEnv(await fake.start());
  return fake;
}

function collectOptions(extra: Partial<CollectAwsOptions> = {}): CollectAwsOptions {
  return {
    outDir: mkdtempSync(join(tmpdir(), 'permdrift-live-')),
    regions: [],
    windowStart: WINDOW_START,
    asOf: AS_OF,
    cloudTrailSource: 'auto',
    accessAdvisorPoll: FAST_POLL,
    credentialReportPoll: FAST_POLL,
    ...extra,
  };
}

function json(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8'));
}

function filesUnder(dir: string): string[] {
  return existsSync(dir) ? (readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort()) : [];
}

describe('collect aws against the fake endpoint', () => {
  it('writes the demo account as the offline layout, IAM pages merged into one file', async () => {
    const f = await startFake({ iamPageSize: 3 });
    const r = await collectAws(collectOptions());
    expect(r.account).toBe('111122223333');
    expect(r.identityArn).toBe('arn:aws:sts::111122223333:assumed-role/permdrift-audit/session');
    expect(r.usageSource).toBe('s3://demo-cloudtrail-archive');
    // 11 entities at 3 a page = 4 pages, all merged.
    expect(f.calls('iam', 'GetAccountAuthorizationDetails')).toHaveLength(4);
    const want = json(join(DEMO_ACCOUNT_DIR, 'iam-get-account-authorization-details.json')) as Record<string, { Arn?: string }[]>;
    const got = json(join(r.accountDir, 'iam-get-account-authorization-details.json')) as Record<string, { Arn?: string }[]>;
    for (const list of ['UserDetailList', 'GroupDetailList', 'RoleDetailList', 'Policies']) {
      expect(got[list]?.map((x) => x.Arn)).toEqual(want[list]?.map((x) => x.Arn));
    }
    // Policy documents come back decoded into JSON objects, as the AWS CLI prints them.
    const role = (got['RoleDetailList'] as unknown as { RolePolicyList: { PolicyDocument: unknown }[] }[])[0];
    expect(typeof role?.RolePolicyList[0]?.PolicyDocument).toBe('object');
    expect(json(join(r.accountDir, 'cloudtrail-get-event-selectors.json'))).toEqual(json(join(DEMO_ACCOUNT_DIR, 'cloudtrail-get-event-selectors.json')));
    expect(r.warnings).toEqual([]);
  });
});
