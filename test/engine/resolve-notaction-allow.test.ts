import { beforeAll, describe, expect, it } from 'vitest';
import { resolveScenario, type ResolvedScenario } from './resolve-scenario.js';

const ACCOUNT = '433210987654';

let of: ResolvedScenario['of'];
let all: string[];

beforeAll(async () => {
  const scenario = await resolveScenario('notaction-allow', ACCOUNT);
  of = scenario.of;
  all = scenario.allActions;
});

describe('notaction-allow', () => {
  it('Allow NotAction iam:* grants every catalogue action except iam, across all services', () => {
    const entitlements = of('everything-but-iam');
    const expected = all.filter((a) => !a.startsWith('iam:')).sort();
    expect(entitlements.map((e) => e.action)).toEqual(expected);
    expect(entitlements.find((e) => e.action === 'ec2:RunInstances')?.grantedBy).toEqual([
      { policy: { type: 'inline', name: 'not-iam' }, statement: { index: 0, sid: 'AllButIam' }, matchedBy: 'NotAction[iam:*]' },
    ]);
  });

  it('PowerUserAccess: everything but iam/organizations/account, plus the few listed back', () => {
    const listedBack = [
      'account:GetAccountInformation',
      'account:GetPrimaryEmail',
      'account:ListRegions',
      'iam:CreateServiceLinkedRole',
      'iam:DeleteServiceLinkedRole',
      'iam:ListRoles',
      'organizations:DescribeOrganization',
    ];
    const excluded = ['iam:', 'organizations:', 'account:'];
    const expected = [...all.filter((a) => !excluded.some((p) => a.startsWith(p))), ...listedBack].sort();
    const entitlements = of('ops-engineer');
    expect(entitlements.map((e) => e.action)).toEqual(expected);
    const policy = { type: 'managed', name: 'PowerUserAccess', arn: 'arn:aws:iam::aws:policy/PowerUserAccess' };
    expect(entitlements.find((e) => e.action === 'iam:ListRoles')?.grantedBy).toEqual([{ policy, statement: { index: 1 }, matchedBy: 'iam:ListRoles' }]);
    expect(entitlements.find((e) => e.action === 's3:GetObject')?.grantedBy).toEqual([
      { policy, statement: { index: 0 }, matchedBy: 'NotAction[iam:*,organizations:*,account:*]' },
    ]);
    expect(entitlements.some((e) => e.action === 'iam:CreateUser')).toBe(false);
  });
});
