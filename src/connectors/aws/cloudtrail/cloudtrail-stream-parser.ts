/**
 * Splits a streamed CloudTrail file into its records without ever holding the whole document. The
 * shape is told by content, not by name:
 * - the S3 delivery shape `{"Records":[{…},…]}`, or `aws cloudtrail lookup-events` output
 *   `{"Events":[{"CloudTrailEvent":"<json>",…}],"NextToken":…}`;
 * - a bare array of records `[{…},…]` (CloudTrail Lake and Athena exports);
 * - JSON values one after another, usually one record a line (JSON lines: SIEM dumps, `jq -c`).
 * Top-level values may follow each other, so concatenated files (`cat *.json.gz`) read too.
 *
 * Chunks are fed with `push`. A unit that does not end inside the bytes seen so far (a record, a
 * top-level key or value) is kept and rescanned once the next chunk arrives, so the hot loop needs
 * no state across chunks; a record is only rescanned at a chunk boundary, and at most one record
 * (bounded by `maxUnitBytes`) is ever buffered.
 */

import { byteSizeText } from '../../shared/byte-size-text.js';
import { BYTE_CLASS, CLS_SPACE, JsonSyntaxError } from '../../shared/json-bytes.js';
import { F_CLOUDTRAIL_EVENT, F_EVENT_NAME, F_EVENT_SOURCE, RecordFields, decodeJsonString, findStringEnd, scanRecord, scanValue } from './json-scanner.js';

/** `Records` / `Events`: the wrapped shapes; `Array`: a bare array; `Lines`: JSON values one after another. */
export type CloudTrailShape = 'Records' | 'Events' | 'Array' | 'Lines';

export interface CloudTrailRecordSink {
  /** A record (`Records` or bare-array element, or a top-level object): the object is `buf[start, end)`; `fields` locate its top-level fields. */
  onRecord(buf: Buffer, start: number, end: number, fields: RecordFields): void;
  /** An `Events` element (lookup-events): the object is `buf[start, end)`. */
  onLookupEvent(buf: Buffer, start: number, end: number): void;
  /** An array element or top-level value that is not an object. */
  onNonObjectElement(): void;
}

/** The input is not a (complete) CloudTrail document; the message is the user-facing reason. */
export class CloudTrailFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CloudTrailFormatError';
  }
}

const enum State {
  /** Between top-level values: a wrapper object, a bare array, or a record of JSON lines. */
  TopLevel,
  TopKeyOrEnd,
  TopKey,
  TopColon,
  TopValue,
  TopAfterValue,
  ArrayElementOrEnd,
  ArrayElement,
  ArrayAfterElement,
}

const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;
/** CloudTrail events are far smaller; anything bigger is not a CloudTrail record. */
const DEFAULT_MAX_UNIT_BYTES = 32 * 1024 * 1024;
/** How much of the next chunk is joined to a carried unit at first (grows for bigger units). */
const HEAD_BYTES = 64 * 1024;
const KEY_RECORDS = Buffer.from('Records', 'latin1');
const KEY_EVENTS = Buffer.from('Events', 'latin1');

function isWrapperKey(buf: Buffer, start: number, end: number): boolean {
  const n = end - start;
  const key = n === KEY_RECORDS.length ? KEY_RECORDS : n === KEY_EVENTS.length ? KEY_EVENTS : null;
  if (key === null) return false;
  for (let k = 0; k < n; k++) if (buf[start + k] !== key[k]) return false;
  return true;
}

function skipSpace(buf: Buffer, from: number): number {
  let i = from;
  while (i < buf.length && BYTE_CLASS[buf[i] as number] === CLS_SPACE) i++;
  return i;
}

/**
 * Whether the object at `buf[start] === '{'` opens with a `Records` or `Events` key: 1 yes, 0 no,
 * -1 the buffer ends first. The S3 delivery shape and the AWS CLI's lookup-events output both put
 * that key first, so a wrapper is known before its (huge) array is scanned.
 */
function opensWithWrapperKey(buf: Buffer, start: number): number {
  const i = skipSpace(buf, start + 1);
  if (i >= buf.length) return -1;
  if (buf[i] !== 0x22) return 0;
  const close = findStringEnd(buf, i + 1);
  if (close < 0) return -1;
  return isWrapperKey(buf, i + 1, close) ? 1 : 0;
}

/** Whether the complete object `buf[start, end)` has a top-level `Records` or `Events` key. */
function hasWrapperKey(buf: Buffer, start: number, end: number): boolean {
  let i = skipSpace(buf, start + 1);
  while (i < end && buf[i] === 0x22) {
    const close = findStringEnd(buf, i + 1);
    if (close < 0 || close >= end) return false;
    if (isWrapperKey(buf, i + 1, close)) return true;
    i = skipSpace(buf, close + 1);
    if (buf[i] !== 0x3a) return false;
    i = skipSpace(buf, i + 1);
    const valueEnd = scanValue(buf, i);
    if (valueEnd < 0 || valueEnd > end) return false;
    i = skipSpace(buf, valueEnd);
    if (buf[i] !== 0x2c) return false;
    i = skipSpace(buf, i + 1);
  }
  return false;
}

export class CloudTrailStreamParser {
  private state = State.TopLevel;
  private carry: Buffer | null = null;
  private key = '';
  private arrayShape: CloudTrailShape | null = null;
  private shapeSeen: CloudTrailShape | null = null;
  private readonly fields = new RecordFields();
  private isFirstChunk = true;
  private isStoppedInUnit = false;
  /** Top-level values begun: the first one decides whether this is JSON at all. */
  private topValues = 0;

  constructor(
    private readonly sink: CloudTrailRecordSink,
    private readonly maxUnitBytes = DEFAULT_MAX_UNIT_BYTES,
  ) {}

  /** The shape of the first top-level value, or null. */
  get shape(): CloudTrailShape | null {
    return this.shapeSeen;
  }

  push(chunk: Buffer): void {
    try {
      this.pushChecked(chunk);
    } catch (err) {
      if (err instanceof JsonSyntaxError) throw new CloudTrailFormatError(`invalid JSON: ${err.message}`);
      throw err;
    }
  }

  private pushChecked(input: Buffer): void {
    let chunk = input;
    let pos = 0;
    if (this.isFirstChunk && chunk.length > 0) {
      if (this.carry !== null) {
        chunk = Buffer.concat([this.carry, chunk]);
        this.carry = null;
      }
      if (chunk.length < 3 && chunk[0] === UTF8_BOM[0]) {
        this.carry = chunk;
        return;
      }
      this.isFirstChunk = false;
      if (chunk[0] === UTF8_BOM[0] && chunk[1] === UTF8_BOM[1] && chunk[2] === UTF8_BOM[2]) pos = 3;
    }
    const carry = this.carry;
    if (carry !== null) {
      // Finish the unfinished unit on a small joined buffer (the carry plus the head of this chunk),
      // then go on in the chunk itself: copying every chunk behind the carry cost more than parsing.
      this.carry = null;
      const take = Math.min(chunk.length, Math.max(HEAD_BYTES, carry.length));
      const joined = Buffer.concat([carry, chunk.subarray(0, take)]);
      const stop = this.run(joined, 0, carry.length);
      if (!this.isStoppedInUnit) {
        pos = stop - carry.length;
      } else {
        this.keep(joined, stop);
        if (take < chunk.length) this.pushChecked(chunk.subarray(take));
        return;
      }
    }
    const stop = this.run(chunk, pos, chunk.length);
    if (this.isStoppedInUnit) this.keep(chunk, stop);
  }

  private keep(buf: Buffer, from: number): void {
    if (buf.length - from > this.maxUnitBytes) {
      throw new CloudTrailFormatError(`a single JSON value exceeds the ${byteSizeText(this.maxUnitBytes)} limit on one record: not a CloudTrail record`);
    }
    this.carry = buf.subarray(from);
  }

  end(): void {
    if (this.state === State.TopLevel && this.carry === null && this.topValues === 0) throw new CloudTrailFormatError('empty file: no JSON document');
    if (this.state !== State.TopLevel || this.carry !== null) {
      throw new CloudTrailFormatError(
        this.shapeSeen === null ? 'invalid JSON: the document ends early' : 'truncated: the JSON document ends in the middle of the records',
      );
    }
    if (this.shapeSeen === null) {
      throw new CloudTrailFormatError('not a CloudTrail file: no "Records" or "Events" array at the top level');
    }
  }

  /**
   * Consumes `buf` from `pos` unit by unit and stops at the first unit boundary at or after
   * `stopAt` (`isStoppedInUnit` false), or at the start of a unit the buffer does not finish
   * (`isStoppedInUnit` true). Returns where it stopped.
   */
  private run(buf: Buffer, pos: number, stopAt: number): number {
    const n = buf.length;
    let i = pos;
    this.isStoppedInUnit = false;
    while (i < n && i < stopAt) {
      const c = buf[i] as number;
      if (BYTE_CLASS[c] === CLS_SPACE) {
        i++;
        continue;
      }
      switch (this.state) {
        case State.TopLevel:
          if (c === 0x7b) {
            const opens = opensWithWrapperKey(buf, i);
            if (opens < 0) return this.stopInUnit(i);
            if (opens === 1) {
              this.state = State.TopKeyOrEnd;
              this.topValues++;
              i++;
              break;
            }
            const end = scanRecord(buf, i, this.fields);
            if (end < 0) return this.stopInUnit(i);
            const f = this.fields.start;
            if ((f[F_EVENT_SOURCE] as number) < 0 && (f[F_EVENT_NAME] as number) < 0 && (f[F_CLOUDTRAIL_EVENT] as number) < 0 && hasWrapperKey(buf, i, end)) {
              // A wrapper whose Records / Events key is not its first: read it as one, from its start.
              this.state = State.TopKeyOrEnd;
              this.topValues++;
              i++;
              break;
            }
            this.topValues++;
            this.shapeSeen ??= 'Lines';
            this.sink.onRecord(buf, i, end, this.fields);
            i = end;
          } else if (c === 0x5b) {
            this.topValues++;
            this.arrayShape = 'Array';
            this.shapeSeen ??= 'Array';
            this.state = State.ArrayElementOrEnd;
            i++;
          } else {
            if (this.topValues === 0) throw new CloudTrailFormatError('not a CloudTrail file: the top level is not a JSON object or array');
            const end = scanValue(buf, i);
            if (end < 0) return this.stopInUnit(i);
            this.topValues++;
            this.sink.onNonObjectElement();
            i = end;
          }
          break;
        case State.TopKeyOrEnd:
        case State.TopKey: {
          if (c === 0x7d && this.state === State.TopKeyOrEnd) {
            this.state = State.TopLevel;
            i++;
            break;
          }
          if (c !== 0x22) throw new JsonSyntaxError('expected a key in the top-level object');
          const close = findStringEnd(buf, i + 1);
          if (close < 0) return this.stopInUnit(i);
          this.key = decodeJsonString(buf, i + 1, close);
          this.state = State.TopColon;
          i = close + 1;
          break;
        }
        case State.TopColon:
          if (c !== 0x3a) throw new JsonSyntaxError('expected ":" after a top-level key');
          this.state = State.TopValue;
          i++;
          break;
        case State.TopValue:
          if (this.key === 'Records' || this.key === 'Events') {
            if (c !== 0x5b) throw new CloudTrailFormatError(`not a CloudTrail file: "${this.key}" is not an array`);
            this.arrayShape = this.key;
            this.shapeSeen ??= this.key;
            this.state = State.ArrayElementOrEnd;
            i++;
          } else {
            const end = scanValue(buf, i);
            if (end < 0) return this.stopInUnit(i);
            this.state = State.TopAfterValue;
            i = end;
          }
          break;
        case State.TopAfterValue:
          if (c === 0x2c) this.state = State.TopKey;
          else if (c === 0x7d) this.state = State.TopLevel;
          else throw new JsonSyntaxError('expected "," or "}" in the top-level object');
          i++;
          break;
        case State.ArrayElementOrEnd:
        case State.ArrayElement:
          if (c === 0x5d && this.state === State.ArrayElementOrEnd) {
            this.state = this.arrayShape === 'Array' ? State.TopLevel : State.TopAfterValue;
            i++;
          } else if (c === 0x7b) {
            if (this.arrayShape !== 'Events') {
              const end = scanRecord(buf, i, this.fields);
              if (end < 0) return this.stopInUnit(i);
              this.sink.onRecord(buf, i, end, this.fields);
              i = end;
            } else {
              const end = scanRecord(buf, i, null);
              if (end < 0) return this.stopInUnit(i);
              this.sink.onLookupEvent(buf, i, end);
              i = end;
            }
            this.state = State.ArrayAfterElement;
          } else {
            const end = scanValue(buf, i);
            if (end < 0) return this.stopInUnit(i);
            this.sink.onNonObjectElement();
            i = end;
            this.state = State.ArrayAfterElement;
          }
          break;
        case State.ArrayAfterElement:
          if (c === 0x2c) this.state = State.ArrayElement;
          else if (c === 0x5d) this.state = this.arrayShape === 'Array' ? State.TopLevel : State.TopAfterValue;
          else throw new JsonSyntaxError(`expected "," or "]" between ${this.arrayShape ?? 'array'} elements`);
          i++;
          break;
      }
    }
    return i;
  }

  private stopInUnit(i: number): number {
    this.isStoppedInUnit = true;
    return i;
  }
}
