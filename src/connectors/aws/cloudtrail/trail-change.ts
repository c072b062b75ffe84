/**
 * Calls that change what a trail records, found among the records read: the engine opens a gap at
 * a StopLogging or DeleteTrail and distrusts what the selectors say before an UpdateTrail or
 * PutEventSelectors (engine/aws/delivery.ts). They are rare, so the whole record is parsed.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-supported-services.html
 */

import type { TrailChange } from '../../../model/aws/activity.js';
import { isAccessDenied } from './access-denied.js';

const CLOUDTRAIL_SOURCE = 'cloudtrail.amazonaws.com';

const TRAIL_CHANGE_NAMES: ReadonlySet<string> = new Set([
  'StopLogging',
  'StartLogging',
  'DeleteTrail',
  'CreateTrail',
  'UpdateTrail',
  'PutEventSelectors',
  'PutInsightSelectors',
]);

export function isTrailChange(eventSource: string, eventName: string): boolean {
  return eventSource === CLOUDTRAIL_SOURCE && TRAIL_CHANGE_NAMES.has(eventName);
}

function text(obj: Record<string, unknown> | null, key: string): string | null {
  const v = obj?.[key];
  return typeof v === 'string' && v !== '' ? v : null;
}

function asObject(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

/**
 * The change a parsed trail-changing record made. A call with an error code failed (denied or
 * not), so it changed nothing: it is kept, marked `isDenied`, for the report to show.
 */
export function trailChangeOf(record: Record<string, unknown>, time: string, callerArn: string | null, region: string): TrailChange {
  const params = asObject(record['requestParameters']);
  const errorCode = text(record, 'errorCode');
  return {
    time,
    eventName: text(record, 'eventName') ?? '',
    trail: text(params, 'name') ?? text(params, 'trailName') ?? text(params, 'trailARN'),
    callerArn,
    region,
    isDenied: errorCode !== null || isAccessDenied(null, text(record, 'errorMessage')),
  };
}

export function compareTrailChanges(a: TrailChange, b: TrailChange): number {
  const keys = (c: TrailChange): string[] => [c.time, c.eventName, c.trail ?? '', c.callerArn ?? '', c.region, c.isDenied ? '1' : '0'];
  const x = keys(a);
  const y = keys(b);
  for (let i = 0; i < x.length; i++) {
    const p = x[i] as string;
    const q = y[i] as string;
    if (p !== q) return p < q ? -1 : 1;
  }
  return 0;
}
