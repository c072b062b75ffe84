// Generates a deterministic, CloudTrail-shaped archive for the benchmark: many 5-minute gzip files
// as delivered to S3 plus one single large gzip file, with records realistic in shape and size
// (userIdentity with sessions, requestParameters, responseElements, TLS details, some errors).
// The archive is kept under .bench/ and reused while ARCHIVE_VERSION and the sizes are unchanged.

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { createGzip } from 'node:zlib';
import { rng } from './rng.mjs';

export const ARCHIVE_VERSION = 'cloudtrail-archive-v1';

const ACCOUNT = '210987654321';
const REGIONS = ['us-east-1', 'us-east-1', 'us-east-1', 'eu-west-1', 'eu-west-1', 'us-west-2', 'ap-southeast-2', 'eu-central-1'];
const START = Date.UTC(2024, 2, 1, 0, 0, 0);

const HEX = '0123456789abcdef';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
function hex(r, n) {
  let s = '';
  for (let i = 0; i < n; i++) s += HEX[(r() * 16) | 0];
  return s;
}
function upper(r, n) {
  let s = '';
  for (let i = 0; i < n; i++) s += UPPER[(r() * 32) | 0];
  return s;
}
function uuid(r) {
  return `${hex(r, 8)}-${hex(r, 4)}-4${hex(r, 3)}-a${hex(r, 3)}-${hex(r, 12)}`;
}
function pick(r, list) {
  return list[(r() * list.length) | 0];
}
function ip(r) {
  return `${10 + ((r() * 200) | 0)}.${(r() * 255) | 0}.${(r() * 255) | 0}.${(r() * 255) | 0}`;
}

const PRINCIPALS = [
  { type: 'AssumedRole', name: 'ci-deployer', path: '/', weight: 6 },
  { type: 'AssumedRole', name: 'orders-api', path: '/service-role/', weight: 8 },
  { type: 'AssumedRole', name: 'etl-nightly', path: '/jobs/', weight: 5 },
  { type: 'AssumedRole', name: 'lambda-thumbnailer', path: '/service-role/', weight: 4 },
  { type: 'AssumedRole', name: 'AWSReservedSSO_Admin_0123456789abcdef', path: '/aws-reserved/sso.amazonaws.com/', weight: 2 },
  { type: 'AssumedRole', name: 'AWSServiceRoleForECS', path: '/aws-service-role/ecs.amazonaws.com/', weight: 2 },
  { type: 'IAMUser', name: 'legacy-backup', weight: 2 },
  { type: 'IAMUser', name: 'alice', weight: 1 },
  { type: 'IAMUser', name: 'build-bot', weight: 2 },
  { type: 'AWSService', name: 'ec2.amazonaws.com', weight: 1 },
  { type: 'FederatedUser', name: 'partner', weight: 0.3 },
  { type: 'Root', name: 'root', weight: 0.05 },
];
const PRINCIPAL_TABLE = PRINCIPALS.flatMap((p) => Array.from({ length: Math.max(1, Math.round(p.weight * 20)) }, () => p));

const AGENTS = [
  'aws-sdk-java/2.25.11 Linux/5.10.210-201.852.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/standard',
  'Boto3/1.34.51 md/Botocore#1.34.51 ua/2.0 os/linux#5.10.210 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.51',
  'aws-cli/2.15.25 Python/3.11.8 Linux/6.5.0-1014-aws exe/x86_64.ubuntu.22 prompt/off command/s3.cp',
  'aws-sdk-go-v2/1.25.2 os/linux lang/go#1.22.0 md/GOOS#linux md/GOARCH#amd64 api/dynamodb#1.30.1',
  'console.amazonaws.com',
  'AWS Internal',
];

// [eventSource, eventName, readOnly, requestParameters builder, responseElements builder]
const CALLS = [
  [
    's3.amazonaws.com',
    'GetObject',
    true,
    (r) => ({ bucketName: `orders-${pick(r, ['raw', 'curated', 'exports'])}`, Host: 's3.amazonaws.com', key: `year=2024/month=03/part-${hex(r, 20)}.parquet` }),
    () => null,
  ],
  [
    's3.amazonaws.com',
    'PutObject',
    false,
    (r) => ({ bucketName: 'orders-curated', Host: 's3.amazonaws.com', key: `tmp/${uuid(r)}.json`, 'x-amz-server-side-encryption': 'aws:kms' }),
    (r) => ({ 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-version-id': hex(r, 32) }),
  ],
  [
    's3.amazonaws.com',
    'ListObjects',
    true,
    (r) => ({ bucketName: 'orders-raw', prefix: `incoming/${hex(r, 6)}/`, 'max-keys': '1000', Host: 's3.amazonaws.com' }),
    () => null,
  ],
  [
    'dynamodb.amazonaws.com',
    'GetItem',
    true,
    (r) => ({ tableName: 'orders', key: { pk: `ORDER#${hex(r, 16)}`, sk: 'META' }, consistentRead: false }),
    () => null,
  ],
  [
    'dynamodb.amazonaws.com',
    'Query',
    true,
    (r) => ({
      tableName: 'orders',
      indexName: 'by-customer',
      keyConditionExpression: 'customerId = :c AND createdAt > :t',
      expressionAttributeValues: { ':c': { S: hex(r, 12) }, ':t': { S: '2024-02-01' } },
      limit: 100,
    }),
    () => null,
  ],
  [
    'sts.amazonaws.com',
    'AssumeRole',
    false,
    (r) => ({ roleArn: `arn:aws:iam::${ACCOUNT}:role/etl-nightly`, roleSessionName: `sess-${hex(r, 10)}`, durationSeconds: 3600 }),
    (r) => ({
      credentials: { accessKeyId: `ASIA${upper(r, 16)}`, sessionToken: `IQoJb3JpZ2luX2VjE${upper(r, 60)}`, expiration: 'Mar 1, 2024, 6:00:00 PM' },
      assumedRoleUser: { assumedRoleId: `AROA${upper(r, 17)}:sess`, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/etl-nightly/sess` },
    }),
  ],
  [
    'kms.amazonaws.com',
    'Decrypt',
    true,
    (r) => ({ encryptionContext: { 'aws:s3:arn': `arn:aws:s3:::orders-curated/tmp/${hex(r, 24)}` }, encryptionAlgorithm: 'SYMMETRIC_DEFAULT' }),
    () => null,
  ],
  [
    'lambda.amazonaws.com',
    'Invoke',
    false,
    (r) => ({
      functionName: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:thumbnailer`,
      invocationType: 'Event',
      payload: `{"bucket":"images","key":"in/${hex(r, 16)}.jpg","note":"size {w:128, h:\\"auto\\"}"}`,
    }),
    () => null,
  ],
  [
    'lambda.amazonaws.com',
    'UpdateFunctionCode20150331v2',
    false,
    (r) => ({ functionName: 'thumbnailer', s3Bucket: 'artifacts', s3Key: `thumbnailer/${hex(r, 40)}.zip`, publish: true }),
    (r) => ({ functionName: 'thumbnailer', codeSha256: upper(r, 43), version: '$LATEST', lastModified: '2024-03-01T00:00:00.000+0000' }),
  ],
  [
    'ec2.amazonaws.com',
    'DescribeInstances',
    true,
    (r) => ({ instancesSet: {}, filterSet: { items: [{ name: 'tag:team', valueSet: { items: [{ value: pick(r, ['orders', 'data', 'web']) }] } }] } }),
    () => null,
  ],
  [
    'ec2.amazonaws.com',
    'RunInstances',
    false,
    (r) => ({
      instancesSet: { items: [{ imageId: `ami-${hex(r, 17)}`, minCount: 1, maxCount: 1 }] },
      instanceType: 'm6i.large',
      iamInstanceProfile: { arn: `arn:aws:iam::${ACCOUNT}:instance-profile/web` },
    }),
    (r) => ({ reservationId: `r-${hex(r, 17)}`, instancesSet: { items: [{ instanceId: `i-${hex(r, 17)}`, currentState: { code: 0, name: 'pending' } }] } }),
  ],
  ['iam.amazonaws.com', 'GetRole', true, (r) => ({ roleName: pick(r, ['orders-api', 'etl-nightly', 'ci-deployer']) }), () => null],
  ['iam.amazonaws.com', 'PassRole', false, (r) => ({ roleName: 'ecsTaskExecutionRole', requestId: hex(r, 8) }), () => null],
  [
    'logs.amazonaws.com',
    'CreateLogStream',
    false,
    (r) => ({ logGroupName: '/aws/lambda/thumbnailer', logStreamName: `2024/03/01/[$LATEST]${hex(r, 32)}` }),
    () => null,
  ],
  [
    'monitoring.amazonaws.com',
    'PutMetricData',
    false,
    (r) => ({
      namespace: 'Orders',
      metricData: [{ metricName: 'Latency', value: r() * 100, unit: 'Milliseconds', dimensions: [{ name: 'Api', value: 'checkout' }] }],
    }),
    () => null,
  ],
  [
    'secretsmanager.amazonaws.com',
    'GetSecretValue',
    true,
    (r) => ({ secretId: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:orders/db-${upper(r, 6)}` }),
    () => null,
  ],
  ['cloudformation.amazonaws.com', 'DescribeStacks', true, (r) => ({ stackName: `orders-${pick(r, ['api', 'db', 'network'])}` }), () => null],
  [
    'sqs.amazonaws.com',
    'SendMessage',
    false,
    (r) => ({
      queueUrl: `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/orders`,
      messageBody: `{"orderId":"${hex(r, 12)}","note":"escaped \\" quote and } brace"}`,
    }),
    (r) => ({ mD5OfMessageBody: hex(r, 32), messageId: uuid(r) }),
  ],
];

const ERRORS = [
  [
    'AccessDenied',
    (arn, call) => `User: ${arn} is not authorized to perform: ${call[0].split('.')[0]}:${call[1]} because no identity-based policy allows the action`,
  ],
  ['NoSuchKey', () => 'The specified key does not exist.'],
  ['ThrottlingException', () => 'Rate exceeded'],
  ['Client.UnauthorizedOperation', () => 'You are not authorized to perform this operation. Encoded authorization failure message: ' + 'x'.repeat(120)],
  ['ResourceNotFoundException', () => 'Requested resource not found'],
];

function identity(r, p, session) {
  if (p.type === 'AssumedRole') {
    return {
      type: 'AssumedRole',
      principalId: `AROA${session.roleId}:${session.name}`,
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${p.name}/${session.name}`,
      accountId: ACCOUNT,
      accessKeyId: session.key,
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: `AROA${session.roleId}`,
          arn: `arn:aws:iam::${ACCOUNT}:role${p.path}${p.name}`,
          accountId: ACCOUNT,
          userName: p.name,
        },
        webIdFederationData: {},
        attributes: { creationDate: session.created, mfaAuthenticated: 'false' },
      },
    };
  }
  if (p.type === 'IAMUser') {
    return {
      type: 'IAMUser',
      principalId: `AIDA${session.roleId}`,
      arn: `arn:aws:iam::${ACCOUNT}:user/${p.name}`,
      accountId: ACCOUNT,
      accessKeyId: session.key,
      userName: p.name,
    };
  }
  if (p.type === 'AWSService') return { type: 'AWSService', invokedBy: p.name };
  if (p.type === 'FederatedUser') {
    return {
      type: 'FederatedUser',
      principalId: `${ACCOUNT}:${p.name}`,
      arn: `arn:aws:sts::${ACCOUNT}:federated-user/${p.name}`,
      accountId: ACCOUNT,
      accessKeyId: session.key,
      sessionContext: {
        sessionIssuer: {
          type: 'IAMUser',
          principalId: `AIDA${session.roleId}`,
          arn: `arn:aws:iam::${ACCOUNT}:user/federation-broker`,
          accountId: ACCOUNT,
          userName: 'federation-broker',
        },
        attributes: { creationDate: session.created, mfaAuthenticated: 'false' },
      },
    };
  }
  return { type: 'Root', principalId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT, accessKeyId: session.key };
}

/** Sessions rotate hourly per principal, as role credentials do. */
function sessionFor(p, ms, cache) {
  const hour = Math.floor(ms / 3_600_000);
  const k = `${p.name}:${hour}`;
  let s = cache.get(k);
  if (s === undefined) {
    const r = rng(hour * 7919 + p.name.length * 104729 + p.name.charCodeAt(0));
    s = {
      name: `${p.name.slice(0, 8)}-${hex(r, 12)}`,
      key: `ASIA${upper(r, 16)}`,
      roleId: upper(r, 17),
      created: new Date(hour * 3_600_000).toISOString().replace('.000Z', 'Z'),
    };
    if (cache.size > 5000) cache.clear();
    cache.set(k, s);
  }
  return s;
}

export function makeRecord(r, ms, sessions) {
  const p = pick(r, PRINCIPAL_TABLE);
  const call = pick(r, CALLS);
  const session = sessionFor(p, ms, sessions);
  const ui = identity(r, p, session);
  const region = call[0] === 'iam.amazonaws.com' || call[0] === 'sts.amazonaws.com' ? 'us-east-1' : pick(r, REGIONS);
  const rec = {
    eventVersion: '1.09',
    userIdentity: ui,
    eventTime: new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: call[0],
    eventName: call[1],
    awsRegion: region,
    sourceIPAddress: p.type === 'AWSService' ? p.name : ip(r),
    userAgent: p.type === 'AWSService' ? p.name : pick(r, AGENTS),
  };
  if (r() < 0.04) {
    const [code, message] = pick(r, ERRORS);
    rec.errorCode = code;
    rec.errorMessage = message(ui.arn ?? 'unknown', call);
  }
  rec.requestParameters = call[3](r);
  rec.responseElements = rec.errorCode === undefined ? call[4](r) : null;
  if (call[0] === 's3.amazonaws.com') {
    rec.additionalEventData = {
      SignatureVersion: 'SigV4',
      CipherSuite: 'TLS_AES_128_GCM_SHA256',
      bytesTransferredIn: 0,
      AuthenticationMethod: 'AuthHeader',
      'x-amz-id-2': `${upper(r, 60)}=`,
      bytesTransferredOut: (r() * 90000) | 0,
    };
  }
  rec.requestID = uuid(r);
  rec.eventID = uuid(r);
  rec.readOnly = call[2];
  if (call[0] === 's3.amazonaws.com' || call[0] === 'kms.amazonaws.com') {
    rec.resources = [
      {
        accountId: ACCOUNT,
        type: call[0] === 's3.amazonaws.com' ? 'AWS::S3::Bucket' : 'AWS::KMS::Key',
        ARN: call[0] === 's3.amazonaws.com' ? 'arn:aws:s3:::orders-curated' : `arn:aws:kms:${region}:${ACCOUNT}:key/${uuid(r)}`,
      },
    ];
  }
  rec.eventType = 'AwsApiCall';
  rec.managementEvent = !(call[1] === 'GetObject' || call[1] === 'PutObject' || call[1] === 'Invoke' || call[1] === 'GetItem' || call[1] === 'Query');
  rec.recipientAccountId = ACCOUNT;
  rec.eventCategory = rec.managementEvent ? 'Management' : 'Data';
  rec.tlsDetails = {
    tlsVersion: 'TLSv1.3',
    cipherSuite: 'TLS_AES_128_GCM_SHA256',
    clientProvidedHostHeader: `${call[0].split('.')[0]}.${region}.amazonaws.com`,
  };
  return rec;
}

async function writeGz(path, produce) {
  const gz = createGzip({ level: 6 });
  const out = createWriteStream(path);
  gz.pipe(out);
  let raw = 0;
  let records;
  const write = async (s) => {
    raw += Buffer.byteLength(s);
    if (!gz.write(s)) await once(gz, 'drain');
  };
  records = await produce(write);
  gz.end();
  await once(out, 'close');
  return { raw, records, gz: (await stat(path)).size };
}

/** Writes `{"Records":[…]}` of `count` records starting at `ms0`, `stepMs` apart on average. */
async function writeRecordsFile(path, seed, ms0, spanMs, count) {
  const r = rng(seed);
  const sessions = new Map();
  return writeGz(path, async (write) => {
    await write('{"Records":[');
    let batch = '';
    for (let i = 0; i < count; i++) {
      const ms = ms0 + Math.floor((spanMs * i) / count) + ((r() * 1000) | 0);
      batch += (i === 0 ? '' : ',') + JSON.stringify(makeRecord(r, ms, sessions));
      if (batch.length > 1 << 20) {
        await write(batch);
        batch = '';
      }
    }
    await write(`${batch}]}`);
    return count;
  });
}

function stamp(ms) {
  return new Date(ms).toISOString().replace(/[-:]/g, '').slice(0, 13) + 'Z';
}

/**
 * Ensures the archive exists in `root` and returns its manifest. `smallFiles` files of
 * `recordsPerFile` records (5 minutes each) plus one big file of `bigRecords` records.
 */
export async function ensureArchive(root, { smallFiles, recordsPerFile, bigRecords }, log = () => {}) {
  const key = `${ARCHIVE_VERSION}-${smallFiles}x${recordsPerFile}-${bigRecords}`;
  const dir = resolve(root, key);
  const manifestPath = join(dir, 'manifest.json');
  // Paths are stored relative to the archive folder, so the checkout can move.
  const absolute = (m) => ({ ...m, big: { ...m.big, path: join(dir, m.big.path) }, small: m.small.map((f) => ({ ...f, path: join(dir, f.path) })) });
  try {
    return absolute(JSON.parse(await readFile(manifestPath, 'utf8')));
  } catch {
    // not generated yet (or incomplete): regenerate below
  }
  await rm(dir, { recursive: true, force: true });
  const started = Date.now();
  log(`generating benchmark archive ${key} in ${dir} (once; reused afterwards)…`);
  const small = [];
  const smallDir = join(dir, 'AWSLogs', ACCOUNT, 'CloudTrail', 'us-east-1', '2024', '03');
  await mkdir(smallDir, { recursive: true });
  const bigPath = join(dir, `${ACCOUNT}_CloudTrail_consolidated_20240301.json.gz`);

  // The big file and the small files are written concurrently so both gzip streams keep the
  // threadpool busy while this thread builds records.
  const bigTask = writeRecordsFile(bigPath, 424242, START, 30 * 86_400_000, bigRecords);
  const smallTask = (async () => {
    for (let i = 0; i < smallFiles; i++) {
      const ms0 = START + i * 300_000;
      const r = rng(i + 1);
      const path = join(smallDir, `${ACCOUNT}_CloudTrail_us-east-1_${stamp(ms0)}_${upper(r, 16)}.json.gz`);
      const f = await writeRecordsFile(path, 1000 + i, ms0, 300_000, recordsPerFile);
      small.push({ path, ...f });
      if (i % 100 === 99) log(`  ${i + 1}/${smallFiles} small files`);
    }
  })();
  const [big] = await Promise.all([bigTask, smallTask]);
  const manifest = {
    key,
    account: ACCOUNT,
    big: { ...big, path: relative(dir, bigPath) },
    small: small.map((f) => ({ ...f, path: relative(dir, f.path) })),
    totals: {
      files: small.length + 1,
      records: big.records + small.reduce((s, f) => s + f.records, 0),
      raw: big.raw + small.reduce((s, f) => s + f.raw, 0),
      gz: big.gz + small.reduce((s, f) => s + f.gz, 0),
    },
    generationSeconds: (Date.now() - started) / 1000,
  };
  await writeFile(manifestPath, JSON.stringify(manifest, null, 1));
  log(`  done in ${manifest.generationSeconds.toFixed(1)} s`);
  return absolute(manifest);
}
