/**
 * A fake AWS endpoint on 127.0.0.1 for connector and CLI tests: the real SDK clients talk to it
 * over HTTP through AWS_ENDPOINT_URL, so pagination, retries and error mapping run as in production.
 * It speaks the IAM and STS query/XML protocols, CloudTrail's JSON 1.1 protocol and S3's REST
 * ListObjectsV2/GetObject; it can be scripted per test (page sizes, faults: errors, and stalls that
 * hold an answer back for a while or for good, before its headers or half-way through its body)
 * and records every request so tests can count them and measure rates.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeAccount, JsonObject, JsonValue } from './account.js';

export type FakeService = 'iam' | 'sts' | 'cloudtrail' | 's3' | 'organizations';
type FaultKind = 'throttle' | 'server-error' | 'access-denied' | 'expired-token' | 'invalid-token' | 'stall';

export interface Fault {
  service: FakeService;
  /** The API action, e.g. `GetAccountAuthorizationDetails`, `LookupEvents`, `ListObjectsV2`, `GetObject`. */
  action: string;
  kind: FaultKind;
  /** How many matching requests fail; Infinity = all of them. */
  times: number;
  /** Only requests whose parameters match, e.g. `{ Arn: '…' }`, `{ region: 'eu-west-1' }`, or `{ key: '…' }` (S3 GetObject). */
  when?: Record<string, string>;
  /** Let this many matching requests through first (a failure in the middle of a listing). */
  after?: number;
  /** `stall`: how long the answer is held back, in ms; Infinity (the default) = never answered. */
  stallMs?: number;
  /**
   * `stall`: `headers` (the default) holds back the whole answer; `body` sends the status, the
   * headers and the first half of the body at once, then holds back the rest.
   */
  stallPhase?: 'headers' | 'body';
}

export interface RecordedRequest {
  service: FakeService;
  action: string;
  region: string;
  /** Milliseconds since the server started (monotonic). */
  atMs: number;
  params: Record<string, string>;
  status: number;
  /** Set when a `stall` fault held this request's answer back. */
  stalled?: 'headers' | 'body';
}

export interface FakeAwsOptions {
  account: FakeAccount;
  iamPageSize?: number;
  accessAdvisorPageSize?: number;
  s3PageSize?: number;
  lookupPageSize?: number;
  /** GetServiceLastAccessedDetails answers IN_PROGRESS this many times before COMPLETED. */
  accessAdvisorInProgressPolls?: number;
  /** Principal ARNs whose Access Advisor job never completes. */
  stuckAccessAdvisor?: string[];
  faults?: Fault[];
  /** Other accounts, reached by AssumeRole; requests signed with their keys see their data. */
  members?: FakeAccount[];
  /** Makes `account` a management account: ListAccounts lists it, the members and `unreachable`. */
  organization?: { id: string; unreachable?: string[]; pageSize?: number };
}

const IAM_NS = 'https://iam.amazonaws.com/doc/2010-05-08/';
const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const POLICY_KEYS = new Set(['PolicyDocument', 'Document', 'AssumeRolePolicyDocument']);

/** JSON → query-protocol XML: lists as `<member>` items, policy documents URL-encoded as on the wire. */
function toXml(value: JsonValue, key = ''): string {
  if (value === null) return '';
  if (Array.isArray(value)) return value.map((v) => `<member>${toXml(v)}</member>`).join('');
  if (typeof value === 'object') {
    if (POLICY_KEYS.has(key)) return xmlEscape(encodeURIComponent(JSON.stringify(value)));
    return Object.entries(value)
      .map(([k, v]) => `<${k}>${toXml(v, k)}</${k}>`)
      .join('');
  }
  return xmlEscape(String(value));
}

class HttpFault extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function faultError(kind: FaultKind, service: FakeService): HttpFault {
  const isJson = service === 'cloudtrail' || service === 'organizations';
  switch (kind) {
    case 'throttle':
      return service === 's3'
        ? new HttpFault(503, 'SlowDown', 'Please reduce your request rate.')
        : new HttpFault(400, isJson ? 'ThrottlingException' : 'Throttling', 'Rate exceeded');
    case 'server-error':
      return new HttpFault(500, service === 's3' ? 'InternalError' : 'ServiceUnavailable', 'We encountered an internal error. Please try again.');
    case 'access-denied':
      return new HttpFault(403, isJson ? 'AccessDeniedException' : 'AccessDenied', 'User is not authorized to perform this action');
    case 'invalid-token':
      return new HttpFault(400, isJson ? 'UnrecognizedClientException' : 'InvalidClientTokenId', 'The security token included in the request is invalid.');
    case 'expired-token':
      return new HttpFault(403, isJson ? 'ExpiredTokenException' : 'ExpiredToken', 'The security token included in the request is expired');
    case 'stall':
      throw new Error('a stall holds the answer back; it is not an error answer');
  }
}

function epochSeconds(iso: string): number {
  return new Date(iso).getTime() / 1000;
}

/** Resolves after `ms` (never for Infinity), or as soon as the client goes away. */
function held(ms: number, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const timer = Number.isFinite(ms) ? setTimeout(resolve, ms) : undefined;
    res.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * A stand-in for the response that the handlers write to: the status, the headers and the first
 * half of the body go out at once, the rest after `ms` (never for Infinity), unless the client
 * went away first. The handlers only call writeHead and end.
 */
function heldBody(ms: number, res: ServerResponse): ServerResponse {
  let status = 200;
  let headers: Record<string, string> = {};
  const stand = {
    writeHead(code: number, h?: Record<string, string>) {
      status = code;
      headers = h ?? {};
      return stand;
    },
    end(data?: string | Buffer) {
      const body = Buffer.isBuffer(data) ? data : Buffer.from(data ?? '', 'utf8');
      const half = Math.max(1, Math.floor(body.length / 2));
      res.writeHead(status, { ...headers, 'content-length': String(body.length) });
      res.write(body.subarray(0, half));
      void held(ms, res).then(() => {
        if (!res.destroyed && !res.writableEnded) res.end(body.subarray(half));
      });
      return stand;
    },
  };
  return stand as unknown as ServerResponse;
}

interface Job {
  arn: string;
  polls: number;
}

export class FakeAws {
  readonly requests: RecordedRequest[] = [];
  private server?: Server;
  private readonly startedMs = performance.now();
  private readonly faults: (Fault & { used: number; seen: number })[];
  private readonly jobs = new Map<string, Job>();
  private readonly credentialReportCalls = new Map<string, number>();
  private nextJob = 1;

  constructor(private readonly opts: FakeAwsOptions) {
    this.faults = (opts.faults ?? []).map((f) => ({ ...f, used: 0, seen: 0 }));
  }

  async start(): Promise<string> {
    const server = createServer((req, res) => {
      void this.handle(req, res);
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Requests of one action, optionally in one region. */
  calls(service: FakeService, action: string, region?: string): RecordedRequest[] {
    return this.requests.filter((r) => r.service === service && r.action === action && (region === undefined || r.region === region));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    // The SigV4 credential scope names the region and the service: AKID/date/region/service/aws4_request.
    const scope = /Credential=[^/]+\/\d+\/([^/]+)\/([^/]+)\//.exec(req.headers.authorization ?? '');
    const region = scope?.[1] ?? 'unknown';
    const account = this.accountFor(/Credential=([^/]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? '');
    const service = (scope?.[2] ?? 'unknown') as FakeService;
    const url = new URL(req.url ?? '/', 'http://fake');
    let action = 'Unknown';
    let params: Record<string, string> = {};
    let json: JsonObject = {};
    if (service === 'iam' || service === 'sts') {
      params = Object.fromEntries(new URLSearchParams(body));
      action = params['Action'] ?? 'Unknown';
    } else if (service === 'cloudtrail' || service === 'organizations') {
      action =
        String(req.headers['x-amz-target'] ?? '')
          .split('.')
          .pop() ?? 'Unknown';
      json = body ? (JSON.parse(body) as JsonObject) : {};
      params = Object.fromEntries(Object.entries(json).map(([k, v]) => [k, String(v)]));
    } else if (service === 's3') {
      params = Object.fromEntries(url.searchParams);
      action = url.searchParams.get('list-type') === '2' ? 'ListObjectsV2' : req.method === 'GET' ? 'GetObject' : `${req.method ?? ''}Object`;
      if (action === 'GetObject')
        params['key'] = url.pathname
          .split('/')
          .slice(2)
          .map((x) => decodeURIComponent(x))
          .join('/');
    }
    const record: RecordedRequest = { service, action, region, atMs: performance.now() - this.startedMs, params: { ...params, region }, status: 200 };
    this.requests.push(record);
    try {
      const fault = this.faults.find(
        (f) =>
          f.service === service &&
          f.action === action &&
          f.used < f.times &&
          Object.entries(f.when ?? {}).every(([k, v]) => record.params[k] === v) &&
          f.seen++ >= (f.after ?? 0),
      );
      let out: ServerResponse = res;
      if (fault) {
        fault.used++;
        if (fault.kind !== 'stall') throw faultError(fault.kind, service);
        const phase = fault.stallPhase ?? 'headers';
        record.stalled = phase;
        if (phase === 'headers') {
          await held(fault.stallMs ?? Infinity, res);
          if (res.destroyed || res.writableEnded) return;
        } else {
          out = heldBody(fault.stallMs ?? Infinity, res);
        }
      }
      if (service === 'iam') this.sendQuery(out, 'iam', action, this.iam(account, action, params));
      else if (service === 'sts') this.sendQuery(out, 'sts', action, this.sts(account, action, params));
      else if (service === 'cloudtrail') this.sendJson(out, this.cloudTrail(account, action, json, region));
      else if (service === 'organizations') this.sendJson(out, this.organizations(action, json));
      else if (service === 's3') this.s3(account, req, url, action, out);
      else throw new HttpFault(400, 'UnknownService', `no fake for service ${service}`);
    } catch (err) {
      const e = err instanceof HttpFault ? err : new HttpFault(500, 'InternalFailure', (err as Error).message);
      record.status = e.status;
      this.sendError(res, service, e);
    }
  }

  private sendQuery(res: ServerResponse, service: 'iam' | 'sts', action: string, result: JsonObject): void {
    const ns = service === 'iam' ? IAM_NS : STS_NS;
    res.writeHead(200, { 'content-type': 'text/xml' });
    res.end(
      `<${action}Response xmlns="${ns}"><${action}Result>${toXml(result)}</${action}Result><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></${action}Response>`,
    );
  }

  private sendJson(res: ServerResponse, result: JsonObject): void {
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(JSON.stringify(result));
  }

  private sendError(res: ServerResponse, service: FakeService, e: HttpFault): void {
    if (service === 'cloudtrail' || service === 'organizations') {
      res.writeHead(e.status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': e.code });
      res.end(JSON.stringify({ __type: e.code, message: e.message }));
    } else if (service === 's3') {
      res.writeHead(e.status, { 'content-type': 'application/xml' });
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${e.code}</Code><Message>${xmlEscape(e.message)}</Message><RequestId>req-1</RequestId></Error>`,
      );
    } else {
      res.writeHead(e.status, { 'content-type': 'text/xml' });
      res.end(
        `<ErrorResponse xmlns="${service === 'sts' ? STS_NS : IAM_NS}"><Error><Type>${e.status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${e.code}</Code><Message>${xmlEscape(e.message)}</Message></Error><RequestId>req-1</RequestId></ErrorResponse>`,
      );
    }
  }

  /** Member accounts sign with `ASIA<account-id>…` keys handed out by AssumeRole. */
  private accountFor(accessKeyId: string): FakeAccount {
    const id = /^ASIA(\d{12})/.exec(accessKeyId)?.[1];
    return (id ? this.opts.members?.find((m) => m.accountId === id) : undefined) ?? this.opts.account;
  }

  private sts(a: FakeAccount, action: string, p: Record<string, string>): JsonObject {
    if (action === 'AssumeRole') {
      const id = /^arn:aws:iam::(\d{12}):role\//.exec(p['RoleArn'] ?? '')?.[1] ?? '';
      const member = this.opts.members?.find((m) => m.accountId === id);
      if (!member || (this.opts.organization?.unreachable ?? []).includes(id)) {
        throw new HttpFault(403, 'AccessDenied', `User: ${a.callerArn} is not authorized to perform: sts:AssumeRole on resource: ${p['RoleArn'] ?? ''}`);
      }
      return {
        Credentials: {
          AccessKeyId: `ASIA${id}FAKE`,
          SecretAccessKey: 'fakeAssumedSecret',
          SessionToken: 'fakeSessionToken',
          Expiration: new Date(Date.now() + 3_600_000).toISOString(),
        },
        AssumedRoleUser: { AssumedRoleId: `AROAMEMBER:${p['RoleSessionName'] ?? ''}`, Arn: member.callerArn },
      };
    }
    if (action !== 'GetCallerIdentity') throw new HttpFault(400, 'InvalidAction', action);
    return { Arn: a.callerArn, UserId: a.callerUserId, Account: a.accountId };
  }

  private organizations(action: string, body: JsonObject): JsonObject {
    const org = this.opts.organization;
    if (action !== 'ListAccounts') throw new HttpFault(400, 'UnknownOperationException', action);
    if (!org) throw new HttpFault(400, 'AWSOrganizationsNotInUseException', 'Your account is not a member of an organization.');
    const ids = [...new Set([this.opts.account.accountId, ...(this.opts.members ?? []).map((m) => m.accountId), ...(org.unreachable ?? [])])].sort();
    const all: JsonObject[] = ids.map((id) => ({
      Id: id,
      Arn: `arn:aws:organizations::${this.opts.account.accountId}:account/${org.id}/${id}`,
      Name: `acct-${id}`,
      Email: `${id}@example.com`,
      Status: 'ACTIVE',
      State: 'ACTIVE',
      JoinedMethod: 'CREATED',
      JoinedTimestamp: 1_700_000_000,
    }));
    all.push({
      Id: '999999999999',
      Arn: `arn:aws:organizations::${this.opts.account.accountId}:account/${org.id}/999999999999`,
      Name: 'closed',
      Email: 'closed@example.com',
      Status: 'SUSPENDED',
      State: 'SUSPENDED',
      JoinedMethod: 'CREATED',
      JoinedTimestamp: 1_700_000_000,
    });
    const size = org.pageSize ?? 20;
    const from = typeof body['NextToken'] === 'string' ? Number(body['NextToken'].replace('a-', '')) : 0;
    return { Accounts: all.slice(from, from + size), ...(from + size < all.length ? { NextToken: `a-${from + size}` } : {}) };
  }

  private iam(a: FakeAccount, action: string, p: Record<string, string>): JsonObject {
    switch (action) {
      case 'GetAccountAuthorizationDetails': {
        // Pages run over the four lists in order, as IAM pages over one combined sequence.
        const lists = ['UserDetailList', 'GroupDetailList', 'RoleDetailList', 'Policies'] as const;
        const all = lists.flatMap((l) => (a.authorizationDetails[l] as JsonValue[]).map((item) => ({ l, item })));
        const size = Math.min(Number(p['MaxItems'] ?? 100), this.opts.iamPageSize ?? 100);
        const start = p['Marker'] ? Number(p['Marker'].replace('m-', '')) : 0;
        const page = all.slice(start, start + size);
        const out: JsonObject = {};
        for (const l of lists) out[l] = page.filter((x) => x.l === l).map((x) => x.item);
        const isTruncated = start + size < all.length;
        out['IsTruncated'] = isTruncated;
        if (isTruncated) out['Marker'] = `m-${start + size}`;
        return out;
      }
      case 'GenerateServiceLastAccessedDetails': {
        const arn = p['Arn'] ?? '';
        const id = `job-${this.nextJob++}`;
        this.jobs.set(id, { arn, polls: 0 });
        return { JobId: id };
      }
      case 'GetServiceLastAccessedDetails': {
        const job = this.jobs.get(p['JobId'] ?? '');
        if (!job) throw new HttpFault(404, 'NoSuchEntity', 'no such job');
        job.polls++;
        const isStuck = (this.opts.stuckAccessAdvisor ?? []).includes(job.arn);
        if (isStuck || job.polls <= (this.opts.accessAdvisorInProgressPolls ?? 0)) {
          return { JobStatus: 'IN_PROGRESS', JobType: 'ACTION_LEVEL', JobCreationDate: '2026-11-19T23:00:00Z', ServicesLastAccessed: [], IsTruncated: false };
        }
        const details = a.accessAdvisor[job.arn] ?? {
          JobStatus: 'COMPLETED',
          JobType: 'ACTION_LEVEL',
          JobCreationDate: '2026-11-19T23:00:00Z',
          JobCompletionDate: '2026-11-19T23:00:01Z',
          ServicesLastAccessed: [],
        };
        const services = (details['ServicesLastAccessed'] ?? []) as JsonValue[];
        const size = this.opts.accessAdvisorPageSize ?? 100;
        const start = p['Marker'] ? Number(p['Marker'].replace('s-', '')) : 0;
        const isTruncated = start + size < services.length;
        return {
          ...details,
          ServicesLastAccessed: services.slice(start, start + size),
          IsTruncated: isTruncated,
          ...(isTruncated ? { Marker: `s-${start + size}` } : {}),
        };
      }
      case 'GenerateCredentialReport':
        // IAM builds the report asynchronously: the first call starts it.
        this.credentialReportCalls.set(a.accountId, (this.credentialReportCalls.get(a.accountId) ?? 0) + 1);
        return { State: this.credentialReportCalls.get(a.accountId) === 1 ? 'STARTED' : 'COMPLETE', Description: 'fake' };
      case 'GetCredentialReport':
        if (!a.credentialReport) throw new HttpFault(410, 'ReportNotPresent', 'no report');
        return { ...a.credentialReport };
      default:
        throw new HttpFault(400, 'InvalidAction', `fake IAM does not implement ${action}`);
    }
  }

  private cloudTrail(a: FakeAccount, action: string, body: JsonObject, region: string): JsonObject {
    switch (action) {
      case 'DescribeTrails':
        return { trailList: a.trails };
      case 'GetEventSelectors':
        return a.eventSelectors;
      case 'GetTrailStatus':
        return { IsLogging: true, StartLoggingTime: epochSeconds(a.trailLoggingSince), LatestDeliveryTime: epochSeconds('2026-11-19T23:55:00Z') };
      case 'LookupEvents': {
        const start = typeof body['StartTime'] === 'number' ? body['StartTime'] : 0;
        const end = typeof body['EndTime'] === 'number' ? body['EndTime'] : Number.MAX_SAFE_INTEGER;
        const events = (a.lookupEvents[region] ?? []).filter((e) => {
          const t = e['EventTime'] as number;
          return t >= start && t <= end;
        });
        const size = Math.min(typeof body['MaxResults'] === 'number' ? body['MaxResults'] : 50, this.opts.lookupPageSize ?? 50);
        const from = typeof body['NextToken'] === 'string' ? Number(body['NextToken'].replace('t-', '')) : 0;
        const page = events.slice(from, from + size);
        return { Events: page, ...(from + size < events.length ? { NextToken: `t-${from + size}` } : {}) };
      }
      default:
        throw new HttpFault(400, 'UnknownOperationException', action);
    }
  }

  private s3(a: FakeAccount, req: IncomingMessage, url: URL, action: string, res: ServerResponse): void {
    const [, bucket = '', ...rest] = url.pathname.split('/');
    const objects = a.buckets[bucket];
    if (!objects) throw new HttpFault(404, 'NoSuchBucket', 'The specified bucket does not exist');
    if (action === 'ListObjectsV2') {
      const prefix = url.searchParams.get('prefix') ?? '';
      const delimiter = url.searchParams.get('delimiter') ?? '';
      const after = url.searchParams.get('continuation-token') ?? '';
      const maxKeys = Math.min(Number(url.searchParams.get('max-keys') ?? 1000), this.opts.s3PageSize ?? 1000);
      const entries = new Map<string, 'key' | 'prefix'>();
      for (const key of Object.keys(objects).sort()) {
        if (!key.startsWith(prefix)) continue;
        const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
        if (cut >= 0) entries.set(key.slice(0, cut + delimiter.length), 'prefix');
        else entries.set(key, 'key');
      }
      const all = [...entries].filter(([k]) => k > after);
      const page = all.slice(0, maxKeys);
      const isTruncated = all.length > maxKeys;
      const last = page[page.length - 1]?.[0] ?? '';
      const contents = page
        .filter(([, t]) => t === 'key')
        .map(
          ([k]) =>
            `<Contents><Key>${xmlEscape(k)}</Key><LastModified>2026-11-20T00:00:00.000Z</LastModified><ETag>"e"</ETag><Size>${objects[k]?.length ?? 0}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
        )
        .join('');
      const prefixes = page
        .filter(([, t]) => t === 'prefix')
        .map(([k]) => `<CommonPrefixes><Prefix>${xmlEscape(k)}</Prefix></CommonPrefixes>`)
        .join('');
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${bucket}</Name><Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${isTruncated}</IsTruncated>${isTruncated ? `<NextContinuationToken>${xmlEscape(last)}</NextContinuationToken>` : ''}${contents}${prefixes}</ListBucketResult>`,
      );
      return;
    }
    if (action === 'GetObject' && req.method === 'GET') {
      const key = rest.map((s) => decodeURIComponent(s)).join('/');
      const data = objects[key];
      if (!data) throw new HttpFault(404, 'NoSuchKey', 'The specified key does not exist.');
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(data.length) });
      res.end(data);
      return;
    }
    throw new HttpFault(405, 'MethodNotAllowed', action);
  }
}
