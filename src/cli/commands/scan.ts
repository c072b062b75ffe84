/** `permdrift scan files <dir>` and `permdrift demo`: audit an offline snapshot. */

import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { type CommandContext } from '../context.js';
import { addFlags, withConfig } from '../flags.js';
import { createScanAction, DEFAULT_BASELINE_FILE, DEMO_AS_OF, DEMO_DIR, type ScanFlags } from '../scan-run.js';

export function registerScan(program: Command, ctx: CommandContext): void {
  const cwd = ctx.io.cwd ?? process.cwd();
  const scanAction = createScanAction(ctx);

  const scan = program.command('scan').description('audit identities from a source');
  addFlags(
    scan
      .command('files')
      .argument('<dir>', 'snapshot folder holding aws/<account-id>/ (see README "Snapshot layout")')
      .description('audit an offline snapshot: IAM authorization details, CloudTrail logs, Access Advisor, credential report'),
    'scan files',
  )
    .addHelpText(
      'after',
      `
Examples:
  permdrift scan files ./snapshot                         last 90 days, table on the terminal
  permdrift scan files ./snapshot --window 30d --format json -o report.json
  permdrift scan files ./snapshot --principal 'ci-*' --fail-on high
Exit codes: 0 no failing findings, 1 findings at or above --fail-on, 2 usage or input error.`,
    )
    .action(async (dir: string, flags: ScanFlags, cmd: Command) => scanAction(dir, withConfig(flags, cmd, cwd), { isDemo: false }));

  addFlags(
    program.command('demo').description(`the same scan on the snapshot bundled in fixtures/aws/demo (as of ${DEMO_AS_OF}), no credentials needed`),
    'demo',
  ).action(async (flags: ScanFlags, cmd: Command) => scanAction(DEMO_DIR, withConfig(flags, cmd, cwd), { isDemo: true }));

  const baseline = program.command('baseline').description('manage the accepted state a CI gate compares against');
  addFlags(
    baseline
      .command('update')
      .argument('<dir>', 'snapshot folder holding aws/<account-id>/')
      .description(`scan and write the report as the new baseline (default ${DEFAULT_BASELINE_FILE}); first-seen dates carry over from the old one`),
    'baseline update',
  )
    .addHelpText(
      'after',
      `
Example:
  permdrift baseline update ./snapshot --baseline permdrift.baseline.json
  git add permdrift.baseline.json && git commit -m "Accept current IAM state"`,
    )
    .action(async (dir: string, given: ScanFlags, cmd: Command) => {
      const flags = withConfig(given, cmd, cwd);
      const out = resolve(cwd, flags.baseline ?? DEFAULT_BASELINE_FILE);
      // The old baseline is only read to carry first-seen dates over; the gate does not apply.
      await scanAction(dir, { ...flags, baseline: existsSync(out) ? out : undefined, failOn: 'never' }, { isDemo: false, baselineOut: out });
    });
}
