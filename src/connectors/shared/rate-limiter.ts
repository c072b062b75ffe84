/**
 * A token bucket that spaces calls to an API with a documented request rate (LookupEvents allows
 * 2 requests per second per region and account). It sits inside the SDK's retry loop, so retried
 * attempts wait for a token too and the limit holds for every request that leaves the process.
 */

export interface RateLimiterOptions {
  /** Requests per second the bucket refills. */
  ratePerSecond: number;
  /** Tokens the bucket holds at most: 1 = strictly spaced requests, no burst. */
  burst?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class RateLimiter {
  private readonly intervalMs: number;
  private readonly capacity: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** The moment the next token is available; tokens are reserved in call order. */
  private nextFreeMs: number;

  constructor(opts: RateLimiterOptions) {
    if (!(opts.ratePerSecond > 0)) throw new RangeError('ratePerSecond must be positive');
    this.intervalMs = 1000 / opts.ratePerSecond;
    this.capacity = Math.max(1, Math.floor(opts.burst ?? 1));
    this.now = opts.now ?? (() => Date.now());
    this.sleep = opts.sleep ?? realSleep;
    this.nextFreeMs = Number.NEGATIVE_INFINITY;
  }

  /** Waits until a token is free and takes it. */
  async take(): Promise<void> {
    const t = this.now();
    // An idle bucket refills to its capacity, never beyond it.
    const earliest = t - (this.capacity - 1) * this.intervalMs;
    const slot = Math.max(this.nextFreeMs, earliest);
    this.nextFreeMs = slot + this.intervalMs;
    const wait = slot - t;
    if (wait > 0) await this.sleep(wait);
  }
}
