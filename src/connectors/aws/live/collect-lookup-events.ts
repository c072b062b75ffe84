/**
 * Usage evidence of one account from CloudTrail LookupEvents (management events only, 90 days
 * back), one file per region, and what the manifest may claim of each region: read in full from
 * the reach of the API up to what had been delivered, minus what is older than the oldest event
 * read when a listing stopped.
 */

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { lookupEventsToFile } from './cloudtrail.js';
import { LOG_DELIVERY_LAG_MS, type AccountContext } from './collect-context.js';

/** LookupEvents answers at most 90 days back. */
const LOOKUP_EVENTS_REACH_MS = 90 * 86_400_000;

export async function lookupEvents(ctx: AccountContext, progress: (m: string) => void): Promise<string> {
  const { opts, manifest } = ctx;
  // Global services log in us-east-1, so it is always read; other regions only when asked for.
  const regions = opts.regions.length > 0 ? [...new Set(opts.regions)] : [...new Set([ctx.region, 'us-east-1'])];
  const start = new Date(Math.max(opts.windowStart.getTime(), opts.asOf.getTime() - LOOKUP_EVENTS_REACH_MS));
  const dir = join(ctx.accountDir, 'cloudtrail', 'lookup-events');
  await mkdir(dir, { recursive: true });
  const readAt = ctx.now();
  const results = await Promise.all(
    regions.map((r) =>
      lookupEventsToFile(
        ctx.clients.cloudTrail(r),
        r,
        { start, end: opts.asOf },
        join(dir, `${r}.json`),
        (n) => progress(`LookupEvents ${r}: ${n} events`),
        undefined,
        opts.trackTemp,
      ),
    ),
  );
  manifest.setLogSource('lookup-events');
  manifest.sourceRead('cloudtrail', readAt);
  const readUntil = Math.min(opts.asOf.getTime(), readAt.getTime() - LOG_DELIVERY_LAG_MS);
  for (const r of results) {
    manifest.addFilesWritten(r.pages);
    manifest.attempt(r.region, start, readUntil);
    if (start.getTime() > opts.windowStart.getTime()) {
      manifest.fail(r.region, opts.windowStart, start, 'LookupEvents answers only the last 90 days');
    }
    if (r.failure) {
      ctx.warn(
        'lookup-events-incomplete',
        `LookupEvents in ${r.region} stopped after ${r.events} events (${r.failure.code}: ${r.failure.message}); older events there are a coverage gap`,
      );
      // Newest first: what is older than the oldest event read (to the second, EventTime's grain) is missing.
      const readFrom = r.oldestEventMs !== undefined ? r.oldestEventMs + 1000 : opts.asOf.getTime();
      manifest.fail(r.region, start, readFrom, `LookupEvents stopped after ${r.events} events (${r.failure.code}: ${r.failure.message})`);
    }
  }
  return `lookup-events (${regions.join(', ')})`;
}
