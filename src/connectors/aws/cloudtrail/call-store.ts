/**
 * The aggregated calls of CloudTrail: one row per caller × account × event × region × denied ×
 * period with its count and first and last time, stored by caller id then by call key, merged
 * from file to file without re-keying, and re-keyed once by decoded values at the end.
 */

import type { CallAggregate } from '../../../model/aws/activity.js';
import type { Caller } from './caller.js';
import type { RegionCursor } from './delivery-hours.js';

export function bump(agg: CallAggregate, time: string): void {
  agg.count++;
  if (time < agg.firstSeen) agg.firstSeen = time;
  else if (time > agg.lastSeen) agg.lastSeen = time;
}

/** The identity of an aggregate row: everything but the counts and times. */
export function callKey(c: CallAggregate): string {
  return `${c.callerType}\u0001${c.callerArn ?? ''}\u0001${c.account}\u0001${c.eventSource}\u0001${c.eventName}\u0001${c.region}\u0001${c.isDenied ? 'd' : 'a'}${c.period}`;
}

export function mergeInto(target: CallAggregate, c: CallAggregate): void {
  target.count += c.count;
  if (c.firstSeen < target.firstSeen) target.firstSeen = c.firstSeen;
  if (c.lastSeen > target.lastSeen) target.lastSeen = c.lastSeen;
}

/**
 * A row while its file is read, with its region's delivery-hours cursor (null: no region known)
 * and whether its call changes a trail, decided once per row rather than per record.
 */
export interface Row extends CallAggregate {
  cursor: RegionCursor | null;
  isTrailChange: boolean;
}

/**
 * The row of a call first seen at `time`, for streamed and parsed records alike. Positional
 * arguments rather than an options object: on the read path it allocates the row and nothing else,
 * and every row keeps the one shape.
 */
export function newRow(
  caller: Caller,
  account: string,
  eventSource: string,
  eventName: string,
  region: string,
  isDenied: boolean,
  period: Period,
  time: string,
  cursor: RegionCursor | null,
  trailChange: boolean,
): Row {
  return {
    callerType: caller.callerType,
    callerArn: caller.callerArn,
    account,
    eventSource,
    eventName,
    region,
    isDenied,
    period,
    count: 1,
    firstSeen: time,
    lastSeen: time,
    cursor,
    isTrailChange: trailChange,
  };
}

function plainCall(r: CallAggregate): CallAggregate {
  return {
    callerType: r.callerType,
    callerArn: r.callerArn,
    account: r.account,
    eventSource: r.eventSource,
    eventName: r.eventName,
    region: r.region,
    isDenied: r.isDenied,
    period: r.period,
    count: r.count,
    firstSeen: r.firstSeen,
    lastSeen: r.lastSeen,
  };
}

/**
 * Aggregates by caller id, then by a call key (raw bytes for streamed records, decoded text for
 * parsed ones). Stores built with one CallerCache can be merged without re-keying; `toCalls`
 * re-keys once by decoded values.
 */
export class CallStore {
  private readonly byCaller = new Map<number, Map<string, Row>>();

  of(callerId: number): Map<string, Row> {
    let m = this.byCaller.get(callerId);
    if (m === undefined) {
      m = new Map();
      this.byCaller.set(callerId, m);
    }
    return m;
  }

  /** Takes over `other`'s rows (it must not be used afterwards). */
  absorb(other: CallStore): void {
    for (const [id, rows] of other.byCaller) {
      // The file is read: its delivery hours need not stay alive with the rows.
      for (const row of rows.values()) row.cursor = null;
      const mine = this.byCaller.get(id);
      if (mine === undefined) {
        this.byCaller.set(id, rows);
        continue;
      }
      for (const [key, row] of rows) {
        const prev = mine.get(key);
        if (prev === undefined) mine.set(key, row);
        else mergeInto(prev, row);
      }
    }
  }

  regions(into: Set<string>): void {
    for (const rows of this.byCaller.values()) for (const row of rows.values()) if (row.region !== '') into.add(row.region);
  }

  toCalls(): CallAggregate[] {
    const merged = new Map<string, CallAggregate>();
    for (const rows of this.byCaller.values()) {
      for (const row of rows.values()) {
        const key = callKey(row);
        const prev = merged.get(key);
        if (prev === undefined) merged.set(key, plainCall(row));
        else mergeInto(prev, row);
      }
    }
    return [...merged.values()];
  }
}

export type Period = CallAggregate['period'];
