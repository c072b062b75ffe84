/**
 * zod at the edge for GCP snapshot files: a file of the wrong shape becomes an InputError naming
 * the file, the first bad path inside it and the gcloud command that writes the right shape, so a
 * user can fix the snapshot without reading a stack trace.
 */

import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { InputError } from '../../model/errors.js';
import { describeZodIssue, formatJsonPath, type IssueLike } from '../shared/zod-issues.js';

/** Validates `value` or throws an InputError `<file>: <path>: <problem>` with `hint`. */
export function checkShape<T>(schema: z.ZodType<T>, value: unknown, file: string, what: string, hint: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const first = result.error.issues[0] as IssueLike | undefined;
  const { path, problem } = first ? describeZodIssue(first) : { path: [], problem: 'invalid value' };
  const where = formatJsonPath(path);
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
