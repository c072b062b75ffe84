import { beforeAll, describe, expect, it } from 'vitest';
import type { ActionCatalogue } from '../../src/model/aws/catalogue.js';
import { resolveScenario, type ResolvedScenario } from './resolve-scenario.js';

const ACCOUNT = '544321098765';

let catalogue: ActionCatalogue;
let of: ResolvedScenario['of'];

beforeAll(async () => {
  const scenario = await resolveScenario('boundary-intersection', ACCOUNT);
  catalogue = scenario.catalogue;
  of = scenario.of;
});

describe('boundary-intersection', () => {
  it('the effective set is identity ∩ boundary, minus the boundary’s Deny', () => {
    // identity: s3:*, dynamodb:*, iam:PassRole. boundary: s3:Get*, s3:List*, s3:PutObject (conditional),
    // dynamodb:*, sqs:*, Deny dynamodb:DeleteTable.
    const s3 = catalogue
      .actionsOf('s3')
      .filter((a) => /^(get|list)/i.test(a.name) || a.name === 'PutObject')
      .map((a) => a.action);
    const dynamodb = catalogue
      .actionsOf('dynamodb')
      .filter((a) => a.name !== 'DeleteTable')
      .map((a) => a.action);
    const expected = [...s3, ...dynamodb].sort();
    const actions = of('app-role').map((e) => e.action);
    expect(actions).toEqual(expected);
    expect(actions).not.toContain('iam:PassRole');
    expect(actions.some((a) => a.startsWith('sqs:'))).toBe(false);
    expect(actions).not.toContain('s3:DeleteObject');
  });

  it('a boundary that allows an action only under a Condition makes the grant conditional', () => {
    const entitlements = of('app-role');
    expect(entitlements.find((e) => e.action === 's3:PutObject')?.isConditional).toBe(true);
    expect(entitlements.find((e) => e.action === 's3:GetObject')?.isConditional).toBe(false);
    // The boundary limits, it does not grant: paths name only the identity policy.
    expect(entitlements.find((e) => e.action === 's3:PutObject')?.grantedBy).toEqual([
      { policy: { type: 'inline', name: 'app' }, statement: { index: 0, sid: 'App' }, matchedBy: 's3:*' },
    ]);
  });

  it('a boundary also limits what a user inherits from a group', () => {
    expect(of('contractor')).toEqual([
      {
        action: 'ec2:DescribeInstances',
        service: 'ec2',
        accessLevel: 'List',
        provenance: 'inherited',
        grantedBy: [
          {
            viaGroup: { name: 'ec2-viewers', arn: `arn:aws:iam::${ACCOUNT}:group/ec2-viewers` },
            policy: { type: 'inline', name: 'describe-ec2' },
            statement: { index: 0 },
            matchedBy: 'ec2:Describe*',
          },
        ],
        isConditional: false,
        resources: ['*'],
        partialDenies: [],
      },
    ]);
  });
});
