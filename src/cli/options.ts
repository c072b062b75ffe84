/** Parsing and checking of command-line values: durations, times, formats and outputs. */

import { resolve } from 'node:path';
import { FLAGS } from '../config/flag-table.js';
import { asOfReader, type ValueReader } from '../config/flag-values.js';
import { formatDuration } from '../config/timeout-length.js';
import { parseS3Url } from '../connectors/aws/live/s3-archive.js';
import { DEFAULT_CALL_TIMEOUTS, type CallTimeouts } from '../connectors/shared/call-timeouts.js';
import { UsageError } from '../model/errors.js';
import { readFlag } from './flags.js';

import { type FormatChoice, formatNames, formatOfFile } from '../reporters/format.js';
import { REPORT_FORMATS, type ReporterName } from '../reporters/index.js';

/** `--window` (and `PERMDRIFT_WINDOW`): the window length in milliseconds; a usage error past the 400-day cap in any unit. */
export function parseWindow(text: string, flag = '--window'): number {
  return readFlag(FLAGS.window, text, flag);
}

/**
 * `--as-of`: ISO 8601, checked field by field; a time without a zone (or a date alone) is UTC. With
 * the window length, the window it ends must also lie between 1970-01-01 and 9999-12-31.
 */
export function parseAsOf(text: string | undefined, now: () => Date, windowMs = 0): Date {
  if (text === undefined) return now();
  return readFlag({ long: FLAGS.asOf.long, read: asOfReader(windowMs) }, text);
}

export interface OutputTarget {
  format: ReporterName;
  /** `-` or undefined = stdout. */
  file?: string;
}

/** `-` and the names of this process's stdout: written through the stdout stream, never opened. */
function isStdoutPath(file: string): boolean {
  return file === '-' || file === '/dev/stdout' || file === '/dev/fd/1' || file === '/proc/self/fd/1';
}

/**
 * Pairs `--format` values with `-o` values: one output takes its format from the flag or its
 * extension; several outputs pair with the formats in order. Two outputs to the same place (the
 * same file, or stdout twice) are a usage error: the second would overwrite the first. The
 * registry (scan's or diff/trend's) gives the names, the endings and the default, its first format.
 */
export function pairOutputs<F extends string>(
  formats: string[],
  outputs: string[],
  registry: readonly FormatChoice<F>[],
  example: string,
): { format: F; file?: string }[] {
  const allowed = formatNames(registry);
  const fallback = allowed[0] as F;
  for (const f of formats) {
    if (!(allowed as readonly string[]).includes(f)) {
      throw new UsageError(`unknown --format "${f}"`, `use one of: ${allowed.join(', ')}`);
    }
  }
  const fmts = formats as F[];
  const target = (format: F, file: string | undefined): { format: F; file?: string } =>
    file === undefined || isStdoutPath(file) ? { format } : { format, file };
  let out: { format: F; file?: string }[];
  if (outputs.length === 0) {
    if (fmts.length > 1) throw new UsageError('several --format values need one -o file each', `e.g. --format table --format json -o - -o ${example}`);
    out = [target(fmts[0] ?? fallback, undefined)];
  } else if (fmts.length === 0) {
    out = outputs.map((file) => {
      const format = isStdoutPath(file) ? fallback : formatOfFile(registry, file);
      if (!format) throw new UsageError(`cannot tell the format of "${file}" from its extension`, `add --format ${allowed.join('|')}`);
      return target(format, file);
    });
  } else if (fmts.length === 1 && outputs.length === 1) {
    out = [target(fmts[0] as F, outputs[0])];
  } else if (fmts.length !== outputs.length) {
    throw new UsageError(`${fmts.length} --format value(s) but ${outputs.length} -o value(s)`, 'give one -o per --format, in the same order');
  } else {
    out = fmts.map((format, i) => target(format, outputs[i]));
  }
  const seen = new Map<string, string>();
  for (const t of out) {
    const key = t.file === undefined ? '-' : resolve(t.file);
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      throw new UsageError(
        t.file === undefined
          ? `two outputs go to stdout (--format ${earlier} and --format ${t.format})`
          : `two outputs go to ${t.file} (--format ${earlier} and --format ${t.format})`,
        'give each --format its own -o file; at most one may be - (stdout)',
      );
    }
    seen.set(key, t.format);
  }
  return out;
}

export function resolveOutputs(formats: string[], outputs: string[]): OutputTarget[] {
  return pairOutputs(formats, outputs, REPORT_FORMATS, 'report.json');
}

/**
 * `--assume-role-name`: one IAM role name, optionally after its path. A wildcard would make the
 * `--org` policy let the caller assume every matching role in every account, so it is refused.
 */
export function parseRoleName(text: string, flag = '--assume-role-name'): string {
  return readFlag(FLAGS.assumeRoleName, text, flag);
}

/** `--cloudtrail-s3`: s3://bucket[/prefix], without wildcards (it names one archive). */
export function parseCloudTrailS3(text: string): { bucket: string; prefix: string } {
  const loc = parseS3Url(text);
  if (!loc || /[*?]/.test(text))
    throw new UsageError(`invalid --cloudtrail-s3 "${text}"`, 'use s3://<bucket>/<prefix>, the prefix before AWSLogs/ (no wildcards)');
  return loc;
}

/** Colour per CONVENTIONS: off with NO_COLOR, --no-color or a non-TTY; FORCE_COLOR overrides. */
export function isColorWanted(opts: { isFlagOff: boolean; isTty: boolean; env: NodeJS.ProcessEnv }): boolean {
  const force = opts.env['FORCE_COLOR'];
  if (force === '0' || force === 'false') return false;
  if (force !== undefined && force !== '') return true;
  if (opts.isFlagOff) return false;
  if (opts.env['NO_COLOR'] !== undefined && opts.env['NO_COLOR'] !== '') return false;
  return opts.isTty;
}

/** The time-limit flags of `collect aws|gcp` and `scan aws|gcp`, as commander gives them. */
export interface TimeoutFlags {
  connectTimeout?: string;
  requestTimeout?: string;
  retryBudget?: string;
}

function oneLimit(spec: { long: string; read: ValueReader<number> }, text: string | undefined, fallback: number): number {
  return text === undefined ? fallback : readFlag(spec, text);
}

/**
 * What a live collection is bounded by, parsed in this order so the first bad flag is the one
 * named: the window, the as-of (one reading of the clock) and the call time limits.
 */
export function parseCollectionBounds(
  flags: TimeoutFlags & { window: string; asOf?: string },
  now: () => Date,
): { windowMs: number; asOf: Date; timeouts: CallTimeouts } {
  const windowMs = parseWindow(flags.window);
  const asOf = parseAsOf(flags.asOf, now, windowMs);
  return { windowMs, asOf, timeouts: parseTimeouts(flags) };
}

/** The flags (already merged with env and config) → limits; usage errors for values that cannot work together. */
function parseTimeouts(flags: TimeoutFlags): CallTimeouts {
  const d = DEFAULT_CALL_TIMEOUTS;
  const requestMs = oneLimit(FLAGS.requestTimeout, flags.requestTimeout, d.requestMs);
  const connectMs = oneLimit(FLAGS.connectTimeout, flags.connectTimeout, Math.min(d.connectMs, requestMs));
  const budgetMs = oneLimit(FLAGS.retryBudget, flags.retryBudget, Math.max(d.budgetMs, requestMs));
  if (connectMs > requestMs) {
    throw new UsageError(
      `--connect-timeout ${formatDuration(connectMs)} is longer than --request-timeout ${formatDuration(requestMs)}`,
      'the request timeout counts the connection too, so a longer connect timeout would never apply: lower --connect-timeout or raise --request-timeout',
    );
  }
  if (budgetMs < requestMs) {
    throw new UsageError(
      `--retry-budget ${formatDuration(budgetMs)} is shorter than --request-timeout ${formatDuration(requestMs)}`,
      'the budget bounds a call with all its attempts, so it must hold at least one: raise --retry-budget or lower --request-timeout',
    );
  }
  return { connectMs, requestMs, budgetMs };
}
