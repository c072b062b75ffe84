/**
 * A fake Google Cloud endpoint on 127.0.0.1 for connector and CLI tests. The real client libraries
 * (Resource Manager v3 and IAM v2 through google-gax's REST transport) and google-auth-library's
 * REST requests talk to it over HTTP, so pagination, retries and error mapping run as in
 * production. It speaks the REST shapes of Resource Manager v3, IAM v1 (predefined roles too) and v2, IAM Credentials
 * (impersonation), Cloud Asset v1 `searchAllIamPolicies` and `searchAllResources` (service accounts), Logging v2 `entries:list`, Policy Analyzer v1 `activities:query`, Recommender v1 policy insights, Cloud Identity v1 group lookup
 * and memberships, and the Cloud
 * Storage JSON API; it can be scripted with faults (errors, and stalls: an answer held back for a
 * while or for good, before its headers or half-way through its body) and records every request,
 * each with the REST method id, so tests can count them and derive the permissions a collection needs.
 *
 * Any request that does not name 127.0.0.1 (a proxied absolute URL or CONNECT, when the tests point
 * HTTPS_PROXY here) is recorded in `escaped`: nothing may leave the machine.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeProject, FakeWorld, Json } from './world.js';

type FaultKind = 'quota' | 'unavailable' | 'denied' | 'disabled' | 'not-found' | 'unauthenticated' | 'stall';

export interface Fault {
  /** REST method id (`logging.entries.list`), or `*`. */
  operation: string;
  kind: FaultKind;
  /** How many matching requests fail; Infinity = all. */
  times: number;
  /** Only requests about this project / folder / bucket (the id as it appears in the request). */
  target?: string;
  /** Let this many matching requests through first (a failure in the middle of a listing). */
  after?: number;
  /** `stall`: how long the answer is held back, in ms; Infinity (the default) = never answered. */
  stallMs?: number;
  /** `stall`: `headers` (the default) holds back the whole answer; `body` sends the headers and half the body, then holds back the rest. */
  stallPhase?: 'headers' | 'body';
}

export interface RecordedRequest {
  method: string;
  path: string;
  operation: string;
  /** The project, folder, organization or bucket the request is about. */
  target: string;
  status: number;
  atMs: number;
  /** `jwt:<iss>` for a self-signed JWT, `token:<value>` for an access token, `none`. */
  auth: string;
  body?: Json;
  /** Set when a `stall` fault held this request's answer back. */
  stalled?: 'headers' | 'body';
}

export interface FakeGcpOptions {
  world: FakeWorld;
  /** Page size cap for every list (the client's pageSize applies when smaller). */
  pageSize?: number;
  faults?: Fault[];
  /** Service accounts the caller may impersonate (generateAccessToken); others get 403. */
  impersonable?: string[];
}

class HttpFault extends Error {
  constructor(
    readonly status: number,
    readonly body: Json,
  ) {
    super(JSON.stringify(body));
  }
}

function errorBody(code: number, status: string, message: string, reason?: string, metadata?: Record<string, string>): Json {
  return {
    error: {
      code,
      message,
      status,
      ...(reason ? { details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason, domain: 'googleapis.com', metadata: metadata ?? {} }] } : {}),
    },
  };
}

function serviceOf(operation: string): string {
  const head = operation.split('.')[0] ?? '';
  return `${head}.googleapis.com`;
}

function faultError(kind: FaultKind, operation: string): HttpFault {
  switch (kind) {
    case 'quota':
      return new HttpFault(
        429,
        errorBody(429, 'RESOURCE_EXHAUSTED', `Quota exceeded for quota metric 'Read requests' of service '${serviceOf(operation)}'.`, 'RATE_LIMIT_EXCEEDED', {
          service: serviceOf(operation),
        }),
      );
    case 'unavailable':
      return new HttpFault(503, errorBody(503, 'UNAVAILABLE', 'The service is currently unavailable.'));
    case 'denied':
      return new HttpFault(
        403,
        errorBody(403, 'PERMISSION_DENIED', `Permission denied on resource (or it may not exist).`, 'IAM_PERMISSION_DENIED', { permission: operation }),
      );
    case 'disabled':
      return new HttpFault(
        403,
        errorBody(
          403,
          'PERMISSION_DENIED',
          `${serviceOf(operation)} API has not been used in project 424242 before or it is disabled. Enable it by visiting the console then retry.`,
          'SERVICE_DISABLED',
          {
            service: serviceOf(operation),
            consumer: 'projects/424242',
          },
        ),
      );
    case 'not-found':
      return new HttpFault(404, errorBody(404, 'NOT_FOUND', 'Requested entity was not found.'));
    case 'unauthenticated':
      return new HttpFault(401, errorBody(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.'));
    case 'stall':
      throw new Error('a stall holds the answer back; it is not an error answer');
  }
}

function page<T>(items: T[], token: string | null, size: number): { items: T[]; next?: string } {
  const start = token ? Number(token.replace(/^p/, '')) : 0;
  const end = start + size;
  return { items: items.slice(start, end), ...(end < items.length ? { next: `p${end}` } : {}) };
}

function authOf(header: string | undefined): string {
  if (!header?.startsWith('Bearer ')) return 'none';
  const token = header.slice(7);
  const parts = token.split('.');
  if (parts.length === 3) {
    try {
      const claims = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString('utf8')) as { iss?: string };
      return `jwt:${claims.iss ?? '?'}`;
    } catch {
      // not a JWT
    }
  }
  return `token:${token}`;
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

export class FakeGcp {
  readonly requests: RecordedRequest[] = [];
  /** Requests that tried to go elsewhere than 127.0.0.1. */
  readonly escaped: string[] = [];
  private server?: Server;
  private readonly startedMs = performance.now();
  private readonly faults: (Fault & { used: number; seen: number })[];

  constructor(private readonly opts: FakeGcpOptions) {
    this.faults = (opts.faults ?? []).map((f) => ({ ...f, used: 0, seen: 0 }));
  }

  get world(): FakeWorld {
    return this.opts.world;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connect', (req, socket) => {
      this.escaped.push(`CONNECT ${req.url ?? ''}`);
      socket.destroy();
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }

  calls(operation: string): RecordedRequest[] {
    return this.requests.filter((r) => r.operation === operation);
  }

  /** Adds faults while running (e.g. after a first collection). */
  addFault(f: Fault): void {
    this.faults.push({ ...f, used: 0, seen: 0 });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = req.url ?? '/';
    if (!raw.startsWith('/')) {
      this.escaped.push(`${req.method ?? 'GET'} ${raw}`);
      res.statusCode = 502;
      res.end();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: Json | undefined;
    try {
      body = text ? (JSON.parse(text) as Json) : undefined;
    } catch {
      body = undefined;
    }
    const url = new URL(raw, 'http://127.0.0.1');
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      operation: 'unknown',
      target: '',
      status: 200,
      atMs: performance.now() - this.startedMs,
      auth: authOf(req.headers.authorization),
      ...(body !== undefined ? { body } : {}),
    };
    this.requests.push(record);
    let status = 200;
    let out: Json | Buffer;
    let stall: { ms: number; phase: 'headers' | 'body' } | undefined;
    try {
      const route = this.route(req.method ?? 'GET', url, body);
      record.operation = route.operation;
      record.target = route.target;
      if (record.auth === 'none' && route.operation !== 'oauth2.token') throw faultError('unauthenticated', route.operation);
      const fault = this.faults.find((f) => {
        if (!(f.operation === '*' || f.operation === route.operation) || !(f.target === undefined || f.target === route.target) || f.used >= f.times)
          return false;
        return f.seen++ >= (f.after ?? 0);
      });
      if (fault) {
        fault.used++;
        if (fault.kind !== 'stall') throw faultError(fault.kind, route.operation);
        stall = { ms: fault.stallMs ?? Infinity, phase: fault.stallPhase ?? 'headers' };
        record.stalled = stall.phase;
        if (stall.phase === 'headers') {
          await held(stall.ms, res);
          if (res.destroyed || res.writableEnded) return;
        }
      }
      out = route.run();
    } catch (err) {
      if (!(err instanceof HttpFault)) throw err;
      status = err.status;
      out = err.body;
    }
    record.status = status;
    res.statusCode = status;
    const data = Buffer.isBuffer(out) ? out : Buffer.from(JSON.stringify(out), 'utf8');
    res.setHeader('content-type', Buffer.isBuffer(out) ? 'application/octet-stream' : 'application/json; charset=UTF-8');
    if (stall?.phase !== 'body') {
      res.end(data);
      return;
    }
    // The headers and the first half now, the rest after the stall (or never).
    const half = Math.max(1, Math.floor(data.length / 2));
    res.setHeader('content-length', String(data.length));
    res.write(data.subarray(0, half));
    await held(stall.ms, res);
    if (!res.destroyed && !res.writableEnded) res.end(data.subarray(half));
  }

  private project(id: string): FakeProject {
    const p = this.opts.world.projects.find((x) => x.projectId === id || x.projectNumber === id);
    if (!p)
      throw new HttpFault(
        403,
        errorBody(403, 'PERMISSION_DENIED', `Permission denied on resource project ${id} (or it may not exist).`, 'IAM_PERMISSION_DENIED'),
      );
    return p;
  }

  private size(requested: string | null | undefined): number {
    const cap = this.opts.pageSize ?? 1000;
    const n = Number(requested ?? 0);
    return n > 0 ? Math.min(n, cap) : cap;
  }

  private route(method: string, url: URL, body: Json | undefined): { operation: string; target: string; run: () => Json | Buffer } {
    const path = url.pathname;
    const w = this.opts.world;
    const q = url.searchParams;
    const b = (typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {}) as Record<string, Json>;
    let m: RegExpExecArray | null;

    // Resource Manager v3
    if (method === 'POST' && (m = /^\/v3\/(projects|folders|organizations)\/([^/:]+):getIamPolicy$/.exec(path))) {
      const [, kind = '', id = ''] = m;
      const operation = `cloudresourcemanager.${kind}.getIamPolicy`;
      return {
        operation,
        target: id,
        run: () => {
          const requested = (b['options'] as Record<string, Json> | undefined)?.['requestedPolicyVersion'];
          let policy: Record<string, Json>;
          if (kind === 'projects') policy = this.project(id).policy;
          else if (kind === 'folders') policy = this.findFolder(id).policy;
          else if (id === w.organization.id) policy = w.organization.policy;
          else throw faultError('denied', operation);
          // Conditional bindings are only returned to callers asking for version 3.
          if (requested !== 3 && JSON.stringify(policy).includes('"condition"')) {
            throw new HttpFault(400, errorBody(400, 'INVALID_ARGUMENT', 'Policy has conditional role bindings; request version 3.'));
          }
          return policy;
        },
      };
    }
    if (method === 'GET' && (m = /^\/v3\/projects\/([^/:]+)$/.exec(path))) {
      const id = m[1] ?? '';
      return {
        operation: 'cloudresourcemanager.projects.get',
        target: id,
        run: () => {
          const p = this.project(id);
          return {
            name: `projects/${p.projectNumber}`,
            parent: p.parent,
            projectId: p.projectId,
            state: p.state ?? 'ACTIVE',
            displayName: p.projectId,
            createTime: '2025-01-01T00:00:00.000Z',
            etag: 'W/"x"',
          };
        },
      };
    }
    if (method === 'GET' && (m = /^\/v3\/folders\/([^/:]+)$/.exec(path))) {
      const id = m[1] ?? '';
      return {
        operation: 'cloudresourcemanager.folders.get',
        target: id,
        run: () => ({ name: `folders/${id}`, parent: this.findFolder(id).parent, displayName: `folder ${id}`, state: 'ACTIVE' }),
      };
    }
    if (method === 'GET' && path === '/v3/projects') {
      const parent = q.get('parent') ?? '';
      return {
        operation: 'cloudresourcemanager.projects.list',
        target: parent.split('/')[1] ?? '',
        run: () => {
          const list = w.projects
            .filter((p) => p.parent === parent)
            .map((p) => ({ name: `projects/${p.projectNumber}`, parent: p.parent, projectId: p.projectId, state: p.state ?? 'ACTIVE' }));
          const pg = page(list, q.get('pageToken'), this.size(q.get('pageSize')));
          return { projects: pg.items, ...(pg.next ? { nextPageToken: pg.next } : {}) };
        },
      };
    }
    if (method === 'GET' && path === '/v3/folders') {
      const parent = q.get('parent') ?? '';
      return {
        operation: 'cloudresourcemanager.folders.list',
        target: parent.split('/')[1] ?? '',
        run: () => {
          const list = w.folders
            .filter((f) => f.parent === parent)
            .map((f) => ({ name: `folders/${f.id}`, parent: f.parent, displayName: `folder ${f.id}`, state: 'ACTIVE' }));
          const pg = page(list, q.get('pageToken'), this.size(q.get('pageSize')));
          return { folders: pg.items, ...(pg.next ? { nextPageToken: pg.next } : {}) };
        },
      };
    }

    // IAM v1
    if (method === 'GET' && (m = /^\/v1\/projects\/([^/]+)\/serviceAccounts$/.exec(path))) {
      const id = decodeURIComponent(m[1] ?? '');
      return {
        operation: 'iam.projects.serviceAccounts.list',
        target: id,
        run: () => {
          const pg = page(this.project(id).serviceAccounts, q.get('pageToken'), this.size(q.get('pageSize')));
          return { accounts: pg.items, ...(pg.next ? { nextPageToken: pg.next } : {}) };
        },
      };
    }
    if (method === 'GET' && (m = /^\/v1\/projects\/([^/]+)\/serviceAccounts\/([^/]+)\/keys$/.exec(path))) {
      const id = decodeURIComponent(m[1] ?? '');
      const email = decodeURIComponent(m[2] ?? '');
      return {
        operation: 'iam.projects.serviceAccounts.keys.list',
        target: id,
        run: () => {
          const keys = this.project(id).keys[email];
          if (!keys) throw new HttpFault(404, errorBody(404, 'NOT_FOUND', `Service account ${email} does not exist.`));
          return { keys };
        },
      };
    }
    if (method === 'GET' && (m = /^\/v1\/(projects|organizations)\/([^/]+)\/roles\/([^/]+)$/.exec(path))) {
      const [, kind = '', owner = '', role = ''] = m;
      const name = `${kind}/${decodeURIComponent(owner)}/roles/${decodeURIComponent(role)}`;
      return {
        operation: `iam.${kind}.roles.get`,
        target: decodeURIComponent(owner),
        run: () => {
          const r = kind === 'projects' ? this.project(decodeURIComponent(owner)).roles[name] : w.organization.roles[name];
          if (!r) throw new HttpFault(404, errorBody(404, 'NOT_FOUND', `The role named ${name} was not found.`));
          return r;
        },
      };
    }
    // Cloud Asset Inventory v1 searchAllIamPolicies: project-level policies under the scope (Asset
    // indexes projects whatever their state), only the bindings that match the query.
    if (method === 'GET' && (m = /^\/v1\/(organizations|folders|projects)\/([^/:]+):searchAllIamPolicies$/.exec(path))) {
      const [, kind = '', id = ''] = m;
      const scope = `${kind}/${id}`;
      return {
        operation: 'cloudasset.searchAllIamPolicies',
        target: id,
        run: () => {
          const query = q.get('query') ?? '';
          if (query !== '' && query !== 'memberTypes:serviceAccount')
            throw new HttpFault(400, errorBody(400, 'INVALID_ARGUMENT', `fake GCP: unsupported query ${query}`));
          const types = q.getAll('assetTypes');
          if (types.some((t) => t !== 'cloudresourcemanager.googleapis.com/Project'))
            throw new HttpFault(400, errorBody(400, 'INVALID_ARGUMENT', `fake GCP: unsupported asset types ${types.join(',')}`));
          const results: Json[] = [];
          for (const p of w.projects) {
            const chain = this.ancestorsOf(p.parent);
            if (kind === 'projects' ? id !== p.projectId && id !== p.projectNumber : !chain.includes(scope)) continue;
            const bindings = ((p.policy['bindings'] as { role: string; members: string[] }[] | undefined) ?? []).filter(
              (bd) => query === '' || bd.members.some((x) => x.startsWith('serviceAccount:')),
            );
            if (bindings.length === 0) continue;
            results.push({
              resource: `//cloudresourcemanager.googleapis.com/projects/${p.projectNumber}`,
              assetType: 'cloudresourcemanager.googleapis.com/Project',
              project: `projects/${p.projectNumber}`,
              folders: chain.filter((c) => c.startsWith('folders/')),
              organization: chain.find((c) => c.startsWith('organizations/')) ?? '',
              policy: { bindings },
            });
          }
          const size = Math.min(this.size(q.get('pageSize')), 500);
          const pg = page(results, q.get('pageToken'), size);
          return { results: pg.items, ...(pg.next ? { nextPageToken: pg.next } : {}) };
        },
      };
    }
    // Cloud Asset Inventory v1 searchAllResources: here only service accounts (the one asset type the
    // collector asks for), every account of every project under the scope whatever the project's state.
    if (method === 'GET' && (m = /^\/v1\/(organizations|folders|projects)\/([^/:]+):searchAllResources$/.exec(path))) {
      const [, kind = '', id = ''] = m;
      const scope = `${kind}/${id}`;
      return {
        operation: 'cloudasset.searchAllResources',
        target: id,
        run: () => {
          const query = q.get('query') ?? '';
          if (query !== '') throw new HttpFault(400, errorBody(400, 'INVALID_ARGUMENT', `fake GCP: unsupported query ${query}`));
          const types = q.getAll('assetTypes');
          if (types.length === 0 || types.some((t) => t !== 'iam.googleapis.com/ServiceAccount'))
            throw new HttpFault(400, errorBody(400, 'INVALID_ARGUMENT', `fake GCP: unsupported asset types ${types.join(',')}`));
          const results: Json[] = [];
          for (const p of w.projects) {
            const chain = this.ancestorsOf(p.parent);
            if (kind === 'projects' ? id !== p.projectId && id !== p.projectNumber : !chain.includes(scope)) continue;
            for (const a of p.serviceAccounts) {
              results.push({
                name: `//iam.googleapis.com/projects/${p.projectId}/serviceAccounts/${String(a['uniqueId'])}`,
                assetType: 'iam.googleapis.com/ServiceAccount',
                project: `projects/${p.projectNumber}`,
                folders: chain.filter((c) => c.startsWith('folders/')),
                organization: chain.find((c) => c.startsWith('organizations/')) ?? '',
                displayName: a['displayName'] ?? '',
                state: a['disabled'] === true ? 'DISABLED' : 'ENABLED',
                additionalAttributes: { email: a['email'] ?? '', oauth2ClientId: a['oauth2ClientId'] ?? '' },
                parentFullResourceName: `//cloudresourcemanager.googleapis.com/projects/${p.projectNumber}`,
                parentAssetType: 'cloudresourcemanager.googleapis.com/Project',
              });
            }
          }
          const size = Math.min(this.size(q.get('pageSize')), 500);
          const pg = page(results, q.get('pageToken'), size);
          return { results: pg.items, ...(pg.next ? { nextPageToken: pg.next } : {}) };
        },
      };
    }
    // IAM v1 roles.list without a parent: the predefined roles; permissions only with view=FULL.
    if (method === 'GET' && path === '/v1/roles') {
      return {
        operation: 'iam.roles.list',
        target: '',
        run: () => {
          const isFull = q.get('view') === 'FULL';
          const list = Object.entries(w.predefinedRoles)
            .sort(([a], [b]) => (a < b ? -1 : 1))
            .map(([name, perms]) => ({
              name,
              title: name.slice(6),
              description: `Predefined ${name}`,
              ...(isFull ? { includedPermissions: perms } : {}),
              stage: 'GA',
              etag: 'AA==',
            }));
          const pg = page(list, q.get('pageToken'), this.size(q.get('pageSize')));
          return { roles: pg.items, ...(pg.next ? { nextPageToken: pg.next } : {}) };
        },
      };
    }
    // OAuth 2.0 token endpoint: refresh-token grants of user ADC.
    if (method === 'POST' && path === '/token') {
      return {
        operation: 'oauth2.token',
        target: '',
        run: () => ({ access_token: 'ya29.fake-user-token', expires_in: 3599, token_type: 'Bearer', scope: 'https://www.googleapis.com/auth/cloud-platform' }),
      };
    }
    // IAM Credentials: impersonation.
    if (method === 'POST' && (m = /^\/v1\/projects\/-\/serviceAccounts\/([^/:]+):generateAccessToken$/.exec(path))) {
      const email = decodeURIComponent(m[1] ?? '');
      return {
        operation: 'iamcredentials.serviceAccounts.generateAccessToken',
        target: email,
        run: () => {
          if (!(this.opts.impersonable ?? []).includes(email))
            throw new HttpFault(
              403,
              errorBody(
                403,
                'PERMISSION_DENIED',
                `Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).`,
                'IAM_PERMISSION_DENIED',
              ),
            );
          return { accessToken: `ya29.fake-for-${email}`, expireTime: new Date(Date.now() + 3600_000).toISOString() };
        },
      };
    }
    // IAM v2 deny policies: the attachment point arrives URL-encoded once more by the client.
    if (method === 'GET' && (m = /^\/v2\/policies\/([^/]+)\/denypolicies(?:\/([^/]+))?$/.exec(path))) {
      const attachment = decodeURIComponent(decodeURIComponent(m[1] ?? ''));
      const id = m[2] ? decodeURIComponent(m[2]) : undefined;
      const am = /^cloudresourcemanager\.googleapis\.com\/(projects|folders|organizations)\/([^/]+)$/.exec(attachment);
      const target = am?.[2] ?? attachment;
      const policies = (): Record<string, Json>[] => {
        if (!am) throw new HttpFault(400, errorBody(400, 'INVALID_ARGUMENT', `bad attachment point ${attachment}`));
        if (am[1] === 'projects') return this.project(am[2] ?? '').denyPolicies;
        if (am[1] === 'folders') return this.findFolder(am[2] ?? '').denyPolicies;
        return am[2] === w.organization.id ? w.organization.denyPolicies : [];
      };
      if (id) {
        return {
          operation: 'iam.policies.get',
          target,
          run: () => {
            const p = policies().find((x) => String(x['name']).endsWith(`/denypolicies/${id}`));
            if (!p) throw new HttpFault(404, errorBody(404, 'NOT_FOUND', `policy ${id} not found`));
            return p;
          },
        };
      }
      return {
        operation: 'iam.policies.listPolicies',
        target,
        run: () => {
          // The list omits the rules, as the API does.
          const all = policies().map(({ rules: _rules, ...rest }) => rest);
          const pg = page(all, q.get('pageToken'), this.size(q.get('pageSize')));
          return { policies: pg.items, ...(pg.next ? { nextPageToken: pg.next } : {}) };
        },
      };
    }

    // Logging v2
    if (method === 'POST' && path === '/v2/entries:list') {
      const names = (b['resourceNames'] as string[] | undefined) ?? [];
      const id = (names[0] ?? '').replace(/^projects\//, '');
      return {
        operation: 'logging.entries.list',
        target: id,
        run: () => {
          const filter = String(b['filter'] ?? '');
          const from = /timestamp>="([^"]+)"/.exec(filter)?.[1];
          const to = /timestamp<="([^"]+)"/.exec(filter)?.[1];
          const isAudit = filter.includes('logName:"cloudaudit.googleapis.com"');
          const entries = this.project(id).logEntries.filter((e) => {
            const t = String(e['timestamp']);
            return (!from || t >= from) && (!to || t <= to) && (!isAudit || String(e['logName']).includes('cloudaudit.googleapis.com'));
          });
          const pg = page(entries, (b['pageToken'] as string | undefined) ?? null, this.size(String(b['pageSize'] ?? '')));
          return { entries: pg.items, ...(pg.next ? { nextPageToken: pg.next } : {}) };
        },
      };
    }

    // Recommender v1: policy insights
    if (method === 'GET' && (m = /^\/v1\/projects\/([^/]+)\/locations\/global\/insightTypes\/google\.iam\.policy\.Insight\/insights$/.exec(path))) {
      const id = decodeURIComponent(m[1] ?? '');
      return {
        operation: 'recommender.projects.locations.insightTypes.insights.list',
        target: id,
        run: () => {
          const pg = page(this.project(id).insights ?? [], q.get('pageToken'), this.size(q.get('pageSize')));
          return { insights: pg.items, ...(pg.next ? { nextPageToken: pg.next } : {}) };
        },
      };
    }

    // Cloud Identity v1: group lookup and memberships
    if (method === 'GET' && path === '/v1/groups:lookup') {
      const email = (q.get('groupKey.id') ?? '').toLowerCase();
      return {
        operation: 'cloudidentity.groups.lookup',
        target: email,
        run: () => {
          const g = Object.entries(w.groups ?? {}).find(([k]) => k.toLowerCase() === email)?.[1];
          if (!g) throw new HttpFault(404, errorBody(404, 'NOT_FOUND', `Error(2028): Permission denied for resource ${email} (or it may not exist).`));
          return { name: `groups/${g.id}` };
        },
      };
    }
    if (method === 'GET' && (m = /^\/v1\/groups\/([^/]+)\/memberships$/.exec(path))) {
      const gid = decodeURIComponent(m[1] ?? '');
      return {
        operation: 'cloudidentity.groups.memberships.list',
        target: gid,
        run: () => {
          const g = Object.values(w.groups ?? {}).find((x) => x.id === gid);
          if (!g) throw new HttpFault(404, errorBody(404, 'NOT_FOUND', `groups/${gid} not found`));
          const pg = page(g.memberships, q.get('pageToken'), this.size(q.get('pageSize')));
          return { memberships: pg.items, ...(pg.next ? { nextPageToken: pg.next } : {}) };
        },
      };
    }

    // Policy Analyzer v1
    if (method === 'GET' && (m = /^\/v1\/projects\/([^/]+)\/locations\/global\/activityTypes\/([^/]+)\/activities:query$/.exec(path))) {
      const id = decodeURIComponent(m[1] ?? '');
      const type = m[2] ?? '';
      return {
        operation: `policyanalyzer.projects.locations.activityTypes.activities.query:${type}`,
        target: id,
        run: () => {
          const pg = page(this.project(id).activities[type] ?? [], q.get('pageToken'), this.size(q.get('pageSize')));
          return { activities: pg.items, ...(pg.next ? { nextPageToken: pg.next } : {}) };
        },
      };
    }

    // Cloud Storage JSON API
    if (method === 'GET' && (m = /^\/storage\/v1\/b\/([^/]+)\/o(?:\/(.+))?$/.exec(path))) {
      const bucket = decodeURIComponent(m[1] ?? '');
      const objectName = m[2] ? decodeURIComponent(m[2]) : undefined;
      const objects = (): Record<string, string> => {
        const o = w.buckets[bucket];
        if (!o) throw new HttpFault(404, errorBody(404, 'NOT_FOUND', `The specified bucket does not exist.`));
        return o;
      };
      if (objectName !== undefined) {
        return {
          operation: 'storage.objects.get',
          target: bucket,
          run: () => {
            const content = objects()[objectName];
            if (content === undefined) throw new HttpFault(404, errorBody(404, 'NOT_FOUND', `No such object: ${bucket}/${objectName}`));
            return Buffer.from(content, 'utf8');
          },
        };
      }
      return {
        operation: 'storage.objects.list',
        target: bucket,
        run: () => {
          const prefix = q.get('prefix') ?? '';
          const delimiter = q.get('delimiter');
          const names = Object.keys(objects())
            .filter((n) => n.startsWith(prefix))
            .sort();
          const items: { name: string; size: string }[] = [];
          const prefixes = new Set<string>();
          for (const n of names) {
            const rest = n.slice(prefix.length);
            const cut = delimiter ? rest.indexOf(delimiter) : -1;
            if (delimiter && cut >= 0) prefixes.add(prefix + rest.slice(0, cut + delimiter.length));
            else items.push({ name: n, size: String(Buffer.byteLength(objects()[n] ?? '')) });
          }
          const pg = page(items, q.get('pageToken'), this.size(q.get('maxResults')));
          return {
            kind: 'storage#objects',
            ...(pg.items.length ? { items: pg.items } : {}),
            ...(prefixes.size && !q.get('pageToken') ? { prefixes: [...prefixes] } : {}),
            ...(pg.next ? { nextPageToken: pg.next } : {}),
          };
        },
      };
    }
    return {
      operation: 'unknown',
      target: '',
      run: () => {
        throw new HttpFault(404, errorBody(404, 'NOT_FOUND', `fake GCP: no route for ${method} ${path}`));
      },
    };
  }

  /** `folders/F`, …, `organizations/O` above a parent, nearest first. */
  private ancestorsOf(parent: string): string[] {
    const chain: string[] = [];
    let next: string | undefined = parent;
    while (next && chain.length < 20) {
      chain.push(next);
      const folderId: string | undefined = /^folders\/(.+)$/.exec(next)?.[1];
      next = folderId ? this.opts.world.folders.find((f) => f.id === folderId)?.parent : undefined;
    }
    return chain;
  }

  private findFolder(id: string): FakeWorld['folders'][number] {
    const f = this.opts.world.folders.find((x) => x.id === id);
    if (!f) throw new HttpFault(403, errorBody(403, 'PERMISSION_DENIED', `Permission denied on folder ${id} (or it may not exist).`, 'IAM_PERMISSION_DENIED'));
    return f;
  }
}
