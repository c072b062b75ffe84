/**
 * The progress text of live calls (src/connectors/shared/call-activity.ts) and the time limits' own
 * readings: requests always, the retry in force while there is one, a long wait once it is long,
 * the rate once the source has been slow; durations as flags and messages read and name them.
 */

import { describe, expect, it } from 'vitest';
import { CallActivity } from '../../src/connectors/shared/call-activity.js';
import { formatDuration, readDuration } from '../../src/config/timeout-length.js';

describe('CallActivity.text', () => {
  it('requests only while all goes well; the retry, then the rate, once a call is retried; back to requests when it ends', () => {
    let t = 0;
    const a = new CallActivity(() => t);
    const call = {};
    let changes = 0;
    a.subscribe(() => changes++);
    a.attemptStarted(call, 'iam:GetAccountAuthorizationDetails');
    t = 1000;
    a.attemptEnded(call);
    expect(a.text()).toBe('1 requests');
    a.retryScheduled(call, { operation: 'iam:GetAccountAuthorizationDetails', attempt: 2, maxAttempts: 6, after: 'the request timeout of 200 ms' });
    a.attemptStarted(call, 'iam:GetAccountAuthorizationDetails');
    t = 2000;
    expect(a.text()).toBe('retrying iam:GetAccountAuthorizationDetails (attempt 2 of 6, after the request timeout of 200 ms) · 1.0/s · 2 requests');
    a.callEnded(call);
    expect(a.text()).toBe('1.0/s · 2 requests');
    expect(changes).toBe(2);
  });

  it('names a request that has waited five seconds or more, and how long', () => {
    let t = 0;
    const a = new CallActivity(() => t);
    a.attemptStarted({}, 's3:GetObject');
    t = 4999;
    expect(a.text()).toBe('1 requests');
    t = 12_400;
    expect(a.text()).toBe('waiting 12 s for s3:GetObject · 0.1/s · 1 requests');
  });

  it('counts the other calls in retry', () => {
    const a = new CallActivity(() => 0);
    for (const op of ['s3:GetObject', 's3:GetObject', 'cloudtrail:LookupEvents'])
      a.retryScheduled({}, { operation: op, attempt: 2, maxAttempts: 6, after: 'SlowDown' });
    expect(a.text()).toMatch(/^retrying s3:GetObject \(attempt 2 of 6, after SlowDown\) and 2 more call\(s\) · /);
  });
});

describe('durations of the time limits', () => {
  it('reads a number with a unit, decimals allowed', () => {
    expect(readDuration('200ms', 3_600_000)).toEqual({ ok: true, ms: 200 });
    expect(readDuration('0.5s', 3_600_000)).toEqual({ ok: true, ms: 500 });
    expect(readDuration(' 2m ', 3_600_000)).toEqual({ ok: true, ms: 120_000 });
    expect(readDuration('1h', 3_600_000)).toEqual({ ok: true, ms: 3_600_000 });
  });

  it('refuses no unit, zero, a unit it does not know, and past the cap', () => {
    for (const text of ['30', '0s', '0.0001s', '5x', '2d', '-1s', '', 's']) expect(readDuration(text, 3_600_000).ok, text).toBe(false);
    expect(readDuration('2h', 3_600_000)).toEqual({ ok: false, problem: 'must be at most 60 min' });
  });

  it('names limits as messages do', () => {
    expect([200, 1000, 1500, 1250, 60_000, 300_000, 90_000].map(formatDuration)).toEqual(['200 ms', '1 s', '1.5 s', '1.25 s', '1 min', '5 min', '90 s']);
  });
});
