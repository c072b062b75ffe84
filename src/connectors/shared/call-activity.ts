/**
 * What the live calls of one collection are doing, for the progress line: requests sent, retries
 * in force (which call, which attempt, after what) and requests that have waited long. A slow
 * source shows itself: once there are retries or a long wait, the request rate is shown too.
 * The line always ends with `N requests`.
 */

/** A call between a failed attempt and its end. */
export interface RetryInForce {
  operation: string;
  /** The attempt that comes next (2 = the first retry). */
  attempt: number;
  maxAttempts: number;
  /** `the request timeout of 200 ms`, `ThrottlingException`, `503 UNAVAILABLE`. */
  after: string;
}

/** A request waiting this long for its answer is named in the line. */
const LONG_WAIT_MS = 5000;

export class CallActivity {
  requests = 0;
  retries = 0;
  private readonly startMs: number;
  private readonly retrying = new Map<object, RetryInForce>();
  private readonly waiting = new Map<object, { operation: string; sinceMs: number }>();
  private readonly listeners = new Set<() => void>();

  constructor(private readonly now: () => number = () => Date.now()) {
    this.startMs = now();
  }

  /** Called when a retry starts or a retried call ends; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private notify(): void {
    for (const l of this.listeners) l();
  }

  attemptStarted(call: object, operation: string): void {
    this.requests++;
    this.waiting.set(call, { operation, sinceMs: this.now() });
  }

  attemptEnded(call: object): void {
    this.waiting.delete(call);
  }

  retryScheduled(call: object, retry: RetryInForce): void {
    this.retries++;
    this.retrying.set(call, retry);
    this.notify();
  }

  callEnded(call: object): void {
    this.waiting.delete(call);
    if (this.retrying.delete(call)) this.notify();
  }

  /** `retrying iam:X (attempt 2 of 6, after the request timeout of 200 ms) · 3.2/s · 14 requests`. */
  text(): string {
    const parts: string[] = [];
    const retrying = [...this.retrying.values()];
    const first = retrying[0];
    if (first) {
      parts.push(
        `retrying ${first.operation} (attempt ${first.attempt} of ${first.maxAttempts}, after ${first.after})${retrying.length > 1 ? ` and ${retrying.length - 1} more call(s)` : ''}`,
      );
    }
    const t = this.now();
    let longest: { operation: string; sinceMs: number } | undefined;
    for (const w of this.waiting.values()) if (!longest || w.sinceMs < longest.sinceMs) longest = w;
    const waitedMs = longest ? t - longest.sinceMs : 0;
    if (longest && waitedMs >= LONG_WAIT_MS) parts.push(`waiting ${Math.floor(waitedMs / 1000)} s for ${longest.operation}`);
    if (this.retries > 0 || waitedMs >= LONG_WAIT_MS) {
      const rate = this.requests / Math.max((t - this.startMs) / 1000, 0.001);
      parts.push(`${rate < 10 ? rate.toFixed(1) : String(Math.round(rate))}/s`);
    }
    parts.push(`${this.requests} requests`);
    return parts.join(' · ');
  }
}
