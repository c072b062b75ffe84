/**
 * The words of boolean variables. A switch's PERMDRIFT_* variable (flags.ts) is read as 1/0,
 * true/false or yes/no: commander's own `.env()` takes any value of a boolean variable, even
 * `false`, as true. `CI` is read more loosely, as CI systems set it.
 */

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

/** Whether the command line asks for stack traces: the last of --debug / --no-debug wins. */
export function isDebugArgv(argv: readonly string[]): boolean {
  return argv.lastIndexOf('--debug') > argv.lastIndexOf('--no-debug');
}
