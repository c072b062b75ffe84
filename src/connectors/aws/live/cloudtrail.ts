/** CloudTrail reads: the trails, the chosen trail's selectors and status, and LookupEvents pages. */

import { once } from 'node:events';
import {
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  LookupEventsCommand,
  type CloudTrailClient,
  type Trail,
} from '@aws-sdk/client-cloudtrail';
import { toCliJson } from './cli-json.js';
import { awsErrorCode, errorMessage, isCredentialsGone } from './aws-errors.js';
import { openAtomicWrite, type TempTracker } from '../../shared/atomic-file.js';

export async function describeTrails(ct: CloudTrailClient): Promise<Trail[]> {
  return (await ct.send(new DescribeTrailsCommand({ includeShadowTrails: true }))).trailList ?? [];
}

/**
 * The trail whose logs say the most: an organization or multi-region trail that is logging, then
 * any multi-region one, then the first. Ties go to the earliest in DescribeTrails order.
 */
export function chooseTrail(trails: Trail[]): Trail | undefined {
  const score = (t: Trail): number => (t.IsOrganizationTrail ? 2 : 0) + (t.IsMultiRegionTrail ? 1 : 0);
  return [...trails].sort((a, b) => score(b) - score(a))[0];
}

export async function getEventSelectors(ct: CloudTrailClient, trailArn: string): Promise<Record<string, unknown>> {
  const { $metadata: _ignored, ...rest } = await ct.send(new GetEventSelectorsCommand({ TrailName: trailArn }));
  return rest;
}

export async function getTrailStatus(ct: CloudTrailClient, trailArn: string): Promise<Record<string, unknown>> {
  const { $metadata: _ignored, ...rest } = await ct.send(new GetTrailStatusCommand({ Name: trailArn }));
  return rest;
}

export interface LookupEventsResult {
  region: string;
  events: number;
  pages: number;
  /**
   * The oldest EventTime read (ms). Pages come newest first, so a listing that stopped early holds
   * everything from just after this time to the end of the span.
   */
  oldestEventMs?: number;
  /** Set when a page failed after the SDK's retries: the file holds the events read before it. */
  failure?: { code: string; message: string };
}

const MAX_LOOKUP_PAGES = 1_000_000;

/**
 * Pages LookupEvents for one region into `file` as `aws cloudtrail lookup-events` output
 * (`{"Events":[…]}`), streaming each page to disk so a busy region never sits in memory. The
 * client's rate limiter spaces the requests; a failure keeps the file valid and is reported. The
 * file takes its name only when the listing has ended (a temp name until then).
 */
export async function lookupEventsToFile(
  ct: CloudTrailClient,
  region: string,
  span: { start: Date; end: Date },
  file: string,
  onPage?: (events: number) => void,
  maxPages = MAX_LOOKUP_PAGES,
  trackTemp?: TempTracker,
): Promise<LookupEventsResult> {
  const atomic = openAtomicWrite(file, trackTemp);
  const out = atomic.stream;
  const write = async (text: string): Promise<void> => {
    if (!out.write(text)) await once(out, 'drain');
  };
  const result: LookupEventsResult = { region, events: 0, pages: 0 };
  await write('{"Events":[');
  let token: string | undefined;
  try {
    for (let guard = 0; guard < maxPages; guard++) {
      const page = await ct.send(new LookupEventsCommand({ StartTime: span.start, EndTime: span.end, MaxResults: 50, ...(token ? { NextToken: token } : {}) }));
      result.pages++;
      for (const e of page.Events ?? []) {
        await write(`${result.events === 0 ? '\n' : ',\n'}${JSON.stringify(toCliJson(e))}`);
        result.events++;
        const t = e.EventTime?.getTime();
        if (t !== undefined && !Number.isNaN(t) && (result.oldestEventMs === undefined || t < result.oldestEventMs)) result.oldestEventMs = t;
      }
      onPage?.(result.events);
      token = page.NextToken;
      if (!token) break;
    }
    // A listing cut off by the page guard is as incomplete as one cut off by an error.
    if (token) result.failure = { code: 'ListingIncomplete', message: `given up after ${maxPages} pages` };
  } catch (err) {
    if (isCredentialsGone(err)) {
      await atomic.discard();
      throw err;
    }
    const code = awsErrorCode(err);
    const isRegionOff = code === 'UnrecognizedClientException' || code === 'InvalidClientTokenId';
    result.failure = { code, message: isRegionOff ? `${errorMessage(err)}; is ${region} enabled for this account?` : errorMessage(err) };
  }
  await write('\n]}\n');
  await atomic.commit();
  return result;
}
