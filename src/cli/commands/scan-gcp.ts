/**
 * `permdrift scan gcp`: collect the projects into a temporary snapshot, then run exactly the
 * `scan files` code path on it, so a live scan and a replayed one give the same report.
 */

import { Command } from 'commander';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBaselineFile } from '../../config/baseline-file.js';
import { readExceptionsFile } from '../../config/exceptions-file.js';
import { parseGate } from '../../engine/gate.js';
import { type CommandContext } from '../context.js';
import { parseAsOf, parseDuration, resolveOutputs } from '../options.js';
import { addGcpSelectionOptions, runCollectGcp, type GcpSelectionFlags } from './collect-gcp.js';
import { addScanOptions, createScanAction, withConfig, type ScanFlags } from './scan.js';

export function registerScanGcp(program: Command, ctx: CommandContext): void {
  const cwd = ctx.io.cwd ?? process.cwd();
  const scanAction = createScanAction(ctx);
  const scan = program.commands.find((c) => c.name() === 'scan') ?? program.command('scan').description('audit identities from a source');
  addScanOptions(addGcpSelectionOptions(scan.command('gcp').description('audit GCP projects live (read-only): collect them, then scan them as `scan files` does')))
    .addHelpText(
      'after',
      `
Examples:
  permdrift scan gcp --project my-prod                          last 90 days, table on the terminal
  permdrift scan gcp --folder 123456789012 --format json -o report.json --quiet
  permdrift scan gcp --project my-prod --audit-logs gs://org-audit-sink/exports
To keep the evidence, run \`permdrift collect gcp -o <dir>\` and then \`permdrift scan files <dir>\`.
Permissions: \`permdrift policy gcp\`. Exit codes: 0 no failing findings, 1 findings match --fail-on,
2 usage, credential or provider error.`,
    )
    .action(async (given: ScanFlags & GcpSelectionFlags, cmd: Command) => {
      const flags = withConfig(given, cmd, cwd) as ScanFlags & GcpSelectionFlags;
      ctx.setDebug(flags.debug);
      const windowMs = parseDuration(flags.window, '--window');
      // One clock reading for both halves, so the logs collected are the window scanned.
      const asOf = parseAsOf(flags.asOf, ctx.now);
      // The scan checks these again; checking them here too fails a typo before a long collection.
      parseGate(flags.failOn ?? 'never');
      resolveOutputs(flags.format, flags.output);
      if (flags.baseline) await readBaselineFile(flags.baseline);
      if (flags.exceptions) await readExceptionsFile(flags.exceptions);
      const dir = await mkdtemp(join(tmpdir(), 'permdrift-scan-gcp-'));
      try {
        await runCollectGcp(ctx, { outDir: dir, flags, asOf, windowMs, isQuiet: flags.quiet });
        await scanAction(dir, { ...flags, asOf: asOf.toISOString() }, { isDemo: false });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
}
