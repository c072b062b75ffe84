import { beforeAll, describe, expect, it } from 'vitest';
import type { ActionCatalogue } from '../../src/model/aws/catalogue.js';
import type { Entitlement } from '../../src/model/aws/entitlement.js';
import { resolveScenario, type ResolvedScenario } from './resolve-scenario.js';

const ACCOUNT = '322109876543';

let catalogue: ActionCatalogue;
let of: ResolvedScenario['of'];
let all: string[];

beforeAll(async () => {
  const scenario = await resolveScenario('deny-overrides-wildcard', ACCOUNT);
  catalogue = scenario.catalogue;
  of = scenario.of;
  all = scenario.allActions;
});

function find(name: string, id: string): Entitlement | undefined {
  return of(name).find((x) => x.action === id);
}

describe('deny-overrides-wildcard', () => {
  it('Deny s3:* on * removes every s3 action from an Allow *', () => {
    const actions = new Set(of('data-pipeline').map((e) => e.action));
    const expected = all.filter((a) => !a.startsWith('s3:'));
    expect(actions.size).toBe(expected.length);
    for (const a of expected) expect(actions.has(a)).toBe(true);
    expect([...actions].some((a) => a.startsWith('s3:'))).toBe(false);
    // s3-outposts is another service: `s3:*` does not reach it.
    expect(actions.has('s3-outposts:GetObject')).toBe(true);
  });

  it('a Deny on one resource keeps the action and records the deny scope', () => {
    expect(find('data-pipeline', 'dynamodb:DeleteTable')?.partialDenies).toEqual([
      {
        policy: { type: 'inline', name: 'guardrails' },
        statementIndex: 0,
        resources: [`arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/audit`],
        isConditional: false,
      },
    ]);
  });

  it('a Deny with a Condition keeps the action and records it as conditional', () => {
    expect(find('data-pipeline', 'ec2:TerminateInstances')?.partialDenies).toEqual([
      { policy: { type: 'inline', name: 'guardrails' }, statementIndex: 1, resources: ['*'], isConditional: true },
    ]);
    expect(find('data-pipeline', 'ec2:TerminateInstances')?.grantedBy).toEqual([
      {
        policy: { type: 'managed', name: 'broad-access', arn: `arn:aws:iam::${ACCOUNT}:policy/broad-access` },
        statement: { index: 0, sid: 'Everything' },
        matchedBy: '*',
      },
    ]);
    expect(find('data-pipeline', 'ec2:DescribeInstances')?.partialDenies).toEqual([]);
  });

  it('Deny with NotAction denies everything except the listed services', () => {
    const actions = of('iam-and-sts-only').map((e) => e.action);
    const expected = all.filter((a) => a.startsWith('iam:') || a.startsWith('sts:')).sort();
    expect(actions).toEqual(expected);
    expect(expected.length).toBe(catalogue.actionsOf('iam').length + catalogue.actionsOf('sts').length);
  });

  it('a Deny with NotResource is partial: the action stays, the scope is recorded with !', () => {
    const entitlements = of('scratch-writer');
    expect(entitlements).toHaveLength(catalogue.actionsOf('s3').length);
    expect(find('scratch-writer', 's3:DeleteObject')?.partialDenies).toEqual([
      { policy: { type: 'inline', name: 'scratch' }, statementIndex: 1, resources: [`!arn:aws:s3:::scratch-${ACCOUNT}/*`], isConditional: false },
    ]);
    expect(entitlements.filter((e) => e.partialDenies.length > 0).map((e) => e.action)).toEqual(['s3:DeleteObject']);
  });
});
