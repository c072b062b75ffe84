/**
 * Resolves two real `aws iam get-account-authorization-details` exports completely (Cloudsplaining's
 * example account and the CloudMapper demo) and checks counts against an independent computation:
 * a brute-force matcher over the catalogue, written separately from the resolver.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadAwsCatalogue } from '../../src/catalogue/aws-catalogue.js';
import { parseAuthorizationDetails } from '../../src/connectors/aws/authorization-details.js';
import { resolveAccount } from '../../src/engine/aws/resolve.js';
import type { ActionCatalogue } from '../../src/model/aws/catalogue.js';
import type { Entitlement, PrincipalEntitlements } from '../../src/model/aws/entitlement.js';
import type { Principal } from '../../src/model/aws/inventory.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'aws');
const CLOUDSPLAINING = join(FIXTURES, 'cloudsplaining-authdetails', 'example.json');
const CLOUDMAPPER = join(FIXTURES, 'cloudmapper-demo', 'iam-get-account-authorization-details.json');

let catalogue: ActionCatalogue;
let all: string[];
const matchMemo = new Map<string, string[]>();

/** Independent of the resolver: a plain regular expression per pattern over the catalogue names. */
function matching(pattern: string): string[] {
  const key = pattern.toLowerCase();
  const hit = matchMemo.get(key);
  if (hit) return hit;
  const escape = (t: string): string => t.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  const source = key
    .split('*')
    .map((part) => part.split('?').map(escape).join('.'))
    .join('.*');
  const re = new RegExp(`^${source}$`);
  const service = key.split(':')[0] ?? '';
  const pool = service.includes('*') || service.includes('?') ? all : catalogue.actionsOf(service).map((a) => a.action);
  const result = pool.filter((a) => re.test(a.toLowerCase()));
  matchMemo.set(key, result);
  return result;
}

/** Principals whose every policy is plain Allow + Action (no Deny, NotAction, boundary): the expected set is a union. */
function plainAllowUnion(principal: Principal): Set<string> | undefined {
  if (principal.boundary) return undefined;
  const out = new Set<string>();
  for (const p of principal.policies) {
    for (const s of p.document.statements) {
      if (s.effect !== 'Allow' || !s.action) return undefined;
      for (const pattern of s.action) for (const a of matching(pattern)) out.add(a);
    }
  }
  return out;
}

function resolveFile(file: string, account: string): { principals: PrincipalEntitlements[]; raw: unknown } {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  const parsed = parseAuthorizationDetails(raw, account, file);
  return { principals: resolveAccount({ provider: 'aws', account, principals: parsed.principals, accessAdvisor: [] }, catalogue).principals, raw };
}

function named(list: PrincipalEntitlements[], name: string): PrincipalEntitlements {
  const p = list.find((x) => x.principal.name === name);
  if (!p) throw new Error(`no principal ${name}`);
  return p;
}

function entitlement(p: PrincipalEntitlements, action: string): Entitlement | undefined {
  return p.entitlements.find((e) => e.action === action);
}

beforeAll(async () => {
  catalogue = await loadAwsCatalogue();
  all = catalogue.services().flatMap((s) => catalogue.actionsOf(s).map((a) => a.action));
});

describe('Cloudsplaining example account', () => {
  let principals: PrincipalEntitlements[];
  let raw: { RoleDetailList: unknown[]; UserDetailList: unknown[] };
  beforeAll(() => {
    const r = resolveFile(CLOUDSPLAINING, '200611803367');
    principals = r.principals;
    raw = r.raw as typeof raw;
  });

  it('resolves every role and user', () => {
    expect(principals.filter((p) => p.principal.kind === 'role')).toHaveLength(raw.RoleDetailList.length);
    expect(principals.filter((p) => p.principal.kind === 'user')).toHaveLength(raw.UserDetailList.length);
    expect(principals).toHaveLength(78 + 44);
  });

  it('matches an independent union for every principal with plain Allow policies', () => {
    let checked = 0;
    for (const p of principals) {
      const expected = plainAllowUnion(p.principal);
      if (!expected) continue;
      checked++;
      expect(
        p.entitlements.map((e) => e.action),
        p.principal.name,
      ).toEqual([...expected].sort());
    }
    expect(checked).toBeGreaterThan(90);
  });

  it('obama holds AdministratorAccess directly and through the admin group: direct, two paths each', () => {
    const obama = named(principals, 'obama');
    expect(obama.entitlements).toHaveLength(all.length);
    for (const e of obama.entitlements) {
      expect(e.provenance).toBe('direct');
      expect(e.grantedBy.map((g) => g.viaGroup?.name ?? '(direct)')).toEqual(['(direct)', 'admin']);
    }
  });

  it('biden: an action granted inline, by a managed policy and by the group is direct, listing every path', () => {
    const biden = named(principals, 'biden');
    expect(entitlement(biden, 's3:GetObject')?.grantedBy).toEqual([
      { policy: { type: 'inline', name: 'InsecureUserPolicy' }, statement: { index: 0, sid: 'VisualEditor0' }, matchedBy: 's3:GetObject' },
      // The (old) AWSLambdaFullAccess version in this export grants s3:* too.
      {
        policy: { type: 'managed', name: 'AWSLambdaFullAccess', arn: 'arn:aws:iam::aws:policy/AWSLambdaFullAccess' },
        statement: { index: 0 },
        matchedBy: 's3:*',
      },
      {
        viaGroup: { name: 'biden', arn: 'arn:aws:iam::012345678901:group/biden' },
        policy: { type: 'inline', name: 'InlinePolicyForBidenGroup' },
        statement: { index: 0, sid: 'VisualEditor0' },
        matchedBy: 's3:GetObject',
      },
    ]);
    expect(entitlement(biden, 's3:GetObject')?.provenance).toBe('direct');
    const rds = biden.entitlements.filter((e) => e.service === 'rds');
    expect(rds.length).toBeGreaterThan(0);
    expect(rds.every((e) => e.provenance === 'inherited' && e.grantedBy[0]?.policy.name === 'AmazonRDSFullAccess')).toBe(true);
  });

  it('userwithlotsofpermissions: admin through the group, three actions also granted directly', () => {
    const user = named(principals, 'userwithlotsofpermissions');
    expect(user.entitlements).toHaveLength(all.length);
    expect(user.entitlements.filter((e) => e.provenance === 'direct').map((e) => e.action)).toEqual(['s3:GetObject', 's3:PutObject', 's3:PutObjectAcl']);
  });

  it('Allow iam:* with Deny iam:* on * leaves nothing; Deny alone grants nothing', () => {
    expect(named(principals, 'fp1-allow-and-deny-role').entitlements).toEqual([]);
    expect(named(principals, 'fp1-allow-and-deny-user').entitlements).toEqual([]);
    expect(named(principals, 'fp3-deny-iam-role').entitlements).toEqual([]);
  });

  it('Allow NotAction [iam:Update*, iam:Create*, iam:Attach*] grants everything else', () => {
    const excluded = new Set(['iam:Update*', 'iam:Create*', 'iam:Attach*'].flatMap(matching));
    const role = named(principals, 'fn4-exploitableNotAction-role');
    expect(role.entitlements).toHaveLength(all.length - excluded.size);
    expect(entitlement(role, 'iam:CreateAccessKey')).toBeUndefined();
    expect(entitlement(role, 'iam:PassRole')?.grantedBy[0]?.matchedBy).toBe('NotAction[iam:Update*,iam:Create*,iam:Attach*]');
  });

  it('privesc-sre-user inherits everything through privesc-sre-group', () => {
    const user = named(principals, 'privesc-sre-user');
    expect(user.entitlements.length).toBeGreaterThan(0);
    expect(user.entitlements.every((e) => e.provenance === 'inherited' && e.grantedBy.every((g) => g.viaGroup?.name === 'privesc-sre-group'))).toBe(true);
  });
});

describe('CloudMapper demo account', () => {
  let principals: PrincipalEntitlements[];
  beforeAll(() => {
    principals = resolveFile(CLOUDMAPPER, '123456789012').principals;
  });

  it('resolves 4 roles and 2 users', () => {
    expect(principals.map((p) => p.principal.kind).sort()).toEqual(['role', 'role', 'role', 'role', 'user', 'user']);
  });

  it('a role with only s3:* holds exactly the s3 actions of the catalogue', () => {
    const exfiller = named(principals, 'exfiller');
    expect(exfiller.entitlements.map((e) => e.action)).toEqual(
      catalogue
        .actionsOf('s3')
        .map((a) => a.action)
        .sort(),
    );
  });

  it('bad_role (* plus AmazonEC2RoleforSSM) holds everything; the SSM actions have two paths', () => {
    const bad = named(principals, 'bad_role');
    expect(bad.entitlements).toHaveLength(all.length);
    expect(entitlement(bad, 'ssm:GetDocument')?.grantedBy.map((g) => `${g.policy.type}:${g.policy.name}:${g.matchedBy}`)).toEqual([
      'inline:dostuff:*',
      'managed:AmazonEC2RoleforSSM:ssm:GetDocument',
    ]);
  });

  it('level1 holds its six listed actions with their resource scopes', () => {
    const level1 = named(principals, 'level1');
    expect(level1.entitlements.map((e) => [e.action, e.resources])).toEqual([
      ['ecr:BatchGetImage', ['arn:aws:ecr:*:123456789012:repository/level2']],
      ['ecr:GetAuthorizationToken', ['*']],
      ['ecr:GetDownloadUrlForLayer', ['arn:aws:ecr:*:123456789012:repository/level2']],
      ['ecr:ListImages', ['arn:aws:ecr:*:123456789012:repository/level2']],
      ['s3:GetObject', ['arn:aws:s3:::level1.flaws2.cloud/*']],
      ['s3:ListBucket', ['arn:aws:s3:::level1.flaws2.cloud']],
    ]);
  });

  it('the group member inherits what the directly attached user holds, action for action', () => {
    const member = named(principals, 'USER');
    const direct = named(principals, 'USER_WITH_BAD_INLINE_POLICY');
    const expected = plainAllowUnion(direct.principal);
    expect(direct.entitlements.map((e) => e.action)).toEqual([...(expected ?? [])].sort());
    expect(member.entitlements.map((e) => e.action)).toEqual(direct.entitlements.map((e) => e.action));
    expect(member.entitlements.every((e) => e.provenance === 'inherited')).toBe(true);
    expect(direct.entitlements.every((e) => e.provenance === 'direct')).toBe(true);
  });
});
