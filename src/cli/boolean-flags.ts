/**
 * Boolean flags. Each has both forms, `--x` and `--no-x` (the last one given wins), and may have a
 * PERMDRIFT_* variable read as 1/0, true/false or yes/no: commander's own `.env()` takes any value
 * of a boolean variable, even `false`, as true, so these variables are read here instead, after
 * parsing and before the action. Precedence stays flag > environment > config file > default.
 */

import { type Command, Option } from 'commander';
import { UsageError } from '../model/errors.js';

const TRUE_WORDS = new Set(['1', 'true', 'yes']);
const FALSE_WORDS = new Set(['0', 'false', 'no']);
const ENV_HINT = 'set it to 1, true or yes to turn it on; 0, false or no (or leave it empty) to turn it off';

/** A boolean environment variable: undefined when unset or empty; a usage error for any other word. */
export function parseBooleanEnv(name: string, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  const word = value.trim().toLowerCase();
  if (word === '') return undefined;
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  throw new UsageError(`invalid ${name} "${value}": expected 1/0, true/false or yes/no`, ENV_HINT);
}

/**
 * `CI` belongs to the CI system, not to permdrift: systems set it to `true`, `1` or their own name
 * (`woodpecker`), so any value counts except unset, empty, `0`, `false` and `no`.
 */
export function isCiEnv(env: NodeJS.ProcessEnv): boolean {
  const word = (env['CI'] ?? '').trim().toLowerCase();
  return word !== '' && !FALSE_WORDS.has(word);
}

export interface BooleanFlagSpec {
  /** The positive form, e.g. `-q, --quiet` or `--color`. */
  flags: string;
  description: string;
  /** Help for `--no-x`; by default "not <positive>". */
  negatedDescription?: string;
  /** A PERMDRIFT_* variable read with parseBooleanEnv when the flag is not on the command line. */
  env?: string;
  default: boolean;
}

/** The variable each positive option reads; options are commander's, so the name lives beside them. */
const ENV_OF = new WeakMap<Option, string>();

function longName(flags: string): string {
  const long = /--([a-z0-9-]+)/.exec(flags)?.[1];
  if (!long) throw new Error(`boolean flag without a long name: ${flags}`);
  return long;
}

/** Adds `--x` and `--no-x` (positive first, so its default stands). */
export function addBooleanFlag(cmd: Command, spec: BooleanFlagSpec): Command {
  const name = longName(spec.flags);
  // Shown as commander shows a string option's variable: "(default: false, env: PERMDRIFT_QUIET)".
  const positive = new Option(spec.flags, spec.description).default(spec.default, spec.env ? `${spec.default}, env: ${spec.env}` : undefined);
  const negative = new Option(`--no-${name}`, spec.negatedDescription ?? `not --${name}${spec.env ? `; overrides ${spec.env} and the config file` : ''}`);
  if (spec.env) ENV_OF.set(positive, spec.env);
  return cmd.addOption(positive).addOption(negative);
}

/**
 * Fills boolean options not given on the command line from their variable. Run as a preAction hook,
 * before the action reads the config file: a value set here has source `env`, which the config file
 * does not override.
 */
export function applyBooleanEnv(cmd: Command, env: NodeJS.ProcessEnv): void {
  for (const option of cmd.options) {
    const name = ENV_OF.get(option);
    if (name === undefined) continue;
    const key = option.attributeName();
    if (cmd.getOptionValueSource(key) === 'cli') continue;
    const value = parseBooleanEnv(name, env[name]);
    if (value !== undefined) cmd.setOptionValueWithSource(key, value, 'env');
  }
}

/** `--color` / `--no-color`: colour in the table on a terminal; NO_COLOR and FORCE_COLOR keep their meaning. */
export function addColorFlag(cmd: Command): Command {
  return addBooleanFlag(cmd, {
    flags: '--color',
    description: 'colour in the table when stdout is a terminal (FORCE_COLOR forces it)',
    negatedDescription: 'no colour in the table (also NO_COLOR)',
    default: true,
  });
}

export function addDebugFlag(cmd: Command): Command {
  return addBooleanFlag(cmd, {
    flags: '--debug',
    description: 'print stack traces of errors',
    negatedDescription: 'no stack traces (undoes an earlier --debug)',
    default: false,
  });
}

/** Whether the command line asks for stack traces: the last of --debug / --no-debug wins. */
export function isDebugArgv(argv: readonly string[]): boolean {
  return argv.lastIndexOf('--debug') > argv.lastIndexOf('--no-debug');
}
