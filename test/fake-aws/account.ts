/**
 * The fake account's data, loaded from an offline snapshot fixture (fixtures/aws/demo by default),
 * so a live collection through the fake endpoint has a known expected result: the same files.
 */

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export interface FakeAccount {
  accountId: string;
  callerArn: string;
  callerUserId: string;
  authorizationDetails: JsonObject;
  trails: JsonObject[];
  eventSelectors: JsonObject;
  trailLoggingSince: string;
  /** Principal ARN → GetServiceLastAccessedDetails output. */
  accessAdvisor: Record<string, JsonObject>;
  credentialReport?: JsonObject;
  /** Bucket → key → object bytes. */
  buckets: Record<string, Record<string, Buffer>>;
  /** Region → LookupEvents `Events` elements (EventTime in epoch seconds), newest first. */
  lookupEvents: Record<string, JsonObject[]>;
}

export const DEMO_ACCOUNT_DIR = join(import.meta.dirname, '..', '..', 'fixtures', 'aws', 'demo', 'aws', '111122223333');

function readJson(file: string): JsonObject {
  return JSON.parse(readFileSync(file, 'utf8')) as JsonObject;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : [full];
  });
}

function toLookupEvent(record: JsonObject): JsonObject {
  const identity = (record['userIdentity'] ?? {}) as JsonObject;
  const name =
    identity['userName'] ??
    String(identity['arn'] ?? '')
      .split('/')
      .pop() ??
    '';
  return {
    EventId: String(record['eventID'] ?? ''),
    EventName: String(record['eventName'] ?? ''),
    ReadOnly: String(record['readOnly'] ?? 'false'),
    EventTime: new Date(String(record['eventTime'])).getTime() / 1000,
    EventSource: String(record['eventSource'] ?? ''),
    Username: String(name),
    Resources: [],
    CloudTrailEvent: JSON.stringify(record),
  };
}

/** Builds a fake account from a snapshot account folder; its archive goes into the trail's bucket. */
export function loadFakeAccount(dir = DEMO_ACCOUNT_DIR): FakeAccount {
  const auth = readJson(join(dir, 'iam-get-account-authorization-details.json'));
  const trails = (readJson(join(dir, 'cloudtrail-describe-trails.json'))['trailList'] ?? []) as JsonObject[];
  const accountId = dir.split('/').pop() ?? '';
  const bucket = String(trails[0]?.['S3BucketName'] ?? 'fake-trail-bucket');
  const objects: Record<string, Buffer> = {};
  const lookupEvents: Record<string, JsonObject[]> = {};
  const ctDir = join(dir, 'cloudtrail');
  for (const file of walk(ctDir)) {
    const data = readFileSync(file);
    objects[relative(ctDir, file).split('\\').join('/')] = data;
    const text = (file.endsWith('.gz') ? gunzipSync(data) : data).toString('utf8');
    for (const record of ((JSON.parse(text) as JsonObject)['Records'] ?? []) as JsonObject[]) {
      // LookupEvents returns management events only.
      if (record['managementEvent'] === false || record['eventCategory'] === 'Data') continue;
      const region = String(record['awsRegion'] ?? 'us-east-1');
      (lookupEvents[region] ??= []).push(toLookupEvent(record));
    }
  }
  for (const list of Object.values(lookupEvents)) list.sort((x, y) => (y['EventTime'] as number) - (x['EventTime'] as number));
  const principals = [
    ...((auth['RoleDetailList'] ?? []) as JsonObject[]).map((r) => ({ name: r['RoleName'], arn: r['Arn'] })),
    ...((auth['UserDetailList'] ?? []) as JsonObject[]).map((u) => ({ name: u['UserName'], arn: u['Arn'] })),
  ];
  const accessAdvisor: Record<string, JsonObject> = {};
  for (const file of walk(join(dir, 'access-advisor'))) {
    const name = file
      .split('/')
      .pop()
      ?.replace(/\.json$/, '');
    const arn = principals.find((p) => p.name === name)?.arn;
    if (typeof arn === 'string') accessAdvisor[arn] = readJson(file);
  }
  const credentialReport = readJson(join(dir, 'iam-get-credential-report.json'));
  return {
    accountId,
    callerArn: `arn:aws:sts::${accountId}:assumed-role/permdrift-audit/session`,
    callerUserId: 'AROAFAKEAUDITROLE:session',
    authorizationDetails: auth,
    trails,
    eventSelectors: readJson(join(dir, 'cloudtrail-get-event-selectors.json')),
    trailLoggingSince: '2024-01-01T00:00:00Z',
    accessAdvisor,
    credentialReport,
    buckets: { [bucket]: objects },
    lookupEvents,
  };
}
