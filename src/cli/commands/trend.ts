/** `permdrift trend <report.json …|dir>`: drift, revocation speed and exception volume over a series of reports. */

import { Command } from 'commander';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { trendReports } from '../../engine/drift-trend.js';
import { type TrendInput } from '../../model/drift-trend.js';
import { PermdriftError, UsageError } from '../../model/errors.js';
import type { CommandContext } from '../context.js';
import { addFlags } from '../flags.js';
import { readReportFile } from '../../config/report-reader.js';
import { type DriftOutputFlags, resolveDriftOutputs, writeDriftOutputs } from '../drift-outputs.js';
import { visibleText } from '../../reporters/visible-text.js';

interface TrendFlags extends DriftOutputFlags {
  quiet: boolean;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    // A missing path is reported by readReportFile, with the file named.
    return false;
  }
}

/**
 * Files named on the command line must be reports. In a directory, other JSON files (a diff, a
 * config, a report of another schemaVersion) are skipped with a warning: a folder of dated
 * reports often holds more than reports.
 */
async function collectReports(paths: string[], warn: (line: string) => void): Promise<TrendInput[]> {
  const inputs: TrendInput[] = [];
  for (const path of paths) {
    if (!(await isDirectory(path))) {
      inputs.push({ report: await readReportFile(path, 'report'), source: path });
      continue;
    }
    const names = (await readdir(path)).filter((n) => n.toLowerCase().endsWith('.json')).sort();
    let found = 0;
    for (const name of names) {
      const file = join(path, name);
      try {
        inputs.push({ report: await readReportFile(file, 'report'), source: file });
        found += 1;
      } catch (err) {
        if (!(err instanceof PermdriftError)) throw err;
        warn(`permdrift: skipped ${err.message}`);
      }
    }
    if (found === 0) warn(`permdrift: no permdrift report in ${path}`);
  }
  return inputs;
}

export function registerTrend(program: Command, ctx: CommandContext): void {
  addFlags(
    program
      .command('trend')
      .argument('<reports...>', 'JSON reports, or directories holding them (every *.json report inside)')
      .description('metrics over a series of reports: entitlement drift, revocation speed, exception volume, findings by severity'),
    'trend',
  )
    .addHelpText(
      'after',
      `
Examples:
  permdrift trend reports/                       every report in the folder, ordered by asOf
  permdrift trend jan.json feb.json mar.json --format json -o trend.json
  permdrift trend reports/ --format markdown -o trend.md
Exit codes: 0 the trend was written, 2 usage or input error (no report at all included).`,
    )
    .action(async (paths: string[], flags: TrendFlags) => {
      ctx.setDebug(flags.debug);
      const targets = resolveDriftOutputs(flags.format, flags.output);
      const inputs = await collectReports(paths, (line) => {
        if (!flags.quiet) ctx.io.stderr.write(`${visibleText(line)}\n`);
      });
      if (inputs.length === 0) {
        throw new UsageError(
          `no permdrift report found in ${paths.join(', ')}`,
          'write reports with `permdrift scan … --format json -o reports/$(date +%F).json`',
        );
      }
      const trend = trendReports(inputs);
      await writeDriftOutputs(ctx, targets, flags, trend);
      ctx.setExitCode(0);
    });
}
