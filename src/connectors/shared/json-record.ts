/**
 * zod at the edge for objects keyed by input names (see model/own-keys.ts): `z.record` builds a
 * plain object, so it drops a `__proto__` key.
 */

import { z } from 'zod';
import { nullRecord } from '../../model/own-keys.js';

/**
 * `z.record(key, value)` that keeps every key: the result is a null-prototype object. Issues carry
 * the path of the key (and inside the value), as z.record's do.
 */
export function jsonRecord<V extends z.ZodType>(key: z.ZodType<string>, value: V): z.ZodType<Record<string, z.output<V>>> {
  return z.unknown().transform((raw, ctx) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      ctx.addIssue({
        code: 'invalid_type',
        expected: 'record',
        input: raw,
        message: `Invalid input: expected record, received ${Array.isArray(raw) ? 'array' : raw === null ? 'null' : typeof raw}`,
      });
      return z.NEVER;
    }
    const out = nullRecord<z.output<V>>();
    let isValid = true;
    for (const [k, v] of Object.entries(raw)) {
      const keyResult = key.safeParse(k);
      if (!keyResult.success) {
        for (const issue of keyResult.error.issues) ctx.addIssue({ ...issue, path: [k, ...issue.path] } as Parameters<typeof ctx.addIssue>[0]);
        isValid = false;
        continue;
      }
      const valueResult = value.safeParse(v);
      if (!valueResult.success) {
        for (const issue of valueResult.error.issues) ctx.addIssue({ ...issue, path: [k, ...issue.path] } as Parameters<typeof ctx.addIssue>[0]);
        isValid = false;
        continue;
      }
      out[keyResult.data] = valueResult.data as z.output<V>;
    }
    return isValid ? out : z.NEVER;
  }) as unknown as z.ZodType<Record<string, z.output<V>>>;
}
