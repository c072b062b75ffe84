/**
 * A generated fake account for measuring a live collection at size: N roles with inline policies,
 * and an S3 archive of D days × regions × files, each gz file holding CloudTrail records of those
 * roles. Deterministic (no randomness), so request counts are exact.
 */

import { gzipSync } from 'node:zlib';
import type { FakeAccount, JsonObject } from './account.js';

export interface ScaleOptions {
  principals: number;
  days: number;
  asOf: Date;
  regions: string[];
  filesPerDay: number;
  recordsPerFile: number;
  accountId?: string;
}

const ACTIONS: [string, string][] = [
  ['s3.amazonaws.com', 'ListBuckets'],
  ['ec2.amazonaws.com', 'DescribeInstances'],
  ['sqs.amazonaws.com', 'SendMessage'],
  ['dynamodb.amazonaws.com', 'GetItem'],
];

export function scaleAccount(o: ScaleOptions): FakeAccount {
  const ACCOUNT = o.accountId ?? '123456789012';
  const roles: JsonObject[] = [];
  for (let i = 0; i < o.principals; i++) {
    const name = `svc-${String(i).padStart(4, '0')}`;
    roles.push({
      Path: '/',
      RoleName: name,
      RoleId: `AROASCALE${String(i).padStart(11, '0')}`,
      Arn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
      CreateDate: '2024-01-01T00:00:00Z',
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
      InstanceProfileList: [],
      RolePolicyList: [
        {
          PolicyName: 'app',
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: ['s3:ListAllMyBuckets', 'ec2:DescribeInstances', 'sqs:SendMessage', 'dynamodb:GetItem', 'dynamodb:PutItem'],
                Resource: '*',
              },
            ],
          },
        },
      ],
      AttachedManagedPolicies: [],
      Tags: [],
    });
  }
  const objects: Record<string, Buffer> = {};
  const dayMs = 86_400_000;
  let n = 0;
  for (let d = 0; d < o.days; d++) {
    const day = new Date(o.asOf.getTime() - (d + 1) * dayMs);
    const ymd = `${day.getUTCFullYear()}/${String(day.getUTCMonth() + 1).padStart(2, '0')}/${String(day.getUTCDate()).padStart(2, '0')}`;
    for (const region of o.regions) {
      for (let f = 0; f < o.filesPerDay; f++) {
        const records: JsonObject[] = [];
        for (let r = 0; r < o.recordsPerFile; r++, n++) {
          const role = roles[n % roles.length];
          const [source, event] = ACTIONS[n % ACTIONS.length] ?? ACTIONS[0] ?? ['', ''];
          records.push({
            eventVersion: '1.09',
            userIdentity: {
              type: 'AssumedRole',
              arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${String(role?.['RoleName'])}/s`,
              accountId: ACCOUNT,
              sessionContext: { sessionIssuer: { type: 'Role', arn: String(role?.['Arn']), accountId: ACCOUNT, userName: String(role?.['RoleName']) } },
            },
            eventTime: new Date(day.getTime() + ((f * o.recordsPerFile + r) % 86_000) * 1000).toISOString().replace('.000', ''),
            eventSource: source,
            eventName: event,
            awsRegion: region,
            readOnly: true,
            managementEvent: true,
            eventCategory: 'Management',
            recipientAccountId: ACCOUNT,
          });
        }
        const key = `AWSLogs/${ACCOUNT}/CloudTrail/${region}/${ymd}/${ACCOUNT}_CloudTrail_${region}_${ymd.replace(/\//g, '')}T${String(f).padStart(2, '0')}00Z_scale${f}.json.gz`;
        objects[key] = gzipSync(JSON.stringify({ Records: records }));
      }
    }
  }
  const header =
    'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';
  return {
    accountId: ACCOUNT,
    callerArn: `arn:aws:sts::${ACCOUNT}:assumed-role/permdrift-audit/scale`,
    callerUserId: 'AROASCALEAUDIT:scale',
    authorizationDetails: { UserDetailList: [], GroupDetailList: [], RoleDetailList: roles, Policies: [] },
    trails: [
      {
        Name: 'main',
        S3BucketName: 'scale-trail',
        IsMultiRegionTrail: true,
        HomeRegion: 'us-east-1',
        TrailARN: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/main`,
        IsOrganizationTrail: false,
        IncludeGlobalServiceEvents: true,
      },
    ],
    eventSelectors: {
      TrailARN: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/main`,
      EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] }],
    },
    trailLoggingSince: '2024-01-01T00:00:00Z',
    accessAdvisor: {},
    credentialReport: {
      Content: Buffer.from(
        `${header}\n<root_account>,arn:aws:iam::${ACCOUNT}:root,2024-01-01T00:00:00+00:00,not_supported,N/A,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n`,
      ).toString('base64'),
      ReportFormat: 'text/csv',
      GeneratedTime: o.asOf.toISOString(),
    },
    buckets: { 'scale-trail': objects },
    lookupEvents: {},
  };
}
