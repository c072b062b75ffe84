/**
 * Clients for one GCP collection: one set of credentials (Application Default Credentials,
 * optionally impersonating a service account), the gax clients of Resource Manager v3, IAM v2 and
 * Cloud Asset v1 on their REST transport, plain REST through the same credentials for the APIs without a Node 20
 * client (IAM v1, Logging v2, Policy Analyzer v1, Cloud Storage JSON), one retry policy for all of
 * them, a token bucket for Logging reads, and a count of every HTTP attempt.
 *
 * `endpoint` (PERMDRIFT_GCP_ENDPOINT_URL) sends every service to one base URL: an emulator, or the
 * tests' fake on 127.0.0.1. It is honoured for impersonation (iamcredentials) too.
 *
 * Time limits (../../shared/call-timeouts.ts): the gax clients' own timeout is not enforced on their REST
 * transport, and gaxios has only a total timeout, so both transports get them here. A request
 * interceptor on each auth client gives every request (gax, REST, token refresh) an agent whose
 * connections must open within the connect timeout (requests that already carry an agent of their
 * own, a proxy or mTLS one, keep it); `call()` bounds each attempt by the request timeout (it
 * aborts a REST request and cancels a gax call), retries a timed-out attempt as it retries quota
 * and 5xx errors, starts no attempt that could not end inside the retry budget, and ends with a
 * CallTimeoutError naming the REST method id. Downloads bound the wait for the answer and each
 * pause of the body instead.
 */

import { GoogleAuth, Impersonated, type AuthClient } from 'google-auth-library';
import resourceManager from '@google-cloud/resource-manager';
import iam from '@google-cloud/iam';
import asset from '@google-cloud/asset';
import { RateLimiter } from '../../shared/rate-limiter.js';
import { CallActivity } from '../../shared/call-activity.js';
import {
  AttemptTimeoutError,
  CallTimeoutError,
  DEFAULT_CALL_TIMEOUTS,
  isRetryInBudget,
  timeoutLimitText,
  type CallTimeouts,
  type TimeoutKind,
} from '../../shared/call-timeouts.js';
import { ConnectTimeoutHttpAgent, ConnectTimeoutHttpsAgent, isConnectTimeout } from '../../shared/connect-timeout-agent.js';
import { credentialsError, describe, gcpError, impersonationError, isCredentialsError, isRetryable } from './errors.js';

const SCOPES = ['https://www.googleapis.com/auth/cloud-platform'];

export type GcpService =
  'cloudresourcemanager' | 'cloudasset' | 'iam' | 'logging' | 'policyanalyzer' | 'recommender' | 'cloudidentity' | 'storage' | 'iamcredentials' | 'oauth2';

export interface GcpClientOptions {
  /** One base URL for every service (tests, emulators); default: the public googleapis.com hosts. */
  endpoint?: string;
  impersonateServiceAccount?: string;
  /**
   * google-auth-library resolves a default project before its first request unless given one, by
   * running gcloud and asking the metadata server; nothing here uses it, so the caller names one
   * (the first audited project) and no such lookup happens.
   */
  defaultProject?: string;
  /** Attempts per request, the first included. */
  maxAttempts?: number;
  /** Backoff before retry n: min(initialMs × 2^(n-1), maxMs), with jitter. */
  backoff?: { initialMs: number; maxMs: number };
  /** Logging `entries.list` requests per minute (the default quota is 60 per project). */
  loggingReadsPerMinute?: number;
  /** Connection, request and retry-budget limits (default DEFAULT_CALL_TIMEOUTS). */
  timeouts?: CallTimeouts;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** What a request may carry as its agent: one for all, or one per URL (gax passes a function). */
type AgentOption = unknown;

/** A gax call's promise can be cancelled (its REST transport aborts the fetch). */
interface Cancellable {
  cancel?: () => void;
}

function timeoutKindOf(err: unknown): TimeoutKind | undefined {
  if (err instanceof AttemptTimeoutError) return err.kind;
  if (isConnectTimeout(err)) return 'connect';
  return undefined;
}

export interface RequestStats {
  total: number;
  /** REST method id (`cloudresourcemanager.projects.getIamPolicy`) → attempts. */
  byOperation: Map<string, number>;
  retries: number;
}

/** Who the collection runs as, when the credentials say so without a request. */
export interface GcpCaller {
  /** `serviceAccount:…` / `user:…`, or undefined when the credentials do not name it (user ADC). */
  principal?: string;
  /** `service_account`, `authorized_user`, `external_account`, `impersonated_service_account`, `compute` … */
  credentialType: string;
  /** With --impersonate-service-account: the account the requests run as. */
  impersonating?: string;
}

const realSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

type ProjectsClient = InstanceType<typeof resourceManager.ProjectsClient>;
type FoldersClient = InstanceType<typeof resourceManager.FoldersClient>;
type OrganizationsClient = InstanceType<typeof resourceManager.OrganizationsClient>;
type PoliciesClient = InstanceType<typeof iam.v2.PoliciesClient>;
type AssetServiceClient = InstanceType<typeof asset.v1.AssetServiceClient>;

interface GaxClientOptions {
  [key: string]: string | number | boolean | GoogleAuth | undefined;
  fallback: true;
  auth: GoogleAuth;
  apiEndpoint?: string;
  port?: number;
  protocol?: string;
}

export class GcpClients {
  readonly stats: RequestStats = { total: 0, byOperation: new Map(), retries: 0 };
  /** Requests, retries in force and long waits, for the progress line. */
  readonly activity = new CallActivity();
  readonly timeouts: CallTimeouts;
  private readonly httpAgent: ConnectTimeoutHttpAgent;
  private readonly httpsAgent: ConnectTimeoutHttpsAgent;
  private auth?: GoogleAuth;
  private readonly loggingLimiter: RateLimiter;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private projectsClient?: ProjectsClient;
  private foldersClient?: FoldersClient;
  private organizationsClient?: OrganizationsClient;
  private policiesClient?: PoliciesClient;
  private assetClient?: AssetServiceClient;

  constructor(private readonly opts: GcpClientOptions = {}) {
    this.loggingLimiter = new RateLimiter({ ratePerSecond: (opts.loggingReadsPerMinute ?? 60) / 60, burst: 1 });
    this.sleep = opts.sleep ?? realSleep;
    this.random = opts.random ?? Math.random;
    this.timeouts = opts.timeouts ?? DEFAULT_CALL_TIMEOUTS;
    this.httpAgent = new ConnectTimeoutHttpAgent(this.timeouts.connectMs);
    this.httpsAgent = new ConnectTimeoutHttpsAgent(this.timeouts.connectMs);
  }

  /**
   * Every request of `client` (gax's REST calls, REST calls, token requests) opens its connections
   * through the connect-timeout agents, unless it carries an agent object of its own (a proxy, mTLS).
   */
  private withConnectTimeout(client: AuthClient): void {
    const agentFor = (url: URL): ConnectTimeoutHttpAgent | ConnectTimeoutHttpsAgent => (url.protocol === 'http:' ? this.httpAgent : this.httpsAgent);
    client.transporter.interceptors.request.add({
      resolved: async (config) => {
        const current: AgentOption = config.agent;
        if (current === undefined || typeof current === 'function') config.agent = agentFor;
        return config;
      },
    });
  }

  /** https://<service>.googleapis.com, or the override. */
  baseUrl(service: GcpService): string {
    return this.opts.endpoint ? this.opts.endpoint.replace(/\/+$/, '') : `https://${service}.googleapis.com`;
  }

  /**
   * Loads the credentials (and with impersonation, obtains the first token), so a missing ADC or a
   * refused impersonation stops the run before any project is touched.
   */
  async init(): Promise<GcpCaller> {
    // With an endpoint override, OAuth token refreshes (user ADC) go there too: nothing else is contacted.
    const base = new GoogleAuth({
      scopes: SCOPES,
      projectId: this.opts.defaultProject ?? 'permdrift-default-project-unused',
      ...(this.opts.endpoint ? { clientOptions: { endpoints: { oauth2TokenUrl: `${this.baseUrl('oauth2')}/token` } } } : {}),
    });
    // As the gax clients do: service-account keys sign their own JWTs, no token exchange.
    base.useJWTAccessWithScope = true;
    let source: AuthClient;
    let caller: GcpCaller;
    try {
      source = await base.getClient();
      this.withConnectTimeout(source);
      // Read off the client: GoogleAuth.getCredentials() would ask the metadata server for user ADC.
      const email = (source as { email?: unknown }).email;
      caller = { credentialType: credentialTypeOf(source), ...(typeof email === 'string' && email ? { principal: `serviceAccount:${email}` } : {}) };
    } catch (err) {
      throw credentialsError(err, undefined);
    }
    const target = this.opts.impersonateServiceAccount;
    if (!target) {
      this.auth = base;
      return caller;
    }
    const impersonated = new Impersonated({
      sourceClient: source,
      targetPrincipal: target,
      targetScopes: SCOPES,
      lifetime: 3600,
      delegates: [],
      ...(this.opts.endpoint ? { endpoint: this.baseUrl('iamcredentials') } : {}),
    });
    this.withConnectTimeout(impersonated);
    try {
      await this.call('iamcredentials.serviceAccounts.generateAccessToken', () => impersonated.getAccessToken());
    } catch (err) {
      if (isCredentialsError(err) && gcpError(err).httpStatus !== 403) throw credentialsError(err, target);
      throw impersonationError(err, target);
    }
    this.auth = new GoogleAuth({ authClient: impersonated, scopes: SCOPES, projectId: this.opts.defaultProject ?? 'permdrift-default-project-unused' });
    return { ...caller, impersonating: target };
  }

  private gaxOptions(): GaxClientOptions {
    if (!this.auth) throw new Error('GcpClients.init() must run first');
    const o: GaxClientOptions = { fallback: true, auth: this.auth };
    if (this.opts.endpoint) {
      const u = new URL(this.opts.endpoint);
      o.apiEndpoint = u.hostname;
      o.port = Number(u.port || (u.protocol === 'http:' ? 80 : 443));
      o.protocol = u.protocol.replace(':', '');
    }
    return o;
  }

  projects(): ProjectsClient {
    this.projectsClient ??= new resourceManager.ProjectsClient(this.gaxOptions());
    return this.projectsClient;
  }

  folders(): FoldersClient {
    this.foldersClient ??= new resourceManager.FoldersClient(this.gaxOptions());
    return this.foldersClient;
  }

  organizations(): OrganizationsClient {
    this.organizationsClient ??= new resourceManager.OrganizationsClient(this.gaxOptions());
    return this.organizationsClient;
  }

  policies(): PoliciesClient {
    this.policiesClient ??= new iam.v2.PoliciesClient(this.gaxOptions());
    return this.policiesClient;
  }

  /** Cloud Asset Inventory v1 (searchAllIamPolicies, searchAllResources), on the same REST transport and credentials. */
  assets(): AssetServiceClient {
    this.assetClient ??= new asset.v1.AssetServiceClient(this.gaxOptions());
    return this.assetClient;
  }

  /**
   * Runs one API call with the collection's retry policy: quota (429 / RESOURCE_EXHAUSTED), 5xx
   * and timed-out attempts are retried with exponential backoff, while another attempt fits the
   * retry budget; anything else is the caller's to classify. Every attempt is counted; Logging
   * reads wait for a token first, retries included. `fn` gets the attempt's abort signal; a gax
   * call returns its cancellable promise. `isSelfTimed`: `fn` bounds its own waits (downloads).
   */
  async call<T>(operation: string, fn: (signal: AbortSignal) => Promise<T>, opts: { isSelfTimed?: boolean } = {}): Promise<T> {
    const maxAttempts = this.opts.maxAttempts ?? 6;
    const backoff = this.opts.backoff ?? { initialMs: 1000, maxMs: 32_000 };
    const startMs = Date.now();
    const call = {};
    try {
      for (let attempt = 1; ; attempt++) {
        if (operation === 'logging.entries.list') await this.loggingLimiter.take();
        this.stats.total++;
        this.stats.byOperation.set(operation, (this.stats.byOperation.get(operation) ?? 0) + 1);
        this.activity.attemptStarted(call, operation);
        try {
          return await (opts.isSelfTimed ? fn(new AbortController().signal) : this.timed(fn));
        } catch (err) {
          // A call made inside this one already spent its own retries.
          if (err instanceof CallTimeoutError) throw err;
          const kind = timeoutKindOf(err);
          const isRetryableError = kind !== undefined || (isRetryable(gcpError(err)) && !isCredentialsError(err));
          const elapsed = Date.now() - startMs;
          const isInBudget = isRetryInBudget(elapsed, this.timeouts);
          if (attempt >= maxAttempts || !isRetryableError || !isInBudget) {
            if (kind === undefined) throw err;
            const limit = kind === 'connect' ? this.timeouts.connectMs : this.timeouts.requestMs;
            throw Object.assign(new CallTimeoutError(operation, kind, limit, attempt, elapsed, isInBudget ? undefined : this.timeouts.budgetMs), {
              cause: err,
            });
          }
          this.stats.retries++;
          const after =
            kind !== undefined
              ? timeoutLimitText(kind, kind === 'connect' ? this.timeouts.connectMs : this.timeouts.requestMs)
              : (describe(gcpError(err)).split(':')[0] ?? 'error');
          this.activity.retryScheduled(call, { operation, attempt: attempt + 1, maxAttempts, after });
          const ceiling = Math.min(backoff.initialMs * 2 ** (attempt - 1), backoff.maxMs);
          await this.sleep(ceiling / 2 + (this.random() * ceiling) / 2);
        } finally {
          this.activity.attemptEnded(call);
        }
      }
    } finally {
      this.activity.callEnded(call);
    }
  }

  /** One attempt bounded by the request timeout: aborted (REST) or cancelled (gax) when it is hit. */
  private timed<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const pending = fn(controller.signal);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        controller.abort();
        (pending as Promise<T> & Cancellable).cancel?.();
        reject(new AttemptTimeoutError('request', this.timeouts.requestMs));
      }, this.timeouts.requestMs);
      pending.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(err);
        },
      );
    });
  }

  /** A REST call through the collection's credentials; `path` starts with `/v1/…`. */
  async rest<T>(
    operation: string,
    service: GcpService,
    path: string,
    init: { method?: 'GET' | 'POST'; body?: unknown; query?: Record<string, string | undefined> } = {},
  ): Promise<T> {
    const auth = this.auth;
    if (!auth) throw new Error('GcpClients.init() must run first');
    const url = new URL(`${this.baseUrl(service)}${path}`);
    for (const [k, v] of Object.entries(init.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    return this.call(operation, async (signal) => {
      const res = await auth.request<T>({
        url: url.toString(),
        method: init.method ?? 'GET',
        ...(init.body !== undefined ? { data: init.body } : {}),
        // The collection's own retry policy applies; gaxios must not retry underneath it.
        retry: false,
        signal,
      });
      return res.data;
    });
  }

  /**
   * Raw bytes of a REST GET (Cloud Storage `alt=media`): the answer must start within the request
   * timeout, and the body may pause no longer than it (a large file may take longer in all).
   */
  async download(operation: string, service: GcpService, path: string, query: Record<string, string>): Promise<Buffer> {
    const auth = this.auth;
    if (!auth) throw new Error('GcpClients.init() must run first');
    const url = new URL(`${this.baseUrl(service)}${path}`);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const limit = this.timeouts.requestMs;
    return this.call(
      operation,
      async () => {
        const controller = new AbortController();
        let expired: TimeoutKind | undefined;
        let timer: NodeJS.Timeout | undefined;
        const arm = (kind: TimeoutKind): void => {
          clearTimeout(timer);
          timer = setTimeout(() => {
            expired = kind;
            controller.abort();
          }, limit);
        };
        arm('request');
        try {
          const res = await auth.request<NodeJS.ReadableStream>({
            url: url.toString(),
            method: 'GET',
            responseType: 'stream',
            retry: false,
            signal: controller.signal,
          });
          arm('stalled');
          const chunks: Buffer[] = [];
          for await (const chunk of res.data as AsyncIterable<Buffer | string>) {
            arm('stalled');
            chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
          }
          return Buffer.concat(chunks);
        } catch (err) {
          if (expired !== undefined) throw new AttemptTimeoutError(expired, limit);
          throw err;
        } finally {
          clearTimeout(timer);
        }
      },
      { isSelfTimed: true },
    );
  }

  async close(): Promise<void> {
    await Promise.all([
      this.projectsClient?.close(),
      this.foldersClient?.close(),
      this.organizationsClient?.close(),
      this.policiesClient?.close(),
      this.assetClient?.close(),
    ]);
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

function credentialTypeOf(client: AuthClient): string {
  const name = client.constructor.name;
  const known: Record<string, string> = {
    JWT: 'service_account',
    UserRefreshClient: 'authorized_user',
    Compute: 'compute',
    Impersonated: 'impersonated_service_account',
    IdentityPoolClient: 'external_account',
    AwsClient: 'external_account',
    PluggableAuthClient: 'external_account',
    ExternalAccountAuthorizedUserClient: 'external_account_authorized_user',
  };
  return known[name] ?? name;
}
