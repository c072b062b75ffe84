import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadAwsCatalogue } from '../../src/catalogue/aws-catalogue.js';
import { parseAuthorizationDetails } from '../../src/connectors/aws/authorization-details.js';
import { resolveAccount } from '../../src/engine/aws/resolve.js';
import type { ActionCatalogue } from '../../src/model/catalogue.js';
import type { Entitlement, PrincipalEntitlements } from '../../src/model/entitlement.js';

const ACCOUNT = '433210987654';
const FILE = join(import.meta.dirname, '..', '..', 'fixtures', 'aws', 'notaction-allow', 'aws', ACCOUNT, 'iam-get-account-authorization-details.json');

let catalogue: ActionCatalogue;
let resolved: PrincipalEntitlements[];
let all: string[];

beforeAll(async () => {
  catalogue = await loadAwsCatalogue();
  all = catalogue.services().flatMap((s) => catalogue.actionsOf(s).map((a) => a.action));
  const parsed = parseAuthorizationDetails(JSON.parse(readFileSync(FILE, 'utf8')), ACCOUNT, FILE);
  resolved = resolveAccount({ provider: 'aws', account: ACCOUNT, principals: parsed.principals, accessAdvisor: [] }, catalogue).principals;
});

function of(name: string): Entitlement[] {
  const p = resolved.find((r) => r.principal.name === name);
  if (!p) throw new Error(`no principal ${name}`);
  return p.entitlements;
}

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
    expect(entitlements.find((e) => e.action === 'iam:ListRoles')?.grantedBy).toEqual([
      { policy, statement: { index: 1 }, matchedBy: 'iam:ListRoles' },
    ]);
    expect(entitlements.find((e) => e.action === 's3:GetObject')?.grantedBy).toEqual([
      { policy, statement: { index: 0 }, matchedBy: 'NotAction[iam:*,organizations:*,account:*]' },
    ]);
    expect(entitlements.some((e) => e.action === 'iam:CreateUser')).toBe(false);
  });
});
