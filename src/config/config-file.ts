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
import { CONFIG_FLAGS, isSwitch, type ConfigKey, type ConfigSpec, type FlagSpec } from './flag-table.js';

const CONFIG_FILE_NAMES = ['permdrift.config.json', 'permdrift.config.yaml', 'permdrift.config.yml'] as const;

const stringList = z.union([z.string(), z.array(z.string())]).transform((v) => (Array.isArray(v) ? v : [v]));

/** The schema of one key, from its flag: a switch is a YAML / JSON boolean, a repeatable flag a string or a list. */
function keySchema(spec: FlagSpec & { config: ConfigSpec }): z.ZodType<ConfigValue> {
  if (isSwitch(spec)) return z.boolean();
  if (spec.isRepeatable) return stringList;
  const { numbers, isReadOnLoad } = spec.config;
  if (numbers === 'any') return z.union([z.number(), z.string()]).transform((v) => String(v));
  if (numbers === 'positive-integer') return z.union([z.number().int().positive(), z.string()]).transform((v) => String(v));
  const read = spec.read;
  const text = spec.config.isListJoined ? stringList.transform((v) => v.join(',')) : z.string();
  if (!isReadOnLoad || read === undefined) return text;
  // The same reading as the flag's, so a file cannot set what the flag refuses.
  return text.superRefine((v, ctx) => {
    const r = read(v, { flag: `--${spec.long}`, key: spec.long });
    if (!r.ok) ctx.addIssue({ code: 'custom', message: `invalid "${v}"${r.problem ? `: ${r.problem}` : ''}`, params: { hint: r.hint.config } });
  });
}

/** The config keys, each the name of a scan flag (flag-table.ts). */
const configSchema = z.object(Object.fromEntries(CONFIG_FLAGS.map((f) => [f.long, keySchema(f).optional()]))).strict();

type ConfigValue = string | string[] | boolean;

export type ConfigValues = Partial<Record<ConfigKey, ConfigValue>>;

/** The keys a config file may hold, in table order. */
const CONFIG_KEYS: readonly ConfigKey[] = CONFIG_FLAGS.map((f) => f.long);

/** Keys whose value must be a YAML / JSON boolean. */
const BOOLEAN_KEYS: ReadonlySet<string> = new Set(CONFIG_FLAGS.filter(isSwitch).map((f) => f.long));

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
      throw new ConfigError(`${path}: unknown key "${issue.keys[0] ?? ''}"`, `allowed keys: ${CONFIG_KEYS.join(', ')}`, { file: path });
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
  const values = parsed.data as ConfigValues;
  // Paths are resolved against the config file's folder, not the working directory.
  for (const f of CONFIG_FLAGS) {
    const v = values[f.long];
    if (f.config.path === undefined || v === undefined || typeof v === 'boolean') continue;
    const place = (p: string): string => (f.config.path === 'output' && p === '-' ? p : resolve(dirname(path), p));
    values[f.long] = Array.isArray(v) ? v.map(place) : place(v);
  }
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
