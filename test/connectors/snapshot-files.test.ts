/**
 * The small provider files of a snapshot: event selectors, Access Advisor details, the credential
 * report — on real public data (CloudMapper demo, BSD-3) where it exists, and on the shapes the AWS
 * documentation shows where it does not.
 */

import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAccessAdvisorFile } from '../../src/connectors/aws/access-advisor.js';
import { parseCredentialReport } from '../../src/connectors/aws/credential-report.js';
import { parseEventSelectors } from '../../src/connectors/aws/event-selectors.js';
import { discoverAwsSnapshot, loadAwsAccount } from '../../src/connectors/aws/snapshot.js';
import { InputError } from '../../src/model/errors.js';

const CLOUDMAPPER = join(import.meta.dirname, '..', '..', 'fixtures', 'aws', 'cloudmapper-demo');
const readJson = (p: string): unknown => JSON.parse(readFileSync(p, 'utf8'));

describe('event selectors', () => {
  it('reads basic selectors: management read/write, S3 data events for all buckets, excluded sources', () => {
    const cov = parseEventSelectors(
      {
        TrailARN: 'arn:aws:cloudtrail:us-east-1:123456789012:trail/t',
        EventSelectors: [
          {
            ReadWriteType: 'WriteOnly',
            IncludeManagementEvents: true,
            ExcludeManagementEventSources: ['kms.amazonaws.com'],
            DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3'] }],
          },
          {
            ReadWriteType: 'ReadOnly',
            IncludeManagementEvents: false,
            DataResources: [{ Type: 'AWS::Lambda::Function', Values: ['arn:aws:lambda:us-east-1:123456789012:function:one'] }],
          },
        ],
      },
      'sel.json',
    );
    expect(cov).toEqual({
      kind: 'selectors',
      source: 'sel.json',
      management: { read: false, write: true, excludedSources: ['kms.amazonaws.com'] },
      dataEvents: [
        { resourceType: 'AWS::Lambda::Function', read: true, write: false, isPartial: true },
        { resourceType: 'AWS::S3::Object', read: false, write: true, isPartial: false },
      ],
    });
  });

  it('reads advanced selectors: categories, readOnly, resource types; extra filters make data events partial', () => {
    const cov = parseEventSelectors(
      {
        AdvancedEventSelectors: [
          {
            Name: 'mgmt',
            FieldSelectors: [
              { Field: 'eventCategory', Equals: ['Management'] },
              { Field: 'eventSource', NotEquals: ['rdsdata.amazonaws.com'] },
            ],
          },
          {
            Name: 's3',
            FieldSelectors: [
              { Field: 'eventCategory', Equals: ['Data'] },
              { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
              { Field: 'readOnly', Equals: ['true'] },
            ],
          },
          {
            Name: 'ddb',
            FieldSelectors: [
              { Field: 'eventCategory', Equals: ['Data'] },
              { Field: 'resources.type', Equals: ['AWS::DynamoDB::Table'] },
              { Field: 'resources.ARN', StartsWith: ['arn:aws:dynamodb:us-east-1:123456789012:table/a'] },
            ],
          },
        ],
      },
      'adv.json',
    );
    expect(cov.kind).toBe('selectors');
    if (cov.kind !== 'selectors') return;
    expect(cov.management).toEqual({ read: true, write: true, excludedSources: ['rdsdata.amazonaws.com'] });
    expect(cov.dataEvents).toEqual([
      { resourceType: 'AWS::DynamoDB::Table', read: true, write: true, isPartial: true },
      { resourceType: 'AWS::S3::Object', read: true, write: false, isPartial: false },
    ]);
  });

  it('rejects a file that is not selectors output', () => {
    expect(() => parseEventSelectors({ trailList: [] }, 'x.json')).toThrow(InputError);
  });
});

describe('Access Advisor (CloudMapper demo data)', () => {
  it('parses every service-last-accessed file and the job pointers', () => {
    const dir = join(CLOUDMAPPER, 'service-last-accessed');
    const files = readdirSync(dir);
    expect(files).toHaveLength(4);
    for (const f of files) {
      const parsed = parseAccessAdvisorFile(readJson(join(dir, f)), f);
      expect(parsed.kind).toBe('details');
      if (parsed.kind !== 'details') continue;
      expect(parsed.record.jobCompletionDate).toBe('2019-05-03T21:56:43.085Z');
      expect(parsed.record.services.map((s) => s.serviceNamespace)).toEqual(['logs']);
      expect(parsed.record.services[0]?.lastAuthenticated).toBe('2019-04-15T04:19:00.000Z');
    }
    const pointer = parseAccessAdvisorFile(readJson(join(CLOUDMAPPER, 'generate-jobs', 'level1.json')), 'level1.json');
    expect(pointer).toEqual({ kind: 'pointer', jobId: 'a2b53fd9-88bc-d0b5-1b9a-af9c4af22374' });
  });

  it('matches job pointers to roles by file name in a snapshot', async () => {
    const root = mkdtempSync(join(tmpdir(), 'permdrift-aa-'));
    const acct = join(root, 'aws', '123456789012');
    mkdirSync(join(acct, 'access-advisor'), { recursive: true });
    cpSync(join(CLOUDMAPPER, 'iam-get-account-authorization-details.json'), join(acct, 'iam-get-account-authorization-details.json'));
    cpSync(join(CLOUDMAPPER, 'generate-jobs'), join(acct, 'access-advisor'), { recursive: true });
    cpSync(join(CLOUDMAPPER, 'service-last-accessed'), join(acct, 'access-advisor'), { recursive: true });
    const [files] = await discoverAwsSnapshot(root);
    expect(files?.accessAdvisor).toHaveLength(8);
    const loaded = await loadAwsAccount(files!, { windowStart: '2019-02-01T00:00:00Z', asOf: '2019-05-04T00:00:00Z', workers: 1 });
    const byPrincipal = new Map(loaded.inventory.accessAdvisor.map((r) => [r.principalArn.split('/').at(-1), r.source]));
    expect(byPrincipal.get('level1')).toContain('a2b53fd9-88bc-d0b5-1b9a-af9c4af22374');
    expect(byPrincipal.get('exfiller')).toContain('a2b53fd9-88bc-d0b5-1b9a-af9c4af22371');
    expect(byPrincipal.get('level3')).toContain('a2b53fd9-88bc-d0b5-1b9a-af9c4af22375');
    expect(byPrincipal.get('bad_role')).toContain('a2b53fd9-88bc-d0b5-1b9a-af9c4af22373');
    expect(loaded.warnings.filter((w) => w.code.startsWith('access-advisor'))).toEqual([]);
  });
});

describe('credential report (CloudMapper demo data)', () => {
  it('decodes the base64 CSV, skips the root row and reads key use', () => {
    const report = parseCredentialReport(readJson(join(CLOUDMAPPER, 'iam-get-credential-report.json')), 'cr.json');
    expect(report.generatedTime).toBe('2019-05-07T15:40:22.000Z');
    expect(report.entries.map((e) => e.user)).toEqual(['auditor_tmp', 'user']);
    const user = report.entries.find((e) => e.user === 'user');
    expect(user?.accessKeys[1]).toEqual({
      slot: 2,
      isActive: true,
      lastRotated: '2018-05-07T15:35:54.000Z',
      lastUsedDate: '2018-05-07T15:35:54.000Z',
      lastUsedService: 's3',
    });
    expect(user?.passwordEnabled).toBe(true);
    const tmpUser = report.entries.find((e) => e.user === 'auditor_tmp');
    expect(tmpUser?.accessKeys[0]?.lastUsedDate).toBeNull();
  });

  it('rejects other JSON', () => {
    expect(() => parseCredentialReport({ Users: [] }, 'x.json')).toThrow(/credential-report/);
  });
});
