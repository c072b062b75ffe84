/**
 * SDK clients for one collection: one credential chain, adaptive retries with a bounded number of
 * attempts, endpoints as the SDK resolves them (AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> are
 * honoured by the SDK itself, which is how tests and local emulators point it elsewhere), and a
 * counter of every HTTP attempt sent.
 */

import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { IAMClient } from '@aws-sdk/client-iam';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { RateLimiter } from './rate-limiter.js';

export interface ClientOptions {
  profile?: string;
  /** Attempts per request, the first included. */
  maxAttempts: number;
  /** LookupEvents requests per second per region (the API allows 2). */
  lookupEventsRate: number;
}

export interface RequestStats {
  total: number;
  /** `<service>:<Operation>` → attempts. */
  byOperation: Map<string, number>;
}

type AnyClient = IAMClient | STSClient | CloudTrailClient | S3Client | OrganizationsClient;
type Credentials = ReturnType<typeof fromNodeProviderChain>;

interface StackLike {
  addRelativeTo(
    middleware: (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) => Promise<unknown>,
    options: { relation: 'after' | 'before'; toMiddleware: string; name: string },
  ): void;
}

export class AwsClients {
  readonly stats: RequestStats = { total: 0, byOperation: new Map() };
  /** The credentials every client of this set signs with. */
  readonly credentials: Credentials;
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
  ) {
    this.credentials = credentials ?? fromNodeProviderChain(opts.profile ? { profile: opts.profile } : {});
  }

  /** The same options with a role assumed in another account through these credentials. */
  assumeRole(roleArn: string): AwsClients {
    const credentials = fromTemporaryCredentials({
      masterCredentials: this.credentials,
      params: { RoleArn: roleArn, RoleSessionName: 'permdrift-audit', DurationSeconds: 3600 },
      clientConfig: { region: this.homeRegion, maxAttempts: this.opts.maxAttempts },
    });
    return new AwsClients(this.opts, this.homeRegion, shareCredentials(credentials));
  }

  private common(region: string): { region: string; credentials: Credentials; maxAttempts: number; retryMode: string; profile?: string } {
    return {
      region,
      credentials: this.credentials,
      maxAttempts: this.opts.maxAttempts,
      // Adaptive: standard retries plus client-side rate limiting once AWS starts throttling.
      retryMode: 'adaptive',
      ...(this.opts.profile ? { profile: this.opts.profile } : {}),
    };
  }

  /** Counts each attempt (it sits inside the retry loop) and, for LookupEvents, waits for a token. */
  private instrument<C extends AnyClient>(client: C, service: string, limiter?: RateLimiter): C {
    const stack = client.middlewareStack as unknown as StackLike;
    stack.addRelativeTo(
      (next, context) => async (args) => {
        const operation = `${service}:${(context.commandName ?? 'Unknown').replace(/Command$/, '')}`;
        if (limiter && operation === 'cloudtrail:LookupEvents') await limiter.take();
        this.stats.total++;
        this.stats.byOperation.set(operation, (this.stats.byOperation.get(operation) ?? 0) + 1);
        return next(args);
      },
      { relation: 'after', toMiddleware: 'retryMiddleware', name: 'permdriftAttemptMiddleware' },
    );
    return client;
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
