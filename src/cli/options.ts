/** Parsing and checking of command-line values: durations, times, formats and outputs. */

import { type Command, Option } from 'commander';
import { resolve } from 'node:path';
import { loadConfig, type ConfigValues } from '../config/config-file.js';
import { asOfRangeProblem, readIsoTime } from '../config/iso-time.js';
import { formatDuration, readDuration } from '../config/timeout-length.js';
import { parseS3Url } from '../connectors/aws/live/s3-archive.js';
import { readWindowLength, windowLengthHint } from '../config/window-length.js';
import { DEFAULT_CALL_TIMEOUTS, type CallTimeouts } from '../connectors/shared/call-timeouts.js';
import { UsageError } from '../model/errors.js';
import { addBooleanFlag, addDebugFlag } from './boolean-flags.js';

import { type FormatChoice, formatNames, formatOfFile } from '../reporters/format.js';
import { REPORT_FORMATS, type ReporterName } from '../reporters/index.js';

/** `90d`, `12h`: the window length in milliseconds; a usage error past the 400-day cap in any unit. */
/** `--window`, the same on every command that takes it (scan, demo, baseline, collect). */
export function windowOption(): Option {
  return new Option('--window <duration>', 'how far back usage counts (and logs are read): Nd or Nh, at most 400d').env('PERMDRIFT_WINDOW').default('90d');
}

export function parseWindow(text: string, flag = '--window'): number {
  const r = readWindowLength(text);
  if (!r.ok) throw new UsageError(`invalid ${flag} "${text}": ${r.problem}`, windowLengthHint(flag, r.isOverCap));
  return r.ms;
}

/**
 * `--as-of`: ISO 8601, checked field by field; a time without a zone (or a date alone) is UTC. With
 * the window length, the window it ends must also lie between 1970-01-01 and 9999-12-31.
 */
export function parseAsOf(text: string | undefined, now: () => Date, windowMs = 0): Date {
  if (text === undefined) return now();
  const r = readIsoTime(text);
  if (!r.ok) {
    throw new UsageError(
      `invalid --as-of "${text}": ${r.problem}`,
      'use an ISO 8601 date or time, e.g. --as-of 2026-11-25 or --as-of 2026-11-25T10:00:00Z (no zone = UTC)',
    );
  }
  const problem = asOfRangeProblem(r.date, windowMs);
  if (problem !== undefined) {
    throw new UsageError(
      `invalid --as-of "${text}": ${problem}`,
      'give an --as-of after 1970-01-01 (and a --window that starts after it), e.g. --as-of 2026-11-25',
    );
  }
  return r.date;
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

const ROLE_NAME = /^(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;

/**
 * `--assume-role-name`: one IAM role name, optionally after its path. A wildcard would make the
 * `--org` policy let the caller assume every matching role in every account, so it is refused.
 */
export function parseRoleName(text: string, flag = '--assume-role-name'): string {
  if (/[*?]/.test(text)) {
    throw new UsageError(
      `invalid ${flag} "${text}": a role name cannot hold a wildcard (* or ?): the policy would allow sts:AssumeRole on every matching role in every account`,
      'name the one audit role, e.g. --assume-role-name PermdriftAudit (or path/PermdriftAudit)',
    );
  }
  if (!ROLE_NAME.test(text) || text.length > 576) {
    throw new UsageError(
      `invalid ${flag} "${text}": not an IAM role name`,
      'a role name is 1-64 of A-Z a-z 0-9 + = , . @ _ -, optionally after a path such as audit/',
    );
  }
  return text;
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

/** The `collect` parent command, created by the first provider that registers under it. */
export function collectParent(program: Command): Command {
  return (
    program.commands.find((c) => c.name() === 'collect') ??
    program.command('collect').description('read a cloud account live and write it as an offline snapshot')
  );
}

/** The options every `collect <provider>` shares: the window, and how much it says on stderr. */
export function addCollectCommonOptions(cmd: Command): Command {
  cmd
    .addOption(new Option('--as-of <time>', 'end of the window, ISO 8601; no zone = UTC (default: now)').env('PERMDRIFT_AS_OF'))
    .addOption(windowOption())
    .addOption(
      new Option('--config <file>', 'config file for the time limits (default: permdrift.config.{json,yaml,yml} found upward)').env('PERMDRIFT_CONFIG'),
    );
  addBooleanFlag(cmd, { flags: '-q, --quiet', description: 'no progress and no summary on stderr', env: 'PERMDRIFT_QUIET', default: false });
  return addDebugFlag(cmd);
}

/** The time-limit flags of `collect aws|gcp` and `scan aws|gcp`, as commander gives them. */
export interface TimeoutFlags {
  connectTimeout?: string;
  requestTimeout?: string;
  retryBudget?: string;
}

const MAX_TIMEOUT_MS = 3_600_000;
const MAX_BUDGET_MS = 24 * 3_600_000;

/** Connection, request and retry-budget limits of every live call (../connectors/shared/call-timeouts.ts). */
export function addTimeoutOptions(cmd: Command): Command {
  const d = DEFAULT_CALL_TIMEOUTS;
  return cmd
    .addOption(
      new Option('--connect-timeout <duration>', `longest a connection (TCP and TLS) may take to open, e.g. 5s (default ${formatDuration(d.connectMs)})`).env(
        'PERMDRIFT_CONNECT_TIMEOUT',
      ),
    )
    .addOption(
      new Option(
        '--request-timeout <duration>',
        `longest one attempt of a call may wait for its answer, its connection included, and a download may pause, e.g. 30s (default ${formatDuration(d.requestMs)}); timed-out attempts are retried`,
      ).env('PERMDRIFT_REQUEST_TIMEOUT'),
    )
    .addOption(
      new Option(
        '--retry-budget <duration>',
        `longest one call may take with its retries and backoff, e.g. 2m (default ${formatDuration(d.budgetMs)}); then it fails, naming the call`,
      ).env('PERMDRIFT_RETRY_BUDGET'),
    );
}

function oneLimit(flag: string, text: string | undefined, fallback: number, maxMs: number): number {
  if (text === undefined) return fallback;
  const r = readDuration(text, maxMs);
  if (!r.ok) throw new UsageError(`invalid ${flag} "${text}": ${r.problem}`, `give a number with a unit, e.g. ${flag} 500ms, ${flag} 30s or ${flag} 2m`);
  return r.ms;
}

/** The flags (already merged with env and config) → limits; usage errors for values that cannot work together. */
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

function parseTimeouts(flags: TimeoutFlags): CallTimeouts {
  const d = DEFAULT_CALL_TIMEOUTS;
  const requestMs = oneLimit('--request-timeout', flags.requestTimeout, d.requestMs, MAX_TIMEOUT_MS);
  const connectMs = oneLimit('--connect-timeout', flags.connectTimeout, Math.min(d.connectMs, requestMs), MAX_TIMEOUT_MS);
  const budgetMs = oneLimit('--retry-budget', flags.retryBudget, Math.max(d.budgetMs, requestMs), MAX_BUDGET_MS);
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

/** Config keys of the time limits → the flags' attribute names. */
const TIMEOUT_CONFIG_KEYS = {
  'connect-timeout': 'connectTimeout',
  'request-timeout': 'requestTimeout',
  'retry-budget': 'retryBudget',
} as const satisfies Partial<Record<keyof ConfigValues, keyof TimeoutFlags>>;

/**
 * `collect aws|gcp`: the time limits not given as a flag or a PERMDRIFT_* variable come from the
 * config file (--config, or the one found upward), as the scan commands' flags do.
 */
export function withTimeoutConfig<F extends TimeoutFlags & { config?: string }>(flags: F, cmd: Command, cwd: string): F {
  const config = loadConfig(flags.config, cwd);
  if (!config) return flags;
  const out: F = { ...flags };
  for (const [key, attr] of Object.entries(TIMEOUT_CONFIG_KEYS) as [keyof typeof TIMEOUT_CONFIG_KEYS, keyof TimeoutFlags][]) {
    const value = config.values[key];
    const source = cmd.getOptionValueSource(attr);
    if (value !== undefined && (source === undefined || source === 'default')) out[attr] = value;
  }
  return out;
}
