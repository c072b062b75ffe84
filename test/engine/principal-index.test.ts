import { describe, expect, it } from 'vitest';
import { PrincipalIndex } from '../../src/engine/aws/evidence.js';
import type { Principal } from '../../src/model/aws/inventory.js';

function principal(kind: 'role' | 'user', path: string, name: string): Principal {
  return {
    provider: 'aws',
    account: '123456789012',
    arn: `arn:aws:iam::123456789012:${kind}${path}${name}`,
    name,
    kind,
    path,
    uniqueId: `ID${name}`,
    createDate: '2025-01-01T00:00:00.000Z',
    isServiceLinked: false,
    policies: [],
    groups: [],
  };
}

describe('PrincipalIndex', () => {
  const index = new PrincipalIndex([principal('role', '/service-role/etl/', 'loader'), principal('user', '/bots/', 'loader')]);

  it('matches exact ARNs, with paths', () => {
    expect(index.find({ callerType: 'AssumedRole', callerArn: 'arn:aws:iam::123456789012:role/service-role/etl/loader' })?.kind).toBe('role');
    expect(index.find({ callerType: 'IAMUser', callerArn: 'arn:aws:iam::123456789012:user/bots/loader' })?.kind).toBe('user');
  });

  it('matches ARNs derived without a path by kind and name', () => {
    expect(index.find({ callerType: 'AssumedRole', callerArn: 'arn:aws:iam::123456789012:role/loader' })?.arn).toBe(
      'arn:aws:iam::123456789012:role/service-role/etl/loader',
    );
    expect(index.find({ callerType: 'IAMUser', callerArn: 'arn:aws:iam::123456789012:user/loader' })?.arn).toBe('arn:aws:iam::123456789012:user/bots/loader');
  });

  it('never attributes across kinds, accounts or caller types', () => {
    expect(index.find({ callerType: 'IAMUser', callerArn: 'arn:aws:iam::123456789012:role/loader' })).toBeUndefined();
    expect(index.find({ callerType: 'AssumedRole', callerArn: 'arn:aws:iam::999999999999:role/loader' })).toBeUndefined();
    expect(index.find({ callerType: 'Root', callerArn: 'arn:aws:iam::123456789012:root' })).toBeUndefined();
    expect(index.find({ callerType: 'AssumedRole', callerArn: null })).toBeUndefined();
  });
});
