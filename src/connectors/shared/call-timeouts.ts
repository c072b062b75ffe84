/**
 * The time limits of every live call (AWS and GCP alike) and the error a call ends with when they
 * are hit. Three limits:
 * - connect: the longest opening a connection (TCP and TLS) may take;
 * - request: the longest one attempt may wait for its answer, counted from the start of the
 *   attempt (its connection included), and for a download also the longest pause while the body
 *   arrives;
 * - budget: the longest one call may take with all its retries and backoff; no attempt starts
 *   that could not finish inside it.
 * A timed-out attempt is retried like a throttled one; when the retries or the budget run out, the
 * call throws a CallTimeoutError naming the call (`service:Operation` or the GCP REST method id)
 * and the limit that was hit.
 */

import { formatDuration } from '../../config/timeout-length.js';
import { PermdriftError } from '../../model/errors.js';

export interface CallTimeouts {
  connectMs: number;
  requestMs: number;
  budgetMs: number;
}

/**
 * No AWS or Google default: the SDKs wait for ever. A minute for one answer is far beyond what a
 * healthy API takes (a Logging page over a long window is among the slowest), five minutes for a
 * call with its retries.
 */
export const DEFAULT_CALL_TIMEOUTS: CallTimeouts = { connectMs: 10_000, requestMs: 60_000, budgetMs: 300_000 };

/** `connect`: no connection; `request`: no answer in time; `stalled`: the answer began, then stopped coming. */
export type TimeoutKind = 'connect' | 'request' | 'stalled';

function describeTimeout(kind: TimeoutKind, limitMs: number): string {
  const limit = formatDuration(limitMs);
  if (kind === 'connect') return `no connection within the connect timeout of ${limit}`;
  if (kind === 'request') return `no answer within the request timeout of ${limit}`;
  return `the answer stalled for longer than the request timeout of ${limit}`;
}

/** What a retry of a timed-out attempt is after, for progress: `the request timeout of 200 ms`. */
export function timeoutLimitText(kind: TimeoutKind, limitMs: number): string {
  return `the ${kind === 'connect' ? 'connect' : 'request'} timeout of ${formatDuration(limitMs)}`;
}

/** One attempt ran out of time (retried while retries and budget last). */
export class AttemptTimeoutError extends Error {
  override readonly name = 'AttemptTimeout';
  constructor(
    readonly kind: TimeoutKind,
    readonly limitMs: number,
  ) {
    super(describeTimeout(kind, limitMs));
  }
}

/** A call whose attempts timed out until its retries or its budget ran out. */
export class CallTimeoutError extends Error {
  override readonly name = 'CallTimeout';
  constructor(
    readonly operation: string,
    readonly kind: TimeoutKind,
    readonly limitMs: number,
    readonly attempts: number,
    readonly elapsedMs: number,
    /** Set when the retry budget, not the number of attempts, ended the retries. */
    readonly budgetMs?: number,
  ) {
    super(
      `${operation} timed out: ${describeTimeout(kind, limitMs)} (${attempts} attempt${attempts === 1 ? '' : 's'} in ${(elapsedMs / 1000).toFixed(1)} s${budgetMs !== undefined ? `, the retry budget of ${formatDuration(budgetMs)}` : ''})`,
    );
  }
}

export function isCallTimeout(err: unknown): err is CallTimeoutError {
  return err instanceof CallTimeoutError;
}

export const TIMEOUT_HINT =
  'check the network path to the endpoint (proxy, firewall, VPN); if the service is only slow, raise --request-timeout, --connect-timeout or --retry-budget (PERMDRIFT_REQUEST_TIMEOUT, PERMDRIFT_CONNECT_TIMEOUT, PERMDRIFT_RETRY_BUDGET)';

/** A required call that timed out: the run cannot go on without it. */
export function timeoutFailure(err: CallTimeoutError): PermdriftError {
  return new PermdriftError('TIMEOUT', err.message, TIMEOUT_HINT, { cause: err });
}

/** Whether another attempt still fits the budget: started `elapsedMs` ago, it could take the whole request timeout. */
export function isRetryInBudget(elapsedMs: number, t: CallTimeouts): boolean {
  return elapsedMs + t.requestMs <= t.budgetMs;
}
