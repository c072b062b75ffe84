/**
 * Byte-level JSON scanning for CloudTrail records.
 *
 * A full `JSON.parse` of every record costs about three times a `gzip -dc` of the same bytes on the
 * benchmark machine, most of it building `requestParameters` / `responseElements` objects nobody
 * reads. This scanner walks a record once, on Buffers, tracking string and bracket state only, and
 * notes where the few top-level fields the reader needs start and end; those small slices are then
 * decoded (and `userIdentity` alone is given to `JSON.parse`).
 *
 * It validates loosely (bracket balance, the bytes allowed outside strings) so garbage and truncation
 * are caught; it does not check every JSON rule inside the values it skips.
 */

import { BYTE_CLASS, CLS_PLAIN, CLS_OPEN, CLS_CLOSE, CLS_QUOTE, CLS_SPACE, JsonSyntaxError } from '../../shared/json-bytes.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACE = 0x7b;

/**
 * Index of the quote closing the string whose first content byte is at `from`, or -1 when the
 * buffer ends first. `indexOf` (memchr) skips the long ARNs, user agents and ids natively; a quote
 * preceded by an odd run of backslashes is escaped.
 */
export function findStringEnd(buf: Buffer, from: number): number {
  let j = from;
  for (;;) {
    const q = buf.indexOf(QUOTE, j);
    if (q < 0) return -1;
    let k = q - 1;
    while (k >= from && buf[k] === BACKSLASH) k--;
    if (((q - 1 - k) & 1) === 0) return q;
    j = q + 1;
  }
}

/**
 * Field ids the reader extracts: top-level record fields, then `userIdentity.*` and
 * `userIdentity.sessionContext.sessionIssuer.*`. Caller resolution needs only these few strings, so
 * the userIdentity object is never parsed as a whole.
 */
const F_NONE = 0;
export const F_EVENT_TIME = 1;
export const F_EVENT_SOURCE = 2;
export const F_EVENT_NAME = 3;
export const F_AWS_REGION = 4;
export const F_ERROR_CODE = 5;
export const F_ERROR_MESSAGE = 6;
export const F_RECIPIENT_ACCOUNT = 7;
export const F_UI_TYPE = 8;
export const F_UI_ARN = 9;
export const F_UI_INVOKED_BY = 10;
export const F_UI_USER_NAME = 11;
export const F_UI_ACCOUNT_ID = 12;
export const F_SI_TYPE = 13;
export const F_SI_ARN = 14;
/** Where `eventTime` is missing: log shippers (Elastic, OpenSearch) put the time there. */
export const F_TIMESTAMP = 15;
/** An `aws cloudtrail lookup-events` element (`{"CloudTrailEvent":"<json>",…}`) in a bare array or JSON lines. */
export const F_CLOUDTRAIL_EVENT = 16;
const FIELD_COUNT = 17;
/** Fields whose non-string values (epoch numbers, null, objects) are located too, marked in `rawMask`. */
const RAW_FIELDS = (1 << F_EVENT_TIME) | (1 << F_TIMESTAMP);

/** Objects whose keys are tracked; any other object or array is only balanced. */
const CTX_NONE = 0;
const CTX_RECORD = 1;
const CTX_USER_IDENTITY = 2;
const CTX_SESSION_CONTEXT = 3;
const CTX_SESSION_ISSUER = 4;

/** A matched key: > 0 a string field id, < 0 the context its object value opens. */
const KEYS: readonly [number, string, number][] = [
  [CTX_RECORD, 'eventTime', F_EVENT_TIME],
  [CTX_RECORD, 'eventSource', F_EVENT_SOURCE],
  [CTX_RECORD, 'eventName', F_EVENT_NAME],
  [CTX_RECORD, 'awsRegion', F_AWS_REGION],
  [CTX_RECORD, 'errorCode', F_ERROR_CODE],
  [CTX_RECORD, 'errorMessage', F_ERROR_MESSAGE],
  [CTX_RECORD, 'recipientAccountId', F_RECIPIENT_ACCOUNT],
  [CTX_RECORD, '@timestamp', F_TIMESTAMP],
  [CTX_RECORD, 'CloudTrailEvent', F_CLOUDTRAIL_EVENT],
  [CTX_RECORD, 'userIdentity', -CTX_USER_IDENTITY],
  [CTX_USER_IDENTITY, 'type', F_UI_TYPE],
  [CTX_USER_IDENTITY, 'arn', F_UI_ARN],
  [CTX_USER_IDENTITY, 'invokedBy', F_UI_INVOKED_BY],
  [CTX_USER_IDENTITY, 'userName', F_UI_USER_NAME],
  [CTX_USER_IDENTITY, 'accountId', F_UI_ACCOUNT_ID],
  [CTX_USER_IDENTITY, 'sessionContext', -CTX_SESSION_CONTEXT],
  [CTX_SESSION_CONTEXT, 'sessionIssuer', -CTX_SESSION_ISSUER],
  [CTX_SESSION_ISSUER, 'type', F_SI_TYPE],
  [CTX_SESSION_ISSUER, 'arn', F_SI_ARN],
];

/** Candidates by context and key length, so most keys are rejected by their length alone. */
const KEY_TABLE: { id: number; bytes: Uint8Array }[][][] = (() => {
  const table: { id: number; bytes: Uint8Array }[][][] = [[], [], [], [], []];
  for (const [ctx, key, id] of KEYS) {
    const byLength = table[ctx] as { id: number; bytes: Uint8Array }[][];
    const list = byLength[key.length] ?? [];
    list.push({ id, bytes: Buffer.from(key, 'latin1') });
    byLength[key.length] = list;
  }
  return table;
})();

function matchKey(ctx: number, buf: Buffer, start: number, end: number): number {
  const candidates = (KEY_TABLE[ctx] as { id: number; bytes: Uint8Array }[][])[end - start];
  if (candidates === undefined) return F_NONE;
  outer: for (const c of candidates) {
    const b = c.bytes;
    for (let i = 0; i < b.length; i++) if (buf[start + i] !== b[i]) continue outer;
    return c.id;
  }
  return F_NONE;
}

/**
 * Where the extracted fields lie in the buffer of the record just scanned: the string content
 * between the quotes; -1 = absent (or not a string). `hasUserIdentity`: an object was there.
 * The time fields are located whatever their value: a bit set in `rawMask` (`1 << id`) says the
 * value is not a string but the raw JSON text of a number, `true`/`false`/`null`, or only the
 * opening bracket of an object or array.
 */
export class RecordFields {
  readonly start = new Int32Array(FIELD_COUNT);
  readonly end = new Int32Array(FIELD_COUNT);
  hasUserIdentity = false;
  rawMask = 0;

  reset(): void {
    this.start.fill(-1);
    this.end.fill(-1);
    this.hasUserIdentity = false;
    this.rawMask = 0;
  }
}

const MAX_DEPTH = 512;
const ctxStack = new Uint8Array(MAX_DEPTH + 1);

/**
 * Scans the object starting at `buf[start] === '{'`. Returns the index just past its closing brace,
 * or -1 if the buffer ends first (the caller keeps the bytes and rescans with more). Fills `fields`
 * when given.
 */
export function scanRecord(buf: Buffer, start: number, fields: RecordFields | null): number {
  const n = buf.length;
  let depth = 1;
  let i = start + 1;
  let ctx = fields !== null ? CTX_RECORD : CTX_NONE;
  let isKeyNext = true;
  let pending = F_NONE;
  ctxStack[1] = ctx;
  if (fields !== null) fields.reset();
  while (i < n) {
    const c = buf[i] as number;
    if (c === QUOTE) {
      const close = findStringEnd(buf, i + 1);
      if (close < 0) return -1;
      if (ctx !== CTX_NONE) {
        if (isKeyNext) {
          pending = matchKey(ctx, buf, i + 1, close);
          isKeyNext = false;
        } else if (pending > 0 && fields !== null) {
          fields.start[pending] = i + 1;
          fields.end[pending] = close;
          pending = F_NONE;
        }
      }
      i = close + 1;
      continue;
    }
    const cls = BYTE_CLASS[c];
    if (cls === CLS_PLAIN || cls === CLS_SPACE) {
      if (c === COMMA && ctx !== CTX_NONE) {
        isKeyNext = true;
        pending = F_NONE;
      } else if (pending > 0 && cls === CLS_PLAIN && c !== COLON && ((1 << pending) & RAW_FIELDS) !== 0 && fields !== null) {
        // A scalar that is not a string (an epoch number, null) where a time is expected.
        let j = i + 1;
        while (j < n && BYTE_CLASS[buf[j] as number] === CLS_PLAIN && buf[j] !== COMMA && buf[j] !== COLON) j++;
        if (j >= n) return -1;
        fields.start[pending] = i;
        fields.end[pending] = j;
        fields.rawMask |= 1 << pending;
        pending = F_NONE;
        i = j;
        continue;
      }
      i++;
    } else if (cls === CLS_OPEN) {
      if (++depth > MAX_DEPTH) throw new JsonSyntaxError(`nesting deeper than ${MAX_DEPTH}`);
      let child = CTX_NONE;
      if (pending < 0 && c === LBRACE) {
        child = -pending;
        if (child === CTX_USER_IDENTITY && fields !== null) fields.hasUserIdentity = true;
      } else if (pending > 0 && ((1 << pending) & RAW_FIELDS) !== 0 && fields !== null) {
        // An object or array where a time is expected: present, and not a time.
        fields.start[pending] = i;
        fields.end[pending] = i + 1;
        fields.rawMask |= 1 << pending;
      }
      ctxStack[depth] = child;
      ctx = child;
      isKeyNext = true;
      pending = F_NONE;
      i++;
    } else if (cls === CLS_CLOSE) {
      i++;
      if (--depth === 0) return i;
      ctx = ctxStack[depth] as number;
      isKeyNext = false;
      pending = F_NONE;
    } else {
      throw new JsonSyntaxError(`unexpected byte 0x${c.toString(16).padStart(2, '0')} outside a string`);
    }
  }
  return -1;
}

/**
 * Scans any JSON value starting at `buf[start]` (not whitespace). Returns the index just past it, or
 * -1 if the buffer ends first. A scalar at the very end of the buffer counts as unfinished, since
 * the next chunk could continue it.
 */
export function scanValue(buf: Buffer, start: number): number {
  const c = buf[start] as number;
  const cls = BYTE_CLASS[c];
  if (cls === CLS_QUOTE) {
    const close = findStringEnd(buf, start + 1);
    return close < 0 ? -1 : close + 1;
  }
  if (cls === CLS_OPEN) {
    // Objects and arrays balance the same way; field extraction is not needed here.
    return scanRecord(buf, start, null);
  }
  if (cls === CLS_PLAIN && c !== COMMA && c !== 0x3a) {
    let i = start + 1;
    while (i < buf.length && BYTE_CLASS[buf[i] as number] === CLS_PLAIN && buf[i] !== COMMA && buf[i] !== 0x3a) i++;
    return i < buf.length ? i : -1;
  }
  throw new JsonSyntaxError(`unexpected byte 0x${c.toString(16).padStart(2, '0')} where a value should start`);
}

/** True when `buf[start, end)` holds a backslash (the string needs JSON unescaping). */
function hasBackslash(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] === BACKSLASH) return true;
  return false;
}

/** The JSON string content `buf[start, end)` (between the quotes) as a JS string. */
export function decodeJsonString(buf: Buffer, start: number, end: number): string {
  if (!hasBackslash(buf, start, end)) return buf.toString('utf8', start, end);
  const decoded: unknown = JSON.parse(buf.toString('utf8', start - 1, end + 1));
  if (typeof decoded !== 'string') throw new JsonSyntaxError('invalid string escape');
  return decoded;
}
