/**
 * Splits a streamed CloudTrail JSON document into its records without ever holding the whole
 * document: either the S3 delivery shape `{"Records":[{…},…]}` or `aws cloudtrail lookup-events`
 * output `{"Events":[{"CloudTrailEvent":"<json>",…}],"NextToken":…}`.
 *
 * Chunks are fed with `push`. A unit that does not end inside the bytes seen so far (a record, a
 * top-level key or value) is kept and rescanned once the next chunk arrives, so the hot loop needs
 * no state across chunks; a record is only rescanned at a chunk boundary, and at most one record
 * (bounded by `maxUnitBytes`) is ever buffered.
 */

import {
  BYTE_CLASS,
  CLS_SPACE,
  JsonSyntaxError,
  RecordFields,
  decodeJsonString,
  findStringEnd,
  scanRecord,
  scanValue,
} from './json-scanner.js';

export type CloudTrailShape = 'Records' | 'Events';

export interface CloudTrailRecordSink {
  /** A `Records` element: the object is `buf[start, end)`; `fields` locate its top-level fields. */
  onRecord(buf: Buffer, start: number, end: number, fields: RecordFields): void;
  /** An `Events` element (lookup-events): the object is `buf[start, end)`. */
  onLookupEvent(buf: Buffer, start: number, end: number): void;
  /** An array element that is not an object. */
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
  Start,
  TopKeyOrEnd,
  TopKey,
  TopColon,
  TopValue,
  TopAfterValue,
  ArrayElementOrEnd,
  ArrayElement,
  ArrayAfterElement,
  Done,
}

const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;
/** CloudTrail events are far smaller; anything bigger is not a CloudTrail record. */
const DEFAULT_MAX_UNIT_BYTES = 32 * 1024 * 1024;
/** How much of the next chunk is joined to a carried unit at first (grows for bigger units). */
const HEAD_BYTES = 64 * 1024;

export class CloudTrailStreamParser {
  private state = State.Start;
  private carry: Buffer | null = null;
  private key = '';
  private arrayShape: CloudTrailShape | null = null;
  private shapeSeen: CloudTrailShape | null = null;
  private readonly fields = new RecordFields();
  private isFirstChunk = true;
  private isStoppedInUnit = false;

  constructor(
    private readonly sink: CloudTrailRecordSink,
    private readonly maxUnitBytes = DEFAULT_MAX_UNIT_BYTES,
  ) {}

  /** The array found so far (`Records` or `Events`), or null. */
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
      throw new CloudTrailFormatError(`a single JSON value exceeds ${this.maxUnitBytes >> 20} MB: not a CloudTrail record`);
    }
    this.carry = buf.subarray(from);
  }

  end(): void {
    if (this.state === State.Start && this.carry === null) throw new CloudTrailFormatError('empty file: no JSON document');
    if (this.state !== State.Done || this.carry !== null) {
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
        case State.Start:
          if (c !== 0x7b) throw new CloudTrailFormatError('not a CloudTrail file: the top level is not a JSON object');
          this.state = State.TopKeyOrEnd;
          i++;
          break;
        case State.TopKeyOrEnd:
        case State.TopKey: {
          if (c === 0x7d && this.state === State.TopKeyOrEnd) {
            this.state = State.Done;
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
          else if (c === 0x7d) this.state = State.Done;
          else throw new JsonSyntaxError('expected "," or "}" in the top-level object');
          i++;
          break;
        case State.ArrayElementOrEnd:
        case State.ArrayElement:
          if (c === 0x5d && this.state === State.ArrayElementOrEnd) {
            this.state = State.TopAfterValue;
            i++;
          } else if (c === 0x7b) {
            if (this.arrayShape === 'Records') {
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
          else if (c === 0x5d) this.state = State.TopAfterValue;
          else throw new JsonSyntaxError(`expected "," or "]" between ${this.arrayShape ?? 'array'} elements`);
          i++;
          break;
        case State.Done:
          throw new CloudTrailFormatError('invalid JSON: unexpected data after the JSON document');
      }
    }
    return i;
  }

  private stopInUnit(i: number): number {
    this.isStoppedInUnit = true;
    return i;
  }
}
