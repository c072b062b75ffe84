/**
 * zod at the edge for GCP snapshot files: a file of the wrong shape becomes an InputError naming
 * the file, the first bad path inside it and the gcloud command that writes the right shape, so a
 * user can fix the snapshot without reading a stack trace.
 */

import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { InputError } from '../../model/errors.js';

export type JsonPath = readonly (string | number)[];

export function formatJsonPath(path: JsonPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out === '' ? '(top level)' : out;
}

interface IssueLike {
  code: string;
  path: PropertyKey[];
  message: string;
  errors?: IssueLike[][];
}

/** Inside a union, report the alternative that got furthest into the value: that is the one the user meant. */
function deepest(issue: IssueLike): IssueLike {
  if (issue.code !== 'invalid_union' || !issue.errors || issue.errors.length === 0) return issue;
  let best: IssueLike | undefined;
  for (const alternative of issue.errors) {
    const first = alternative[0];
    if (first === undefined) continue;
    const inner = deepest(first);
    const full: IssueLike = { ...inner, path: [...issue.path, ...inner.path] };
    if (best === undefined || full.path.length > best.path.length) best = full;
  }
  return best ?? issue;
}

/** Validates `value` or throws an InputError `<file>: <path>: <problem>` with `hint`. */
export function checkShape<T>(schema: z.ZodType<T>, value: unknown, file: string, what: string, hint: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const first = result.error.issues[0] as IssueLike | undefined;
  const issue = first ? deepest(first) : undefined;
  const where = formatJsonPath((issue?.path ?? []).map((p) => (typeof p === 'number' ? p : String(p))));
  const problem = (issue?.message ?? 'invalid value')
    .replace(/^Invalid input: /, '')
    .replace(/, received undefined$/, ' (field is missing)');
  throw new InputError(`${file}: ${where}: ${problem} (not the shape of ${what})`, hint, { file });
}

/** Reads and parses a JSON file; unreadable or unparsable → InputError naming the file. */
export function readJsonFile(file: string, hint: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new InputError(`${file}: cannot be read`, hint, { file, cause });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new InputError(`${file}: not valid JSON (${cause instanceof Error ? cause.message : String(cause)})`, hint, {
      file,
      cause,
    });
  }
}
