/**
 * Proof of delivery from the logs themselves: per region, the earliest and latest time seen in each
 * UTC hour (event times and log-file delivery times). A region's intervals join consecutive hours
 * whose hole is at most the delivery cadence. Hours merge by min / max, so files read in any order
 * and on any thread give the same intervals; and inside one hour no hole can exceed an hour, so the
 * intervals are exactly those of the sorted times themselves.
 */

import { DELIVERY_CADENCE_MS } from '../../../model/aws/delivery-cadence.js';
import type { TimeInterval } from '../../../model/aws/activity.js';
import { compareText as compareStrings } from '../../../model/compare-text.js';

/** Earliest and latest normalised time seen in one UTC hour. */
export interface HourSpan {
  min: string;
  max: string;
}

/** One region's hours, sorted; plain data, so it can cross a worker boundary. */
export interface RegionHours {
  region: string;
  hours: HourSpan[];
}

/**
 * Where a region's records are: the hour of the last one and its span. Kept by the aggregate rows
 * of the region, so a record costs two string comparisons (`hour < t < before`, `before` being
 * `hour` with `;`, the character after `:`) and no lookup while the region stays in one hour.
 */
export interface RegionCursor {
  readonly region: string;
  hour: string;
  before: string;
  span: HourSpan;
}

export class DeliveryHours {
  private readonly byRegion = new Map<string, Map<string, HourSpan>>();
  private readonly cursors = new Map<string, RegionCursor>();

  /** `time` in the normalised form of event-time.ts. */
  add(region: string, time: string): void {
    this.addTo(this.cursor(region), time);
  }

  /** The region's cursor, for `addTo`. */
  cursor(region: string): RegionCursor {
    let c = this.cursors.get(region);
    if (c === undefined) {
      c = { region, hour: '', before: '', span: { min: '', max: '' } };
      this.cursors.set(region, c);
    }
    return c;
  }

  /** Same as `add(c.region, time)`. */
  addTo(c: RegionCursor, time: string): void {
    if (time > c.hour && time < c.before) {
      const span = c.span;
      if (time < span.min) span.min = time;
      else if (time > span.max) span.max = time;
      return;
    }
    const hour = time.slice(0, 13);
    c.hour = hour;
    c.before = `${hour};`;
    c.span = this.addSpan(c.region, hour, time, time);
  }

  absorb(list: readonly RegionHours[]): void {
    for (const r of list) for (const h of r.hours) this.addSpan(r.region, h.min.slice(0, 13), h.min, h.max);
  }

  toList(): RegionHours[] {
    return [...this.byRegion.entries()]
      .sort(([a], [b]) => compareStrings(a, b))
      .map(([region, hours]) => ({
        region,
        hours: [...hours.entries()].sort(([a], [b]) => compareStrings(a, b)).map(([, h]) => ({ min: h.min, max: h.max })),
      }));
  }

  /** Per region (sorted), the spans with no hole longer than the delivery cadence. */
  intervals(): { region: string; intervals: TimeInterval[] }[] {
    return this.toList().map(({ region, hours }) => {
      const intervals: TimeInterval[] = [];
      let last: TimeInterval | undefined;
      for (const h of hours) {
        if (last !== undefined && Date.parse(h.min) - Date.parse(last.end) <= DELIVERY_CADENCE_MS) {
          if (h.max > last.end) last.end = h.max;
        } else {
          last = { start: h.min, end: h.max };
          intervals.push(last);
        }
      }
      return { region, intervals };
    });
  }

  private addSpan(regionName: string, hour: string, min: string, max: string): HourSpan {
    let hours = this.byRegion.get(regionName);
    if (hours === undefined) {
      hours = new Map();
      this.byRegion.set(regionName, hours);
    }
    let span = hours.get(hour);
    if (span === undefined) {
      span = { min, max };
      hours.set(hour, span);
    } else {
      if (min < span.min) span.min = min;
      if (max > span.max) span.max = max;
    }
    return span;
  }
}
