import { describe, expect, it } from 'vitest';
import { accountDelivery } from '../../src/engine/aws/delivery.js';
import { claimCoverage, describeGaps, gapsIn } from '../../src/engine/claim-coverage.js';
import { subtractIntervals, unionIntervals } from '../../src/engine/intervals.js';
import type { AccountActivity, CloudTrailCoverage, DeliveryEvidence, TrailChange } from '../../src/model/aws/activity.js';
import type { CollectManifest } from '../../src/model/collect-manifest.js';
import type { DigestRecord } from '../../src/model/aws/trail-delivery.js';

const H = 3_600_000;
const D = 24 * H;
const T0 = Date.parse('2026-10-01T00:00:00Z');
const at = (ms: number): string => new Date(ms).toISOString();

function coverage(intervals: [number, number][], changes: TrailChange[] = []): CloudTrailCoverage {
  return {
    filesRead: 1,
    bytesRead: 1,
    eventsRead: 10,
    filesFailed: [],
    firstEvent: intervals.length ? at(intervals[0]![0]) : null,
    lastEvent: intervals.length ? at(intervals.at(-1)![1]) : null,
    regions: ['us-east-1'],
    eventsAfterAsOf: 0,
    lookupEventsFiles: 0,
    lookupEventsRegions: [],
    recordsSkipped: 0,
    recordsUnusable: [],
    recordsTimedByFile: 0,
    zonelessTimes: 0,
    deliveryIntervals: [{ region: 'us-east-1', intervals: intervals.map(([a, b]) => ({ start: at(a), end: at(b) })) }],
    trailChanges: changes,
  };
}

function activity(ct: CloudTrailCoverage, delivery?: DeliveryEvidence, trailName?: string): AccountActivity {
  return {
    provider: 'aws',
    account: '111111111111',
    calls: [],
    cloudTrail: ct,
    selectors: { kind: 'assumed-default' },
    trail: { isMultiRegion: true, ...(trailName ? { name: trailName } : {}) },
    ...(delivery ? { delivery } : {}),
  };
}

function change(eventName: string, t: number, extra: Partial<TrailChange> = {}): TrailChange {
  return { time: at(t), eventName, trail: 'main', callerArn: 'arn:aws:iam::111111111111:user/mallory', region: 'us-east-1', isDenied: false, ...extra };
}

function manifest(readAt: number, complete: [number, number][], failed: [number, number, string][] = []): CollectManifest {
  return {
    schemaVersion: 1,
    provider: 'aws',
    scope: '111111111111',
    tool: 'permdrift test',
    startedAt: at(readAt - H),
    finishedAt: at(readAt),
    sources: { cloudtrail: { readAt: at(readAt) } },
    logs: {
      source: 's3',
      requested: { start: at(complete[0]?.[0] ?? readAt), end: at(readAt) },
      complete: complete.map(([a, b]) => ({ scope: 'us-east-1', start: at(a), end: at(b) })),
      failed: failed.map(([a, b, reason]) => ({ scope: 'us-east-1', start: at(a), end: at(b), reason })),
      filesWritten: 3,
    },
  };
}

describe('interval arithmetic', () => {
  it('joins intervals at most joinMs apart and subtracts holes', () => {
    expect(
      unionIntervals(
        [
          { start: 0, end: 10 },
          { start: 15, end: 20 },
        ],
        5,
      ),
    ).toEqual([{ start: 0, end: 20 }]);
    expect(
      unionIntervals(
        [
          { start: 0, end: 10 },
          { start: 16, end: 20 },
        ],
        5,
      ),
    ).toHaveLength(2);
    expect(
      subtractIntervals(
        [{ start: 0, end: 100 }],
        [
          { start: 10, end: 20 },
          { start: 50, end: 200 },
        ],
      ),
    ).toEqual([
      { start: 0, end: 10 },
      { start: 20, end: 50 },
    ]);
  });
});

describe('accountDelivery and claimCoverage', () => {
  const windowStart = T0;
  const windowEnd = T0 + 10 * D;

  it('continuous delivery covers the window', () => {
    const d = accountDelivery(activity(coverage([[T0, windowEnd]])));
    expect(d.evidenceEndMs).toBe(windowEnd);
    expect(d.evidenceEndBasis).toBe('newest-time-inside');
    expect(claimCoverage(d, windowStart, windowEnd, undefined).isCovered).toBe(true);
  });

  it('a few days of events do not cover a long window: first and last record are not proof', () => {
    // Events on 4 separate days, 10-day window: the days between are gaps, not coverage.
    const days: [number, number][] = [0, 3, 6, 9.9].map((k) => [T0 + k * D, T0 + k * D + 2 * H]);
    const d = accountDelivery(activity(coverage(days)));
    const c = claimCoverage(d, windowStart, T0 + 9.9 * D + 2 * H, undefined);
    expect(c.isCovered).toBe(false);
    expect(c.gaps.map((g) => g.kind)).toEqual(['no-proof', 'no-proof', 'no-proof']);
    expect(c.coveredFraction).toBeLessThan(0.1);
  });

  it('StopLogging opens a gap until StartLogging, naming who stopped it', () => {
    const stop = T0 + 3 * D;
    const start = T0 + 4 * D;
    const d = accountDelivery(activity(coverage([[T0, windowEnd]], [change('StopLogging', stop), change('StartLogging', start)])));
    const c = claimCoverage(d, windowStart, windowEnd, undefined);
    expect(c.isCovered).toBe(false);
    expect(c.gaps).toHaveLength(1);
    expect(c.gaps[0]).toMatchObject({ start: stop, end: start, kind: 'logging-stopped' });
    expect(describeGaps(c.gaps)).toContain('StopLogging by arn:aws:iam::111111111111:user/mallory');
  });

  it('a denied StopLogging, or one on another trail, or PutInsightSelectors opens no gap', () => {
    const t = T0 + 3 * D;
    const d = accountDelivery(
      activity(
        coverage(
          [[T0, windowEnd]],
          [
            change('StopLogging', t, { isDenied: true }),
            change('StopLogging', t, { trail: 'arn:aws:cloudtrail:us-east-1:111111111111:trail/other' }),
            change('PutInsightSelectors', t),
          ],
        ),
        undefined,
        'main',
      ),
    );
    expect(claimCoverage(d, windowStart, windowEnd, undefined).isCovered).toBe(true);
    expect(d.ignoredTrailChanges).toHaveLength(3);
  });

  it('PutEventSelectors makes everything before it unknown', () => {
    const t = T0 + 5 * D;
    const d = accountDelivery(activity(coverage([[T0, windowEnd]], [change('PutEventSelectors', t)])));
    const c = claimCoverage(d, windowStart, windowEnd, undefined);
    expect(c.isCovered).toBe(false);
    expect(c.gaps[0]).toMatchObject({ start: windowStart, end: t, kind: 'trail-changed' });
    // A claim from after the change is still covered.
    expect(claimCoverage(d, t, windowEnd, undefined).isCovered).toBe(true);
  });

  it('a quiet tail is proven by digest files, and not without them', () => {
    const lastEvent = windowEnd - 34 * H;
    const base = coverage([[T0, lastEvent]]);
    const without = accountDelivery(activity(base));
    const c0 = claimCoverage(without, windowStart, windowEnd, undefined);
    expect(c0.isCovered).toBe(false);
    expect(c0.gaps.at(-1)).toMatchObject({ kind: 'unobserved-tail', start: lastEvent });

    // Hourly digests over the quiet 34 hours, chained, listing no log files.
    const digests: DigestRecord[] = [];
    for (let t = lastEvent; t < windowEnd; t += H) {
      const key = `AWSLogs/111111111111/CloudTrail-Digest/us-east-1/d-${t}.json.gz`;
      digests.push({
        file: `d-${t}.json.gz`,
        region: 'us-east-1',
        start: at(t),
        end: at(t + H),
        s3Object: key,
        previousS3Object: digests.at(-1)?.s3Object ?? 'AWSLogs/111111111111/CloudTrail-Digest/us-east-1/earlier.json.gz',
        logFiles: [],
      });
    }
    const withDigests = accountDelivery(activity(base, { digests: { digests, failed: [] } }));
    expect(withDigests.evidenceEndMs).toBe(windowEnd);
    expect(claimCoverage(withDigests, windowStart, windowEnd, undefined).isCovered).toBe(true);
    expect(withDigests.proofs.join(' ')).toContain('34 digest file(s)');
  });

  it('a digest listing a file the snapshot lacks is a gap; a broken chain is a gap', () => {
    const h = T0 + 5 * D;
    const mk = (t: number, prev: string | null, files: string[]): DigestRecord => ({
      file: `d-${t}`,
      region: 'us-east-1',
      start: at(t),
      end: at(t + H),
      s3Object: `k-${t}`,
      previousS3Object: prev,
      logFiles: files,
    });
    const ct = coverage([
      [T0, h],
      [h + 4 * H, windowEnd],
    ]);
    const missing = accountDelivery(
      activity(ct, {
        digests: { digests: [mk(h, 'k-x', []), mk(h + H, `k-${h}`, ['AWSLogs/x/a.json.gz']), mk(h + 2 * H, `k-${h + H}`, [])], failed: [] },
        logFileNames: [],
      }),
    );
    const c = claimCoverage(missing, windowStart, windowEnd, undefined);
    expect(c.isCovered).toBe(false);
    expect(c.gaps.some((g) => g.kind === 'log-file-missing')).toBe(true);

    const broken = accountDelivery(activity(ct, { digests: { digests: [mk(h, 'k-x', []), mk(h + 3 * H, 'k-gone', [])], failed: [] } }));
    expect(broken.negatives.some((n) => n.kind === 'digest-chain-broken')).toBe(true);
  });

  it('a collection manifest proves quiet spans only while the trail status says logging', () => {
    const readAt = windowEnd + H;
    const ct = coverage([[T0, T0 + H]]);
    const logging = {
      source: 's',
      isLogging: true,
      startLoggingTime: at(T0 - 30 * D),
      stopLoggingTime: null,
      latestDeliveryTime: at(T0 + H),
      latestDigestDeliveryTime: null,
      latestDeliveryError: null,
    };
    const proven = accountDelivery(activity(ct, { manifest: manifest(readAt, [[T0 - D, readAt]]), trailStatus: logging }));
    expect(proven.evidenceEndBasis).toBe('collect-manifest');
    expect(claimCoverage(proven, windowStart, windowEnd, undefined).isCovered).toBe(true);

    const noStatus = accountDelivery(activity(ct, { manifest: manifest(readAt, [[T0 - D, readAt]]) }));
    expect(claimCoverage(noStatus, windowStart, windowEnd, undefined).isCovered).toBe(false);
    expect(noStatus.notes.join(' ')).toContain('No trail status');

    const stopped = accountDelivery(
      activity(ct, { manifest: manifest(readAt, [[T0 - D, readAt]]), trailStatus: { ...logging, isLogging: false, stopLoggingTime: at(T0 + 2 * D) } }),
    );
    const s = claimCoverage(stopped, windowStart, windowEnd, undefined);
    expect(s.isCovered).toBe(false);
    // Logging until StopLoggingTime (the manifest proves the quiet span before it), then a gap.
    expect(s.gaps).toHaveLength(1);
    expect(s.gaps[0]).toMatchObject({ kind: 'not-logging', start: T0 + 2 * D, end: windowEnd });

    const failed = accountDelivery(
      activity(ct, { manifest: manifest(readAt, [[T0 - D, readAt]], [[T0 + 3 * D, T0 + 4 * D, 'AccessDenied on the prefix']]), trailStatus: logging }),
    );
    const f = claimCoverage(failed, windowStart, windowEnd, undefined);
    expect(f.gaps[0]).toMatchObject({ kind: 'collection-failed', start: T0 + 3 * D, end: T0 + 4 * D });
    expect(f.gaps[0]?.cause).toContain('AccessDenied');
  });

  it('--min-coverage accepts small gaps and records them', () => {
    const d = accountDelivery(
      activity(
        coverage([
          [T0, T0 + 5 * D],
          [T0 + 5 * D + 3 * H, windowEnd],
        ]),
      ),
    );
    const strict = claimCoverage(d, windowStart, windowEnd, undefined);
    expect(strict.isCovered).toBe(false);
    const loose = claimCoverage(d, windowStart, windowEnd, 0.95);
    expect(loose.isCovered).toBe(true);
    expect(loose.acceptedGaps).toHaveLength(1);
    expect(loose.coveredFraction).toBeCloseTo(1 - 3 / 240, 5);
    expect(claimCoverage(d, windowStart, windowEnd, 0.999).isCovered).toBe(false);
  });

  it('edge shortfalls within the delivery cadence are not gaps', () => {
    const d = accountDelivery(activity(coverage([[T0 + 30 * 60_000, windowEnd - 30 * 60_000]])));
    expect(gapsIn(d, windowStart, windowEnd - 30 * 60_000)).toEqual([]);
    expect(claimCoverage(d, windowStart, windowEnd, undefined).isCovered).toBe(true);
  });
});

describe('trail reach without a trail description', () => {
  it('one region of events: taken as single-region there (a region with no files is not covered); two: multi-region, said how', async () => {
    const { accountLogCoverage, cloudTrailObservability } = await import('../../src/engine/aws/coverage.js');
    const one = activity(coverage([[T0, T0 + D]]));
    one.trail = {};
    const c1 = accountLogCoverage(one);
    expect(c1).toMatchObject({ isMultiRegion: false, isMultiRegionAssumed: true, homeRegion: 'us-east-1', inferredFrom: 'events from us-east-1 only' });
    const ec2 = { action: 'ec2:RunInstances', service: 'ec2', name: 'RunInstances', accessLevel: 'Write' } as unknown as Parameters<
      typeof cloudTrailObservability
    >[0];
    expect(cloudTrailObservability(ec2, c1)).toMatchObject({ isObservable: false, reason: 'region-not-covered' });

    const two = activity({ ...coverage([[T0, T0 + D]]), regions: ['eu-west-1', 'us-east-1'] });
    two.trail = {};
    const c2 = accountLogCoverage(two);
    expect(c2).toMatchObject({ isMultiRegion: true, isMultiRegionAssumed: true, inferredFrom: 'events from 2 regions (eu-west-1, us-east-1)' });
    expect(cloudTrailObservability(ec2, c2)).toEqual({ isObservable: true });
  });
});
