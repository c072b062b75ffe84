/**
 * `permdrift.config.{json,yaml,yml}`: found upward from the working directory, or named with
 * --config. Every scan flag has a key of the same (kebab-case) name. Precedence: flag > PERMDRIFT_*
 * environment variable > config file > default. Unknown keys are errors that name the key.
 */

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../model/errors.js';
import { asOfRangeProblem, readIsoTime } from './iso-time.js';
import { readDuration } from './timeout-length.js';
import { BASIS_LIST_HINT, readBasisList } from './verdict-basis.js';
import { readWindowLength, windowLengthHint } from './window-length.js';

const CONFIG_FILE_NAMES = ['permdrift.config.json', 'permdrift.config.yaml', 'permdrift.config.yml'] as const;

const stringList = z.union([z.string(), z.array(z.string())]).transform((v) => (Array.isArray(v) ? v : [v]));

/** A time limit of the live collectors, read as its flag reads it. */
const timeLimit = (key: string, maxMs: number) =>
  z.string().superRefine((v, ctx) => {
    const r = readDuration(v, maxMs);
    if (!r.ok)
      ctx.addIssue({ code: 'custom', message: `invalid "${v}": ${r.problem}`, params: { hint: `give a number with a unit, e.g. ${key}: 30s (or 500ms, 2m)` } });
  });

/** The config keys, each the name of a scan flag. */
const configSchema = z
  .object({
    'as-of': z.string().superRefine((v, ctx) => {
      const r = readIsoTime(v);
      const problem = r.ok ? asOfRangeProblem(r.date, 0) : r.problem;
      if (problem !== undefined)
        ctx.addIssue({
          code: 'custom',
          message: `invalid "${v}": ${problem}`,
          params: { hint: 'use an ISO 8601 date or time, e.g. as-of: 2026-11-25T10:00:00Z (no zone = UTC)' },
        });
    }),
    // The same reading as --window, so a file cannot set what the flag refuses.
    window: z.string().superRefine((v, ctx) => {
      const r = readWindowLength(v);
      if (!r.ok) ctx.addIssue({ code: 'custom', message: `invalid "${v}": ${r.problem}`, params: { hint: windowLengthHint('window:', r.isOverCap) } });
    }),
    format: stringList,
    output: stringList,
    principal: stringList,
    'include-service-linked': z.boolean(),
    'min-coverage': z.union([z.number(), z.string()]).transform((v) => String(v)),
    'fail-on': z.string(),
    // The same reading as --require-basis; a list or a comma-joined string, passed on as the flag's text.
    'require-basis': stringList
      .superRefine((v, ctx) => {
        const r = readBasisList(v);
        if (!r.ok)
          ctx.addIssue({
            code: 'custom',
            message: `invalid ${JSON.stringify(v.join(','))}: ${r.problem}`,
            params: { hint: `require-basis: ${BASIS_LIST_HINT}` },
          });
      })
      .transform((v) => v.join(',')),
    baseline: z.string(),
    'allow-future-baseline': z.boolean(),
    exceptions: z.string(),
    quiet: z.boolean(),
    color: z.boolean(),
    workers: z.union([z.number().int().positive(), z.string()]).transform((v) => String(v)),
    'sarif-artifact': z.string(),
    'policy-source': stringList,
    // collect aws|gcp and scan aws|gcp: the time limits of every live call.
    'connect-timeout': timeLimit('connect-timeout', 3_600_000),
    'request-timeout': timeLimit('request-timeout', 3_600_000),
    'retry-budget': timeLimit('retry-budget', 24 * 3_600_000),
    // scan files: scan a snapshot whose collection did not finish.
    'allow-incomplete': z.boolean(),
  })
  .partial()
  .strict();

export type ConfigValues = z.output<typeof configSchema>;

/** Keys whose value must be a YAML / JSON boolean. */
const BOOLEAN_KEYS: ReadonlySet<string> = new Set(
  Object.entries(configSchema.shape)
    .filter(([, t]) => t.unwrap() instanceof z.ZodBoolean)
    .map(([k]) => k),
);

function describeValue(value: unknown): string {
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'number') return `the number ${value}`;
  if (value === null) return 'null';
  return Array.isArray(value) ? 'a list' : `a ${typeof value === 'object' ? 'mapping' : typeof value}`;
}

export interface LoadedConfig {
  path: string;
  values: ConfigValues;
}

/** yaml's own default, named: how far aliases may multiply the document before it is refused. */
const MAX_ALIAS_COUNT = 100;

/** Keys whose values are paths: resolved against the config file's folder, not the working directory. */
const PATH_KEYS = ['baseline', 'exceptions'] as const;

export function findConfigFile(startDir: string): string | undefined {
  let dir = resolve(startDir);
  for (;;) {
    for (const name of CONFIG_FILE_NAMES) {
      const candidate = join(dir, name);
      if (existsSync(candidate)) return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export function parseConfig(text: string, path: string): ConfigValues {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const first = doc.errors[0];
  if (first) {
    throw new ConfigError(
      `${path}:${first.linePos?.[0]?.line ?? 1}: ${first.message.split('\n')[0] ?? 'invalid YAML/JSON'}`,
      'fix the syntax, or run `permdrift init` for a starter file',
      { file: path },
    );
  }
  let raw: unknown;
  try {
    // A handful of aliases is fine; a nest of them expanding exponentially (a "billion laughs")
    // makes yaml stop at MAX_ALIAS_COUNT with a ReferenceError, which is the file's fault.
    raw = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? {};
  } catch (cause) {
    const problem = cause instanceof Error ? cause.message : String(cause);
    const isAliasBomb = /alias/i.test(problem);
    throw new ConfigError(
      isAliasBomb
        ? `${path}: its YAML aliases expand too far (over yaml's maxAliasCount of ${MAX_ALIAS_COUNT}, as in a "billion laughs" file): ${problem}`
        : `${path}: ${problem}`,
      isAliasBomb
        ? 'a config file needs no aliases: write each value out (run `permdrift init` for a starter file)'
        : 'fix the file, or run `permdrift init` for a starter file',
      { file: path, cause },
    );
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(`${path}: expected a mapping of settings`, 'see `permdrift init` for the keys', { file: path });
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (issue?.code === 'unrecognized_keys') {
      throw new ConfigError(`${path}: unknown key "${issue.keys[0] ?? ''}"`, `allowed keys: ${Object.keys(configSchema.shape).join(', ')}`, { file: path });
    }
    const key = issue?.path.join('.') ?? '';
    const topKey = String(issue?.path[0] ?? '');
    if (BOOLEAN_KEYS.has(topKey)) {
      // A quoted "false" or YAML 1.1's `no` is a string: taken as true it would silently turn a switch on.
      const written = describeValue((raw as Record<string, unknown>)[topKey]);
      throw new ConfigError(`${path}: "${key}": must be true or false, not ${written}`, `write ${topKey}: true or ${topKey}: false, without quotes`, {
        file: path,
      });
    }
    const hint = issue?.code === 'custom' && typeof issue.params?.['hint'] === 'string' ? issue.params['hint'] : 'see `permdrift init` for the expected types';
    throw new ConfigError(`${path}: "${key}": ${issue?.message ?? 'invalid value'}`, hint, { file: path });
  }
  const values: ConfigValues = { ...parsed.data };
  for (const key of PATH_KEYS) {
    const v = values[key];
    if (v !== undefined) values[key] = resolve(dirname(path), v);
  }
  if (values['policy-source']) values['policy-source'] = values['policy-source'].map((p) => resolve(dirname(path), p));
  if (values.output) values.output = values.output.map((o) => (o === '-' ? o : resolve(dirname(path), o)));
  return values;
}

export function loadConfig(explicitPath: string | undefined, cwd: string): LoadedConfig | undefined {
  const path = explicitPath ? resolve(cwd, explicitPath) : findConfigFile(cwd);
  if (!path) return undefined;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new ConfigError(`cannot read config file ${path}`, 'check the --config path', { cause, file: path });
  }
  return { path, values: parseConfig(text, path) };
}

export const STARTER_CONFIG = `# permdrift configuration (found upward from the working directory, or pass --config).
# Every key is a scan flag; precedence: flag > PERMDRIFT_* environment variable > this file > default.

# How far back use counts: Nd or Nh (at most 400d).
window: 90d

# Output: table, json, sarif, markdown, csv. One output per format; "-" is stdout.
# format: [table]
# output: ["-"]

# Only audit some principals (globs on name or ARN).
# principal: ["ci-*", "arn:aws:iam::*:role/agents/*"]

# Service-linked roles cannot be edited; they are skipped unless this is true.
include-service-linked: false

# Accept logging gaps while this share of each span to judge is observed (default: none accepted).
# min-coverage: 95%

# The CI gate: an earlier JSON report, and which findings fail the run.
# baseline: permdrift.baseline.json
# fail-on: new            # never | <severity> | new | new:<severity> | any:<severity>, comma-joined
# require-basis: [cited, observed]   # GCP: fail only on verdicts a Google page or the logs back (not the verb rule alone)
# allow-future-baseline: false   # a baseline dated after --as-of is refused unless true

# Accepted findings, each with a reason, an owner and an optional expiry.
# exceptions: permdrift.exceptions.yaml

# quiet: false
# color: true

# Live collection (collect aws|gcp, scan aws|gcp): time limits of every call. A timed-out attempt is
# retried with backoff; a call that is still failing when the budget is spent ends the run (or, for
# a call the audit can do without, becomes a warning and a coverage gap).
# connect-timeout: 10s
# request-timeout: 60s
# retry-budget: 5m

# Scan a snapshot whose collection was interrupted (its manifest says complete: false); what it had
# not finished is reported as coverage gaps.
# allow-incomplete: false
`;
