/** Writing drift outputs (diff, trend): shared by the two commands. */

import { DRIFT_FORMATS, type DriftFormat } from '../reporters/drift-reporters.js';
import { formatNamed } from '../reporters/format.js';
import type { ReportDiff } from '../model/drift.js';
import type { ReportTrend } from '../model/drift-trend.js';
import { writeOutput } from './report-file.js';
import { pairOutputs } from './options.js';
import { type CommandContext } from './context.js';
import { isColorWanted } from './options.js';

export interface DriftTarget {
  format: DriftFormat;
  /** undefined = stdout. */
  file?: string;
}

/** Pairs `--format` values with `-o` values, as `scan` does, with Markdown added. */
export function resolveDriftOutputs(formats: string[], outputs: string[]): DriftTarget[] {
  return pairOutputs(formats, outputs, DRIFT_FORMATS, 'diff.json');
}

export interface DriftOutputFlags {
  format: string[];
  output: string[];
  color: boolean;
  ascii: boolean;
  debug: boolean;
}

/** Renders the diff or trend to every target, each through the one output writer. */
export async function writeDriftOutputs(ctx: CommandContext, targets: DriftTarget[], flags: DriftOutputFlags, drift: ReportDiff | ReportTrend): Promise<void> {
  for (const t of targets) {
    const isStdout = t.file === undefined;
    const isColor = t.format === 'table' && isStdout && isColorWanted({ isFlagOff: !flags.color, isTty: ctx.io.stdout.isTTY === true, env: ctx.io.env });
    await writeOutput(ctx.io, t.file, formatNamed(DRIFT_FORMATS, t.format).render(drift, { isColor, isAscii: flags.ascii }));
  }
}
