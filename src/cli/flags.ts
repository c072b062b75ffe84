/**
 * The commander side of the flag table (../config/flag-table.ts): each command's options built from
 * it, its PERMDRIFT_* variables read from the injected environment (not from process.env, where
 * commander's own `.env()` would look), and its config keys merged in. Precedence: flag > variable
 * > config file > default.
 */

import { type Command, Help, InvalidArgumentError, Option } from 'commander';
import { loadConfig } from '../config/config-file.js';
import { FLAG_LIST, isSwitch, type CommandId, type FlagSpec, type ValueSpec } from '../config/flag-table.js';
import type { ValueReader } from '../config/flag-values.js';
import { UsageError } from '../model/errors.js';
import { DRIFT_FORMATS } from '../reporters/drift-reporters.js';
import { formatHelp } from '../reporters/format.js';
import { REPORT_FORMATS } from '../reporters/index.js';
import { parseBooleanEnv } from './boolean-flags.js';
import { collect } from './context.js';

/** The table entry behind each option commander holds (the positive form of a switch). */
const SPEC_OF = new WeakMap<Option, FlagSpec>();
/** The table name of each command built from it. */
const COMMAND_OF = new WeakMap<Command, CommandId>();

/** The help of a value flag, with `{formats}` filled in from the format registry it names. */
export function helpOf(spec: ValueSpec): string {
  if (spec.formats === undefined) return spec.help;
  return spec.help.replace('{formats}', formatHelp(spec.formats === 'report' ? REPORT_FORMATS : DRIFT_FORMATS));
}

function optionsOf(spec: FlagSpec): Option[] {
  const names = `${spec.short ? `-${spec.short}, ` : ''}--${spec.long}`;
  if (isSwitch(spec)) {
    const positive = new Option(names, spec.help).default(spec.default);
    const negatedHelp = spec.negatedHelp ?? `not --${spec.long}${spec.env ? `; overrides ${spec.env} and the config file` : ''}`;
    SPEC_OF.set(positive, spec);
    // Positive first, so its default stands.
    return [positive, new Option(`--no-${spec.long}`, negatedHelp)];
  }
  const option = new Option(`${names} ${spec.value}`, helpOf(spec));
  if (spec.isRequired) option.makeOptionMandatory();
  if (spec.choices) option.choices(spec.choices);
  if (spec.isRepeatable) option.argParser(collect).default([]);
  else if (spec.default !== undefined) option.default(spec.default);
  SPEC_OF.set(option, spec);
  return spec.negatedHelp ? [option, new Option(`--no-${spec.long}`, spec.negatedHelp)] : [option];
}

/** Adds every flag of the table that `command` takes, in table order. */
export function addFlags(cmd: Command, command: CommandId): Command {
  COMMAND_OF.set(cmd, command);
  for (const spec of FLAG_LIST) {
    if (!spec.commands.includes(command)) continue;
    for (const option of optionsOf(spec)) cmd.addOption(option);
  }
  return cmd;
}

/**
 * --help shows each variable as commander shows its own (`(default: "90d", env: PERMDRIFT_WINDOW)`):
 * the option is described as if it had been declared with `.env()`.
 */
export const flagHelp: Partial<Help> = {
  optionDescription(this: Help, option: Option): string {
    const env = SPEC_OF.get(option)?.env;
    const shown = env === undefined ? option : (Object.create(option, { envVar: { value: env } }) as Option);
    return Help.prototype.optionDescription.call(this, shown);
  },
};

/**
 * Fills the options not given on the command line from their variable in `env`. Run as a preAction
 * hook, before the action reads the config file: a value set here has source `env`, which the config
 * file does not override. A switch's variable reads 1/0, true/false or yes/no (empty = unset); a
 * value variable is taken as given, split at commas for a repeatable flag, and checked against the
 * choices with commander's message.
 */
export function applyEnv(cmd: Command, env: NodeJS.ProcessEnv): void {
  for (const option of cmd.options) {
    const spec = SPEC_OF.get(option);
    if (spec?.env === undefined) continue;
    const key = option.attributeName();
    if (cmd.getOptionValueSource(key) === 'cli') continue;
    const text = env[spec.env];
    if (isSwitch(spec)) {
      const value = parseBooleanEnv(spec.env, text);
      if (value !== undefined) cmd.setOptionValueWithSource(key, value, 'env');
      continue;
    }
    if (text === undefined) continue;
    cmd.setOptionValueWithSource(key, parseEnvValue(cmd, option, spec.env, text), 'env');
  }
}

function parseEnvValue(cmd: Command, option: Option, name: string, text: string): unknown {
  if (!option.parseArg) return text;
  try {
    return option.parseArg(text, cmd.getOptionValue(option.attributeName()));
  } catch (err) {
    if (err instanceof InvalidArgumentError) {
      cmd.error(`error: option '${option.flags}' value '${text}' from env '${name}' is invalid. ${err.message}`, { exitCode: err.exitCode, code: err.code });
    }
    throw err;
  }
}

/**
 * Fills the flags given neither on the command line nor in the environment from the config file
 * (--config, or the one found upward): the keys of the flags whose config key this command takes.
 */
export function withConfig<F extends { config?: string }>(flags: F, cmd: Command, cwd: string): F {
  const command = COMMAND_OF.get(cmd);
  if (command === undefined) throw new Error(`command ${cmd.name()} was not built from the flag table`);
  const config = loadConfig(flags.config, cwd);
  if (!config) return flags;
  const out: Record<string, unknown> = { ...flags };
  for (const option of cmd.options) {
    const spec = SPEC_OF.get(option);
    if (spec?.config === undefined || !(spec.config.commands ?? spec.commands).includes(command)) continue;
    const value = config.values[spec.long as keyof typeof config.values];
    const key = option.attributeName();
    const source = cmd.getOptionValueSource(key);
    if (value !== undefined && (source === undefined || source === 'default')) out[key] = value;
  }
  return out as F;
}

/** A flag's value through its table reader; a usage error names the flag (`invalid --window "500d": …`). */
export function readFlag<T>(spec: Pick<ValueSpec, 'long'> & { read: ValueReader<T> }, text: string, flag = `--${spec.long}`): T {
  const r = spec.read(text, { flag, key: spec.long });
  if (!r.ok) throw new UsageError(`invalid ${flag} "${text}"${r.problem ? `: ${r.problem}` : ''}`, r.hint.flag);
  return r.value;
}
