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
  F_USER_IDENTITY,
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

/** What one file contributes; plain data so it can cross a worker boundary. */
export interface FileAggregate {
  calls: CallAggregate[];
  eventsRead: number;
  eventsAfterAsOf: number;
  recordsSkipped: number;
  firstEvent: string | null;
  lastEvent: string | null;
  regions: string[];
}

interface CachedCaller extends Caller {
  key: string;
}

/**
 * userIdentity objects repeat for every call of a session, so the parsed caller is cached by the
 * object's text: a hash lookup instead of a JSON.parse per event. Bounded, since sessions rotate.
 */
export class CallerCache {
  private readonly map = new Map<string, CachedCaller>();
  constructor(private readonly maxEntries = 20_000) {}

  get(userIdentityJson: string): CachedCaller {
    let hit = this.map.get(userIdentityJson);
    if (hit === undefined) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(userIdentityJson);
      } catch {
        throw new JsonSyntaxError('invalid JSON in a userIdentity element');
      }
      hit = withKey(resolveCaller(parsed));
      if (this.map.size >= this.maxEntries) this.map.clear();
      this.map.set(userIdentityJson, hit);
    }
    return hit;
  }
}

function withKey(c: Caller): CachedCaller {
  return { ...c, key: `${c.callerType}\u0001${c.callerArn ?? ''}` };
}

const NO_IDENTITY = withKey(resolveCaller(null));

export interface FlatEvent {
  eventTime: string;
  eventSource: string;
  eventName: string;
  awsRegion: string;
  recipientAccountId: string | null;
  isDenied: boolean;
}

function optionalString(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

export class FileAggregator implements CloudTrailRecordSink {
  private readonly calls = new Map<string, CallAggregate>();
  private readonly regions = new Set<string>();
  eventsRead = 0;
  eventsAfterAsOf = 0;
  recordsSkipped = 0;
  private firstEvent: string | null = null;
  private lastEvent: string | null = null;

  constructor(
    private readonly window: AggregationWindow,
    private readonly callers: CallerCache,
  ) {}

  onRecord(buf: Buffer, _start: number, _end: number, f: RecordFields): void {
    const s = f.start;
    const e = f.end;
    const ts = s[F_EVENT_TIME] as number;
    const ss = s[F_EVENT_SOURCE] as number;
    const ns = s[F_EVENT_NAME] as number;
    if (ts < 0 || ss < 0 || ns < 0) {
      this.recordsSkipped++;
      return;
    }
    const time = normaliseEventTime(decodeJsonString(buf, ts, e[F_EVENT_TIME] as number));
    if (time === null) {
      this.recordsSkipped++;
      return;
    }
    const rs = s[F_AWS_REGION] as number;
    const as = s[F_RECIPIENT_ACCOUNT] as number;
    const cs = s[F_ERROR_CODE] as number;
    const ms = s[F_ERROR_MESSAGE] as number;
    const errorCode = cs >= 0 ? decodeJsonString(buf, cs, e[F_ERROR_CODE] as number) : null;
    let isDenied = isAccessDenied(errorCode, null);
    if (!isDenied && ms >= 0) isDenied = isAccessDenied(null, decodeJsonString(buf, ms, e[F_ERROR_MESSAGE] as number));
    const us = s[F_USER_IDENTITY] as number;
    const caller = us >= 0 ? this.callers.get(buf.toString('utf8', us, e[F_USER_IDENTITY] as number)) : NO_IDENTITY;
    this.add(
      time,
      decodeJsonString(buf, ss, e[F_EVENT_SOURCE] as number),
      decodeJsonString(buf, ns, e[F_EVENT_NAME] as number),
      rs >= 0 ? decodeJsonString(buf, rs, e[F_AWS_REGION] as number) : '',
      as >= 0 ? decodeJsonString(buf, as, e[F_RECIPIENT_ACCOUNT] as number) : null,
      isDenied,
      caller,
    );
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
    const caller = r['userIdentity'] === undefined ? NO_IDENTITY : withKey(resolveCaller(r['userIdentity']));
    this.add(
      time,
      eventSource,
      eventName,
      optionalString(r['awsRegion']) ?? '',
      optionalString(r['recipientAccountId']),
      isAccessDenied(optionalString(r['errorCode']), optionalString(r['errorMessage'])),
      caller,
    );
  }

  private add(
    time: string,
    eventSource: string,
    eventName: string,
    region: string,
    recipientAccountId: string | null,
    isDenied: boolean,
    caller: CachedCaller,
  ): void {
    this.eventsRead++;
    if (this.firstEvent === null || time < this.firstEvent) this.firstEvent = time;
    if (this.lastEvent === null || time > this.lastEvent) this.lastEvent = time;
    if (region !== '') this.regions.add(region);
    if (time > this.window.asOf) {
      this.eventsAfterAsOf++;
      return;
    }
    const period = time < this.window.windowStart ? 'before-window' : 'window';
    const account = recipientAccountId !== null && recipientAccountId !== '' ? recipientAccountId : this.window.account;
    const key = `${caller.key}\u0001${account}\u0001${eventSource}\u0001${eventName}\u0001${region}\u0001${isDenied ? 'd' : 'a'}${period}`;
    const agg = this.calls.get(key);
    if (agg === undefined) {
      this.calls.set(key, {
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
    } else {
      agg.count++;
      if (time < agg.firstSeen) agg.firstSeen = time;
      else if (time > agg.lastSeen) agg.lastSeen = time;
    }
  }

  result(): FileAggregate {
    return {
      calls: [...this.calls.values()],
      eventsRead: this.eventsRead,
      eventsAfterAsOf: this.eventsAfterAsOf,
      recordsSkipped: this.recordsSkipped,
      firstEvent: this.firstEvent,
      lastEvent: this.lastEvent,
      regions: [...this.regions].sort(),
    };
  }
}
