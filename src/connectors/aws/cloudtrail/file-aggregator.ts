/**
 * Aggregates the events of one log file. A file is aggregated on its own and merged only once it was
 * read to the end, so a file that fails half-way contributes nothing and cannot pass for complete.
 */

import type { CallAggregate } from '../../../model/activity.js';
import { isAccessDenied } from './access-denied.js';
import { type Caller, resolveCaller } from './caller.js';
import type { CloudTrailRecordSink } from './cloudtrail-stream-parser.js';
import { normaliseEventTime } from './event-time.js';
import {
  F_AWS_REGION,
  F_ERROR_CODE,
  F_ERROR_MESSAGE,
  F_EVENT_NAME,
  F_EVENT_SOURCE,
  F_EVENT_TIME,
  F_RECIPIENT_ACCOUNT,
  F_SI_ARN,
  F_SI_TYPE,
  F_UI_ACCOUNT_ID,
  F_UI_ARN,
  F_UI_INVOKED_BY,
  F_UI_TYPE,
  F_UI_USER_NAME,
  JsonSyntaxError,
  type RecordFields,
  decodeJsonString,
} from './json-scanner.js';

/** Window bounds in the normalised form of `normaliseEventTime`. */
export interface AggregationWindow {
  account: string;
  windowStart: string;
  asOf: string;
}

interface CachedCaller extends Caller {
  /** Small id standing for the caller in aggregation keys. */
  id: number;
}

/** userIdentity fields read by `resolveCaller`, in key order. */
const CALLER_FIELDS = [F_UI_TYPE, F_UI_ARN, F_UI_INVOKED_BY, F_UI_USER_NAME, F_UI_ACCOUNT_ID, F_SI_TYPE, F_SI_ARN] as const;
const CALLER_FIELD_NAMES = ['type', 'arn', 'invokedBy', 'userName', 'accountId'] as const;
/** The record fields besides the caller that make an aggregation key. */
const CALL_FIELDS = [F_EVENT_SOURCE, F_EVENT_NAME, F_AWS_REGION, F_RECIPIENT_ACCOUNT] as const;

/**
 * Builds hash keys from the raw bytes of a few fields: one native latin1 decode per key instead of
 * a UTF-8 decode, a concatenation and a flatten per field. Equal bytes mean equal strings; the
 * converse can fail only for needlessly escaped JSON, and the merge re-keys by decoded values.
 */
class KeyBuilder {
  private buf = Buffer.allocUnsafe(1024);
  private len = 0;

  reset(): void {
    this.len = 0;
  }

  byte(b: number): void {
    if (this.len >= this.buf.length) this.grow(1);
    this.buf[this.len++] = b;
  }

  /** Appends `src[start, end)` (or a marker for an absent field) and a separator. */
  field(src: Buffer, start: number, end: number): void {
    if (start < 0) {
      this.byte(0x02);
      return;
    }
    const n = end - start;
    if (this.len + n + 1 > this.buf.length) this.grow(n + 1);
    const b = this.buf;
    let j = this.len;
    for (let i = start; i < end; i++) b[j++] = src[i] as number;
    b[j++] = 0x01;
    this.len = j;
  }

  text(): string {
    return this.buf.toString('latin1', 0, this.len);
  }

  private grow(extra: number): void {
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + extra));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
}

function decodeField(buf: Buffer, f: RecordFields, id: number): string | null {
  const start = f.start[id] as number;
  return start < 0 ? null : decodeJsonString(buf, start, f.end[id] as number);
}

/**
 * Callers repeat for every call of a session, so resolved callers are cached by the raw bytes of
 * their userIdentity fields. Bounded, since sessions rotate; ids stay unique for the cache's life.
 */
export class CallerCache {
  private readonly map = new Map<string, CachedCaller>();
  private readonly byCaller = new Map<string, number>();
  private readonly keys = new KeyBuilder();

  constructor(private readonly maxEntries = 20_000) {}

  fromRecord(buf: Buffer, f: RecordFields): CachedCaller {
    if (!f.hasUserIdentity) return this.intern(resolveCaller(null));
    const k = this.keys;
    k.reset();
    for (const id of CALLER_FIELDS) k.field(buf, f.start[id] as number, f.end[id] as number);
    const key = k.text();
    let hit = this.map.get(key);
    if (hit === undefined) {
      const ui: Record<string, unknown> = {};
      CALLER_FIELD_NAMES.forEach((name, i) => {
        const v = decodeField(buf, f, CALLER_FIELDS[i] as number);
        if (v !== null) ui[name] = v;
      });
      const issuerType = decodeField(buf, f, F_SI_TYPE);
      const issuerArn = decodeField(buf, f, F_SI_ARN);
      if (issuerType !== null || issuerArn !== null) {
        ui['sessionContext'] = { sessionIssuer: { ...(issuerType !== null ? { type: issuerType } : {}), ...(issuerArn !== null ? { arn: issuerArn } : {}) } };
      }
      hit = this.intern(resolveCaller(ui));
      if (this.map.size >= this.maxEntries) this.map.clear();
      this.map.set(key, hit);
    }
    return hit;
  }

  /** The same caller always gets the same id, whichever session it came from. */
  intern(c: Caller): CachedCaller {
    const k = `${c.callerType}\u0001${c.callerArn ?? ''}`;
    let id = this.byCaller.get(k);
    if (id === undefined) {
      id = this.byCaller.size;
      this.byCaller.set(k, id);
    }
    return { ...c, id };
  }
}

function optionalString(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function bump(agg: CallAggregate, time: string): void {
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
 * Aggregates by caller id, then by a call key (raw bytes for streamed records, decoded text for
 * parsed ones). Stores built with one CallerCache can be merged without re-keying; `toCalls`
 * re-keys once by decoded values.
 */
export class CallStore {
  private readonly byCaller = new Map<number, Map<string, CallAggregate>>();

  of(callerId: number): Map<string, CallAggregate> {
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
        if (prev === undefined) merged.set(key, { ...row });
        else mergeInto(prev, row);
      }
    }
    return [...merged.values()];
  }
}

/** Coverage figures of one file; plain data so it can cross a worker boundary. */
export interface FileStats {
  eventsRead: number;
  eventsAfterAsOf: number;
  recordsSkipped: number;
  firstEvent: string | null;
  lastEvent: string | null;
  regions: string[];
}

export class FileAggregator implements CloudTrailRecordSink {
  readonly calls = new CallStore();
  /** Regions of events not aggregated (after asOf); the others come from the aggregates. */
  private readonly extraRegions = new Set<string>();
  private readonly keys = new KeyBuilder();
  eventsRead = 0;
  eventsAfterAsOf = 0;
  recordsSkipped = 0;
  private firstEvent: string | null = null;
  private lastEvent: string | null = null;

  constructor(
    private readonly window: AggregationWindow,
    private readonly callers: CallerCache,
  ) {}

  /** Span bookkeeping; false when the event is after asOf (counted, not aggregated). */
  private observe(time: string, region: string | null, buf: Buffer | null, f: RecordFields | null): boolean {
    if (this.firstEvent === null || time < this.firstEvent) this.firstEvent = time;
    if (this.lastEvent === null || time > this.lastEvent) this.lastEvent = time;
    if (time <= this.window.asOf) return true;
    this.eventsAfterAsOf++;
    const r = region ?? (buf !== null && f !== null ? decodeField(buf, f, F_AWS_REGION) : null);
    if (r !== null && r !== '') this.extraRegions.add(r);
    return false;
  }

  onRecord(buf: Buffer, _start: number, _end: number, f: RecordFields): void {
    const s = f.start;
    const e = f.end;
    const ts = s[F_EVENT_TIME] as number;
    if (ts < 0 || (s[F_EVENT_SOURCE] as number) < 0 || (s[F_EVENT_NAME] as number) < 0) {
      this.recordsSkipped++;
      return;
    }
    const time = normaliseEventTime(decodeJsonString(buf, ts, e[F_EVENT_TIME] as number));
    if (time === null) {
      this.recordsSkipped++;
      return;
    }
    let isDenied = false;
    if ((s[F_ERROR_CODE] as number) >= 0 || (s[F_ERROR_MESSAGE] as number) >= 0) {
      isDenied = isAccessDenied(decodeField(buf, f, F_ERROR_CODE), decodeField(buf, f, F_ERROR_MESSAGE));
    }
    const caller = this.callers.fromRecord(buf, f);
    this.eventsRead++;
    if (!this.observe(time, null, buf, f)) return;
    const period = time < this.window.windowStart ? 'before-window' : 'window';
    const k = this.keys;
    k.reset();
    for (const id of CALL_FIELDS) k.field(buf, s[id] as number, e[id] as number);
    k.byte(isDenied ? 0x64 : 0x61);
    k.byte(period === 'window' ? 0x77 : 0x62);
    const rows = this.calls.of(caller.id);
    const key = k.text();
    const agg = rows.get(key);
    if (agg !== undefined) {
      bump(agg, time);
      return;
    }
    const account = decodeField(buf, f, F_RECIPIENT_ACCOUNT);
    rows.set(key, {
      callerType: caller.callerType,
      callerArn: caller.callerArn,
      account: account !== null && account !== '' ? account : this.window.account,
      eventSource: decodeField(buf, f, F_EVENT_SOURCE) ?? '',
      eventName: decodeField(buf, f, F_EVENT_NAME) ?? '',
      region: decodeField(buf, f, F_AWS_REGION) ?? '',
      isDenied,
      period,
      count: 1,
      firstSeen: time,
      lastSeen: time,
    });
  }

  onLookupEvent(buf: Buffer, start: number, end: number): void {
    let inner: unknown;
    try {
      const outer: unknown = JSON.parse(buf.toString('utf8', start, end));
      const text = typeof outer === 'object' && outer !== null ? (outer as Record<string, unknown>)['CloudTrailEvent'] : undefined;
      if (typeof text !== 'string') {
        this.recordsSkipped++;
        return;
      }
      inner = JSON.parse(text);
    } catch {
      throw new JsonSyntaxError('invalid JSON in a lookup-events element');
    }
    this.addParsedRecord(inner);
  }

  onNonObjectElement(): void {
    this.recordsSkipped++;
  }

  /** A record already parsed into an object (lookup-events' CloudTrailEvent). */
  addParsedRecord(record: unknown): void {
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      this.recordsSkipped++;
      return;
    }
    const r = record as Record<string, unknown>;
    const rawTime = optionalString(r['eventTime']);
    const eventSource = optionalString(r['eventSource']);
    const eventName = optionalString(r['eventName']);
    const time = rawTime !== null ? normaliseEventTime(rawTime) : null;
    if (time === null || eventSource === null || eventName === null) {
      this.recordsSkipped++;
      return;
    }
    const caller = this.callers.intern(resolveCaller(r['userIdentity']));
    const region = optionalString(r['awsRegion']) ?? '';
    this.eventsRead++;
    if (!this.observe(time, region, null, null)) return;
    const isDenied = isAccessDenied(optionalString(r['errorCode']), optionalString(r['errorMessage']));
    const period = time < this.window.windowStart ? 'before-window' : 'window';
    const recipient = optionalString(r['recipientAccountId']);
    const account = recipient !== null && recipient !== '' ? recipient : this.window.account;
    // Decoded values (marked by the leading NUL), a key space apart from the raw-byte keys.
    const key = `\u0000${account}\u0001${eventSource}\u0001${eventName}\u0001${region}\u0001${isDenied ? 'd' : 'a'}${period}`;
    const rows = this.calls.of(caller.id);
    const agg = rows.get(key);
    if (agg !== undefined) {
      bump(agg, time);
      return;
    }
    rows.set(key, {
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
    });
  }

  stats(): FileStats {
    const regions = new Set(this.extraRegions);
    this.calls.regions(regions);
    return {
      eventsRead: this.eventsRead,
      eventsAfterAsOf: this.eventsAfterAsOf,
      recordsSkipped: this.recordsSkipped,
      firstEvent: this.firstEvent,
      lastEvent: this.lastEvent,
      regions: [...regions].sort(),
    };
  }
}
