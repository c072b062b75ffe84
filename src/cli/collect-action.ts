/** `collect aws` and `collect gcp` after parsing: one action, given what each provider collects. */

import type { Command } from 'commander';
import { resolve } from 'node:path';
import type { CallTimeouts } from '../connectors/shared/call-timeouts.js';
import { visibleText } from '../reporters/visible-text.js';
import type { CommandContext } from './context.js';
import { withConfig } from './flags.js';
import { parseCollectionBounds, type TimeoutFlags } from './options.js';

/** The flags every `collect <provider>` has, as commander gives them. */
export interface CollectFlags extends TimeoutFlags {
  output: string;
  asOf?: string;
  window: string;
  config?: string;
  quiet: boolean;
  debug: boolean;
}

/** What a provider's collection runs on; `scan aws|gcp` hands the same to it. */
export interface CollectInput<F> {
  outDir: string;
  flags: F;
  asOf: Date;
  windowMs: number;
  isQuiet: boolean;
  timeouts: CallTimeouts;
}

/** The `collect` parent command, created by the first provider that registers under it. */
export function collectParent(program: Command): Command {
  return (
    program.commands.find((c) => c.name() === 'collect') ??
    program.command('collect').description('read a cloud account live and write it as an offline snapshot')
  );
}

/**
 * The action of `collect <provider>`: the time limits given neither as a flag nor as a variable come
 * from the config file; the window, as-of and limits are parsed (the first bad one named); the
 * provider collects into -o (`S`: the flags that choose what it reads); and, unless --quiet, a line names the snapshot and what it holds
 * (`written`: `aws/<account>/`, `gcp/<project>/`).
 */
export function collectAction<S, R>(
  ctx: CommandContext,
  collect: (ctx: CommandContext, input: CollectInput<S>) => Promise<R>,
  written: (result: R) => string[],
): (given: S & CollectFlags, cmd: Command) => Promise<void> {
  const cwd = ctx.io.cwd ?? process.cwd();
  return async (given, cmd) => {
    ctx.setDebug(given.debug);
    const flags = withConfig(given, cmd, cwd);
    const { windowMs, asOf, timeouts } = parseCollectionBounds(flags, ctx.now);
    const outDir = resolve(cwd, flags.output);
    const result = await collect(ctx, { outDir, flags, asOf, windowMs, isQuiet: flags.quiet, timeouts });
    if (!flags.quiet) ctx.io.stderr.write(`${visibleText(`permdrift: snapshot written to ${outDir} (${written(result).join(', ')})`)}\n`);
  };
}
