/** Writing drift outputs (diff, trend): shared by the two commands. */

import { Command, Option } from 'commander';
import { extname } from 'node:path';
import { DRIFT_FORMATS, type DriftFormat } from '../reporters/drift-reporters.js';
import { writeOutput } from './report-file.js';
import { pairOutputs } from './options.js';
import { addBooleanFlag, addColorFlag, addDebugFlag } from './boolean-flags.js';
import { type CommandContext, collect } from './context.js';
import { isColorWanted } from './options.js';

export interface DriftTarget {
  format: DriftFormat;
  /** undefined = stdout. */
  file?: string;
}

function formatFromExtension(file: string): DriftFormat | undefined {
  const ext = extname(file).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.md' || ext === '.markdown') return 'markdown';
  if (ext === '.txt') return 'table';
  return undefined;
}

/** Pairs `--format` values with `-o` values, as `scan` does, with Markdown added. */
export function resolveDriftOutputs(formats: string[], outputs: string[]): DriftTarget[] {
  return pairOutputs(formats, outputs, DRIFT_FORMATS, formatFromExtension, 'diff.json');
}

export interface DriftOutputFlags {
  format: string[];
  output: string[];
  color: boolean;
  ascii: boolean;
  debug: boolean;
}

export function addDriftOutputOptions(cmd: Command): Command {
  cmd
    .addOption(new Option('--format <format>', `${DRIFT_FORMATS.join(' | ')}; repeatable, one -o each`).argParser(collect).default([]))
    .addOption(new Option('-o, --output <file>', 'write to a file (- = stdout); format from the extension (.json, .md, .txt)').argParser(collect).default([]));
  addBooleanFlag(cmd, {
    flags: '--ascii',
    description: 'sparklines in plain ASCII instead of Unicode blocks',
    negatedDescription: 'sparklines in Unicode blocks (the default)',
    default: false,
  });
  addColorFlag(cmd);
  return addDebugFlag(cmd);
}

/** Renders to every target, each through the one output writer. */
export async function writeDriftOutputs(
  ctx: CommandContext,
  targets: DriftTarget[],
  flags: DriftOutputFlags,
  render: (format: DriftFormat, opts: { isColor: boolean; isAscii: boolean }) => string,
): Promise<void> {
  for (const t of targets) {
    const isStdout = t.file === undefined;
    const isColor = t.format === 'table' && isStdout && isColorWanted({ isFlagOff: !flags.color, isTty: ctx.io.stdout.isTTY === true, env: ctx.io.env });
    const text = render(t.format, { isColor, isAscii: flags.ascii });
    await writeOutput(ctx.io, t.file, [text]);
  }
}
