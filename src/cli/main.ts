/**
 * The command line. The only module that touches argv, env, files and the exit code; everything
 * else is the library (`auditFiles`) and pure reporters.
 */

import { Command, CommanderError } from 'commander';
import { PermdriftError } from '../model/errors.js';
import { TOOL_VERSION } from '../version.js';
import { registerInit } from './commands/init.js';
import { registerScan } from './commands/scan.js';
import { registerCollectAws } from './commands/collect-aws.js';
import { registerScanAws } from './commands/scan-aws.js';
import { registerCollectGcp } from './commands/collect-gcp.js';
import { registerScanGcp } from './commands/scan-gcp.js';
import { registerPolicy } from './commands/policy.js';
import { registerDiff } from './commands/diff.js';
import { registerTrend } from './commands/trend.js';
import { isDebugArgv } from './boolean-flags.js';
import { applyEnv, flagHelp } from './flags.js';
import type { CliIo, CommandContext } from './context.js';
import { visibleLines, visibleText } from '../reporters/visible-text.js';

export type { CliIo } from './context.js';
export { DEMO_AS_OF, DEMO_DIR } from './scan-run.js';

/** The command tree, every command registered and built from the flag table; `run` parses argv with it. */
export function createProgram(ctx: CommandContext): Command {
  const { io } = ctx;
  const program = new Command();
  program
    .name('permdrift')
    .description('Audit entitlement drift of non-human identities: what AWS roles and users are granted vs what they used.')
    .version(TOOL_VERSION, '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      // An unknown option or argument is echoed back: its control characters are shown, not sent.
      outputError: (s, write) => write(visibleLines(s.startsWith('error:') ? s : `error: ${s}`)),
    })
    .showHelpAfterError('(run with --help for usage)')
    // Each option's PERMDRIFT_* variable is shown in --help (inherited by every command)…
    .configureHelp(flagHelp)
    // …and read from io.env before any action (and before it reads the config file).
    .hook('preAction', (_program, actionCommand) => applyEnv(actionCommand, io.env));

  registerScan(program, ctx);
  registerDiff(program, ctx);
  registerTrend(program, ctx);
  registerInit(program, ctx);
  registerScanAws(program, ctx);
  registerCollectAws(program, ctx);
  registerScanGcp(program, ctx);
  registerCollectGcp(program, ctx);
  registerPolicy(program, ctx);
  return program;
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const now = io.now ?? (() => new Date());
  let exitCode = 0;
  let isDebug = isDebugArgv(argv);
  const ctx: CommandContext = {
    io,
    now,
    setExitCode: (code) => {
      exitCode = code;
    },
    setDebug: (value) => {
      isDebug = value;
    },
  };
  const program = createProgram(ctx);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; every argument error is a usage error (exit 2).
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      return 2;
    }
    if (err instanceof PermdriftError) {
      // Messages name paths, accounts and values from the inputs: shown, never run by the terminal.
      io.stderr.write(`error: ${visibleText(err.message)}\n`);
      if (err.hint) io.stderr.write(`hint: ${visibleText(err.hint)}\n`);
      if (isDebug && err.stack) io.stderr.write(`${visibleLines(err.stack)}\n`);
      return 2;
    }
    const e = err instanceof Error ? err : new Error(String(err));
    io.stderr.write(`error: unexpected failure: ${visibleText(e.message)}\n`);
    io.stderr.write(isDebug && e.stack ? `${visibleLines(e.stack)}\n` : 'hint: run again with --debug for details, and report it if it persists\n');
    return 2;
  }
}
