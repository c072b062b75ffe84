/**
 * Splits a stream of JSON bytes into the log entries it holds, without ever holding more than the
 * entry being read (a Cloud Logging sink file can be hundreds of MB; one entry is at most 256 KB,
 * https://cloud.google.com/logging/quotas). Three layouts, told apart by content, never by name:
 *
 * - `[ … ]`: `gcloud logging read FILTER --format=json` prints one JSON array of LogEntry objects
 *   (https://cloud.google.com/sdk/gcloud/reference/logging/read); each element is emitted.
 * - `{…}\n{…}\n…`: a sink export to Cloud Storage holds one LogEntry per line (JSON lines,
 *   https://cloud.google.com/logging/docs/export/storage); more generally, every top-level value of a
 *   stream of concatenated values is emitted, so a single pretty-printed entry also reads.
 * - `{"entries": [ … ], "nextPageToken": …}`: the REST `entries.list` response
 *   (https://cloud.google.com/logging/docs/reference/v2/rest/v2/entries/list), as saved by hand or by
 *   tools such as gcpdiag; the elements of `entries` are emitted, the rest of the wrapper skipped.
 *   A LogEntry has no `entries` field (https://cloud.google.com/logging/docs/reference/v2/rest/v2/LogEntry),
 *   so a top-level object with one is a wrapper.
 *
 * The scanner keeps its state (depth, inside-a-string, pending escape) across chunks, so a value
 * split over any number of chunks is scanned once. It checks structure only as far as needed to
 * find where values end (brackets, strings, the bytes allowed outside strings); each emitted value
 * then goes to `JSON.parse`, which rejects anything malformed inside it.
 */

import { BYTE_CLASS, CLS_CLOSE, CLS_OPEN, CLS_PLAIN, CLS_QUOTE, CLS_SPACE, JsonSyntaxError } from '../../shared/json-bytes.js';
import { byteSizeText } from '../../shared/byte-size-text.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const LBRACE = 0x7b;

/** Which layout the stream turned out to have (null until its first byte that is not whitespace). */
export type JsonStreamShape = 'array' | 'values' | 'entries-list';

/** Default cap on one value: far above the 256 KB LogEntry limit, far below a memory problem. */
const DEFAULT_MAX_VALUE_BYTES = 64 * 1024 * 1024;

const ENTRIES_KEY = Buffer.from('entries', 'latin1');
const UTF8_BOM = [0xef, 0xbb, 0xbf];

/** Where values are emitted. */
const M_START = 0;
/** Top-level array: values at depth 1. */
const M_ARRAY = 1;
/** Concatenated top-level values: values at depth 0. */
const M_VALUES = 2;
/** Inside the `entries` array of a wrapper object: values at depth 2. */
const M_ENTRIES = 3;
/** The rest of a wrapper after its `entries` array: nothing emitted until depth 0. */
const M_WRAPPER_REST = 4;
/** After the closing bracket of a top-level array: only whitespace may follow. */
const M_DONE = 5;

export class JsonValueSplitter {
  /** The layout, once known. A file of only whitespace has none. */
  shape: JsonStreamShape | null = null;
  /** Values emitted. */
  values = 0;

  private mode = M_START;
  /** Open containers at the current position. */
  private depth = 0;
  private inString = false;
  /** The previous chunk ended inside a string on an odd run of backslashes: the next byte is escaped. */
  private isEscapePending = false;
  /** Collecting a value: its bytes from earlier chunks. */
  private parts: Buffer[] = [];
  private partsBytes = 0;
  private isCollecting = false;
  /** The value being collected is a scalar (number / true / false / null): it ends at a delimiter. */
  private isScalar = false;
  /** Depth at which the value being collected started (it ends when depth comes back to it). */
  private valueDepth = 0;
  /** In an emitting container, a value has been read and a `,` or the closing bracket is due. */
  private isAfterValue = false;
  /** Tracking the keys of a top-level object in values mode, to spot an `entries` wrapper. */
  private isKeyNext = false;
  private isEntriesKey = false;
  private bytesSeen = 0;
  /** JSON lines fast path (see push); off for the rest of the stream once a line is not one value. */
  private isLineFastPath = true;

  /**
   * `onInvalid`, when given, is called for a value whose end the scanner found but which JSON.parse
   * rejects (an invalid escape, a bad number…): the stream goes on with the next value, since the
   * scanner's structure is intact. Without it, such a value throws like any other syntax error.
   */
  constructor(
    private readonly onValue: (value: unknown) => void,
    private readonly maxValueBytes = DEFAULT_MAX_VALUE_BYTES,
    private readonly onInvalid?: (message: string) => void,
  ) {}

  /** Depth at which values start in the current mode, or -1 when nothing is emitted. */
  private emitDepth(): number {
    switch (this.mode) {
      case M_ARRAY:
        return 1;
      case M_VALUES:
        return 0;
      case M_ENTRIES:
        return 2;
      default:
        return -1;
    }
  }

  push(chunk: Buffer): void {
    let i = 0;
    const n = chunk.length;
    const chunkOffset = this.bytesSeen;
    this.bytesSeen += n;
    // A UTF-8 byte order mark (possibly split over chunks) before the first value.
    while (i < n && this.mode === M_START && chunkOffset + i < 3 && chunk[i] === UTF8_BOM[chunkOffset + i]) i++;
    // Start of the part of the current value that lies in this chunk.
    let valueStart = this.isCollecting ? 0 : -1;

    while (i < n) {
      if (this.inString) {
        let floor = i;
        if (this.isEscapePending) {
          this.isEscapePending = false;
          i++;
          floor = i;
          if (i >= n) break;
        }
        const close = this.findQuote(chunk, i, floor);
        if (close < 0) {
          // Ends inside the string: is the last byte an unescaped backslash?
          let k = n - 1;
          while (k >= floor && chunk[k] === BACKSLASH) k--;
          this.isEscapePending = ((n - 1 - k) & 1) === 1;
          break;
        }
        this.inString = false;
        i = close + 1;
        if (this.isKeyNext && this.depth === 1 && this.mode === M_VALUES) {
          // A key of the top-level object just ended.
          this.isEntriesKey = this.matchesEntriesKey(chunk, close, valueStart);
          this.isKeyNext = false;
        }
        if (this.isCollecting && !this.isScalar && this.depth === this.valueDepth) {
          this.finishValue(chunk, valueStart, i);
          valueStart = -1;
        }
        continue;
      }

      const c = chunk[i] as number;
      const cls = BYTE_CLASS[c];

      if (this.isCollecting && this.isScalar) {
        if (cls === CLS_PLAIN && c !== COMMA && c !== COLON) {
          i++;
          continue;
        }
        // The delimiter ends the scalar; it is then handled below as structure.
        this.finishValue(chunk, valueStart, i);
        valueStart = -1;
      }

      if (cls === CLS_SPACE) {
        i++;
        continue;
      }

      if (this.mode === M_DONE) throw new JsonSyntaxError(`data after the top-level array at byte ${this.offsetOf(i, n)}`);
      if (this.mode === M_START && cls !== CLS_OPEN) {
        throw new JsonSyntaxError(`not JSON log entries: expected '[' or '{' but found byte 0x${hex(c)} at byte ${this.offsetOf(i, n)}`);
      }

      const emitAt = this.emitDepth();
      if (!this.isCollecting && this.depth === emitAt && cls !== CLS_CLOSE && c !== COMMA) {
        // A value starts where values are emitted.
        if (this.isAfterValue && this.mode !== M_VALUES) throw new JsonSyntaxError(`expected ',' between array elements at byte ${this.offsetOf(i, n)}`);
        if (c === COLON || (cls !== CLS_OPEN && cls !== CLS_QUOTE && cls !== CLS_PLAIN)) {
          throw new JsonSyntaxError(`unexpected byte 0x${hex(c)} where a value should start at byte ${this.offsetOf(i, n)}`);
        }
        if (this.mode === M_VALUES && c === LBRACE && this.isLineFastPath) {
          // JSON lines: a raw newline cannot occur inside a JSON string, so if the bytes up to the
          // next newline parse, they are exactly one value — JSON.parse then does the scanning.
          const nl = chunk.indexOf(0x0a, i);
          if (nl >= 0 && this.tryLine(chunk, i, nl)) {
            i = nl + 1;
            this.isAfterValue = true;
            continue;
          }
        }
        this.isCollecting = true;
        this.valueDepth = this.depth;
        valueStart = i;
        if (cls === CLS_PLAIN) {
          this.isScalar = true;
          i++;
          continue;
        }
      }

      if (cls === CLS_QUOTE) {
        this.inString = true;
        i++;
        continue;
      }

      if (cls === CLS_OPEN) {
        if (this.mode === M_START) {
          this.shape = c === LBRACKET ? 'array' : 'values';
          this.mode = c === LBRACKET ? M_ARRAY : M_VALUES;
          if (c === LBRACE) {
            // The first top-level object starts here: collect it like any later one.
            this.isCollecting = true;
            this.valueDepth = 0;
            valueStart = i;
          }
        }
        if (this.mode === M_VALUES && this.depth === 1 && c === LBRACKET && this.isEntriesKey) {
          // `{"entries": [` — the top-level object is a list response, not an entry: emit the
          // elements of this array instead, and drop what was collected of the wrapper.
          this.isCollecting = false;
          this.parts = [];
          this.partsBytes = 0;
          valueStart = -1;
          this.mode = M_ENTRIES;
          this.shape = this.shape === 'values' && this.values === 0 ? 'entries-list' : this.shape;
          this.isEntriesKey = false;
          this.depth++;
          this.isAfterValue = false;
          i++;
          continue;
        }
        this.depth++;
        if (this.mode === M_VALUES && this.depth === 1) {
          this.isKeyNext = c === LBRACE;
          this.isEntriesKey = false;
        }
        i++;
        continue;
      }

      if (cls === CLS_CLOSE) {
        if (this.depth === 0) throw new JsonSyntaxError(`unbalanced '${String.fromCharCode(c)}' at byte ${this.offsetOf(i, n)}`);
        this.depth--;
        i++;
        if (this.mode === M_ARRAY && this.depth === 0) {
          if (c !== RBRACKET) throw new JsonSyntaxError(`top-level array closed by '}' at byte ${this.offsetOf(i - 1, n)}`);
          this.mode = M_DONE;
          this.isAfterValue = false;
          continue;
        }
        if (this.mode === M_ENTRIES && this.depth === 1) {
          this.mode = M_WRAPPER_REST;
          this.isAfterValue = false;
          continue;
        }
        if (this.mode === M_WRAPPER_REST && this.depth === 0) {
          // Another page may follow (pages concatenated): back to reading top-level values.
          this.mode = M_VALUES;
          continue;
        }
        if (this.isCollecting && this.depth === this.valueDepth) {
          this.finishValue(chunk, valueStart, i);
          valueStart = -1;
        }
        continue;
      }

      if (cls === CLS_PLAIN) {
        if (c === COMMA) {
          if (this.depth === this.emitDepth()) {
            if (!this.isAfterValue && this.mode !== M_VALUES) throw new JsonSyntaxError(`unexpected ',' at byte ${this.offsetOf(i, n)}`);
            this.isAfterValue = false;
          }
          if (this.mode === M_VALUES && this.depth === 1) this.isKeyNext = true;
        } else if (c === COLON) {
          // Key / value separator: the entries flag stays set for the value that follows.
        } else if (this.mode === M_START || this.mode === M_DONE) {
          throw new JsonSyntaxError(`unexpected byte 0x${hex(c)} at byte ${this.offsetOf(i, n)}`);
        } else if (this.mode === M_VALUES && this.depth === 1) {
          // A scalar value of the top-level object: not an `entries` array.
          this.isEntriesKey = false;
        }
        i++;
        continue;
      }

      throw new JsonSyntaxError(`unexpected byte 0x${hex(c)} outside a string at byte ${this.offsetOf(i, n)}`);
    }

    if (this.isCollecting) {
      const from = valueStart < 0 ? 0 : valueStart;
      if (from < n) {
        const part = chunk.subarray(from, n);
        this.partsBytes += part.length;
        if (this.partsBytes > this.maxValueBytes) {
          throw new JsonSyntaxError(`a single JSON value is larger than the ${byteSizeText(this.maxValueBytes)} limit on one value (not a log entry)`);
        }
        // Copy: the caller may reuse the chunk's memory.
        this.parts.push(Buffer.from(part));
      }
    }
  }

  /** Call at the end of the stream: throws if it ended inside a value or an array. */
  end(): void {
    if (this.isCollecting && this.isScalar && !this.inString) {
      const buf = Buffer.concat(this.parts);
      this.parts = [];
      this.partsBytes = 0;
      this.isCollecting = false;
      this.isScalar = false;
      this.emit(buf, 0, buf.length);
    }
    if (this.mode === M_ARRAY) throw new JsonSyntaxError('unexpected end of data inside the top-level array (truncated file?)');
    if (this.inString || this.isCollecting || this.depth !== 0) {
      throw new JsonSyntaxError('unexpected end of data (truncated file?)');
    }
  }

  /** Index of the closing quote from `from` on, or -1; `floor` = first byte of this string in this chunk. */
  private findQuote(buf: Buffer, from: number, floor: number): number {
    let j = from;
    for (;;) {
      const q = buf.indexOf(QUOTE, j);
      if (q < 0) return -1;
      let k = q - 1;
      while (k >= floor && buf[k] === BACKSLASH) k--;
      if (((q - 1 - k) & 1) === 0) return q;
      j = q + 1;
    }
  }

  /** True when the string that just closed at `close` is exactly `entries` (possibly split over chunks). */
  private matchesEntriesKey(chunk: Buffer, close: number, valueStart: number): boolean {
    const len = ENTRIES_KEY.length;
    const openAt = close - len - 1;
    if (openAt >= 0 && (valueStart < 0 || openAt >= valueStart)) {
      if (chunk[openAt] !== QUOTE) return false;
      for (let j = 0; j < len; j++) if (chunk[openAt + 1 + j] !== ENTRIES_KEY[j]) return false;
      return true;
    }
    // The key began in an earlier chunk: look at the collected bytes too.
    const tail = Buffer.concat([...this.parts, chunk.subarray(valueStart < 0 ? 0 : valueStart, close + 1)]);
    if (tail.length < len + 2) return false;
    return tail.subarray(tail.length - len - 2).equals(Buffer.from('"entries"', 'latin1'));
  }

  private finishValue(chunk: Buffer, valueStart: number, end: number): void {
    this.isCollecting = false;
    this.isScalar = false;
    this.isAfterValue = true;
    if (this.parts.length === 0) {
      this.emit(chunk, valueStart, end);
      return;
    }
    this.parts.push(chunk.subarray(0, end));
    const buf = Buffer.concat(this.parts);
    this.parts = [];
    this.partsBytes = 0;
    this.emit(buf, 0, buf.length);
  }

  private emit(buf: Buffer, start: number, end: number): void {
    let value: unknown;
    try {
      value = JSON.parse(buf.toString('utf8', start, end));
    } catch (err) {
      const message = `invalid JSON in value ${this.values + 1}: ${err instanceof Error ? err.message : String(err)}`;
      if (this.onInvalid === undefined) throw new JsonSyntaxError(message);
      this.values++;
      this.onInvalid(message);
      return;
    }
    this.values++;
    this.onValue(value);
  }

  /** The JSON lines fast path: true when `buf[start, nl)` was one value (emitted). */
  private tryLine(buf: Buffer, start: number, nl: number): boolean {
    let value: unknown;
    try {
      value = JSON.parse(buf.toString('utf8', start, nl));
    } catch {
      // Not one value per line (pretty-printed, or broken): scan byte by byte from here on.
      this.isLineFastPath = false;
      return false;
    }
    const entries = typeof value === 'object' && value !== null ? (value as { entries?: unknown }).entries : undefined;
    if (Array.isArray(entries)) {
      // A one-line entries.list response, as the scanner would read it.
      if (this.shape === 'values' && this.values === 0) this.shape = 'entries-list';
      for (const e of entries as unknown[]) {
        this.values++;
        this.onValue(e);
      }
      return true;
    }
    this.values++;
    this.onValue(value);
    return true;
  }

  private offsetOf(i: number, n: number): number {
    return this.bytesSeen - n + i;
  }
}

/** `6f ('o')`: the byte in hex, and as a character when printable. */
function hex(c: number): string {
  const code = c.toString(16).padStart(2, '0');
  return c >= 0x21 && c < 0x7f ? `${code} ('${String.fromCharCode(c)}')` : code;
}
