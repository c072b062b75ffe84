/**
 * `permdrift scan aws`: collect the account into a temporary snapshot, then run exactly the
 * `scan files` code path on it, so a live scan and a replayed one give the same report.
 */

import { Command } from 'commander';
import { type CommandContext } from '../context.js';
import { addFlags, withConfig } from '../flags.js';
import { runCollect, type AwsSelectionFlags } from '../collect-aws-run.js';
import { collectThenScan, createScanAction, type ScanFlags } from '../scan-run.js';

export function registerScanAws(program: Command, ctx: CommandContext): void {
  const cwd = ctx.io.cwd ?? process.cwd();
  const scanAction = createScanAction(ctx);
  const scan = program.commands.find((c) => c.name() === 'scan') ?? program.command('scan').description('audit identities from a source');
  addFlags(scan.command('aws').description('audit one AWS account live (read-only): collect it, then scan it as `scan files` does'), 'scan aws')
    .addHelpText(
      'after',
      `
Examples:
  permdrift scan aws --profile prod                            last 90 days, table on the terminal
  permdrift scan aws --profile prod --format json -o report.json --quiet
  permdrift scan aws --cloudtrail-source lookup-events --region us-east-1 --region eu-west-1
  permdrift scan aws --profile prod --request-timeout 30s --retry-budget 2m   a slow or flaky network
To keep the evidence, run \`permdrift collect aws -o <dir>\` and then \`permdrift scan files <dir>\`.
Permissions: \`permdrift policy aws\`. Exit codes: 0 no failing findings, 1 findings match --fail-on,
2 usage, credential or provider error.`,
    )
    .action(async (given: ScanFlags & AwsSelectionFlags, cmd: Command) => {
      const flags = withConfig(given, cmd, cwd);
      await collectThenScan(ctx, scanAction, flags, 'permdrift-scan-aws-', (dir, asOf, windowMs, timeouts) =>
        runCollect(ctx, { outDir: dir, flags, asOf, windowMs, isQuiet: flags.quiet, timeouts }),
      );
    });
}
