#!/usr/bin/env node
// Builds the bundled demo snapshot in fixtures/aws/demo/ — a hand-made account (111122223333, the
// account id AWS documentation uses) laid out exactly as `permdrift scan files` reads it.
// Deterministic: the same script gives the same files. Run: node scripts/make-demo-snapshot.mjs
//
// The story it tells (as of 2026-11-20, 90-day window):
// - ci-deployer (role, /ci/): deploys with CloudFormation and S3; holds lambda and ssm rights it never uses.
// - nightly-report (role, /jobs/): Athena + Glue + S3 reads; its dynamodb:Scan is a data event the trail
//   does not log, but Access Advisor proves DynamoDB was never touched.
// - ml-agent (role, /agents/): an AI agent created inside the window; tried iam:CreateAccessKey (denied).
// - legacy-etl (role): last used a year ago (RoleLastUsed) — dormant.
// - terraform-ci (user): inherits PlatformOps through group platform-admins, plus an inline ec2 policy.
// - backup-bot (user): an access key unused since 2025.
// - AWSServiceRoleForSupport: service-linked, skipped by default.

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ACCOUNT = '111122223333';
const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'aws', 'demo');
const acctDir = join(root, 'aws', ACCOUNT);
rmSync(root, { recursive: true, force: true });
mkdirSync(acctDir, { recursive: true });

const write = (rel, value) => {
  const p = join(acctDir, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, typeof value === 'string' ? value : `${JSON.stringify(value, null, 4)}\n`);
};

// --- IAM: aws iam get-account-authorization-details -------------------------------------------
const doc = (...Statement) => ({ Version: '2012-10-17', Statement });
const arn = (kind, path, name) => `arn:aws:iam::${ACCOUNT}:${kind}${path}${name}`;
const trust = (service) => doc({ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' });

const platformOps = doc(
  { Sid: 'Ec2Operate', Effect: 'Allow', Action: ['ec2:Describe*', 'ec2:RunInstances', 'ec2:TerminateInstances'], Resource: '*' },
  { Sid: 'IamAdmin', Effect: 'Allow', Action: 'iam:*', Resource: '*' },
  { Sid: 'StateBucket', Effect: 'Allow', Action: ['s3:ListAllMyBuckets', 's3:GetObject', 's3:PutObject'], Resource: '*' },
  { Sid: 'NoOrgLeave', Effect: 'Deny', Action: 'iam:DeleteAccountPasswordPolicy', Resource: '*' },
);
const reportReader = doc(
  { Sid: 'Query', Effect: 'Allow', Action: ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults'], Resource: '*' },
  { Sid: 'Catalog', Effect: 'Allow', Action: ['glue:GetTable', 'glue:GetDatabase', 'glue:GetPartitions'], Resource: '*' },
  { Sid: 'Data', Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: ['arn:aws:s3:::demo-lake', 'arn:aws:s3:::demo-lake/*'] },
  {
    Sid: 'Lookups',
    Effect: 'Allow',
    Action: ['dynamodb:Scan', 'dynamodb:GetItem', 'dynamodb:DescribeTable'],
    Resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/lookups`,
  },
);
const policies = [
  {
    PolicyName: 'PlatformOps',
    PolicyId: 'ANPADEMOPLATFORMOPS01',
    Arn: `arn:aws:iam::${ACCOUNT}:policy/PlatformOps`,
    Path: '/',
    DefaultVersionId: 'v2',
    AttachmentCount: 1,
    PermissionsBoundaryUsageCount: 0,
    IsAttachable: true,
    CreateDate: '2024-02-01T10:00:00+00:00',
    UpdateDate: '2025-06-01T10:00:00+00:00',
    PolicyVersionList: [
      { Document: platformOps, VersionId: 'v2', IsDefaultVersion: true, CreateDate: '2025-06-01T10:00:00+00:00' },
      { Document: doc({ Effect: 'Allow', Action: '*', Resource: '*' }), VersionId: 'v1', IsDefaultVersion: false, CreateDate: '2024-02-01T10:00:00+00:00' },
    ],
  },
  {
    PolicyName: 'ReportReader',
    PolicyId: 'ANPADEMOREPORTREADER1',
    Arn: `arn:aws:iam::${ACCOUNT}:policy/jobs/ReportReader`,
    Path: '/jobs/',
    DefaultVersionId: 'v1',
    AttachmentCount: 1,
    PermissionsBoundaryUsageCount: 0,
    IsAttachable: true,
    CreateDate: '2024-05-01T10:00:00+00:00',
    UpdateDate: '2024-05-01T10:00:00+00:00',
    PolicyVersionList: [{ Document: reportReader, VersionId: 'v1', IsDefaultVersion: true, CreateDate: '2024-05-01T10:00:00+00:00' }],
  },
  {
    PolicyName: 'AgentBoundary',
    PolicyId: 'ANPADEMOAGENTBOUNDARY',
    Arn: `arn:aws:iam::${ACCOUNT}:policy/AgentBoundary`,
    Path: '/',
    DefaultVersionId: 'v1',
    AttachmentCount: 0,
    PermissionsBoundaryUsageCount: 1,
    IsAttachable: true,
    CreateDate: '2026-10-01T10:00:00+00:00',
    UpdateDate: '2026-10-01T10:00:00+00:00',
    PolicyVersionList: [
      {
        Document: doc({
          Effect: 'Allow',
          Action: ['bedrock:*', 's3:GetObject', 's3:ListBucket', 'secretsmanager:GetSecretValue', 'ssm:*', 'iam:CreateAccessKey'],
          Resource: '*',
        }),
        VersionId: 'v1',
        IsDefaultVersion: true,
        CreateDate: '2026-10-01T10:00:00+00:00',
      },
    ],
  },
];

const role = (name, path, created, opts) => ({
  Path: path,
  RoleName: name,
  RoleId: `AROADEMO${name
    .toUpperCase()
    .replace(/[^A-Z]/g, '')
    .padEnd(12, 'X')
    .slice(0, 12)}`,
  Arn: arn('role', path, name),
  CreateDate: created,
  AssumeRolePolicyDocument: opts.trust,
  InstanceProfileList: [],
  RolePolicyList: opts.inline ?? [],
  AttachedManagedPolicies: opts.managed ?? [],
  Tags: [],
  ...(opts.boundary ? { PermissionsBoundary: { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: opts.boundary } } : {}),
  RoleLastUsed: opts.lastUsed ?? {},
});

const authDetails = {
  UserDetailList: [
    {
      Path: '/',
      UserName: 'terraform-ci',
      UserId: 'AIDADEMOTERRAFORMCI01',
      Arn: arn('user', '/', 'terraform-ci'),
      CreateDate: '2024-02-01T10:00:00+00:00',
      GroupList: ['platform-admins'],
      AttachedManagedPolicies: [],
      Tags: [],
      UserPolicyList: [{ PolicyName: 'ec2-ops', PolicyDocument: doc({ Effect: 'Allow', Action: ['ec2:DescribeInstances', 'ec2:CreateTags'], Resource: '*' }) }],
    },
    {
      Path: '/bots/',
      UserName: 'backup-bot',
      UserId: 'AIDADEMOBACKUPBOT0001',
      Arn: arn('user', '/bots/', 'backup-bot'),
      CreateDate: '2023-03-01T10:00:00+00:00',
      GroupList: [],
      AttachedManagedPolicies: [],
      Tags: [],
      UserPolicyList: [
        {
          PolicyName: 'backup',
          PolicyDocument: doc({
            Effect: 'Allow',
            Action: ['s3:PutObject', 's3:ListBucket'],
            Resource: ['arn:aws:s3:::demo-backups', 'arn:aws:s3:::demo-backups/*'],
          }),
        },
      ],
    },
  ],
  GroupDetailList: [
    {
      Path: '/',
      GroupName: 'platform-admins',
      GroupId: 'AGPADEMOPLATFORMADM1',
      Arn: arn('group', '/', 'platform-admins'),
      CreateDate: '2024-02-01T10:00:00+00:00',
      GroupPolicyList: [],
      AttachedManagedPolicies: [{ PolicyName: 'PlatformOps', PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/PlatformOps` }],
    },
  ],
  RoleDetailList: [
    role('ci-deployer', '/ci/', '2024-03-01T10:00:00+00:00', {
      trust: doc({
        Effect: 'Allow',
        Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com` },
        Action: 'sts:AssumeRoleWithWebIdentity',
      }),
      lastUsed: { LastUsedDate: '2026-11-19T17:05:00+00:00', Region: 'us-east-1' },
      inline: [
        {
          PolicyName: 'deploy',
          PolicyDocument: doc(
            { Sid: 'Artifacts', Effect: 'Allow', Action: 's3:*', Resource: ['arn:aws:s3:::demo-artifacts', 'arn:aws:s3:::demo-artifacts/*'] },
            {
              Sid: 'Stacks',
              Effect: 'Allow',
              Action: ['cloudformation:CreateStack', 'cloudformation:UpdateStack', 'cloudformation:DescribeStacks', 'cloudformation:DeleteStack'],
              Resource: '*',
            },
            { Sid: 'PassExecRole', Effect: 'Allow', Action: 'iam:PassRole', Resource: arn('role', '/', 'cfn-exec') },
            { Sid: 'Functions', Effect: 'Allow', Action: ['lambda:UpdateFunctionCode', 'lambda:GetFunction'], Resource: '*' },
            { Sid: 'Debug', Effect: 'Allow', Action: 'ssm:SendCommand', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/env': 'dev' } } },
          ),
        },
      ],
    }),
    role('nightly-report', '/jobs/', '2024-05-01T10:00:00+00:00', {
      trust: trust('ecs-tasks.amazonaws.com'),
      lastUsed: { LastUsedDate: '2026-11-19T02:00:00+00:00', Region: 'us-east-1' },
      managed: [{ PolicyName: 'ReportReader', PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/jobs/ReportReader` }],
    }),
    role('ml-agent', '/agents/', '2026-10-25T09:00:00+00:00', {
      trust: trust('bedrock.amazonaws.com'),
      lastUsed: { LastUsedDate: '2026-11-19T12:00:00+00:00', Region: 'us-east-1' },
      boundary: `arn:aws:iam::${ACCOUNT}:policy/AgentBoundary`,
      inline: [
        {
          PolicyName: 'agent-tools',
          PolicyDocument: doc(
            { Sid: 'Models', Effect: 'Allow', Action: ['bedrock:InvokeModel', 'bedrock:ListFoundationModels'], Resource: '*' },
            { Sid: 'Knowledge', Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: ['arn:aws:s3:::demo-kb', 'arn:aws:s3:::demo-kb/*'] },
            {
              Sid: 'Secrets',
              Effect: 'Allow',
              Action: 'secretsmanager:GetSecretValue',
              Resource: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:agent/*`,
            },
            { Sid: 'Ops', Effect: 'Allow', Action: ['ssm:SendCommand', 'ssm:StartSession'], Resource: '*' },
            { Sid: 'OutsideBoundary', Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' },
          ),
        },
      ],
    }),
    role('legacy-etl', '/', '2022-01-10T10:00:00+00:00', {
      trust: trust('glue.amazonaws.com'),
      lastUsed: { LastUsedDate: '2025-11-02T04:00:00+00:00', Region: 'eu-west-1' },
      inline: [{ PolicyName: 'etl', PolicyDocument: doc({ Effect: 'Allow', Action: ['glue:*', 's3:GetObject', 's3:PutObject'], Resource: '*' }) }],
    }),
    role('AWSServiceRoleForSupport', '/aws-service-role/support.amazonaws.com/', '2022-01-01T10:00:00+00:00', {
      trust: trust('support.amazonaws.com'),
      managed: [{ PolicyName: 'AWSSupportServiceRolePolicy', PolicyArn: 'arn:aws:iam::aws:policy/aws-service-role/AWSSupportServiceRolePolicy' }],
    }),
  ],
  Policies: policies,
};
write('iam-get-account-authorization-details.json', authDetails);

// --- CloudTrail: trail description and selectors --------------------------------------------
const trailArn = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/org-audit`;
write('cloudtrail-describe-trails.json', {
  trailList: [
    {
      Name: 'org-audit',
      S3BucketName: 'demo-cloudtrail-archive',
      IncludeGlobalServiceEvents: true,
      IsMultiRegionTrail: true,
      HomeRegion: 'us-east-1',
      TrailARN: trailArn,
      LogFileValidationEnabled: true,
      HasCustomEventSelectors: true,
      HasInsightSelectors: false,
      IsOrganizationTrail: false,
    },
  ],
});
write('cloudtrail-get-event-selectors.json', {
  TrailARN: trailArn,
  EventSelectors: [
    {
      ReadWriteType: 'All',
      IncludeManagementEvents: true,
      ExcludeManagementEventSources: [],
      DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3'] }],
    },
  ],
});

// --- CloudTrail: log files as delivered to S3 -------------------------------------------------
let seed = 20261120;
const rand = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
let counter = 0;
const uuid = () => {
  counter += 1;
  const h = counter.toString(16).padStart(12, '0');
  return `d3m0${h.slice(0, 4)}-0000-4000-8000-${h}`;
};
const roleCaller = (name, path) => ({
  type: 'AssumedRole',
  principalId: `AROADEMO:${name}-session`,
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${name}/${name}-session`,
  accountId: ACCOUNT,
  accessKeyId: 'ASIADEMOEXAMPLEKEY01',
  sessionContext: {
    sessionIssuer: { type: 'Role', principalId: 'AROADEMO', arn: arn('role', path, name), accountId: ACCOUNT, userName: name },
    attributes: { creationDate: '', mfaAuthenticated: 'false' },
  },
});
const userCaller = (name, path) => ({
  type: 'IAMUser',
  principalId: `AIDADEMO${name}`,
  arn: arn('user', path, name),
  accountId: ACCOUNT,
  accessKeyId: 'AKIADEMOEXAMPLEKEY01',
  userName: name,
});

const event = (time, caller, source, name, opts = {}) => ({
  eventVersion: '1.09',
  userIdentity: caller,
  eventTime: time,
  eventSource: `${source}.amazonaws.com`,
  eventName: name,
  awsRegion: opts.region ?? 'us-east-1',
  sourceIPAddress: '198.51.100.7',
  userAgent: opts.agent ?? 'aws-sdk-js/3.700.0',
  ...(opts.error ? { errorCode: opts.error, errorMessage: opts.errorMessage ?? 'error' } : {}),
  requestParameters: opts.params ?? null,
  responseElements: null,
  requestID: uuid(),
  eventID: uuid(),
  readOnly: opts.readOnly ?? true,
  eventType: 'AwsApiCall',
  managementEvent: !opts.data,
  recipientAccountId: ACCOUNT,
  eventCategory: opts.data ? 'Data' : 'Management',
  ...(opts.data ? { resources: [{ type: 'AWS::S3::Object', ARN: opts.data }] } : {}),
});

const asOf = Date.parse('2026-11-20T00:00:00Z');
const firstDay = Date.parse('2026-08-12T00:00:00Z');
const files = new Map();
const add = (e) => {
  const day = e.eventTime.slice(0, 10).replaceAll('-', '/');
  const key = `${e.awsRegion}/${day}`;
  if (!files.has(key)) files.set(key, []);
  files.get(key).push(e);
};
const at = (dayMs, hour, minute = 0) => new Date(dayMs + hour * 3_600_000 + minute * 60_000).toISOString().replace('.000Z', 'Z');

for (let day = firstDay; day < asOf; day += 86_400_000) {
  const weekday = new Date(day).getUTCDay();
  const ci = roleCaller('ci-deployer', '/ci/');
  if (weekday >= 1 && weekday <= 5) {
    add(event(at(day, 9, 5), ci, 'cloudformation', 'DescribeStacks'));
    add(event(at(day, 9, 6), ci, 'cloudformation', 'UpdateStack', { readOnly: false, params: { stackName: 'web', roleARN: arn('role', '/', 'cfn-exec') } }));
    add(
      event(at(day, 9, 4), ci, 's3', 'PutObject', {
        readOnly: false,
        data: 'arn:aws:s3:::demo-artifacts/web.zip',
        params: { bucketName: 'demo-artifacts', key: 'web.zip' },
      }),
    );
    add(event(at(day, 9, 3), ci, 's3', 'ListObjects', { data: 'arn:aws:s3:::demo-artifacts/', params: { bucketName: 'demo-artifacts' } }));
    add(
      event(at(day, 9, 7), ci, 's3', 'HeadObject', { data: 'arn:aws:s3:::demo-artifacts/web.zip', params: { bucketName: 'demo-artifacts', key: 'web.zip' } }),
    );
    if (rand() < 0.2) add(event(at(day, 9, 8), ci, 's3', 'GetObject', { error: 'NoSuchKey', data: 'arn:aws:s3:::demo-artifacts/old.zip' }));
    const tf = userCaller('terraform-ci', '/');
    add(event(at(day, 14, 0), tf, 'ec2', 'DescribeInstances', { region: rand() < 0.5 ? 'us-east-1' : 'eu-west-1' }));
    add(event(at(day, 14, 1), tf, 'ec2', 'DescribeVpcs', { region: 'eu-west-1' }));
    add(event(at(day, 14, 2), tf, 'iam', 'GetRole', { params: { roleName: 'ci-deployer' } }));
    add(event(at(day, 14, 3), tf, 's3', 'ListBuckets'));
    add(event(at(day, 14, 4), tf, 'iam', 'ListAttachedRolePolicies', { params: { roleName: 'ci-deployer' } }));
  }
  const nr = roleCaller('nightly-report', '/jobs/');
  add(event(at(day, 2, 0), nr, 'athena', 'StartQueryExecution', { readOnly: false }));
  add(event(at(day, 2, 1), nr, 'athena', 'GetQueryExecution'));
  add(event(at(day, 2, 2), nr, 'athena', 'GetQueryResults'));
  add(event(at(day, 2, 0), nr, 'glue', 'GetTable'));
  add(event(at(day, 2, 0), nr, 'glue', 'GetDatabase'));
  add(event(at(day, 2, 3), nr, 's3', 'GetObject', { data: 'arn:aws:s3:::demo-lake/daily.parquet', params: { bucketName: 'demo-lake', key: 'daily.parquet' } }));
  add(event(at(day, 2, 3), nr, 's3', 'ListObjectsV2', { data: 'arn:aws:s3:::demo-lake/', params: { bucketName: 'demo-lake' } }));
  if (day >= Date.parse('2026-10-25T00:00:00Z')) {
    const agent = roleCaller('ml-agent', '/agents/');
    add(event(at(day, 12, 0), agent, 'bedrock', 'InvokeModel', { readOnly: true }));
    add(event(at(day, 12, 1), agent, 'secretsmanager', 'GetSecretValue'));
    add(event(at(day, 12, 2), agent, 's3', 'GetObject', { data: 'arn:aws:s3:::demo-kb/doc.md' }));
    if (day === Date.parse('2026-11-10T00:00:00Z')) {
      add(
        event(at(day, 12, 30), agent, 'iam', 'CreateAccessKey', {
          readOnly: false,
          error: 'AccessDenied',
          errorMessage: `User: arn:aws:sts::${ACCOUNT}:assumed-role/ml-agent/ml-agent-session is not authorized to perform: iam:CreateAccessKey`,
        }),
      );
    }
  }
  if (day % (7 * 86_400_000) === 0) {
    add(event(at(day, 6, 0), { type: 'AWSService', invokedBy: 'config.amazonaws.com' }, 'config', 'PutEvaluations', { readOnly: false }));
    add(
      event(at(day, 6, 1), { type: 'Root', principalId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT }, 'signin', 'ConsoleLogin', {
        readOnly: false,
      }),
    );
  }
}

for (const [key, records] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
  const [region, yyyy, mm, dd] = key.split('/');
  records.sort((a, b) => (a.eventTime < b.eventTime ? -1 : a.eventTime > b.eventTime ? 1 : 0));
  const name = `${ACCOUNT}_CloudTrail_${region}_${yyyy}${mm}${dd}T2355Z_demo${yyyy}${mm}${dd}.json.gz`;
  const rel = join('cloudtrail', 'AWSLogs', ACCOUNT, 'CloudTrail', region, yyyy, mm, dd, name);
  const p = join(acctDir, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, gzipSync(JSON.stringify({ Records: records }), { level: 9 }));
}

// --- Access Advisor for nightly-report (ACTION_LEVEL job) --------------------------------------
write('access-advisor/nightly-report.json', {
  JobStatus: 'COMPLETED',
  JobType: 'ACTION_LEVEL',
  JobCreationDate: '2026-11-19T23:00:00+00:00',
  JobCompletionDate: '2026-11-19T23:00:05+00:00',
  ServicesLastAccessed: [
    {
      ServiceName: 'Amazon Athena',
      ServiceNamespace: 'athena',
      LastAuthenticated: '2026-11-19T02:00:00+00:00',
      LastAuthenticatedEntity: arn('role', '/jobs/', 'nightly-report'),
      LastAuthenticatedRegion: 'us-east-1',
      TotalAuthenticatedEntities: 1,
    },
    { ServiceName: 'Amazon DynamoDB', ServiceNamespace: 'dynamodb', TotalAuthenticatedEntities: 0 },
    {
      ServiceName: 'AWS Glue',
      ServiceNamespace: 'glue',
      LastAuthenticated: '2026-11-19T02:00:00+00:00',
      LastAuthenticatedEntity: arn('role', '/jobs/', 'nightly-report'),
      LastAuthenticatedRegion: 'us-east-1',
      TotalAuthenticatedEntities: 1,
    },
    {
      ServiceName: 'Amazon S3',
      ServiceNamespace: 's3',
      LastAuthenticated: '2026-11-19T02:03:00+00:00',
      LastAuthenticatedEntity: arn('role', '/jobs/', 'nightly-report'),
      LastAuthenticatedRegion: 'us-east-1',
      TotalAuthenticatedEntities: 1,
      TrackedActionsLastAccessed: [
        {
          ActionName: 'ListBucket',
          LastAccessedEntity: arn('role', '/jobs/', 'nightly-report'),
          LastAccessedTime: '2026-11-19T02:03:00+00:00',
          LastAccessedRegion: 'us-east-1',
        },
      ],
    },
  ],
});

// --- Credential report (base64 CSV, as the CLI prints it) ------------------------------------
const csv = [
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated',
  `<root_account>,arn:aws:iam::${ACCOUNT}:root,2022-01-01T10:00:00+00:00,not_supported,2026-11-16T06:01:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`,
  `backup-bot,${arn('user', '/bots/', 'backup-bot')},2023-03-01T10:00:00+00:00,false,N/A,N/A,N/A,false,true,2023-03-01T10:05:00+00:00,2025-06-30T03:00:00+00:00,us-east-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`,
  `terraform-ci,${arn('user', '/', 'terraform-ci')},2024-02-01T10:00:00+00:00,false,N/A,N/A,N/A,false,true,2026-09-01T10:00:00+00:00,2026-11-19T14:04:00+00:00,eu-west-1,ec2,true,2024-02-01T10:00:00+00:00,N/A,N/A,N/A,false,N/A,false,N/A`,
].join('\n');
write('iam-get-credential-report.json', { Content: Buffer.from(csv).toString('base64'), ReportFormat: 'text/csv', GeneratedTime: '2026-11-19T23:30:00+00:00' });

// --- Proof of delivery: trail status and the collection manifest, as `permdrift collect aws`
// writes them. Coverage comes from them (quiet days are proven quiet), not from the first and
// last record. The collection asked for the 100 days the logs hold and read them all.
write('cloudtrail-get-trail-status.json', {
  IsLogging: true,
  LatestDeliveryTime: '2026-11-19T23:59:41.372000+00:00',
  LatestDeliveryAttemptTime: '2026-11-19T23:59:41Z',
  LatestDeliveryAttemptSucceeded: '2026-11-19T23:59:41Z',
  LatestDigestDeliveryTime: '2026-11-19T23:31:07.114000+00:00',
  StartLoggingTime: '2025-06-02T09:14:55.020000+00:00',
  TimeLoggingStarted: '2025-06-02T09:14:55Z',
  TimeLoggingStopped: '',
});
const readAt = '2026-11-20T00:04:38.000Z';
const logsFrom = '2026-08-12T00:00:00.000Z';
write('collect-manifest.json', {
  schemaVersion: 1,
  provider: 'aws',
  scope: ACCOUNT,
  tool: 'permdrift 0.1.0',
  startedAt: '2026-11-20T00:01:12.000Z',
  finishedAt: readAt,
  sources: {
    'iam-get-account-authorization-details': { readAt: '2026-11-20T00:01:15.000Z' },
    'iam-get-credential-report': { readAt: '2026-11-20T00:01:40.000Z' },
    'access-advisor': { readAt: '2026-11-20T00:02:30.000Z' },
    'cloudtrail-describe-trails': { readAt: '2026-11-20T00:02:31.000Z' },
    'cloudtrail-get-event-selectors': { readAt: '2026-11-20T00:02:31.000Z' },
    'cloudtrail-get-trail-status': { readAt: '2026-11-20T00:02:32.000Z' },
    cloudtrail: { readAt },
  },
  logs: {
    source: 's3',
    requested: { start: logsFrom, end: readAt },
    complete: ['eu-west-1', 'us-east-1'].map((scope) => ({ scope, start: logsFrom, end: readAt })),
    failed: [],
    filesWritten: files.size,
  },
});

console.log(`demo snapshot written to ${root} (${files.size} log files)`);
