import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAuthorizationDetails } from '../../src/connectors/aws/authorization-details.js';
import { InputError, PermdriftError } from '../../src/model/errors.js';
import type { Principal } from '../../src/model/aws/inventory.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'aws');
const CLOUDSPLAINING = join(FIXTURES, 'cloudsplaining-authdetails', 'example.json');
const CLOUDMAPPER = join(FIXTURES, 'cloudmapper-demo', 'iam-get-account-authorization-details.json');
const GROUP_ADMIN = join(FIXTURES, 'group-inherited-admin', 'aws', '210987654321', 'iam-get-account-authorization-details.json');
const DENY = join(FIXTURES, 'deny-overrides-wildcard', 'aws', '322109876543', 'iam-get-account-authorization-details.json');

interface RawDetails {
  UserDetailList: { UserName: string; Arn: string; GroupList: string[] }[];
  RoleDetailList: { RoleName: string; Arn: string; Path: string; RoleLastUsed?: { LastUsedDate?: string } }[];
  GroupDetailList: unknown[];
  Policies: unknown[];
}

function readRaw(file: string): RawDetails {
  return JSON.parse(readFileSync(file, 'utf8')) as RawDetails;
}

function byName(principals: Principal[], name: string): Principal {
  const found = principals.find((p) => p.name === name);
  if (!found) throw new Error(`no principal ${name}`);
  return found;
}

/** Catches the error thrown by `fn`, so its fields can be asserted. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

/** Rewrites every policy document in the file the way the raw API returns it: URL-encoded JSON text. */
function urlEncodeDocuments(value: unknown, encode: (text: string) => string): unknown {
  if (Array.isArray(value)) return value.map((v) => urlEncodeDocuments(v, encode));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const isPolicyDocument = key === 'PolicyDocument' || key === 'Document';
    out[key] = isPolicyDocument ? encode(JSON.stringify(child)) : urlEncodeDocuments(child, encode);
  }
  return out;
}

describe('parseAuthorizationDetails on the Cloudsplaining example (real export)', () => {
  const raw = readRaw(CLOUDSPLAINING);
  const parsed = parseAuthorizationDetails(raw, '200611803367', CLOUDSPLAINING);

  it('reads every role and user, sorted by ARN', () => {
    expect(parsed.principals.filter((p) => p.kind === 'role')).toHaveLength(raw.RoleDetailList.length);
    expect(parsed.principals.filter((p) => p.kind === 'user')).toHaveLength(raw.UserDetailList.length);
    const arns = parsed.principals.map((p) => p.arn);
    expect(arns).toEqual([...arns].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(parsed.warnings).toEqual([]);
  });

  it('marks /aws-service-role/ roles as service-linked and nothing else', () => {
    const expected = raw.RoleDetailList.filter((r) => r.Path.startsWith('/aws-service-role/'))
      .map((r) => r.Arn)
      .sort();
    const actual = parsed.principals
      .filter((p) => p.isServiceLinked)
      .map((p) => p.arn)
      .sort();
    expect(actual).toEqual(expected);
    expect(actual.length).toBeGreaterThan(0);
    expect(byName(parsed.principals, 'AWSReservedSSO_AdministratorAccess_dc6414f7f2ab04fc').isServiceLinked).toBe(false);
  });

  it('reads RoleLastUsed: {} as null (not used in the tracking period) and a date as ISO 8601', () => {
    const emptyCount = raw.RoleDetailList.filter((r) => r.RoleLastUsed && r.RoleLastUsed.LastUsedDate === undefined).length;
    const roles = parsed.principals.filter((p) => p.kind === 'role');
    expect(roles.filter((p) => p.roleLastUsed === null)).toHaveLength(emptyCount);
    expect(emptyCount).toBeGreaterThan(0);
    const rawRole = raw.RoleDetailList.find((r) => r.RoleLastUsed?.LastUsedDate !== undefined);
    const role = byName(parsed.principals, rawRole?.RoleName ?? '');
    // "2022-08-07 12:56:48+00:00" in the file.
    expect(role.roleLastUsed?.lastUsedDate).toBe(new Date(rawRole?.RoleLastUsed?.LastUsedDate?.replace(' ', 'T') ?? '').toISOString());
    expect(role.roleLastUsed?.lastUsedDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('brings group policies to their members with viaGroup, and keeps the user’s own policies apart', () => {
    const biden = byName(parsed.principals, 'biden');
    expect(biden.groups).toEqual([{ name: 'biden', arn: 'arn:aws:iam::012345678901:group/biden' }]);
    const summary = biden.policies.map((p) => `${p.viaGroup?.name ?? '-'} ${p.policy.type} ${p.policy.name}`).sort();
    expect(summary).toEqual([
      '- inline InsecureUserPolicy',
      '- managed AWSLambdaFullAccess',
      'biden inline InlinePolicyForBidenGroup',
      'biden managed AmazonRDSFullAccess',
    ]);
    const lambda = biden.policies.find((p) => p.policy.name === 'AWSLambdaFullAccess');
    expect(lambda?.policy.arn).toBe('arn:aws:iam::aws:policy/AWSLambdaFullAccess');
  });

  it('lifts single strings to lists and keeps NotAction and Condition', () => {
    const role = byName(parsed.principals, 'fn4-exploitableNotAction-role');
    const statement = role.policies[0]?.document.statements[0];
    expect(statement).toMatchObject({ index: 0, effect: 'Allow', notAction: ['iam:Update*', 'iam:Create*', 'iam:Attach*'], resource: ['*'] });
    expect(statement?.action).toBeUndefined();
  });

  it('parses URL-encoded policy documents (raw API output) exactly like decoded ones', () => {
    const encoded = urlEncodeDocuments(raw, encodeURIComponent);
    const encodedRoles = (encoded as { RoleDetailList: { RolePolicyList: { PolicyDocument: unknown }[] }[] }).RoleDetailList;
    expect(typeof encodedRoles[0]?.RolePolicyList[0]?.PolicyDocument).toBe('string');
    expect(parseAuthorizationDetails(encoded, '200611803367', CLOUDSPLAINING)).toEqual(parsed);
    // Form encoding writes spaces as `+`.
    const formEncoded = urlEncodeDocuments(raw, (text) => encodeURIComponent(text).replace(/%20/g, '+'));
    expect(parseAuthorizationDetails(formEncoded, '200611803367', CLOUDSPLAINING)).toEqual(parsed);
  });
});

describe('parseAuthorizationDetails on the CloudMapper demo (older export)', () => {
  const parsed = parseAuthorizationDetails(readRaw(CLOUDMAPPER), '123456789012', CLOUDMAPPER);

  it('reads 4 roles and 2 users; no RoleLastUsed key means undefined, not null', () => {
    // Sorted by ARN: the demo's users have the odd account `aws` in their ARNs, so they sort last.
    expect(parsed.principals.map((p) => `${p.kind}:${p.name}`)).toEqual([
      'role:bad_role',
      'role:exfiller',
      'role:level3',
      'role:level1',
      'user:USER',
      'user:USER_WITH_BAD_INLINE_POLICY',
    ]);
    for (const p of parsed.principals) expect(p.roleLastUsed).toBeUndefined();
  });

  it('resolves the attached managed policy to its default version document', () => {
    const user = byName(parsed.principals, 'USER_WITH_BAD_INLINE_POLICY');
    expect(user.policies).toHaveLength(1);
    const policy = user.policies[0];
    expect(policy?.policy).toEqual({ type: 'managed', name: 'AmazonEC2RoleforSSM', arn: 'arn:aws:iam::aws:policy/service-role/AmazonEC2RoleforSSM' });
    expect(policy?.document.statements).toHaveLength(8);
    expect(policy?.viaGroup).toBeUndefined();
    const member = byName(parsed.principals, 'USER');
    expect(member.policies.map((p) => p.viaGroup?.name)).toEqual(['GROUP_WITH_BAD_INLINE_POLICY']);
  });

  it('keeps paths as written (an empty path is not a service-linked role)', () => {
    expect(byName(parsed.principals, 'bad_role').path).toBe('');
    expect(byName(parsed.principals, 'level1').path).toBe('/service-role/');
    expect(parsed.principals.some((p) => p.isServiceLinked)).toBe(false);
  });
});

describe('parseAuthorizationDetails on hand-built scenario fixtures', () => {
  it('warns about an attached AWS managed policy missing from a filtered export, without crashing', () => {
    const parsed = parseAuthorizationDetails(readRaw(GROUP_ADMIN), '210987654321', GROUP_ADMIN);
    const support = byName(parsed.principals, 'AWSServiceRoleForSupport');
    expect(support.policies).toEqual([]);
    expect(support.isServiceLinked).toBe(true);
    expect(support.roleLastUsed).toBeNull();
    expect(parsed.warnings).toHaveLength(1);
    expect(parsed.warnings[0]?.code).toBe('missing-managed-policy');
    expect(parsed.warnings[0]?.message).toContain('arn:aws:iam::aws:policy/aws-service-role/AWSSupportServiceRolePolicy');
  });

  it('uses the default policy version, not the first one listed', () => {
    const parsed = parseAuthorizationDetails(readRaw(DENY), '322109876543', DENY);
    const broad = byName(parsed.principals, 'data-pipeline').policies.find((p) => p.policy.name === 'broad-access');
    // The file's non-default v1 grants iam:*; the default v2 grants *.
    expect(broad?.document.statements.map((s) => s.action)).toEqual([['*']]);
  });

  it('shares one attachment object per managed policy, so resolve can expand it once', () => {
    const parsed = parseAuthorizationDetails(readRaw(DENY), '322109876543', DENY);
    const a = byName(parsed.principals, 'data-pipeline').policies.find((p) => p.policy.name === 'broad-access');
    const b = byName(parsed.principals, 'iam-and-sts-only').policies.find((p) => p.policy.name === 'broad-access');
    expect(a).toBeDefined();
    expect(a).toBe(b);
  });

  it('accepts a Statement that is a single object and drops an empty Condition', () => {
    const json = {
      RoleDetailList: [
        {
          RoleName: 'solo',
          RoleId: 'AROAEXAMPLESOLO00001',
          Arn: 'arn:aws:iam::111122223333:role/solo',
          Path: '/',
          CreateDate: '2024-01-01T00:00:00Z',
          RolePolicyList: [{ PolicyName: 'one', PolicyDocument: { Statement: { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*', Condition: {} } } }],
          AttachedManagedPolicies: [],
        },
      ],
    };
    const [principal] = parseAuthorizationDetails(json, '111122223333', 'inline.json').principals;
    expect(principal?.policies[0]?.document.statements).toEqual([{ index: 0, effect: 'Allow', action: ['sqs:SendMessage'], resource: ['*'] }]);
  });
});

describe('parseAuthorizationDetails rejects a wrong shape with the file and the first problem path', () => {
  const raw = readRaw(CLOUDSPLAINING);

  it('names RoleDetailList[3].RoleName when it is not a string', () => {
    const broken = structuredClone(raw) as unknown as { RoleDetailList: Record<string, unknown>[] };
    const role = broken.RoleDetailList[3];
    if (role) role.RoleName = 42;
    const error = thrown(() => parseAuthorizationDetails(broken, '200611803367', 'broken.json'));
    expect(error).toBeInstanceOf(InputError);
    expect(error).toBeInstanceOf(PermdriftError);
    const e = error as InputError;
    expect(e.code).toBe('INPUT_INVALID');
    expect(e.file).toBe('broken.json');
    expect(e.message).toContain('broken.json: RoleDetailList[3].RoleName: expected string');
    expect(e.hint).toContain('aws iam get-account-authorization-details');
  });

  it('names the statement field inside a policy document', () => {
    const json = {
      UserDetailList: [
        {
          UserName: 'u',
          UserId: 'AIDAEXAMPLE000000001',
          Arn: 'arn:aws:iam::111122223333:user/u',
          CreateDate: '2024-01-01T00:00:00Z',
          UserPolicyList: [
            {
              PolicyName: 'p',
              PolicyDocument: {
                Statement: [
                  { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' },
                  { Effect: 'Permit', Action: 's3:*', Resource: '*' },
                ],
              },
            },
          ],
        },
      ],
    };
    const e = thrown(() => parseAuthorizationDetails(json, '111122223333', 'f.json')) as InputError;
    expect(e.message).toContain('UserDetailList[0].UserPolicyList[0].PolicyDocument.Statement[1].Effect');
  });

  it('points inside an Action list at the element that is not a string', () => {
    const json = {
      RoleDetailList: [
        {
          RoleName: 'r',
          RoleId: 'AROAEXAMPLE000000001',
          Arn: 'arn:aws:iam::111122223333:role/r',
          CreateDate: '2024-01-01T00:00:00Z',
          RolePolicyList: [{ PolicyName: 'p', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 7], Resource: '*' }] } }],
        },
      ],
    };
    const e = thrown(() => parseAuthorizationDetails(json, '111122223333', 'f.json')) as InputError;
    expect(e.message).toContain('RoleDetailList[0].RolePolicyList[0].PolicyDocument.Statement[0].Action[1]: expected string');
  });

  it('rejects a file that is not authorization details at all (a CloudTrail file)', () => {
    const e = thrown(() => parseAuthorizationDetails({ Records: [] }, '111122223333', 'trail.json')) as InputError;
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toContain('trail.json');
    expect(e.message).toContain('RoleDetailList');
    expect(thrown(() => parseAuthorizationDetails([], '111122223333', 'list.json'))).toBeInstanceOf(InputError);
  });

  it('rejects a policy document string that is not JSON', () => {
    const json = {
      RoleDetailList: [
        {
          RoleName: 'r',
          RoleId: 'AROAEXAMPLE000000001',
          Arn: 'arn:aws:iam::111122223333:role/r',
          CreateDate: '2024-01-01T00:00:00Z',
          RolePolicyList: [{ PolicyName: 'p', PolicyDocument: '%7B%22Statement%22%3A' }],
        },
      ],
    };
    const e = thrown(() => parseAuthorizationDetails(json, '111122223333', 'f.json')) as InputError;
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toContain('RoleDetailList[0].RolePolicyList[0].PolicyDocument');
  });
});
