/**
 * Aggregation keys from the raw bytes of a record's fields: one native latin1 decode per key
 * instead of a UTF-8 decode per field, and the one decode of a field when its value is needed.
 * Shared by the caller cache and the file aggregator, the two places that key records.
 */

import { type RecordFields, decodeJsonString } from './json-scanner.js';

/**
 * Builds hash keys from the raw bytes of a few fields: one native latin1 decode per key instead of
 * a UTF-8 decode, a concatenation and a flatten per field. Equal bytes mean equal strings; the
 * converse can fail only for needlessly escaped JSON, and the merge re-keys by decoded values.
 */
export class KeyBuilder {
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

export function decodeField(buf: Buffer, f: RecordFields, id: number): string | null {
  const start = f.start[id] as number;
  return start < 0 ? null : decodeJsonString(buf, start, f.end[id] as number);
}
