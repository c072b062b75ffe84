import { beforeAll, describe, expect, it } from 'vitest';
import type { ActionCatalogue } from '../../src/model/aws/catalogue.js';
import type { Entitlement } from '../../src/model/aws/entitlement.js';
import { resolveScenario, type ResolvedScenario } from './resolve-scenario.js';

const ACCOUNT = '210987654321';
const ADMIN = { type: 'managed', name: 'AdministratorAccess', arn: 'arn:aws:iam::aws:policy/AdministratorAccess' } as const;
const ADMINS_GROUP = { name: 'Admins', arn: `arn:aws:iam::${ACCOUNT}:group/Admins` };
const DEVELOPERS_GROUP = { name: 'Developers', arn: `arn:aws:iam::${ACCOUNT}:group/Developers` };

let catalogue: ActionCatalogue;
let of: ResolvedScenario['of'];
let totalActions: number;

beforeAll(async () => {
  const scenario = await resolveScenario('group-inherited-admin', ACCOUNT);
  catalogue = scenario.catalogue;
  of = scenario.of;
  totalActions = scenario.allActions.length;
});

function action(name: string, id: string): Entitlement {
  const e = of(name).find((x) => x.action.toLowerCase() === id.toLowerCase());
  if (!e) throw new Error(`${name} lacks ${id}`);
  return e;
}

describe('group-inherited-admin', () => {
  it('a user inheriting AdministratorAccess through a group holds every catalogue action, all inherited', () => {
    const alice = of('alice');
    expect(alice).toHaveLength(totalActions);
    expect(alice.every((e) => e.provenance === 'inherited')).toBe(true);
    expect(action('alice', 'iam:PassRole')).toMatchObject({
      provenance: 'inherited',
      grantedBy: [{ viaGroup: ADMINS_GROUP, policy: ADMIN, statement: { index: 0 }, matchedBy: '*' }],
      isConditional: false,
      resources: ['*'],
      partialDenies: [],
    });
  });

  it('the same action also granted inline is direct, with both paths listed (own policy first)', () => {
    const getObject = action('bob', 's3:GetObject');
    expect(getObject.provenance).toBe('direct');
    expect(getObject.grantedBy).toEqual([
      { policy: { type: 'inline', name: 'read-reports' }, statement: { index: 0, sid: 'ReadReports' }, matchedBy: 's3:GetObject' },
      { viaGroup: ADMINS_GROUP, policy: ADMIN, statement: { index: 0 }, matchedBy: '*' },
    ]);
    expect(getObject.resources).toEqual(['*', `arn:aws:s3:::reports-${ACCOUNT}`, `arn:aws:s3:::reports-${ACCOUNT}/*`]);
    // Only the two inline actions are direct for bob.
    expect(
      of('bob')
        .filter((e) => e.provenance === 'direct')
        .map((e) => e.action),
    ).toEqual(['s3:GetObject', 's3:ListBucket']);
    expect(action('bob', 's3:PutObject').provenance).toBe('inherited');
  });

  it('an action reaching a user through two groups lists both groups, sorted by group name', () => {
    const invoke = action('carol', 'lambda:InvokeFunction');
    expect(invoke.provenance).toBe('inherited');
    expect(invoke.grantedBy.map((g) => `${g.viaGroup?.name}/${g.policy.name}/${g.matchedBy}`)).toEqual([
      'Admins/AdministratorAccess/*',
      'Developers/invoke-functions/lambda:InvokeFunction',
    ]);
    expect(invoke.grantedBy[1]).toEqual({
      viaGroup: DEVELOPERS_GROUP,
      policy: { type: 'inline', name: 'invoke-functions' },
      statement: { index: 0, sid: 'InvokeDevFunctions' },
      matchedBy: 'lambda:InvokeFunction',
    });
  });

  it('a user in a narrow group gets exactly that group’s grant, with its resource scope', () => {
    expect(of('dave')).toEqual([
      {
        action: 'lambda:InvokeFunction',
        service: 'lambda',
        accessLevel: catalogue.lookup('lambda:InvokeFunction')?.accessLevel,
        provenance: 'inherited',
        grantedBy: [
          {
            viaGroup: DEVELOPERS_GROUP,
            policy: { type: 'inline', name: 'invoke-functions' },
            statement: { index: 0, sid: 'InvokeDevFunctions' },
            matchedBy: 'lambda:InvokeFunction',
          },
        ],
        isConditional: false,
        resources: [`arn:aws:lambda:eu-west-1:${ACCOUNT}:function:dev-*`],
        partialDenies: [],
      },
    ]);
  });

  it('a role with AdministratorAccess attached is direct on everything; entitlements are sorted by action', () => {
    const deployer = of('ci-deployer');
    expect(deployer).toHaveLength(totalActions);
    expect(deployer.every((e) => e.provenance === 'direct' && e.grantedBy.length === 1 && e.grantedBy[0]?.viaGroup === undefined)).toBe(true);
    const names = deployer.map((e) => e.action);
    expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(new Set(names).size).toBe(names.length);
    // Access level and service come from the catalogue entry.
    const createUser = action('ci-deployer', 'iam:CreateUser');
    expect(createUser.service).toBe('iam');
    expect(createUser.accessLevel).toBe(catalogue.lookup('iam:CreateUser')?.accessLevel);
  });

  it('a role whose only policy is missing from the export resolves to nothing, without crashing', () => {
    expect(of('AWSServiceRoleForSupport')).toEqual([]);
  });
});
