/**
 * Client-library results → the JSON `gcloud … --format=json` prints, so a live collection is the
 * snapshot `scan files` reads (docs/gcp.md): the REST fallback of google-gax decodes responses into
 * protobuf objects with every default filled in (`condition: null`, `exemptedMembers: []`, bytes as
 * Buffers, timestamps as `{seconds, nanos}`, oneof names as extra keys). proto3 JSON omits defaults,
 * writes bytes as base64 and timestamps as RFC 3339, and so does gcloud.
 */

import { setOwn } from '../../../model/own-keys.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isTimestamp(value: object): value is { seconds: string | number; nanos?: number } {
  const keys = Object.keys(value);
  return keys.includes('seconds') && keys.every((k) => k === 'seconds' || k === 'nanos');
}

function timestampText(t: { seconds: string | number; nanos?: number }): string {
  const ms = Number(t.seconds) * 1000 + Math.floor((t.nanos ?? 0) / 1_000_000);
  const iso = new Date(ms).toISOString();
  // RFC 3339 as the API writes it: fractional seconds only when there are some.
  return (t.nanos ?? 0) === 0 ? iso.replace('.000Z', 'Z') : iso;
}

export function toGcloudJson(value: unknown): Json | undefined {
  if (value === undefined || value === null) return undefined;
  if (value instanceof Uint8Array) return value.length === 0 ? undefined : Buffer.from(value).toString('base64');
  if (Array.isArray(value)) {
    if (value.length === 0) return undefined;
    return value.map((v) => toGcloudJson(v) ?? null);
  }
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number') return value === 0 ? undefined : value;
  if (typeof value === 'boolean') return value ? true : undefined;
  if (typeof value === 'object') {
    if (isTimestamp(value)) return timestampText(value);
    const entries = Object.entries(value as Record<string, unknown>);
    const out: { [k: string]: Json } = {};
    for (const [k, v] of entries) {
      // A oneof group's name whose value is the key of the member that is set.
      if (typeof v === 'string' && v !== k && entries.some(([other]) => other === v) && isOneofName(k)) continue;
      const j = toGcloudJson(v);
      // Defined, not assigned: an API map key `__proto__` would otherwise set the prototype and vanish.
      if (j !== undefined) setOwn(out, k, j);
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return undefined;
}

/** Oneof group names the decoders of the APIs used here add (deny rules: `kind`). */
function isOneofName(key: string): boolean {
  return key === 'kind';
}

/** Two-space indented JSON with a final newline, as gcloud writes it. */
export function stringify(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
