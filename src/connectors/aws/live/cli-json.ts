/**
 * SDK results → the JSON the AWS CLI writes, so a live collection is the same snapshot `scan files`
 * reads: no `$metadata`, dates as ISO 8601 strings, binary as base64, and IAM policy documents
 * (URL-encoded strings on the wire) decoded into JSON objects as the CLI prints them.
 */

import { setOwn } from '../../../model/own-keys.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function toCliJson(value: unknown, key = ''): Json | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map((v) => toCliJson(v) ?? null);
  if (typeof value === 'string') return key === 'PolicyDocument' || key === 'Document' || key === 'AssumeRolePolicyDocument' ? decodePolicy(value) : value;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'object') {
    const out: { [k: string]: Json } = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (k === '$metadata') continue;
      const j = toCliJson(v, k);
      // Defined, not assigned: an API map key `__proto__` would otherwise set the prototype and vanish.
      if (j !== undefined) setOwn(out, k, j);
    }
    return out;
  }
  return undefined;
}

function decodePolicy(text: string): Json {
  try {
    return JSON.parse(decodeURIComponent(text)) as Json;
  } catch {
    // Left as it came; the offline parser reports a document it cannot read.
    return text;
  }
}

export function stringify(value: unknown): string {
  return `${JSON.stringify(toCliJson(value), null, 4)}\n`;
}
