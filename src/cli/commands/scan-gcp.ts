/**
 * `permdrift scan gcp`: collect the projects into a temporary snapshot, then run exactly the
 * `scan files` code path on it, so a live scan and a replayed one give the same report.
 */

import { Command } from 'commander';
import { type CommandContext } from '../context.js';
import { addFlags, withConfig } from '../flags.js';
import { runCollectGcp, type GcpSelectionFlags } from '../collect-gcp-run.js';
import { collectThenScan, createScanAction, type ScanFlags } from '../scan-run.js';

export function registerScanGcp(program: Command, ctx: CommandContext): void {
  const cwd = ctx.io.cwd ?? process.cwd();
  const scanAction = createScanAction(ctx);
  const scan = program.commands.find((c) => c.name() === 'scan') ?? program.command('scan').description('audit identities from a source');
  addFlags(scan.command('gcp').description('audit GCP projects live (read-only): collect them, then scan them as `scan files` does'), 'scan gcp')
    .addHelpText(
      'after',
      `
Examples:
  permdrift scan gcp --project my-prod                          last 90 days, table on the terminal
  permdrift scan gcp --folder 123456789012 --format json -o report.json --quiet
  permdrift scan gcp --project my-prod --audit-logs gs://org-audit-sink/exports
  permdrift scan gcp --project my-prod --request-timeout 2m                  a slow Logging API
To keep the evidence, run \`permdrift collect gcp -o <dir>\` and then \`permdrift scan files <dir>\`.
Permissions: \`permdrift policy gcp\`. Exit codes: 0 no failing findings, 1 findings match --fail-on,
2 usage, credential or provider error.`,
    )
    .action(async (given: ScanFlags & GcpSelectionFlags, cmd: Command) => {
      const flags = withConfig(given, cmd, cwd);
      await collectThenScan(ctx, scanAction, flags, 'permdrift-scan-gcp-', (dir, asOf, windowMs, timeouts) =>
        runCollectGcp(ctx, { outDir: dir, flags, asOf, windowMs, isQuiet: flags.quiet, timeouts }),
      );
    });
}
