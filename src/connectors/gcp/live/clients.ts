/**
 * Clients for one GCP collection: one set of credentials (Application Default Credentials,
 * optionally impersonating a service account), the gax clients of Resource Manager v3, IAM v2 and
 * Cloud Asset v1 on their REST transport, plain REST through the same credentials for the APIs without a Node 20
 * client (IAM v1, Logging v2, Policy Analyzer v1, Cloud Storage JSON), one retry policy for all of
 * them, a token bucket for Logging reads, and a count of every HTTP attempt.
 *
 * `endpoint` (PERMDRIFT_GCP_ENDPOINT_URL) sends every service to one base URL: an emulator, or the
 * tests' fake on 127.0.0.1. It is honoured for impersonation (iamcredentials) too.
 */

import { GoogleAuth, Impersonated, type AuthClient } from 'google-auth-library';
import resourceManager from '@google-cloud/resource-manager';
import iam from '@google-cloud/iam';
import asset from '@google-cloud/asset';
import { RateLimiter } from '../../aws/live/rate-limiter.js';
import { credentialsError, gcpError, impersonationError, isCredentialsError, isRetryable } from './errors.js';

const SCOPES = ['https://www.googleapis.com/auth/cloud-platform'];

export type GcpService = 'cloudresourcemanager' | 'cloudasset' | 'iam' | 'logging' | 'policyanalyzer' | 'storage' | 'iamcredentials' | 'oauth2';

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
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
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
    const base = new GoogleAuth({ scopes: SCOPES, projectId: this.opts.defaultProject ?? 'permdrift-default-project-unused', ...(this.opts.endpoint ? { clientOptions: { endpoints: { oauth2TokenUrl: `${this.baseUrl('oauth2')}/token` } } } : {}) });
    // As the gax clients do: service-account keys sign their own JWTs, no token exchange.
    base.useJWTAccessWithScope = true;
    let source: AuthClient;
    let caller: GcpCaller;
    try {
      source = await base.getClient();
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
   * Runs one API call with the collection's retry policy: quota (429 / RESOURCE_EXHAUSTED) and
   * 5xx are retried with exponential backoff; anything else is the caller's to classify. Every
   * attempt is counted; Logging reads wait for a token first, retries included.
   */
  async call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    const maxAttempts = this.opts.maxAttempts ?? 6;
    const backoff = this.opts.backoff ?? { initialMs: 1000, maxMs: 32_000 };
    for (let attempt = 1; ; attempt++) {
      if (operation === 'logging.entries.list') await this.loggingLimiter.take();
      this.stats.total++;
      this.stats.byOperation.set(operation, (this.stats.byOperation.get(operation) ?? 0) + 1);
      try {
        return await fn();
      } catch (err) {
        if (attempt >= maxAttempts || !isRetryable(gcpError(err)) || isCredentialsError(err)) throw err;
        this.stats.retries++;
        const ceiling = Math.min(backoff.initialMs * 2 ** (attempt - 1), backoff.maxMs);
        await this.sleep(ceiling / 2 + (this.random() * ceiling) / 2);
      }
    }
  }

  /** A REST call through the collection's credentials; `path` starts with `/v1/…`. */
  async rest<T>(operation: string, service: GcpService, path: string, init: { method?: 'GET' | 'POST'; body?: unknown; query?: Record<string, string | undefined> } = {}): Promise<T> {
    const auth = this.auth;
    if (!auth) throw new Error('GcpClients.init() must run first');
    const url = new URL(`${this.baseUrl(service)}${path}`);
    for (const [k, v] of Object.entries(init.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    return this.call(operation, async () => {
      const res = await auth.request<T>({
        url: url.toString(),
        method: init.method ?? 'GET',
        ...(init.body !== undefined ? { data: init.body } : {}),
        // The collection's own retry policy applies; gaxios must not retry underneath it.
        retry: false,
      });
      return res.data;
    });
  }

  /** Raw bytes of a REST GET (Cloud Storage `alt=media`). */
  async download(operation: string, service: GcpService, path: string, query: Record<string, string>): Promise<Buffer> {
    const auth = this.auth;
    if (!auth) throw new Error('GcpClients.init() must run first');
    const url = new URL(`${this.baseUrl(service)}${path}`);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    return this.call(operation, async () => {
      const res = await auth.request<ArrayBuffer>({ url: url.toString(), method: 'GET', responseType: 'arraybuffer', retry: false });
      return Buffer.from(res.data);
    });
  }

  async close(): Promise<void> {
    await Promise.all([this.projectsClient?.close(), this.foldersClient?.close(), this.organizationsClient?.close(), this.policiesClient?.close(), this.assetClient?.close()]);
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
