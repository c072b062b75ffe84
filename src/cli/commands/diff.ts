/** `permdrift diff <old.json> <new.json>`: what changed between two reports, per principal. */

import { Command } from 'commander';
import { diffReports } from '../../engine/drift.js';
import { readReportFile } from '../../config/report-reader.js';
import { type CommandContext } from '../context.js';

import { addFlags } from '../flags.js';
import { type DriftOutputFlags, resolveDriftOutputs, writeDriftOutputs } from '../drift-outputs.js';

export function registerDiff(program: Command, ctx: CommandContext): void {
  addFlags(
    program
      .command('diff')
      .argument('<old>', 'the earlier JSON report')
      .argument('<new>', 'the later JSON report')
      .description('what changed between two reports, per principal: granted, became unused, revoked or now used, excepted, severity'),
    'diff',
  )
    .addHelpText(
      'after',
      `
Examples:
  permdrift diff reports/2026-06-01.json reports/2026-07-01.json
  permdrift diff old.json new.json --format markdown -o drift.md
  permdrift diff old.json new.json --format json | jq '.summary'
Findings are matched by id (what they are about), never by position.
Exit codes: 0 the diff was written (a diff is information, not a gate), 2 usage or input error.`,
    )
    .action(async (oldFile: string, newFile: string, flags: DriftOutputFlags) => {
      ctx.setDebug(flags.debug);
      const targets = resolveDriftOutputs(flags.format, flags.output);
      const [oldReport, newReport] = [await readReportFile(oldFile, 'report'), await readReportFile(newFile, 'report')];
      const diff = diffReports(oldReport, newReport, { oldSource: oldFile, newSource: newFile });
      await writeDriftOutputs(ctx, targets, flags, diff);
      ctx.setExitCode(0);
    });
}
