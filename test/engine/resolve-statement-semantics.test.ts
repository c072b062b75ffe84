import { beforeAll, describe, expect, it } from 'vitest';
import { loadAwsCatalogue } from '../../src/catalogue/aws-catalogue.js';
import { resolveAccount, resolvePrincipal } from '../../src/engine/aws/resolve.js';
import type { ActionCatalogue } from '../../src/model/aws/catalogue.js';
import type { AttachedPolicy, PolicyStatement, Principal } from '../../src/model/aws/inventory.js';

const ACCOUNT = '111122223333';

let catalogue: ActionCatalogue;
beforeAll(async () => {
  catalogue = await loadAwsCatalogue();
});

function inline(name: string, statements: Omit<PolicyStatement, 'index'>[]): AttachedPolicy {
  return { policy: { type: 'inline', name }, document: { version: '2012-10-17', statements: statements.map((s, index) => ({ ...s, index })) } };
}

function role(name: string, policies: AttachedPolicy[]): Principal {
  return {
    provider: 'aws',
    account: ACCOUNT,
    arn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
    name,
    kind: 'role',
    path: '/',
    uniqueId: `AROA${name.toUpperCase()}`,
    createDate: '2024-01-01T00:00:00.000Z',
    isServiceLinked: false,
    policies,
    groups: [],
  };
}

describe('statement semantics', () => {
  it('matches action names and wildcards case-insensitively and returns canonical names', () => {
    const { entitlements, warnings } = resolvePrincipal(
      role('mixed-case', [inline('p', [{ effect: 'Allow', action: ['S3:getobject', 'SQS:send*'], resource: ['*'] }])]),
      catalogue,
    );
    const expectedSqs = catalogue
      .actionsOf('sqs')
      .filter((a) => a.name.toLowerCase().startsWith('send'))
      .map((a) => a.action);
    expect(entitlements.map((e) => e.action)).toEqual(['s3:GetObject', ...expectedSqs].sort());
    expect(expectedSqs.length).toBeGreaterThan(0);
    expect(entitlements[0]?.grantedBy[0]?.matchedBy).toBe('S3:getobject');
    expect(warnings).toEqual([]);
  });

  it('`?` matches exactly one character', () => {
    const { entitlements } = resolvePrincipal(role('question', [inline('p', [{ effect: 'Allow', action: ['s3:???Object'], resource: ['*'] }])]), catalogue);
    const expected = catalogue
      .actionsOf('s3')
      .filter((a) => /^...object$/i.test(a.name))
      .map((a) => a.action);
    expect(expected).toContain('s3:GetObject');
    expect(expected).toContain('s3:PutObject');
    expect(expected).not.toContain('s3:DeleteObject');
    expect(entitlements.map((e) => e.action)).toEqual(expected);
  });

  it('is conditional only when every granting path has a Condition', () => {
    const condition = { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } };
    const { entitlements } = resolvePrincipal(
      role('conditions', [
        inline('conditional', [{ effect: 'Allow', action: ['sqs:SendMessage', 'sqs:ReceiveMessage'], resource: ['*'], condition }]),
        inline('plain', [{ effect: 'Allow', action: ['sqs:SendMessage'], resource: ['*'] }]),
      ]),
      catalogue,
    );
    expect(entitlements.map((e) => [e.action, e.isConditional, e.grantedBy.length])).toEqual([
      ['sqs:ReceiveMessage', true, 1],
      ['sqs:SendMessage', false, 2],
    ]);
  });

  it('warns about a typo, an unknown service and a malformed action, without failing the rest', () => {
    const principal = role('typos', [
      inline('p', [{ sid: 'Oops', effect: 'Allow', action: ['s3:GetObjekt', 's3x:GetObject', 'GetObject', 's3:ListBucket'], resource: ['*'] }]),
    ]);
    const { entitlements, warnings } = resolvePrincipal(principal, catalogue);
    expect(entitlements.map((e) => e.action)).toEqual(['s3:ListBucket']);
    expect(warnings.map((w) => w.code).sort()).toEqual(['unknown-action', 'unknown-action', 'unknown-service']);
    for (const w of warnings) expect(w).toMatchObject({ account: ACCOUNT, principal: principal.arn, policy: 'p' });
    expect(warnings.find((w) => w.code === 'unknown-service')?.message).toContain('s3x');
    expect(warnings.some((w) => w.message.includes('s3:GetObjekt'))).toBe(true);
    expect(warnings.every((w) => w.message.includes('Oops'))).toBe(true);
  });

  it('ignores a statement with both Action and NotAction, with a warning', () => {
    const { entitlements, warnings } = resolvePrincipal(
      role('both', [inline('p', [{ effect: 'Allow', action: ['s3:GetObject'], notAction: ['iam:*'], resource: ['*'] }])]),
      catalogue,
    );
    expect(entitlements).toEqual([]);
    expect(warnings.map((w) => w.code)).toEqual(['unsupported-statement']);
  });

  it('a Deny of a retired action removes nothing and warns', () => {
    const { entitlements, warnings } = resolvePrincipal(
      role('deny-retired', [
        inline('p', [
          { effect: 'Allow', action: ['sqs:SendMessage'], resource: ['*'] },
          { effect: 'Deny', action: ['sqs:SendMessages'], resource: ['*'] },
        ]),
      ]),
      catalogue,
    );
    expect(entitlements.map((e) => e.action)).toEqual(['sqs:SendMessage']);
    expect(warnings.map((w) => w.code)).toEqual(['unknown-action']);
  });

  it('resolveAccount reports a shared managed policy’s problem once, not per principal', () => {
    const shared: AttachedPolicy = {
      policy: { type: 'managed', name: 'legacy', arn: `arn:aws:iam::${ACCOUNT}:policy/legacy` },
      document: { statements: [{ index: 0, effect: 'Allow', action: ['s3:GetObject', 'elastic-inference:Connect'], resource: ['*'] }] },
    };
    const principals = ['a', 'b', 'c'].map((n) => role(n, [shared]));
    const result = resolveAccount({ provider: 'aws', account: ACCOUNT, principals, accessAdvisor: [] }, catalogue);
    expect(result.principals.map((p) => p.entitlements.map((e) => e.action))).toEqual([['s3:GetObject'], ['s3:GetObject'], ['s3:GetObject']]);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatchObject({ code: 'unknown-service', policy: shared.policy.arn });
    expect(result.warnings[0]?.principal).toBeUndefined();
  });

  it('is deterministic: the same input gives byte-identical output, whatever the policy order', () => {
    const p1 = inline('zeta', [{ effect: 'Allow', action: ['ec2:Describe*', 's3:Get*'], resource: ['*'] }]);
    const p2 = inline('alpha', [{ effect: 'Allow', action: ['s3:*'], resource: ['arn:aws:s3:::b'] }]);
    const a = resolvePrincipal(role('order', [p1, p2]), catalogue);
    const b = resolvePrincipal(role('order', [p2, p1]), catalogue);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    const getObject = a.entitlements.find((e) => e.action === 's3:GetObject');
    expect(getObject?.grantedBy.map((g) => `${g.policy.name}:${g.matchedBy}`)).toEqual(['alpha:s3:*', 'zeta:s3:Get*']);
    expect(getObject?.resources).toEqual(['*', 'arn:aws:s3:::b']);
  });

  it('shares nothing wrong between principals: one principal’s partial deny or boundary does not leak to another', () => {
    const shared: AttachedPolicy = {
      policy: { type: 'managed', name: 'queue-access', arn: `arn:aws:iam::${ACCOUNT}:policy/queue-access` },
      document: { statements: [{ index: 0, effect: 'Allow', action: ['sqs:*'], resource: ['*'] }] },
    };
    const plain = role('plain', [shared]);
    const denied = role('denied', [
      shared,
      inline('no-prod-purge', [{ effect: 'Deny', action: ['sqs:PurgeQueue'], resource: [`arn:aws:sqs:eu-west-1:${ACCOUNT}:prod-*`] }]),
    ]);
    const bounded: Principal = {
      ...role('bounded', [shared]),
      boundary: {
        policy: { type: 'managed', name: 'region-boundary', arn: `arn:aws:iam::${ACCOUNT}:policy/region-boundary` },
        document: {
          statements: [{ index: 0, effect: 'Allow', action: ['sqs:*'], resource: ['*'], condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } } }],
        },
      },
    };
    // Resolve in an order where the shared entitlement is created first by the plain principal.
    const result = resolveAccount({ provider: 'aws', account: ACCOUNT, principals: [plain, denied, bounded, plain], accessAdvisor: [] }, catalogue);
    const purge = (name: string) => result.principals.find((p) => p.principal.name === name)?.entitlements.find((e) => e.action === 'sqs:PurgeQueue');
    expect(purge('plain')?.partialDenies).toEqual([]);
    expect(purge('plain')?.isConditional).toBe(false);
    expect(purge('denied')?.partialDenies).toHaveLength(1);
    expect(purge('bounded')?.isConditional).toBe(true);
    expect(purge('bounded')?.partialDenies).toEqual([]);
  });

  it('returns frozen entitlements, since equal ones are shared between principals', () => {
    const { entitlements } = resolvePrincipal(
      role('frozen', [inline('p', [{ effect: 'Allow', action: ['sqs:SendMessage'], resource: ['arn:aws:sqs:eu-west-1:111122223333:q'] }])]),
      catalogue,
    );
    const [e] = entitlements;
    expect(Object.isFrozen(e)).toBe(true);
    expect(Object.isFrozen(e?.grantedBy)).toBe(true);
    expect(Object.isFrozen(e?.resources)).toBe(true);
    expect(() => e?.resources.push('x')).toThrow(TypeError);
  });
});
