/** Several accounts: --org lists them (ListAccounts), each is entered by AssumeRole; one unreachable account is a warning. */

import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditFiles } from '../../src/audit.js';
import { collectAwsAccounts, type CollectAccountsOptions } from '../../src/connectors/aws/live/collect.js';
import { loadFakeAccount } from '../fake-aws/account.js';
import { useFakeAws } from '../fake-aws/lifecycle.js';
import { scaleAccount } from '../fake-aws/scale-account.js';
import { FakeAws } from '../fake-aws/server.js';

const AS_OF = new Date('2026-11-20T00:00:00Z');
const MEMBER = '444455556666';
const UNREACHABLE = '777788889999';

const start = useFakeAws();

async function startOrg(pageSize = 20): Promise<FakeAws> {
  const member = scaleAccount({ accountId: MEMBER, principals: 3, days: 2, asOf: AS_OF, regions: ['us-east-1'], filesPerDay: 1, recordsPerFile: 5 });
  member.callerArn = `arn:aws:sts::${MEMBER}:assumed-role/OrganizationAccountAccessRole/permdrift-audit`;
  return start({ account: loadFakeAccount(), members: [member], organization: { id: 'o-abc123def4', unreachable: [UNREACHABLE], pageSize } });
}

function options(accounts: CollectAccountsOptions['accounts']): CollectAccountsOptions {
  const poll = { initialMs: 5, maxMs: 20, timeoutMs: 2000 };
  return {
    outDir: mkdtempSync(join(tmpdir(), 'permdrift-org-')),
    regions: [],
    windowStart: new Date(AS_OF.getTime() - 30 * 86_400_000),
    asOf: AS_OF,
    cloudTrailSource: 'auto',
    accessAdvisorPoll: poll,
    credentialReportPoll: poll,
    accounts,
    assumeRoleName: 'OrganizationAccountAccessRole',
  };
}

describe('--org', () => {
  it('collects every ACTIVE account, its own with the caller credentials, the others through the role; one unreachable is a warning', async () => {
    const f = await startOrg(2);
    const opts = options('org');
    const r = await collectAwsAccounts(opts);
    expect(r.collected.map((a) => a.account)).toEqual(['111122223333', MEMBER]);
    expect(r.collected[1]?.identityArn).toBe(`arn:aws:sts::${MEMBER}:assumed-role/OrganizationAccountAccessRole/permdrift-audit`);
    expect(r.failed).toEqual([
      {
        account: UNREACHABLE,
        code: 'account-unreachable',
        message: expect.stringMatching(
          new RegExp(`^account ${UNREACHABLE}: cannot assume arn:aws:iam::${UNREACHABLE}:role/OrganizationAccountAccessRole \\(AccessDenied: `),
        ) as string,
      },
    ]);
    // Paged ListAccounts (2 a page: 3 active accounts + 1 suspended); no AssumeRole for the caller's own or the suspended one.
    expect(f.calls('organizations', 'ListAccounts').map((c) => c.params['NextToken'])).toEqual([undefined, 'a-2']);
    expect(
      f
        .calls('sts', 'AssumeRole')
        .map((c) => c.params['RoleArn'])
        .sort(),
    ).toEqual([`arn:aws:iam::${MEMBER}:role/OrganizationAccountAccessRole`, `arn:aws:iam::${UNREACHABLE}:role/OrganizationAccountAccessRole`]);
    expect(readdirSync(join(opts.outDir, 'aws')).sort()).toEqual(['111122223333', MEMBER]);
    const memberAuth = JSON.parse(readFileSync(join(opts.outDir, 'aws', MEMBER, 'iam-get-account-authorization-details.json'), 'utf8')) as {
      RoleDetailList: { Arn: string }[];
    };
    expect(memberAuth.RoleDetailList.map((x) => x.Arn)).toEqual([0, 1, 2].map((i) => `arn:aws:iam::${MEMBER}:role/svc-000${i}`));
    // The member's archive came from its own bucket, with its own credentials.
    expect(readdirSync(join(opts.outDir, 'aws', MEMBER, 'cloudtrail', 'AWSLogs'))).toEqual([MEMBER]);
    const report = await auditFiles({ dir: opts.outDir, asOf: AS_OF, windowMs: 30 * 86_400_000, workers: 1 });
    expect(report.summary.accounts).toBe(2);
    expect(report.warnings.filter((w) => w.code === 'account-unreachable').map((w) => w.message)).toEqual([r.failed[0]?.message]);
  });

  it('--accounts reads only the named accounts and needs no ListAccounts', async () => {
    const f = await startOrg();
    const r = await collectAwsAccounts(options([MEMBER]));
    expect(r.collected.map((a) => a.account)).toEqual([MEMBER]);
    expect(r.failed).toEqual([]);
    expect(f.calls('organizations', 'ListAccounts')).toHaveLength(0);
    expect(r.requests).toBeGreaterThan(10);
  });

  it('when no account can be read the run fails with the role to check', async () => {
    await startOrg();
    await expect(collectAwsAccounts(options([UNREACHABLE]))).rejects.toMatchObject({
      code: 'PROVIDER',
      hint: expect.stringContaining('OrganizationAccountAccessRole exists in each account') as string,
    });
  });

  it('ListAccounts refused: an error that says where --org must run', async () => {
    await start({ account: loadFakeAccount(), faults: [{ service: 'organizations', action: 'ListAccounts', kind: 'access-denied', times: Infinity }] });
    await expect(collectAwsAccounts(options('org'))).rejects.toMatchObject({
      code: 'ACCESS_DENIED',
      message: expect.stringContaining('organizations:ListAccounts failed (AccessDeniedException') as string,
    });
  });
});
