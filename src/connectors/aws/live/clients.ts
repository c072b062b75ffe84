/**
 * SDK clients for one collection: one credential chain, adaptive retries with a bounded number of
 * attempts, endpoints as the SDK resolves them (AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> are
 * honoured by the SDK itself, which is how tests and local emulators point it elsewhere), and a
 * counter of every HTTP attempt sent.
 *
 * Time limits (../../shared/call-timeouts.ts): every request handler has a connection timeout (the SDK's
 * `connectionTimeout`, and agents that also bound the TLS handshake), a request timeout that
 * throws (`requestTimeout` with `throwOnRequestTimeout`; without it the installed
 * @smithy/node-http-handler 4.x only logs a warning) and the same limit as the socket's idle
 * timeout, so a body that stops half-way fails too. The SDK's retry strategy counts a timeout as
 * transient and retries it; a middleware inside the retry loop refuses an attempt that could not
 * end inside the retry budget, and one outside it turns a call that timed out into a
 * CallTimeoutError naming `service:Operation` and the limit.
 */

import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { IAMClient } from '@aws-sdk/client-iam';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { CallActivity } from '../../shared/call-activity.js';
import {
  AttemptTimeoutError,
  CallTimeoutError,
  DEFAULT_CALL_TIMEOUTS,
  isCallTimeout,
  isRetryInBudget,
  timeoutLimitText,
  type CallTimeouts,
  type TimeoutKind,
} from '../../shared/call-timeouts.js';
import { ConnectTimeoutHttpAgent, ConnectTimeoutHttpsAgent, isConnectTimeout } from '../../shared/connect-timeout-agent.js';
import { awsErrorCode } from './aws-errors.js';
import { RateLimiter } from '../../shared/rate-limiter.js';

export interface ClientOptions {
  profile?: string;
  /** Attempts per request, the first included. */
  maxAttempts: number;
  /** LookupEvents requests per second per region (the API allows 2). */
  lookupEventsRate: number;
  /** Connection, request and retry-budget limits (default DEFAULT_CALL_TIMEOUTS). */
  timeouts?: CallTimeouts;
}

export interface RequestStats {
  total: number;
  /** `<service>:<Operation>` → attempts. */
  byOperation: Map<string, number>;
}

type AnyClient = IAMClient | STSClient | CloudTrailClient | S3Client | OrganizationsClient;
type Credentials = ReturnType<typeof fromNodeProviderChain>;

type Handler = (args: unknown) => Promise<unknown>;
interface StackLike {
  addRelativeTo(
    middleware: (next: Handler, context: Record<string, unknown> & { commandName?: string }) => Handler,
    options: { relation: 'after' | 'before'; toMiddleware: string; name: string },
  ): void;
}

/** One call through the SDK, from the first attempt to its end (shared by the two middlewares through the context). */
interface CallState {
  operation: string;
  startMs: number;
  attempts: number;
  lastError?: unknown;
  isBudgetSpent: boolean;
}

const CALL_KEY = '__permdriftCall';

/** Thrown inside the retry loop to end it when the budget is spent; not retryable (no status, no cause). */
class BudgetSpent extends Error {
  override readonly name = 'RetryBudgetSpent';
}

/** The SDK's own timeout errors (request, socket idle, connection), and the connection agents'. */
function sdkTimeoutKind(err: unknown): TimeoutKind | undefined {
  if (err instanceof AttemptTimeoutError) return err.kind;
  if (isConnectTimeout(err)) return 'connect';
  const e = (typeof err === 'object' && err !== null ? err : {}) as { name?: unknown; code?: unknown };
  if (e.name === 'TimeoutError' || e.code === 'ETIMEDOUT') return 'request';
  return undefined;
}

/** Whether the SDK's retry strategy will try again after this error (timeouts, throttling, 5xx, network resets). */
function isRetryableError(err: unknown): boolean {
  if (sdkTimeoutKind(err) !== undefined) return true;
  const e = (typeof err === 'object' && err !== null ? err : {}) as { $retryable?: unknown; $metadata?: { httpStatusCode?: number }; code?: unknown };
  const status = e.$metadata?.httpStatusCode ?? 0;
  if (e.$retryable !== undefined || status === 429 || status >= 500) return true;
  if (typeof e.code === 'string' && ['ECONNRESET', 'ECONNREFUSED', 'EPIPE'].includes(e.code)) return true;
  return /Throttl|SlowDown|TooManyRequests|RequestLimitExceeded/.test(awsErrorCode(err));
}

export class AwsClients {
  readonly stats: RequestStats = { total: 0, byOperation: new Map() };
  /** Requests, retries in force and long waits, for the progress line (shared with assumed-role sets). */
  readonly activity: CallActivity;
  readonly timeouts: CallTimeouts;
  /** The credentials every client of this set signs with. */
  readonly credentials: Credentials;
  private readonly httpAgent: ConnectTimeoutHttpAgent;
  private readonly httpsAgent: ConnectTimeoutHttpsAgent;
  private readonly cloudTrailByRegion = new Map<string, CloudTrailClient>();
  private readonly limiters = new Map<string, RateLimiter>();
  private iamClient?: IAMClient;
  private s3Client?: S3Client;
  private stsClient?: STSClient;
  private organizationsClient?: OrganizationsClient;

  constructor(
    private readonly opts: ClientOptions,
    /** The region for global services and the default one. */
    readonly homeRegion: string,
    /** Default: the SDK's chain (env, profile, SSO, web identity, ECS/EC2). */
    credentials?: Credentials,
    activity?: CallActivity,
  ) {
    this.timeouts = opts.timeouts ?? DEFAULT_CALL_TIMEOUTS;
    this.activity = activity ?? new CallActivity();
    this.httpAgent = new ConnectTimeoutHttpAgent(this.timeouts.connectMs, { maxSockets: 50 });
    this.httpsAgent = new ConnectTimeoutHttpsAgent(this.timeouts.connectMs, { maxSockets: 50 });
    this.credentials =
      credentials ?? fromNodeProviderChain({ ...(opts.profile ? { profile: opts.profile } : {}), clientConfig: { requestHandler: this.requestHandler() } });
  }

  /** The same options with a role assumed in another account through these credentials. */
  assumeRole(roleArn: string): AwsClients {
    const credentials = fromTemporaryCredentials({
      masterCredentials: this.credentials,
      params: { RoleArn: roleArn, RoleSessionName: 'permdrift-audit', DurationSeconds: 3600 },
      clientConfig: { region: this.homeRegion, maxAttempts: this.opts.maxAttempts, requestHandler: this.requestHandler() },
    });
    return new AwsClients(this.opts, this.homeRegion, shareCredentials(credentials), this.activity);
  }

  /** NodeHttpHandler options (the SDK builds the handler from them). */
  private requestHandler(): {
    connectionTimeout: number;
    requestTimeout: number;
    throwOnRequestTimeout: true;
    socketTimeout: number;
    httpAgent: ConnectTimeoutHttpAgent;
    httpsAgent: ConnectTimeoutHttpsAgent;
  } {
    return {
      connectionTimeout: this.timeouts.connectMs,
      requestTimeout: this.timeouts.requestMs,
      throwOnRequestTimeout: true,
      // Idle: a body that stops coming (a stalled S3 download) fails too, not only a late answer.
      socketTimeout: this.timeouts.requestMs,
      httpAgent: this.httpAgent,
      httpsAgent: this.httpsAgent,
    };
  }

  private common(region: string): {
    region: string;
    credentials: Credentials;
    maxAttempts: number;
    retryMode: string;
    profile?: string;
    requestHandler: ReturnType<AwsClients['requestHandler']>;
  } {
    return {
      region,
      credentials: this.credentials,
      maxAttempts: this.opts.maxAttempts,
      // Adaptive: standard retries plus client-side rate limiting once AWS starts throttling.
      retryMode: 'adaptive',
      ...(this.opts.profile ? { profile: this.opts.profile } : {}),
      requestHandler: this.requestHandler(),
    };
  }

  /**
   * Two middlewares. Outside the retry loop: one state per call, and a call that ran out of time
   * becomes a CallTimeoutError. Inside it, for each attempt: the budget check, the LookupEvents
   * token, the counters, and the retry shown in progress.
   */
  private instrument<C extends AnyClient>(client: C, service: string, limiter?: RateLimiter): C {
    const stack = client.middlewareStack as unknown as StackLike;
    const operationOf = (context: { commandName?: string }): string => `${service}:${(context.commandName ?? 'Unknown').replace(/Command$/, '')}`;
    stack.addRelativeTo(
      (next, context) => async (args) => {
        const call: CallState = { operation: operationOf(context), startMs: Date.now(), attempts: 0, isBudgetSpent: false };
        context[CALL_KEY] = call;
        try {
          return await next(args);
        } catch (err) {
          throw this.callError(call, err);
        } finally {
          this.activity.callEnded(call);
        }
      },
      { relation: 'before', toMiddleware: 'retryMiddleware', name: 'permdriftCallMiddleware' },
    );
    stack.addRelativeTo(
      (next, context) => async (args) => {
        const call = (context[CALL_KEY] as CallState | undefined) ?? {
          operation: operationOf(context),
          startMs: Date.now(),
          attempts: 0,
          isBudgetSpent: false,
        };
        if (call.attempts > 0 && !isRetryInBudget(Date.now() - call.startMs, this.timeouts)) {
          call.isBudgetSpent = true;
          throw new BudgetSpent(`the retry budget of ${this.timeouts.budgetMs} ms is spent`);
        }
        if (limiter && call.operation === 'cloudtrail:LookupEvents') await limiter.take();
        call.attempts++;
        this.stats.total++;
        this.stats.byOperation.set(call.operation, (this.stats.byOperation.get(call.operation) ?? 0) + 1);
        this.activity.attemptStarted(call, call.operation);
        try {
          return await next(args);
        } catch (err) {
          call.lastError = err;
          if (call.attempts < this.opts.maxAttempts && isRetryableError(err) && isRetryInBudget(Date.now() - call.startMs, this.timeouts)) {
            this.activity.retryScheduled(call, {
              operation: call.operation,
              attempt: call.attempts + 1,
              maxAttempts: this.opts.maxAttempts,
              after: this.retryReason(err),
            });
          }
          throw err;
        } finally {
          this.activity.attemptEnded(call);
        }
      },
      { relation: 'after', toMiddleware: 'retryMiddleware', name: 'permdriftAttemptMiddleware' },
    );
    return client;
  }

  private retryReason(err: unknown): string {
    const kind = sdkTimeoutKind(err);
    if (kind !== undefined) return timeoutLimitText(kind, kind === 'connect' ? this.timeouts.connectMs : this.timeouts.requestMs);
    return awsErrorCode(err);
  }

  /** What a call throws at its end: the last attempt's error, a timeout named as one. */
  private callError(call: CallState, err: unknown): unknown {
    const last = err instanceof BudgetSpent ? call.lastError : err;
    if (isCallTimeout(last)) return last;
    const kind = sdkTimeoutKind(last);
    if (kind === undefined) return last;
    const limit = kind === 'connect' ? this.timeouts.connectMs : this.timeouts.requestMs;
    const out = new CallTimeoutError(
      call.operation,
      kind,
      limit,
      call.attempts,
      Date.now() - call.startMs,
      call.isBudgetSpent ? this.timeouts.budgetMs : undefined,
    );
    return Object.assign(out, { cause: last });
  }

  /**
   * A download's body is read after the SDK's retry loop has returned: a body that stalls (the
   * socket's idle timeout) or breaks off is retried here, the whole GetObject again, with the same
   * attempts, backoff and budget. The SDK's own CallTimeoutError (no answer at all) is final.
   */
  async withBodyRetries<T>(
    operation: string,
    attempt: () => Promise<T>,
    sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ): Promise<T> {
    const startMs = Date.now();
    const call = {};
    try {
      for (let n = 1; ; n++) {
        try {
          return await attempt();
        } catch (err) {
          if (isCallTimeout(err)) throw err;
          const kind = sdkTimeoutKind(err);
          const isBroken =
            kind !== undefined ||
            (typeof err === 'object' &&
              err !== null &&
              ['ECONNRESET', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE'].includes(String((err as { code?: unknown }).code)));
          if (!isBroken) throw err;
          const elapsed = Date.now() - startMs;
          if (n >= this.opts.maxAttempts || !isRetryInBudget(elapsed, this.timeouts)) {
            if (kind === undefined) throw err;
            const limit = kind === 'connect' ? this.timeouts.connectMs : this.timeouts.requestMs;
            const out = new CallTimeoutError(
              operation,
              kind === 'request' ? 'stalled' : kind,
              limit,
              n,
              elapsed,
              n < this.opts.maxAttempts ? this.timeouts.budgetMs : undefined,
            );
            throw Object.assign(out, { cause: err });
          }
          this.activity.retryScheduled(call, {
            operation,
            attempt: n + 1,
            maxAttempts: this.opts.maxAttempts,
            after: kind === undefined ? awsErrorCode(err) : timeoutLimitText(kind, this.timeouts.requestMs),
          });
          // As the SDK backs off: full jitter below an exponential ceiling.
          await sleep(Math.random() * Math.min(100 * 2 ** (n - 1), 20_000));
        }
      }
    } finally {
      this.activity.callEnded(call);
    }
  }

  sts(): STSClient {
    this.stsClient ??= this.instrument(new STSClient(this.common(this.homeRegion)), 'sts');
    return this.stsClient;
  }

  organizations(): OrganizationsClient {
    this.organizationsClient ??= this.instrument(new OrganizationsClient(this.common(this.homeRegion)), 'organizations');
    return this.organizationsClient;
  }

  iam(): IAMClient {
    this.iamClient ??= this.instrument(new IAMClient(this.common(this.homeRegion)), 'iam');
    return this.iamClient;
  }

  cloudTrail(region: string): CloudTrailClient {
    let c = this.cloudTrailByRegion.get(region);
    if (!c) {
      const limiter = new RateLimiter({ ratePerSecond: this.opts.lookupEventsRate, burst: 1 });
      this.limiters.set(region, limiter);
      c = this.instrument(new CloudTrailClient(this.common(region)), 'cloudtrail', limiter);
      this.cloudTrailByRegion.set(region, c);
    }
    return c;
  }

  s3(): S3Client {
    // Path-style keeps bucket names with dots working and lets an endpoint override (an emulator,
    // the tests' fake) serve buckets as paths; region redirects handle a bucket in another region.
    this.s3Client ??= this.instrument(new S3Client({ ...this.common(this.homeRegion), forcePathStyle: true, followRegionRedirects: true }), 's3');
    return this.s3Client;
  }

  destroy(): void {
    this.stsClient?.destroy();
    this.organizationsClient?.destroy();
    this.iamClient?.destroy();
    this.s3Client?.destroy();
    for (const c of this.cloudTrailByRegion.values()) c.destroy();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

/**
 * Each SDK client caches credentials on its own, so without sharing, every client of an account
 * would call AssumeRole once. One session per account, renewed 5 minutes before it expires; a
 * failed attempt is not kept, so the next call tries again.
 */
function shareCredentials(provider: Credentials): Credentials {
  let current: ReturnType<Credentials> | undefined;
  const shared = async (): ReturnType<Credentials> => {
    if (current) {
      const c = await current.catch(() => undefined);
      if (c && (c.expiration === undefined || c.expiration.getTime() - Date.now() > 300_000)) return c;
    }
    const next = provider();
    current = next;
    next.catch(() => {
      if (current === next) current = undefined;
    });
    return next;
  };
  return shared as Credentials;
}

/** The region from the profile or environment as the SDK resolves it; us-east-1 when none is set. */
export async function resolveDefaultRegion(profile: string | undefined): Promise<string> {
  const probe = new STSClient(profile ? { profile } : {});
  try {
    const r = await probe.config.region();
    return typeof r === 'string' && r !== '' ? r : 'us-east-1';
  } catch {
    return 'us-east-1';
  } finally {
    probe.destroy();
  }
}
