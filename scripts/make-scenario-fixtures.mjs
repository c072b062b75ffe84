#!/usr/bin/env node
// Writes the engine scenario fixtures under fixtures/aws/<scenario>/ (hand-designed, deterministic,
// shaped like real AWS CLI output). Run: node scripts/make-scenario-fixtures.mjs
// Every scenario is judged as of 2026-06-30T00:00:00Z with a 30-day window (test/engine/scenarios.test.ts).

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ACCOUNT = '210987654321';
const fixturesRoot = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'aws');
const arn = (kind, path, name) => `arn:aws:iam::${ACCOUNT}:${kind}${path}${name}`;
const doc = (...Statement) => ({ Version: '2012-10-17', Statement });
const trust = (service) => doc({ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' });

function role(name, path, opts) {
  return {
    Path: path,
    RoleName: name,
    RoleId: `AROA${name
      .toUpperCase()
      .replace(/[^A-Z0-9]/g, '')
      .padEnd(17, 'X')
      .slice(0, 17)}`,
    Arn: arn('role', path, name),
    CreateDate: opts.created ?? '2025-01-15T08:00:00+00:00',
    AssumeRolePolicyDocument: trust(opts.service ?? 'ec2.amazonaws.com'),
    InstanceProfileList: [],
    RolePolicyList: [{ PolicyName: opts.policyName ?? `${name}-policy`, PolicyDocument: doc(...opts.statements) }],
    AttachedManagedPolicies: [],
    Tags: [],
    ...(opts.lastUsed !== undefined ? { RoleLastUsed: opts.lastUsed } : {}),
  };
}

function user(name, path, statements) {
  return {
    Path: path,
    UserName: name,
    UserId: `AIDA${name
      .toUpperCase()
      .replace(/[^A-Z0-9]/g, '')
      .padEnd(17, 'X')
      .slice(0, 17)}`,
    Arn: arn('user', path, name),
    CreateDate: '2025-01-15T08:00:00+00:00',
    GroupList: [],
    AttachedManagedPolicies: [],
    Tags: [],
    UserPolicyList: [{ PolicyName: `${name}-policy`, PolicyDocument: doc(...statements) }],
  };
}

const roleCaller = (name, path, withIssuer = true) => ({
  type: 'AssumedRole',
  principalId: `AROAEXAMPLE:${name}`,
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${name}/session-1`,
  accountId: ACCOUNT,
  accessKeyId: 'ASIAEXAMPLE',
  sessionContext: withIssuer
    ? {
        sessionIssuer: { type: 'Role', principalId: 'AROAEXAMPLE', arn: arn('role', path, name), accountId: ACCOUNT, userName: name },
        attributes: { creationDate: '2026-06-01T00:00:00Z', mfaAuthenticated: 'false' },
      }
    : { attributes: { creationDate: '2026-06-01T00:00:00Z', mfaAuthenticated: 'false' } },
});
const userCaller = (name, path) => ({
  type: 'IAMUser',
  principalId: 'AIDAEXAMPLE',
  arn: arn('user', path, name),
  accountId: ACCOUNT,
  accessKeyId: 'AKIAEXAMPLE',
  userName: name,
});

let n = 0;
function event(time, caller, source, name, opts = {}) {
  n += 1;
  return {
    eventVersion: '1.08',
    userIdentity: caller,
    eventTime: time,
    eventSource: `${source}.amazonaws.com`,
    eventName: name,
    awsRegion: opts.region ?? 'us-east-1',
    sourceIPAddress: '203.0.113.10',
    userAgent: opts.userAgent ?? 'aws-cli/2.15.0',
    ...(opts.error ? { errorCode: opts.error, errorMessage: 'denied or failed' } : {}),
    requestParameters: opts.requestParameters ?? null,
    responseElements: null,
    ...(opts.additionalEventData ? { additionalEventData: opts.additionalEventData } : {}),
    requestID: `req-${n}`,
    eventID: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    readOnly: opts.readOnly ?? true,
    ...(opts.resources ? { resources: opts.resources } : {}),
    eventType: 'AwsApiCall',
    managementEvent: !opts.isDataEvent,
    recipientAccountId: ACCOUNT,
    eventCategory: opts.isDataEvent ? 'Data' : 'Management',
  };
}

/**
 * A call every `stepMs` from `fromIso` to `toIso` (both included, less the times `skip` picks) by a
 * caller outside the inventory.
 */
function serviceCalls(fromIso, toIso, stepMs, skip = () => false) {
  const out = [];
  for (let t = Date.parse(fromIso); t <= Date.parse(toIso); t += stepMs) {
    if (skip(t)) continue;
    out.push(event(new Date(t).toISOString().replace('.000Z', 'Z'), { type: 'AWSService', invokedBy: 'cloudtrail.amazonaws.com' }, 'sts', 'AssumeRole'));
  }
  return out;
}

/** A heartbeat so the logs span the whole window: a daily call, at 23:00 UTC, by a caller outside the inventory. */
const heartbeat = (fromDay, toDay) => serviceCalls(`${fromDay}T23:00:00Z`, `${toDay}T23:00:00Z`, 86_400_000);

/**
 * What `permdrift collect aws` writes beside the logs, so a scenario's quiet hours are proven quiet
 * (coverage comes from proof of delivery, not from the first and last record): a multi-region trail
 * description, a trail status that has been logging since 2025, and a collection manifest whose
 * complete span starts on the day of the first record and ends when the snapshot was read.
 */
const READ_AT = '2026-06-30T00:05:00.000Z';
const TRAIL_ARN = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/management`;
function writeTrailDescription(dir) {
  writeFileSync(
    join(dir, 'cloudtrail-describe-trails.json'),
    `${JSON.stringify({ trailList: [{ Name: 'management', S3BucketName: 'scenario-trail', IsMultiRegionTrail: true, HomeRegion: 'us-east-1', TrailARN: TRAIL_ARN, LogFileValidationEnabled: true, IsOrganizationTrail: false }] }, null, 2)}\n`,
  );
}
function writeDelivery(dir, logsFrom, source = 's3') {
  writeTrailDescription(dir);
  writeFileSync(
    join(dir, 'cloudtrail-get-trail-status.json'),
    `${JSON.stringify({ IsLogging: true, StartLoggingTime: '2025-01-02T08:00:00+00:00', LatestDeliveryTime: '2026-06-29T23:55:00+00:00' }, null, 2)}\n`,
  );
  const start = `${logsFrom}T00:00:00.000Z`;
  const manifest = {
    schemaVersion: 1,
    provider: 'aws',
    scope: ACCOUNT,
    tool: 'permdrift 0.1.0',
    startedAt: '2026-06-30T00:01:00.000Z',
    finishedAt: READ_AT,
    sources: { 'iam-get-account-authorization-details': { readAt: '2026-06-30T00:01:05.000Z' }, cloudtrail: { readAt: READ_AT } },
    logs: { source, requested: { start, end: READ_AT }, complete: [{ scope: 'us-east-1', start, end: READ_AT }], failed: [], filesWritten: 1 },
  };
  writeFileSync(join(dir, 'collect-manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

function writeScenario(
  name,
  { authDetails, records, selectors, accessAdvisor, logsFrom, delivery = true, fileTime = '20260629T2355Z', fileName, extraFiles = {} },
) {
  const dir = join(fixturesRoot, name, 'aws', ACCOUNT);
  rmSync(join(fixturesRoot, name), { recursive: true, force: true });
  mkdirSync(join(dir, 'cloudtrail'), { recursive: true });
  const first =
    logsFrom ??
    records
      .map((r) => r.eventTime)
      .filter((t) => typeof t === 'string')
      .sort()[0]
      ?.slice(0, 10);
  if (first && delivery) writeDelivery(dir, first);
  if (!delivery) writeTrailDescription(dir);
  for (const [rel, content] of Object.entries(extraFiles)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), typeof content === 'string' ? content : `${JSON.stringify(content)}\n`);
  }
  writeFileSync(
    join(dir, 'iam-get-account-authorization-details.json'),
    `${JSON.stringify({ UserDetailList: [], GroupDetailList: [], RoleDetailList: [], Policies: [], ...authDetails }, null, 2)}\n`,
  );
  records.sort((a, b) => (String(a.eventTime) < String(b.eventTime) ? -1 : 1));
  writeFileSync(
    join(dir, 'cloudtrail', fileName ?? `${ACCOUNT}_CloudTrail_us-east-1_${fileTime}_${name.replace(/[^A-Za-z0-9]/g, '')}.json`),
    `${JSON.stringify({ Records: records })}\n`,
  );
  if (selectors) writeFileSync(join(dir, 'cloudtrail-get-event-selectors.json'), `${JSON.stringify(selectors, null, 2)}\n`);
  for (const [file, content] of Object.entries(accessAdvisor ?? {})) {
    mkdirSync(join(dir, 'access-advisor'), { recursive: true });
    writeFileSync(join(dir, 'access-advisor', file), `${JSON.stringify(content, null, 2)}\n`);
  }
}

const FULL = ['2026-05-30', '2026-06-29'];
const managementOnly = {
  TrailARN: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/main`,
  EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] }],
};

// 1. S3 object-level actions are data events: with data events off they cannot be judged.
writeScenario('s3-data-events-off-unverifiable', {
  authDetails: {
    RoleDetailList: [
      role('bucket-reader', '/', {
        statements: [{ Sid: 'S3', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:ListAllMyBuckets', 's3:CreateBucket'], Resource: '*' }],
      }),
    ],
  },
  selectors: managementOnly,
  records: [...heartbeat(...FULL), event('2026-06-10T10:00:00Z', roleCaller('bucket-reader', '/'), 's3', 'ListBuckets')],
});

// 2. Lambda event names carry API-version suffixes.
writeScenario('lambda-versioned-event-names', {
  authDetails: {
    RoleDetailList: [
      role('fn-deployer', '/', {
        statements: [
          { Effect: 'Allow', Action: ['lambda:UpdateFunctionCode', 'lambda:CreateFunction', 'lambda:GetFunction', 'lambda:DeleteFunction'], Resource: '*' },
        ],
      }),
    ],
  },
  records: [
    ...heartbeat(...FULL),
    event('2026-06-11T10:00:00Z', roleCaller('fn-deployer', '/'), 'lambda', 'UpdateFunctionCode20150331v2', { readOnly: false }),
    event('2026-06-12T10:00:00Z', roleCaller('fn-deployer', '/'), 'lambda', 'GetFunction20150331v2'),
    event('2026-06-13T10:00:00Z', roleCaller('fn-deployer', '/'), 'lambda', 'CreateFunction20150331', { readOnly: false }),
  ],
});

// 3. Access-denied calls are attempts, not usage; other errors passed authorization.
writeScenario('access-denied-not-usage', {
  authDetails: {
    UserDetailList: [
      user('ci-bot', '/', [
        { Effect: 'Allow', Action: ['iam:CreateAccessKey', 'ec2:DescribeInstances', 'ec2:TerminateInstances', 's3:ListAllMyBuckets'], Resource: '*' },
      ]),
    ],
  },
  records: [
    ...heartbeat(...FULL),
    event('2026-06-05T10:00:00Z', userCaller('ci-bot', '/'), 'iam', 'CreateAccessKey', { error: 'AccessDenied', readOnly: false }),
    event('2026-06-06T10:00:00Z', userCaller('ci-bot', '/'), 'ec2', 'TerminateInstances', { error: 'Client.UnauthorizedOperation', readOnly: false }),
    event('2026-06-07T10:00:00Z', userCaller('ci-bot', '/'), 'ec2', 'DescribeInstances', { error: 'InvalidInstanceID.NotFound' }),
    event('2026-06-08T10:00:00Z', userCaller('ci-bot', '/'), 's3', 'ListBuckets', { error: 'AccessDenied' }),
  ],
});

// 4. A role with a path: sessionIssuer.arn carries it; an event without sessionIssuer still attributes by name.
writeScenario('assumed-role-with-path', {
  authDetails: {
    RoleDetailList: [
      role('loader', '/service-role/etl/', {
        statements: [{ Effect: 'Allow', Action: ['glue:GetTable', 'glue:CreateTable', 'glue:GetDatabase'], Resource: '*' }],
      }),
      role('loader-v2', '/', { statements: [{ Effect: 'Allow', Action: ['glue:GetTable', 'glue:GetDatabase'], Resource: '*' }] }),
    ],
  },
  records: [
    ...heartbeat(...FULL),
    event('2026-06-10T10:00:00Z', roleCaller('loader', '/service-role/etl/'), 'glue', 'GetTable'),
    event('2026-06-11T10:00:00Z', roleCaller('loader', '/service-role/etl/', false), 'glue', 'GetDatabase'),
    event('2026-06-12T10:00:00Z', roleCaller('loader-v2', '/'), 'glue', 'GetTable'),
  ],
});

// 5. A role created inside the window is observed only for its lifetime: never dormant.
writeScenario('created-inside-window-not-dormant', {
  authDetails: {
    RoleDetailList: [
      role('fresh-agent', '/agents/', {
        created: '2026-06-20T09:00:00+00:00',
        lastUsed: {},
        statements: [{ Effect: 'Allow', Action: ['sqs:SendMessage', 'sqs:ListQueues'], Resource: '*' }],
      }),
      role('idle-agent', '/agents/', {
        created: '2025-02-01T09:00:00+00:00',
        lastUsed: {},
        statements: [{ Effect: 'Allow', Action: ['sqs:SendMessage', 'sqs:ListQueues'], Resource: '*' }],
      }),
      role('old-job', '/', {
        created: '2024-02-01T09:00:00+00:00',
        lastUsed: { LastUsedDate: '2026-01-03T04:00:00+00:00', Region: 'us-east-1' },
        statements: [{ Effect: 'Allow', Action: 'sqs:ListQueues', Resource: '*' }],
      }),
    ],
  },
  records: [...heartbeat(...FULL)],
});

// 6. Access Advisor proves a whole service was never used, even where CloudTrail has no data events.
writeScenario('access-advisor-service-never-used', {
  authDetails: {
    RoleDetailList: [
      role('batch', '/', {
        lastUsed: { LastUsedDate: '2026-06-28T04:00:00+00:00', Region: 'us-east-1' },
        statements: [{ Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:DescribeTable', 's3:GetObject'], Resource: '*' }],
      }),
    ],
  },
  records: [...heartbeat(...FULL)],
  accessAdvisor: {
    'batch.json': {
      JobStatus: 'COMPLETED',
      JobType: 'SERVICE_LEVEL',
      JobCreationDate: '2026-06-29T22:00:00+00:00',
      JobCompletionDate: '2026-06-29T22:00:03+00:00',
      ServicesLastAccessed: [
        { ServiceName: 'Amazon DynamoDB', ServiceNamespace: 'dynamodb', TotalAuthenticatedEntities: 0 },
        {
          ServiceName: 'Amazon S3',
          ServiceNamespace: 's3',
          LastAuthenticated: '2026-06-28T04:00:00+00:00',
          LastAuthenticatedEntity: arn('role', '/', 'batch'),
          LastAuthenticatedRegion: 'us-east-1',
          TotalAuthenticatedEntities: 1,
        },
      ],
    },
  },
});

// 7. Logs that start after the window start: nothing is called unused from them.
writeScenario('logs-shorter-than-window', {
  authDetails: {
    RoleDetailList: [
      role('reporter', '/', { statements: [{ Effect: 'Allow', Action: ['athena:StartQueryExecution', 'athena:GetQueryResults'], Resource: '*' }] }),
    ],
  },
  records: [...heartbeat('2026-06-20', '2026-06-29'), event('2026-06-25T10:00:00Z', roleCaller('reporter', '/'), 'athena', 'GetQueryResults')],
});

// 8. iam:PassRole is never logged on its own: judged through the calls that take a role.
writeScenario('passrole-judged-through-calls', {
  authDetails: {
    RoleDetailList: [
      role('fn-builder', '/', {
        statements: [
          {
            Effect: 'Allow',
            Action: ['iam:PassRole', 'lambda:CreateFunction', 'lambda:TagResource', 'ec2:DescribeInstances', 'ec2:CreateTags'],
            Resource: '*',
          },
        ],
      }),
      role('inventory-reader', '/', { statements: [{ Effect: 'Allow', Action: ['iam:PassRole', 'iam:GetRole', 'ec2:DescribeInstances'], Resource: '*' }] }),
    ],
  },
  records: [
    ...heartbeat(...FULL),
    event('2026-06-10T10:00:00Z', roleCaller('fn-builder', '/'), 'lambda', 'CreateFunction20150331', { readOnly: false }),
    event('2026-06-10T10:01:00Z', roleCaller('fn-builder', '/'), 'ec2', 'DescribeInstances'),
    event('2026-06-11T10:00:00Z', roleCaller('inventory-reader', '/'), 'ec2', 'DescribeInstances'),
    event('2026-06-11T10:00:00Z', roleCaller('inventory-reader', '/'), 'iam', 'GetRole'),
  ],
});

// 9. Logs that are only `aws cloudtrail lookup-events` output, for one region.
{
  const records = [
    ...heartbeat(...FULL),
    event('2026-06-10T10:00:00Z', roleCaller('auditor', '/'), 'ec2', 'DescribeInstances'),
    event('2026-06-10T10:01:00Z', roleCaller('auditor', '/'), 'iam', 'ListRoles'),
  ];
  writeScenario('lookup-events-single-region', {
    authDetails: {
      RoleDetailList: [
        role('auditor', '/', {
          statements: [{ Effect: 'Allow', Action: ['ec2:DescribeInstances', 'ec2:DescribeVolumes', 'iam:ListRoles', 'iam:GetRole'], Resource: '*' }],
        }),
      ],
    },
    records: [],
    logsFrom: FULL[0],
  });
  writeDelivery(join(fixturesRoot, 'lookup-events-single-region', 'aws', ACCOUNT), FULL[0], 'lookup-events');
  const dir = join(fixturesRoot, 'lookup-events-single-region', 'aws', ACCOUNT, 'cloudtrail');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  records.sort((a, b) => (a.eventTime < b.eventTime ? 1 : -1));
  const lookup = {
    Events: records.map((r) => ({
      EventId: r.eventID,
      EventName: r.eventName,
      ReadOnly: String(r.readOnly),
      AccessKeyId: r.userIdentity.accessKeyId ?? '',
      EventTime: Date.parse(r.eventTime) / 1000,
      EventSource: r.eventSource,
      Username: r.userIdentity.userName ?? '',
      Resources: [],
      CloudTrailEvent: JSON.stringify(r),
    })),
  };
  writeFileSync(join(dir, 'lookup-events-us-east-1.json'), `${JSON.stringify(lookup, null, 4)}\n`);
}

/** Hourly activity by a caller outside the inventory, so the log files alone prove delivery (no manifest). */
const hourly = (fromIso, toIso, skip) => serviceCalls(fromIso, toIso, 3_600_000, skip);
const watcher = (statements) => ({ RoleDetailList: [role('watcher', '/', { statements })] });
const WATCHER_GRANTS = [{ Effect: 'Allow', Action: ['sqs:ListQueues', 'sqs:DeleteQueue'], Resource: '*' }];
const trailCall = (time, name, extra = {}) => ({
  ...event(time, userCaller('mallory', '/'), 'cloudtrail', name, { readOnly: false }),
  requestParameters: { name: TRAIL_ARN },
  ...extra,
});

// 10. StopLogging inside the window: the days until StartLogging are a gap, whatever the records around them say.
{
  const stop = Date.parse('2026-06-10T12:00:00Z');
  const start = Date.parse('2026-06-12T12:00:00Z');
  writeScenario('stoplogging-gap', {
    authDetails: watcher(WATCHER_GRANTS),
    delivery: false,
    records: [
      ...hourly('2026-05-29T23:00:00Z', '2026-06-29T23:00:00Z', (t) => t > stop && t < start),
      trailCall('2026-06-10T12:00:00Z', 'StopLogging'),
      trailCall('2026-06-12T12:00:00Z', 'StartLogging'),
      event('2026-06-20T10:00:00Z', roleCaller('watcher', '/'), 'sqs', 'ListQueues'),
    ],
  });
}

// 11. A quiet tail: the last record is 34 hours before --as-of. Hourly digest files prove the trail
// was delivering (listing no log files); the same snapshot without them cannot judge the tail.
{
  const last = '2026-06-28T14:00:00Z';
  const records = [...hourly('2026-05-29T23:00:00Z', last), event('2026-06-20T10:00:00Z', roleCaller('watcher', '/'), 'sqs', 'ListQueues')];
  const digests = {};
  let previous = `AWSLogs/${ACCOUNT}/CloudTrail-Digest/us-east-1/2026/06/28/${ACCOUNT}_CloudTrail-Digest_us-east-1_management_us-east-1_20260628T140000Z.json.gz`;
  for (let t = Date.parse(last); t < Date.parse('2026-06-30T00:00:00Z'); t += 3_600_000) {
    const end = new Date(t + 3_600_000);
    const stamp = end
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
    const day = end.toISOString().slice(0, 10).replace(/-/g, '/');
    const key = `AWSLogs/${ACCOUNT}/CloudTrail-Digest/us-east-1/${day}/${ACCOUNT}_CloudTrail-Digest_us-east-1_management_us-east-1_${stamp}.json.gz`;
    digests[`cloudtrail/CloudTrail-Digest/us-east-1/${day}/${ACCOUNT}_CloudTrail-Digest_us-east-1_management_us-east-1_${stamp}.json`] = {
      awsAccountId: ACCOUNT,
      digestStartTime: new Date(t).toISOString().replace('.000Z', 'Z'),
      digestEndTime: end.toISOString().replace('.000Z', 'Z'),
      digestS3Bucket: 'scenario-trail',
      digestS3Object: key,
      digestPublicKeyFingerprint: '0123456789abcdef0123456789abcdef',
      digestSignatureAlgorithm: 'SHA256withRSA',
      newestEventTime: null,
      oldestEventTime: null,
      previousDigestS3Bucket: 'scenario-trail',
      previousDigestS3Object: previous,
      previousDigestHashValue: '00',
      previousDigestHashAlgorithm: 'SHA-256',
      previousDigestSignature: '00',
      logFiles: [],
    };
    previous = key;
  }
  const fileTime = '20260628T1405Z';
  writeScenario('quiet-tail-digests', { authDetails: watcher(WATCHER_GRANTS), delivery: false, records: [...records], fileTime, extraFiles: digests });
  writeScenario('quiet-tail-no-proof', { authDetails: watcher(WATCHER_GRANTS), delivery: false, records: [...records], fileTime });
}

// 12. Records without a usable time: one dated by its CloudTrail file name counts as use; one in a
// file without such a name makes its caller unverifiable, never unused.
{
  const undated = (caller, source, name, eventTime) => {
    const e = event('2026-06-20T10:00:00Z', caller, source, name);
    if (eventTime === undefined) delete e.eventTime;
    else e.eventTime = eventTime;
    return e;
  };
  writeScenario('garbage-event-time', {
    authDetails: {
      RoleDetailList: [
        role('dated-by-file', '/', { statements: [{ Effect: 'Allow', Action: ['sqs:ListQueues', 'sqs:DeleteQueue'], Resource: '*' }] }),
        role('undatable', '/', { statements: [{ Effect: 'Allow', Action: ['sns:ListTopics', 'sns:DeleteTopic'], Resource: '*' }] }),
        role('epoch-timed', '/', { statements: [{ Effect: 'Allow', Action: ['kms:ListKeys', 'kms:ScheduleKeyDeletion'], Resource: '*' }] }),
      ],
    },
    records: [
      ...heartbeat(...FULL),
      undated(roleCaller('dated-by-file', '/'), 'sqs', 'DeleteQueue', 'not a time'),
      // Epoch milliseconds, as some SIEM exports write them: 2026-06-20T10:00:00Z.
      undated(roleCaller('epoch-timed', '/'), 'kms', 'ListKeys', Date.parse('2026-06-20T10:00:00Z')),
    ],
    extraFiles: {
      'cloudtrail/siem-export/export.json': `${JSON.stringify({ Records: [undated(roleCaller('undatable', '/'), 'sns', 'DeleteTopic', 'yesterday'), undated(roleCaller('undatable', '/'), 'sns', 'ListTopics', undefined)] })}\n`,
    },
  });
}

// 13. Zone-less times (`2026-06-20T10:00:00`) are UTC whatever the machine's TZ: DeleteQueue at
// `2026-06-30T00:30:00` is after --as-of in UTC (so unused), but read in Pacific/Auckland's local
// time it would fall inside the window; the reports must be identical under both TZ settings.
writeScenario('zoneless-times', {
  authDetails: watcher(WATCHER_GRANTS),
  records: [
    ...heartbeat(...FULL),
    { ...event('2026-06-20T10:00:00Z', roleCaller('watcher', '/'), 'sqs', 'ListQueues'), eventTime: '2026-06-20T10:00:00' },
    { ...event('2026-06-29T23:30:00Z', roleCaller('watcher', '/'), 'sqs', 'DeleteQueue'), eventTime: '2026-06-30T00:30:00' },
  ],
});

// 10. Dependent actions: BatchGetSecretValue is authorized through GetSecretValue on each secret
// (ListSecrets with filters), GetObjectAttributes through GetObject. CloudTrail records only the
// call, so the actions it goes through are credited as used, on grants whose resources can match.
// The per-secret GetSecretValue entries Secrets Manager also writes for a batch are left out on
// purpose: the credit must not depend on them (an export filtered by event name drops them).
{
  const objectAttributes = (caller, bucket, key) =>
    event('2026-06-20T08:15:00Z', caller, 's3', 'GetObjectAttributes', {
      isDataEvent: true,
      userAgent: 'aws-sdk-java/2.25.11 Linux/5.10 OpenJDK_64-Bit_Server_VM/17.0.10',
      requestParameters: {
        bucketName: bucket,
        Host: `${bucket}.s3.us-east-1.amazonaws.com`,
        attributes: '',
        key,
        'x-amz-object-attributes': 'ETag,ObjectSize,StorageClass',
      },
      additionalEventData: {
        SignatureVersion: 'SigV4',
        CipherSuite: 'TLS_AES_128_GCM_SHA256',
        bytesTransferredIn: 0,
        AuthenticationMethod: 'AuthHeader',
        'x-amz-id-2': 'EXAMPLEid2/abc123=',
        bytesTransferredOut: 0,
      },
      resources: [
        { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${bucket}/${key}` },
        { accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` },
      ],
    });
  writeScenario('dependent-actions-credited', {
    authDetails: {
      RoleDetailList: [
        role('secrets-batch-reader', '/', {
          service: 'lambda.amazonaws.com',
          statements: [{ Sid: 'Secrets', Effect: 'Allow', Action: 'secretsmanager:*', Resource: '*' }],
        }),
        role('object-attributes-reader', '/', {
          statements: [
            { Sid: 'Reports', Effect: 'Allow', Action: ['s3:GetObjectAttributes', 's3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::reports-bucket/*' },
          ],
        }),
        role('attributes-other-bucket', '/', {
          statements: [
            { Sid: 'Attributes', Effect: 'Allow', Action: 's3:GetObjectAttributes', Resource: 'arn:aws:s3:::reports-bucket/*' },
            { Sid: 'Archive', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::archive-bucket/*' },
          ],
        }),
      ],
    },
    selectors: {
      TrailARN: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/main`,
      EventSelectors: [
        {
          ReadWriteType: 'All',
          IncludeManagementEvents: true,
          DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3'] }],
          ExcludeManagementEventSources: [],
        },
      ],
    },
    records: [
      ...heartbeat(...FULL),
      event('2026-06-18T06:00:00Z', roleCaller('secrets-batch-reader', '/'), 'secretsmanager', 'BatchGetSecretValue', {
        userAgent: 'aws-sdk-js/3.600.0 ua/2.0 os/linux lang/js md/nodejs#20.15.0 api/secrets-manager#3.600.0',
        requestParameters: { filters: [{ key: 'name', values: ['app/prod/'] }], maxResults: 20 },
      }),
      objectAttributes(roleCaller('object-attributes-reader', '/'), 'reports-bucket', '2026/06/summary.csv'),
      objectAttributes(roleCaller('attributes-other-bucket', '/'), 'reports-bucket', '2026/06/summary.csv'),
    ],
  });
}

console.log('scenario fixtures written');
