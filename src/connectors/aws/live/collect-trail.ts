/**
 * The account's CloudTrail trail, described: which trail is chosen (DescribeTrails), what it
 * records (GetEventSelectors) and whether and since when it logs (GetTrailStatus). Each answer
 * is written for the scan; each refusal is a warning that says what is assumed instead, and a
 * trail that is not logging, or began inside the window, is a warning that bounds the evidence.
 */

import type { Trail } from '@aws-sdk/client-cloudtrail';
import { TRAIL_STATUS_FILE } from '../delivery-files.js';
import { DESCRIBE_TRAILS_FILE, EVENT_SELECTORS_FILE } from '../snapshot.js';
import { chooseTrail, describeTrails, getEventSelectors, getTrailStatus } from './cloudtrail.js';
import type { AccountContext } from './collect-context.js';
import { deniedMessage } from './collect-problem.js';

/** The chosen trail, its selectors and status written; undefined when there is none or it cannot be described. */
export async function collectTrail(ctx: AccountContext): Promise<Trail | undefined> {
  const { region } = ctx;
  let trail: Trail | undefined;
  try {
    const at = ctx.now();
    const trails = await describeTrails(ctx.clients.cloudTrail(region));
    await ctx.record(DESCRIBE_TRAILS_FILE, { trailList: trails }, at);
    trail = chooseTrail(trails);
    if (!trail) ctx.warn('cloudtrail-no-trail', `no CloudTrail trail in ${region}: only LookupEvents (management events, 90 days) can show usage`);
  } catch (err) {
    ctx.rethrowCredentials(err);
    ctx.warn('cloudtrail-describe-failed', deniedMessage('cloudtrail:DescribeTrails', 'trail coverage is assumed (multi-region, default selectors)', err));
  }
  if (trail?.TrailARN) await collectTrailDetails(ctx, trail, trail.TrailARN);
  return trail;
}

async function collectTrailDetails(ctx: AccountContext, trail: Trail, trailArn: string): Promise<void> {
  const { opts } = ctx;
  const ct = ctx.clients.cloudTrail(trail.HomeRegion ?? ctx.region);
  try {
    const at = ctx.now();
    await ctx.record(EVENT_SELECTORS_FILE, await getEventSelectors(ct, trailArn), at);
  } catch (err) {
    ctx.rethrowCredentials(err);
    ctx.warn('cloudtrail-selectors-failed', deniedMessage('cloudtrail:GetEventSelectors', 'the trail is assumed to record management events only', err));
  }
  try {
    const at = ctx.now();
    const status = await getTrailStatus(ct, trailArn);
    await ctx.record(TRAIL_STATUS_FILE, status, at);
    if (status['IsLogging'] === false)
      ctx.warn('cloudtrail-not-logging', `trail ${trail.Name ?? trailArn} is not logging: its archive stops at the last delivery`);
    // Logging that began inside the window bounds the evidence: nothing before it was recorded.
    const since = status['StartLoggingTime'];
    if (since instanceof Date && since.getTime() > opts.windowStart.getTime()) {
      ctx.warn(
        'cloudtrail-logging-started-late',
        `trail ${trail.Name ?? trailArn} started logging at ${since.toISOString()}, after the window start ${opts.windowStart.toISOString()}: usage before it was not recorded`,
      );
    }
  } catch (err) {
    ctx.rethrowCredentials(err);
    ctx.warn('cloudtrail-status-failed', deniedMessage('cloudtrail:GetTrailStatus', 'whether the trail is logging is unknown', err));
  }
}
