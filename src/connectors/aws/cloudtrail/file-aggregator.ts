/**
 * Aggregates the events of one log file. A file is aggregated on its own and merged only once it was
 * read to the end, so a file that fails half-way contributes nothing and cannot pass for complete.
 * This module places each record in time and in its row; the rows are call-store.ts, the callers
 * caller-cache.ts, the raw-byte keys record-keys.ts.
 */

import type { TrailChange, UnusableRecordReason } from '../../../model/aws/activity.js';
import { isAccessDenied } from './access-denied.js';
import { resolveCaller } from './caller.js';
import type { CloudTrailRecordSink } from './cloudtrail-stream-parser.js';
import { DeliveryHours, type RegionCursor, type RegionHours } from './delivery-hours.js';
import { epochToTime, fastUtc, parseTimeText } from './event-time.js';
import type { LogFileDelivery } from './log-file-name.js';
import { compareTrailChanges, isTrailChange, trailChangeOf } from './trail-change.js';
import {
  F_AWS_REGION,
  F_CLOUDTRAIL_EVENT,
  F_ERROR_CODE,
  F_ERROR_MESSAGE,
  F_EVENT_NAME,
  F_EVENT_SOURCE,
  F_EVENT_TIME,
  F_RECIPIENT_ACCOUNT,
  F_TIMESTAMP,
  type RecordFields,
  decodeJsonString,
} from './json-scanner.js';
import { JsonSyntaxError } from '../../shared/json-bytes.js';
import { decodeField, KeyBuilder } from './record-keys.js';
import { CallerCache } from './caller-cache.js';
import { bump, CallStore, newRow, type Period } from './call-store.js';

/** Window bounds in the normalised form of `normaliseEventTime`. */
export interface AggregationWindow {
  account: string;
  windowStart: string;
  asOf: string;
}

const CALL_FIELDS = [F_EVENT_SOURCE, F_EVENT_NAME, F_AWS_REGION, F_RECIPIENT_ACCOUNT] as const;

function optionalString(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** Coverage figures of one file; plain data so it can cross a worker boundary. */
export interface FileStats {
  /** CloudTrail events placed in time (by their own time or their file's delivery time). */
  eventsRead: number;
  eventsAfterAsOf: number;
  /** The sum of `unusable`. */
  recordsSkipped: number;
  firstEvent: string | null;
  lastEvent: string | null;
  regions: string[];
  /** Records not used as they stand, per reason (sorted); each record read is here or in eventsRead. */
  unusable: { reason: UnusableRecordReason; count: number }[];
  recordsTimedByFile: number;
  zonelessTimes: number;
  /** Elements in lookup-events form (`CloudTrailEvent` strings), whatever the file's shape. */
  lookupEvents: number;
  deliveryHours: RegionHours[];
  trailChanges: TrailChange[];
}

const enum TimeStatus {
  Ok,
  Missing,
  Invalid,
}

const UNUSABLE_REASONS: readonly UnusableRecordReason[] = ['not-a-cloudtrail-event', 'time-invalid', 'time-missing'];

function isRawNull(buf: Buffer, start: number, end: number): boolean {
  return end - start === 4 && buf[start] === 0x6e && buf[start + 1] === 0x75 && buf[start + 2] === 0x6c && buf[start + 3] === 0x6c;
}

function periodByte(period: Period): number {
  return period === 'window' ? 0x77 : period === 'before-window' ? 0x62 : 0x75;
}

/**
 * Every record read ends up in exactly one place: aggregated with its time (`eventsRead`, of which
 * those after asOf are only counted), or counted in `unusable` (not a CloudTrail event; or no usable
 * time and no delivery time from the file name, in which case it is also aggregated with period
 * `unknown-time`, so its caller's claims can be made unverifiable).
 */
export class FileAggregator implements CloudTrailRecordSink {
  readonly calls = new CallStore();
  /** Regions of events not aggregated (after asOf); the others come from the aggregates. */
  private readonly extraRegions = new Set<string>();
  private readonly keys = new KeyBuilder();
  private readonly hours = new DeliveryHours();
  private readonly trailChanges: TrailChange[] = [];
  private readonly unusable = new Map<UnusableRecordReason, number>();
  /** Delivery time and region from the file name (CloudTrail's own naming), else null. */
  private readonly fileTime: string | null;
  private readonly fileRegion: string;
  eventsRead = 0;
  eventsAfterAsOf = 0;
  recordsTimedByFile = 0;
  zonelessTimes = 0;
  lookupEvents = 0;
  private firstEvent: string | null = null;
  private lastEvent: string | null = null;
  /** Set by readTime. */
  private time = '';

  constructor(
    private readonly window: AggregationWindow,
    private readonly callers: CallerCache,
    delivery: LogFileDelivery | null = null,
  ) {
    this.fileTime = delivery?.time ?? null;
    this.fileRegion = delivery?.region ?? '';
    if (delivery !== null) this.hours.add(delivery.region, delivery.time);
  }

  /** Records read that were not CloudTrail events. */
  get notCloudTrailEvents(): number {
    return this.unusable.get('not-a-cloudtrail-event') ?? 0;
  }

  /** Records read: events placed in time plus records counted unusable. */
  get recordsRead(): number {
    let n = this.eventsRead;
    for (const c of this.unusable.values()) n += c;
    return n;
  }

  private countUnusable(reason: UnusableRecordReason): void {
    this.unusable.set(reason, (this.unusable.get(reason) ?? 0) + 1);
  }

  /** The time when the record has one (`this.time`), else why not. */
  private readTime(buf: Buffer, f: RecordFields): TimeStatus {
    const s = f.start;
    const e = f.end;
    let id = F_EVENT_TIME;
    let start = s[id] as number;
    // `@timestamp` only stands in for a missing eventTime: where both exist it is often the time
    // a shipper ingested the record, not when the call was made.
    if (start < 0 || ((f.rawMask >> id) & 1 && isRawNull(buf, start, e[id] as number))) {
      id = F_TIMESTAMP;
      start = s[id] as number;
      if (start < 0 || ((f.rawMask >> id) & 1 && isRawNull(buf, start, e[id] as number))) return TimeStatus.Missing;
    }
    const end = e[id] as number;
    if ((f.rawMask >> id) & 1) {
      const t = epochToTime(Number(buf.toString('latin1', start, end)));
      if (t === null) return TimeStatus.Invalid;
      this.time = t;
      return TimeStatus.Ok;
    }
    const raw = decodeJsonString(buf, start, end);
    const fast = fastUtc(raw);
    if (fast !== null) {
      this.time = fast;
      return TimeStatus.Ok;
    }
    return this.readTimeText(raw);
  }

  private readTimeText(raw: string): TimeStatus {
    if (raw.trim() === '') return TimeStatus.Missing;
    const parsed = parseTimeText(raw);
    if (parsed === null) return TimeStatus.Invalid;
    if (parsed.isZoneless) this.zonelessTimes++;
    this.time = parsed.time;
    return TimeStatus.Ok;
  }

  private readParsedTime(r: Record<string, unknown>): TimeStatus {
    let v = r['eventTime'];
    if (v === undefined || v === null) v = r['@timestamp'];
    if (v === undefined || v === null) return TimeStatus.Missing;
    if (typeof v === 'number') {
      const t = epochToTime(v);
      if (t === null) return TimeStatus.Invalid;
      this.time = t;
      return TimeStatus.Ok;
    }
    return typeof v === 'string' ? this.readTimeText(v) : TimeStatus.Invalid;
  }

  /**
   * The period of a record whose time status is `status` (the time in `this.time`): its own time,
   * else the file's delivery time, else unknown (counted unusable with its reason).
   */
  private placeInTime(status: TimeStatus): Period | null {
    if (status !== TimeStatus.Ok) {
      if (this.fileTime === null) {
        this.countUnusable(status === TimeStatus.Missing ? 'time-missing' : 'time-invalid');
        this.time = '';
        return 'unknown-time';
      }
      this.time = this.fileTime;
      this.recordsTimedByFile++;
    }
    const time = this.time;
    this.eventsRead++;
    if (this.firstEvent === null || time < this.firstEvent) this.firstEvent = time;
    if (this.lastEvent === null || time > this.lastEvent) this.lastEvent = time;
    if (time > this.window.asOf) {
      this.eventsAfterAsOf++;
      return null;
    }
    return time < this.window.windowStart ? 'before-window' : 'window';
  }

  /** The delivery-hours cursor of a record's region (the file's when the record names none). */
  private cursorOf(region: string): RegionCursor | null {
    const r = region !== '' ? region : this.fileRegion;
    return r !== '' ? this.hours.cursor(r) : null;
  }

  /** Proof of delivery for the region (the file's when the record names none). */
  private delivered(region: string, time: string): void {
    const r = region !== '' ? region : this.fileRegion;
    if (r !== '') this.hours.add(r, time);
  }

  onRecord(buf: Buffer, start: number, end: number, f: RecordFields): void {
    const s = f.start;
    const e = f.end;
    if ((s[F_EVENT_SOURCE] as number) < 0 || (s[F_EVENT_NAME] as number) < 0) {
      const ct = s[F_CLOUDTRAIL_EVENT] as number;
      if (ct >= 0) this.addLookupEventText(decodeJsonString(buf, ct, e[F_CLOUDTRAIL_EVENT] as number));
      else this.countUnusable('not-a-cloudtrail-event');
      return;
    }
    const period = this.placeInTime(this.readTime(buf, f));
    const time = this.time;
    let isDenied = false;
    if ((s[F_ERROR_CODE] as number) >= 0 || (s[F_ERROR_MESSAGE] as number) >= 0) {
      isDenied = isAccessDenied(decodeField(buf, f, F_ERROR_CODE), decodeField(buf, f, F_ERROR_MESSAGE));
    }
    const caller = this.callers.fromRecord(buf, f);
    if (period === null) {
      // After asOf: not aggregated, but it shows the trail was delivering.
      const region = decodeField(buf, f, F_AWS_REGION) ?? '';
      if (region !== '') this.extraRegions.add(region);
      this.delivered(region, time);
      if (isTrailChange(decodeField(buf, f, F_EVENT_SOURCE) ?? '', decodeField(buf, f, F_EVENT_NAME) ?? ''))
        this.noteTrailChange(buf, start, end, time, caller.callerArn, region);
      return;
    }
    const k = this.keys;
    k.reset();
    for (const id of CALL_FIELDS) k.field(buf, s[id] as number, e[id] as number);
    k.byte(isDenied ? 0x64 : 0x61);
    k.byte(periodByte(period));
    const rows = this.calls.of(caller.id);
    const key = k.text();
    let agg = rows.get(key);
    if (agg !== undefined) {
      bump(agg, time);
    } else {
      const recipient = decodeField(buf, f, F_RECIPIENT_ACCOUNT);
      const account = recipient !== null && recipient !== '' ? recipient : this.window.account;
      const region = decodeField(buf, f, F_AWS_REGION) ?? '';
      const eventSource = decodeField(buf, f, F_EVENT_SOURCE) ?? '';
      const eventName = decodeField(buf, f, F_EVENT_NAME) ?? '';
      agg = newRow(caller, account, eventSource, eventName, region, isDenied, period, time, this.cursorOf(region), isTrailChange(eventSource, eventName));
      rows.set(key, agg);
    }
    if (period === 'unknown-time') return;
    if (agg.cursor !== null) this.hours.addTo(agg.cursor, time);
    if (agg.isTrailChange) this.noteTrailChange(buf, start, end, time, caller.callerArn, agg.region);
  }

  private noteTrailChange(buf: Buffer, start: number, end: number, time: string, callerArn: string | null, region: string): void {
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(buf.toString('utf8', start, end)) as Record<string, unknown>;
    } catch {
      throw new JsonSyntaxError('invalid JSON in a trail-changing record');
    }
    this.trailChanges.push(trailChangeOf(record, time, callerArn, region));
  }

  onLookupEvent(buf: Buffer, start: number, end: number): void {
    let outer: unknown;
    try {
      outer = JSON.parse(buf.toString('utf8', start, end));
    } catch {
      throw new JsonSyntaxError('invalid JSON in a lookup-events element');
    }
    const text = typeof outer === 'object' && outer !== null ? (outer as Record<string, unknown>)['CloudTrailEvent'] : undefined;
    if (typeof text !== 'string') {
      this.countUnusable('not-a-cloudtrail-event');
      return;
    }
    this.addLookupEventText(text);
  }

  private addLookupEventText(text: string): void {
    let inner: unknown;
    try {
      inner = JSON.parse(text);
    } catch {
      throw new JsonSyntaxError('invalid JSON in a lookup-events element');
    }
    this.lookupEvents++;
    this.addParsedRecord(inner);
  }

  onNonObjectElement(): void {
    this.countUnusable('not-a-cloudtrail-event');
  }

  /** A record already parsed into an object (lookup-events' CloudTrailEvent). */
  addParsedRecord(record: unknown): void {
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      this.countUnusable('not-a-cloudtrail-event');
      return;
    }
    const r = record as Record<string, unknown>;
    const eventSource = optionalString(r['eventSource']);
    const eventName = optionalString(r['eventName']);
    if (eventSource === null || eventName === null) {
      this.countUnusable('not-a-cloudtrail-event');
      return;
    }
    const period = this.placeInTime(this.readParsedTime(r));
    const time = this.time;
    const caller = this.callers.intern(resolveCaller(r['userIdentity']));
    const region = optionalString(r['awsRegion']) ?? '';
    if (period === null) {
      if (region !== '') this.extraRegions.add(region);
      this.delivered(region, time);
      if (isTrailChange(eventSource, eventName)) this.trailChanges.push(trailChangeOf(r, time, caller.callerArn, region));
      return;
    }
    const isDenied = isAccessDenied(optionalString(r['errorCode']), optionalString(r['errorMessage']));
    const recipient = optionalString(r['recipientAccountId']);
    const account = recipient !== null && recipient !== '' ? recipient : this.window.account;
    // Decoded values (marked by the leading NUL), a key space apart from the raw-byte keys.
    const key = `\u0000${account}\u0001${eventSource}\u0001${eventName}\u0001${region}\u0001${isDenied ? 'd' : 'a'}${period}`;
    const rows = this.calls.of(caller.id);
    const agg = rows.get(key);
    if (agg !== undefined) {
      bump(agg, time);
    } else {
      rows.set(key, newRow(caller, account, eventSource, eventName, region, isDenied, period, time, null, false));
    }
    if (period === 'unknown-time') return;
    this.delivered(region, time);
    if (isTrailChange(eventSource, eventName)) this.trailChanges.push(trailChangeOf(r, time, caller.callerArn, region));
  }

  stats(): FileStats {
    const regions = new Set(this.extraRegions);
    this.calls.regions(regions);
    const unusable = UNUSABLE_REASONS.flatMap((reason) => {
      const count = this.unusable.get(reason) ?? 0;
      return count > 0 ? [{ reason, count }] : [];
    });
    return {
      eventsRead: this.eventsRead,
      eventsAfterAsOf: this.eventsAfterAsOf,
      recordsSkipped: unusable.reduce((sum, u) => sum + u.count, 0),
      firstEvent: this.firstEvent,
      lastEvent: this.lastEvent,
      regions: [...regions].sort(),
      unusable,
      recordsTimedByFile: this.recordsTimedByFile,
      zonelessTimes: this.zonelessTimes,
      lookupEvents: this.lookupEvents,
      deliveryHours: this.hours.toList(),
      trailChanges: [...this.trailChanges].sort(compareTrailChanges),
    };
  }
}
