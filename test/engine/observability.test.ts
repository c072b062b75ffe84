import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCatalogue, loadAwsCatalogue } from '../../src/catalogue/aws-catalogue.js';
import { callsExercising, dataEventResourceType, isGlobalService, isPermissionOnly, notLoggedReason } from '../../src/engine/aws/observability.js';
import { isPrivilegeEscalation, severityFor } from '../../src/engine/aws/severity-data.js';
import type { ActionCatalogue } from '../../src/model/aws/catalogue.js';

const repoRoot = join(import.meta.dirname, '..', '..');
let catalogue: ActionCatalogue;

beforeAll(async () => {
  catalogue = await loadAwsCatalogue();
});

describe('dataEventResourceType', () => {
  it.each([
    ['s3:GetObject', 'AWS::S3::Object'],
    ['s3:PutObject', 'AWS::S3::Object'],
    ['s3:DeleteObject', 'AWS::S3::Object'],
    // Listing objects is a data event too: without S3 data events it must stay unverifiable.
    ['s3:ListBucket', 'AWS::S3::Object'],
    ['S3:GETOBJECT', 'AWS::S3::Object'],
    ['dynamodb:GetItem', 'AWS::DynamoDB::Table'],
    ['dynamodb:Query', 'AWS::DynamoDB::Table'],
    ['lambda:InvokeFunction', 'AWS::Lambda::Function'],
    ['sns:Publish', 'AWS::SNS::Topic'],
    ['sqs:SendMessage', 'AWS::SQS::Queue'],
    ['ssmmessages:OpenDataChannel', 'AWS::SSMMessages::ControlChannel'],
  ])('%s → %s', (action, type) => {
    expect(dataEventResourceType(action)).toBe(type);
  });

  it.each([
    's3:CreateBucket',
    's3:GetBucketPolicy',
    's3:ListAllMyBuckets',
    's3:GetBucketObjectLockConfiguration',
    'lambda:CreateFunction',
    'dynamodb:CreateTable',
    'dynamodb:DescribeTable',
    'iam:CreateRole',
    'kms:Decrypt',
  ])('%s is a management event', (action) => {
    expect(dataEventResourceType(action)).toBeNull();
  });
});

describe('notLoggedReason', () => {
  it('names actions CloudTrail never records, with the source', () => {
    expect(notLoggedReason('execute-api:Invoke')).toMatch(/API Gateway.*https:\/\/docs\.aws\.amazon\.com/);
    expect(notLoggedReason('rds-db:connect')).toMatch(/database/);
    expect(notLoggedReason('logs:PutLogEvents')).not.toBeNull();
  });

  it('leaves logged actions alone', () => {
    expect(notLoggedReason('iam:CreateUser')).toBeNull();
    expect(notLoggedReason('logs:CreateLogGroup')).toBeNull();
    expect(notLoggedReason('s3:GetObject')).toBeNull();
  });
});

describe('isGlobalService', () => {
  it.each(['iam', 'IAM', 'cloudfront', 'route53', 'organizations'])('%s logs in us-east-1', (service) => {
    expect(isGlobalService(service)).toBe(true);
  });

  // STS regional endpoints log in their own region; treating sts as global would let a
  // us-east-1 single-region trail call a regional AssumeRole user "unused".
  it.each(['sts', 'ec2', 's3', 'lambda', 'globalaccelerator'])('%s is not global', (service) => {
    expect(isGlobalService(service)).toBe(false);
  });
});

describe('permission-only actions', () => {
  it('iam:PassRole has no API of its own; ordinary actions do', () => {
    expect(isPermissionOnly('iam:PassRole')).toBe(true);
    expect(isPermissionOnly('IAM:passrole')).toBe(true);
    expect(isPermissionOnly('iam:CreateRole')).toBe(false);
    expect(isPermissionOnly('lambda:CreateFunction')).toBe(false);
  });

  it('callsExercising(iam:PassRole) lists the role-taking calls', () => {
    const calls = callsExercising('iam:PassRole', catalogue);
    for (const c of [
      'lambda:CreateFunction',
      'ec2:RunInstances',
      'cloudformation:CreateStack',
      'ecs:RunTask',
      'ecs:RegisterTaskDefinition',
      'glue:CreateJob',
    ]) {
      expect(calls).toContain(c);
    }
    expect(calls).not.toContain('iam:PassRole');
    expect(calls).toEqual([...calls].sort());
    // Every entry is canonical and in the catalogue.
    expect(calls.filter((c) => catalogue.lookup(c)?.action !== c)).toEqual([]);
  });

  it('version-specific S3 permissions are exercised by the call CloudTrail names', () => {
    expect(callsExercising('s3:GetObjectVersion', catalogue)).toEqual(['s3:GetObject']);
    expect(callsExercising('kms:ReEncryptTo', catalogue)).toEqual(['kms:ReEncryptFrom']);
  });

  it('uses the catalogue dependent actions when it lists them', () => {
    const small = buildCatalogue(
      new Map([
        ['iam', [{ name: 'PassRole', accessLevel: 'Write' }]],
        ['lambda', [{ name: 'CreateFunction', accessLevel: 'Write', dependentActions: ['iam:PassRole'] }]],
        ['example', [{ name: 'StartThing', accessLevel: 'Write', resourceTypes: [{ dependentActions: ['iam:PassRole'] }] }]],
      ]),
      'test',
    );
    // example:StartThing is in no hand table: it can only come from the catalogue.
    expect(callsExercising('iam:PassRole', small)).toEqual(['example:StartThing', 'lambda:CreateFunction']);
    expect(callsExercising('iam:CreateRole', small)).toEqual([]);
  });
});

describe('observability data file', () => {
  interface ObservabilityFile {
    dataEvents: { actions: string[]; services?: string[]; source: string[] }[];
    notLogged: { actions?: string[]; services?: string[]; source: string[] }[];
    globalServices: { services: string[] };
    permissionOnly: { action: string; exercisedBy: string[]; source: string[] }[];
  }
  const file = JSON.parse(readFileSync(join(repoRoot, 'data/aws/observability.json'), 'utf8')) as ObservabilityFile;

  it('names only actions and services the catalogue holds', () => {
    const actions = [
      ...file.dataEvents.flatMap((d) => d.actions),
      ...file.notLogged.flatMap((n) => n.actions ?? []),
      ...file.permissionOnly.flatMap((p) => [p.action, ...p.exercisedBy]),
    ];
    const services = [...file.dataEvents.flatMap((d) => d.services ?? []), ...file.notLogged.flatMap((n) => n.services ?? []), ...file.globalServices.services];
    expect(actions.filter((a) => catalogue.lookup(a) === undefined)).toEqual([]);
    expect(services.filter((s) => !catalogue.services().includes(s))).toEqual([]);
  });

  it('cites an https source for every entry', () => {
    const entries = [...file.dataEvents, ...file.notLogged, ...file.permissionOnly];
    expect(entries.filter((e) => !e.source.every((s) => s.startsWith('https://')))).toEqual([]);
  });

  it('never classes one action as both data event and not logged', () => {
    const notLogged = new Set(file.notLogged.flatMap((n) => n.actions ?? []).map((a) => a.toLowerCase()));
    expect(file.dataEvents.flatMap((d) => d.actions).filter((a) => notLogged.has(a.toLowerCase()))).toEqual([]);
  });
});

describe('severity', () => {
  it('recognises the published privilege-escalation actions, case-insensitively', () => {
    for (const a of ['iam:PassRole', 'iam:CreatePolicyVersion', 'iam:AttachRolePolicy', 'lambda:UpdateFunctionCode', 'ssm:SendCommand', 'IAM:PUTUSERPOLICY']) {
      expect(isPrivilegeEscalation(a)).toBe(true);
    }
    expect(isPrivilegeEscalation('iam:ListRoles')).toBe(false);
    expect(isPrivilegeEscalation('s3:GetObject')).toBe(false);
  });

  it('applies the documented rule', () => {
    expect(severityFor('iam:PassRole', 'Write')).toBe('critical');
    expect(severityFor('iam:AttachRolePolicy', 'Permissions management')).toBe('critical');
    expect(severityFor('s3:PutBucketPolicy', 'Permissions management')).toBe('high');
    expect(severityFor('s3:PutObject', 'Write')).toBe('medium');
    expect(severityFor('example:Mystery', 'Unknown')).toBe('medium');
    expect(severityFor('ec2:CreateTags', 'Tagging')).toBe('low');
    expect(severityFor('s3:GetObject', 'Read')).toBe('low');
    expect(severityFor('s3:ListAllMyBuckets', 'List')).toBe('low');
  });

  it('lists only actions the catalogue holds', () => {
    const file = JSON.parse(readFileSync(join(repoRoot, 'data/aws/privilege-escalation.json'), 'utf8')) as {
      actions: { action: string }[];
    };
    expect(file.actions.length).toBeGreaterThan(20);
    expect(file.actions.map((a) => a.action).filter((a) => catalogue.lookup(a) === undefined)).toEqual([]);
  });
});
