import { beforeAll, describe, expect, it } from 'vitest';
import { buildCatalogue, loadAwsCatalogue } from '../../src/catalogue/aws-catalogue.js';
import {
  creditDependencies,
  dependenciesOf,
  type DependentActionTable,
  loadDependentActionTable,
  resourcesMayOverlap,
} from '../../src/engine/aws/dependent-actions.js';
import type { ActionCatalogue } from '../../src/model/aws/catalogue.js';
import type { Entitlement } from '../../src/model/aws/entitlement.js';
import type { LastUsed } from '../../src/model/report.js';

let catalogue: ActionCatalogue;
beforeAll(async () => {
  catalogue = await loadAwsCatalogue();
});

function grant(action: string, resources: string[] = ['*']): Entitlement {
  const [service = ''] = action.split(':');
  return {
    action,
    service,
    accessLevel: 'Read',
    provenance: 'direct',
    grantedBy: [],
    isConditional: false,
    resources,
    partialDenies: [],
  };
}

const USE: LastUsed = { date: '2026-06-18T06:00:00.000Z', source: 'cloudtrail' };

function credit(entitlements: Entitlement[], used: string[], cat: ActionCatalogue = catalogue, table: DependentActionTable = loadDependentActionTable()) {
  const isUsed = new Set(used.map((u) => u.toLowerCase()));
  return creditDependencies({
    entitlements,
    usedActions: used.map((u) => u.toLowerCase()),
    isUsedInWindow: (a) => isUsed.has(a.toLowerCase()),
    lastUsed: (a) => (isUsed.has(a.toLowerCase()) ? USE : null),
    catalogue: cat,
    table,
  });
}

describe('the dependent-actions table', () => {
  it('names only canonical catalogue actions, each entry with an AWS documentation source', () => {
    const table = loadDependentActionTable();
    const named = table.entries.flatMap((e) => [e.action, ...e.dependsOn.map((d) => d.action)]);
    expect(named.filter((a) => catalogue.lookup(a)?.action !== a)).toEqual([]);
    for (const e of table.entries) {
      expect(e.source.length).toBeGreaterThan(0);
      for (const s of e.source) expect(s).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
    }
  });

  it('adds what the catalogue lacks for the documented cases', () => {
    // iam-data lists no dependent actions for these two (the reason for the table).
    expect(catalogue.lookup('secretsmanager:BatchGetSecretValue')?.dependentActions).toEqual([]);
    expect(catalogue.lookup('s3:GetObjectAttributes')?.dependentActions).toEqual([]);
    const table = loadDependentActionTable();
    expect(dependenciesOf('secretsmanager:batchgetsecretvalue', catalogue, table).map((d) => d.action)).toEqual([
      'secretsmanager:GetSecretValue',
      'secretsmanager:ListSecrets',
      'kms:Decrypt',
    ]);
    expect(dependenciesOf('s3:GetObjectAttributes', catalogue, table).map((d) => d.action)).toEqual([
      's3:GetObject',
      's3:GetObjectVersion',
      's3:GetObjectVersionAttributes',
    ]);
  });

  it('takes the catalogue dependent actions first, in the direction "must also be allowed"', () => {
    const small = buildCatalogue(
      new Map([
        ['iam', [{ name: 'PassRole', accessLevel: 'Permissions management' }]],
        ['lambda', [{ name: 'CreateFunction', accessLevel: 'Write', resourceTypes: [{ dependentActions: ['iam:PassRole'] }] }]],
      ]),
      'test',
    );
    const empty: DependentActionTable = { source: 't', note: 't', entries: [] };
    expect(dependenciesOf('lambda:CreateFunction', small, empty)).toEqual([{ action: 'iam:PassRole', origin: 'catalogue' }]);
    // Never the reverse: a use of PassRole says nothing about CreateFunction.
    expect(dependenciesOf('iam:PassRole', small, empty)).toEqual([]);
    const credits = credit(
      [grant('lambda:CreateFunction'), grant('iam:PassRole', ['arn:aws:iam::111122223333:role/fn'])],
      ['lambda:CreateFunction'],
      small,
      empty,
    );
    expect([...credits]).toEqual([['iam:passrole', { through: ['lambda:CreateFunction'], lastUsed: USE }]]);
  });
});

describe('creditDependencies', () => {
  it('credits granted dependencies of a used action, never those used on their own or not granted', () => {
    const credits = credit(
      [grant('secretsmanager:BatchGetSecretValue'), grant('secretsmanager:GetSecretValue'), grant('secretsmanager:DeleteSecret')],
      ['secretsmanager:BatchGetSecretValue'],
    );
    expect([...credits.keys()]).toEqual(['secretsmanager:getsecretvalue']);
    const own = credit(
      [grant('secretsmanager:BatchGetSecretValue'), grant('secretsmanager:GetSecretValue')],
      ['secretsmanager:BatchGetSecretValue', 'secretsmanager:GetSecretValue'],
    );
    expect(own.size).toBe(0);
    expect(credit([grant('secretsmanager:GetSecretValue')], []).size).toBe(0);
  });

  it('follows credited actions to their own dependencies, naming the direct one', () => {
    const credits = credit(
      [
        grant('secretsmanager:BatchGetSecretValue'),
        grant('secretsmanager:GetSecretValue'),
        grant('kms:Decrypt', ['arn:aws:kms:us-east-1:111122223333:key/abc']),
      ],
      ['secretsmanager:BatchGetSecretValue'],
    );
    expect(credits.get('kms:decrypt')?.through).toEqual(['secretsmanager:BatchGetSecretValue', 'secretsmanager:GetSecretValue']);
  });

  it('credits through a used action the principal is not granted (allowed by a resource policy)', () => {
    const credits = credit([grant('s3:GetObject', ['arn:aws:s3:::reports/*'])], ['s3:GetObjectAttributes']);
    expect(credits.get('s3:getobject')?.through).toEqual(['s3:GetObjectAttributes']);
  });

  it('does not credit a grant on resources the used call cannot have touched', () => {
    const credits = credit(
      [
        grant('s3:GetObjectAttributes', ['arn:aws:s3:::reports/*']),
        grant('s3:GetObject', ['arn:aws:s3:::archive/*']),
        grant('s3:GetObjectVersion', ['arn:aws:s3:::reports/2026/*']),
      ],
      ['s3:GetObjectAttributes'],
    );
    expect([...credits.keys()]).toEqual(['s3:getobjectversion']);
  });
});

describe('resourcesMayOverlap', () => {
  it.each([
    [['*'], ['arn:aws:secretsmanager:us-east-1:111122223333:secret:app/*'], true],
    [['arn:aws:s3:::reports/*'], ['arn:aws:s3:::reports/2026/*'], true],
    [['arn:aws:s3:::reports/2026/a.csv'], ['arn:aws:s3:::reports/*'], true],
    [['arn:aws:s3:::reports/*'], ['arn:aws:s3:::archive/*'], false],
    [['arn:aws:s3:::reports/a.csv'], ['arn:aws:s3:::reports/b.csv'], false],
    [['arn:aws:s3:::reports-${aws:username}/*'], ['arn:aws:s3:::reports-alice/*'], true],
    // Different services, NotResource: not comparable, so credited.
    [['arn:aws:secretsmanager:us-east-1:111122223333:secret:app'], ['arn:aws:kms:us-east-1:111122223333:key/abc'], true],
    [['!arn:aws:s3:::private/*'], ['arn:aws:s3:::archive/*'], true],
  ])('%j against %j → %s', (a, b, expected) => {
    expect(resourcesMayOverlap(a, b)).toBe(expected);
  });
});
