import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCatalogue, loadAwsCatalogue } from '../../src/catalogue/aws-catalogue.js';
import { eventSourceToPrefix, mapEventToAction, mapEventToActions, stripVersionSuffix } from '../../src/engine/aws/event-map.js';
import type { ActionCatalogue } from '../../src/model/aws/catalogue.js';

const repoRoot = join(import.meta.dirname, '..', '..');
let catalogue: ActionCatalogue;

beforeAll(async () => {
  catalogue = await loadAwsCatalogue();
});

describe('eventSourceToPrefix', () => {
  it.each([
    ['ec2.amazonaws.com', 'ec2'],
    ['monitoring.amazonaws.com', 'cloudwatch'],
    ['streams.dynamodb.amazonaws.com', 'dynamodb'],
    ['tagging.amazonaws.com', 'tag'],
    ['servicecatalog-appregistry.amazonaws.com', 'servicecatalog'],
    ['EC2.AmazonAWS.com', 'ec2'],
  ])('%s → %s', (source, prefix) => {
    expect(eventSourceToPrefix(source)).toBe(prefix);
  });

  it('rejects sources that are not AWS service hosts', () => {
    expect(eventSourceToPrefix('example.com')).toBeNull();
    expect(eventSourceToPrefix('.amazonaws.com')).toBeNull();
  });
});

describe('stripVersionSuffix', () => {
  it.each([
    ['UpdateFunctionCode20150331v2', 'UpdateFunctionCode'],
    ['CreateFunction20150331', 'CreateFunction'],
    ['ListFunctions20150331', 'ListFunctions'],
    ['CreateDistribution2020_05_31', 'CreateDistribution'],
    ['DescribeInstances', 'DescribeInstances'],
    // A name that is only digits would otherwise become empty.
    ['20150331', '20150331'],
  ])('%s → %s', (input, output) => {
    expect(stripVersionSuffix(input)).toBe(output);
  });
});

describe('mapEventToAction over the real catalogue', () => {
  it.each([
    ['s3.amazonaws.com', 'ListBuckets', 's3:ListAllMyBuckets'],
    ['s3.amazonaws.com', 'ListObjects', 's3:ListBucket'],
    ['s3.amazonaws.com', 'ListObjectsV2', 's3:ListBucket'],
    ['s3.amazonaws.com', 'HeadBucket', 's3:ListBucket'],
    ['s3.amazonaws.com', 'HeadObject', 's3:GetObject'],
    ['s3.amazonaws.com', 'GetBucketEncryption', 's3:GetEncryptionConfiguration'],
    ['s3.amazonaws.com', 'GetBucketLifecycle', 's3:GetLifecycleConfiguration'],
    ['s3.amazonaws.com', 'DeleteBucketLifecycle', 's3:PutLifecycleConfiguration'],
    ['s3.amazonaws.com', 'GetBucketReplication', 's3:GetReplicationConfiguration'],
    ['s3.amazonaws.com', 'CopyObject', 's3:PutObject'],
    ['s3.amazonaws.com', 'DeleteObjects', 's3:DeleteObject'],
    // The catalogue spells it GetBucketCORS: lookups are case-insensitive, result canonical.
    ['s3.amazonaws.com', 'GetBucketCors', 's3:GetBucketCORS'],
    ['lambda.amazonaws.com', 'UpdateFunctionCode20150331v2', 'lambda:UpdateFunctionCode'],
    ['lambda.amazonaws.com', 'CreateFunction20150331', 'lambda:CreateFunction'],
    ['lambda.amazonaws.com', 'ListFunctions20150331', 'lambda:ListFunctions'],
    ['lambda.amazonaws.com', 'Invoke', 'lambda:InvokeFunction'],
    ['cloudfront.amazonaws.com', 'CreateDistribution2020_05_31', 'cloudfront:CreateDistribution'],
    ['monitoring.amazonaws.com', 'DescribeAlarms', 'cloudwatch:DescribeAlarms'],
    ['streams.dynamodb.amazonaws.com', 'GetRecords', 'dynamodb:GetRecords'],
    ['tagging.amazonaws.com', 'GetResources', 'tag:GetResources'],
    ['kms.amazonaws.com', 'ReEncrypt', 'kms:ReEncryptFrom'],
    ['sqs.amazonaws.com', 'SendMessageBatch', 'sqs:SendMessage'],
    ['apigateway.amazonaws.com', 'GetRestApis', 'apigateway:GET'],
    ['apigateway.amazonaws.com', 'UpdateStage', 'apigateway:PATCH'],
    ['iam.amazonaws.com', 'CreateAccessKey', 'iam:CreateAccessKey'],
    ['sts.amazonaws.com', 'AssumeRole', 'sts:AssumeRole'],
  ])('%s %s → %s', (source, name, action) => {
    expect(mapEventToAction(source, name, catalogue)).toBe(action);
  });

  it('keeps the secondary actions an event may exercise', () => {
    expect(mapEventToActions('s3.amazonaws.com', 'HeadObject', catalogue)).toEqual(['s3:GetObject', 's3:GetObjectVersion']);
    expect(mapEventToActions('kms.amazonaws.com', 'ReEncrypt', catalogue)).toEqual(['kms:ReEncryptFrom', 'kms:ReEncryptTo']);
    expect(mapEventToActions('dynamodb.amazonaws.com', 'ExecuteStatement', catalogue)).toContain('dynamodb:PartiQLInsert');
  });

  it('returns null for events that are no API call or match nothing', () => {
    expect(mapEventToAction('signin.amazonaws.com', 'ConsoleLogin', catalogue)).toBeNull();
    expect(mapEventToAction('secretsmanager.amazonaws.com', 'StartSecretVersionDelete', catalogue)).toBeNull();
    expect(mapEventToAction('ec2.amazonaws.com', 'NoSuchOperationEver', catalogue)).toBeNull();
    expect(mapEventToAction('notaservice.amazonaws.com', 'ListThings', catalogue)).toBeNull();
    expect(mapEventToAction('', '', catalogue)).toBeNull();
    expect(mapEventToAction('apigateway.amazonaws.com', 'Getaway', catalogue)).toBeNull();
  });

  it('never returns an action the catalogue does not hold', () => {
    // A tiny catalogue without s3:ListAllMyBuckets: the rename must not invent it.
    const small = buildCatalogue(new Map([['s3', [{ name: 'GetObject', accessLevel: 'Read' }]]]), 'test');
    expect(mapEventToAction('s3.amazonaws.com', 'ListBuckets', small)).toBeNull();
    expect(mapEventToAction('s3.amazonaws.com', 'HeadObject', small)).toBe('s3:GetObject');
  });

  it('every hand-curated and derived override names real catalogue actions', () => {
    const manual = JSON.parse(readFileSync(join(repoRoot, 'data/aws/event-map-manual.json'), 'utf8')) as {
      actions: Record<string, string[]>;
    };
    const derived = JSON.parse(readFileSync(join(repoRoot, 'data/aws/event-map.json'), 'utf8')) as {
      actions: Record<string, string[]>;
    };
    const missing = Object.values(manual.actions)
      .flat()
      .filter((a) => catalogue.lookup(a) === undefined);
    expect(missing).toEqual([]);
    // The derived table may lag the catalogue; most of it must still resolve.
    const derivedActions = Object.values(derived.actions).flat();
    const resolved = derivedActions.filter((a) => catalogue.lookup(a) !== undefined);
    expect(resolved.length / derivedActions.length).toBeGreaterThan(0.9);
  });
});

describe('Invictus CloudTrail sample (2,900 real events)', () => {
  interface RawEvent {
    eventSource: string;
    eventName: string;
    eventType?: string;
  }
  const dir = join(repoRoot, 'fixtures/aws/invictus-cloudtrail/CloudTrail');
  const events: RawEvent[] = readdirSync(dir).flatMap((f) => (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { Records: RawEvent[] }).Records);

  it('maps every API call to a catalogue action', () => {
    const apiCalls = events.filter((e) => e.eventType === 'AwsApiCall');
    const unmapped = [
      ...new Set(apiCalls.filter((e) => mapEventToAction(e.eventSource, e.eventName, catalogue) === null).map((e) => `${e.eventSource} ${e.eventName}`)),
    ];
    expect(apiCalls.length).toBeGreaterThan(2800);
    expect(unmapped).toEqual([]);
  });

  it('leaves only service events and console sign-ins unmapped (98.4% of all events map)', () => {
    const unmapped = events.filter((e) => mapEventToAction(e.eventSource, e.eventName, catalogue) === null);
    expect(events).toHaveLength(2900);
    expect(new Set(unmapped.map((e) => e.eventType))).toEqual(new Set(['AwsServiceEvent', 'AwsConsoleSignIn']));
    expect(unmapped).toHaveLength(45);
  });
});

describe('scripts/update-event-map.mjs', () => {
  it('derives event-source exceptions and renamed actions from a map.json', () => {
    const dir = mkdtempSync(join(tmpdir(), 'permdrift-event-map-'));
    const input = join(dir, 'map.json');
    const output = join(dir, 'event-map.json');
    writeFileSync(
      input,
      JSON.stringify({
        sdk_method_iam_mappings: {
          'S3.ListBuckets': [{ action: 's3:ListAllMyBuckets' }],
          'S3.GetBucketAcl': [{ action: 's3:GetBucketAcl' }],
          'S3.PutBucketReplication': [{ action: 's3:PutReplicationConfiguration' }, { action: 'iam:PassRole' }],
          'S3.GetBucketEncryption': [{ action: 's3:GetEncryptionConfiguration' }, { action: 's3express:GetEncryptionConfiguration' }],
        },
        cloudtrail_service_mappings: {
          'monitoring.amazonaws.com': 'cloudwatch',
          'ec2.amazonaws.com': 'ec2',
        },
      }),
    );
    execFileSync(process.execPath, [join(repoRoot, 'scripts/update-event-map.mjs'), input, '--out', output], { stdio: 'pipe' });
    const result = JSON.parse(readFileSync(output, 'utf8')) as {
      eventSources: Record<string, string>;
      actions: Record<string, string[]>;
    };
    expect(result.eventSources).toEqual({ 'monitoring.amazonaws.com': 'cloudwatch' });
    expect(result.actions).toEqual({
      's3:GetBucketEncryption': ['s3:GetEncryptionConfiguration'],
      's3:ListBuckets': ['s3:ListAllMyBuckets'],
      's3:PutBucketReplication': ['s3:PutReplicationConfiguration'],
    });
  });

  it('reproduces the committed data/aws/event-map.json from the vendored excerpt', () => {
    const dir = mkdtempSync(join(tmpdir(), 'permdrift-event-map-'));
    const output = join(dir, 'event-map.json');
    execFileSync(process.execPath, [join(repoRoot, 'scripts/update-event-map.mjs'), '--out', output], { stdio: 'pipe' });
    expect(readFileSync(output, 'utf8')).toBe(readFileSync(join(repoRoot, 'data/aws/event-map.json'), 'utf8'));
  });
});
