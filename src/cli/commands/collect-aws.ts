/** `permdrift collect aws -o <dir>`: read one AWS account live and write it as an offline snapshot. */

import { Command } from 'commander';
import { collectAction, collectParent } from '../collect-action.js';
import { runCollect } from '../collect-aws-run.js';
import { type CommandContext } from '../context.js';
import { addFlags } from '../flags.js';

export function registerCollectAws(program: Command, ctx: CommandContext): void {
  addFlags(
    collectParent(program)
      .command('aws')
      .description('read one AWS account through the SDK (read-only) and write <dir>/aws/<account-id>/ in the layout `scan files` reads'),
    'collect aws',
  )
    .addHelpText(
      'after',
      `
Examples:
  permdrift collect aws --profile prod -o snapshots/$(date +%F)
  permdrift collect aws -o snap --cloudtrail-source lookup-events --region us-east-1 --region eu-west-1
  permdrift collect aws --org --assume-role-name PermdriftAudit -o snapshots/$(date +%F)
  permdrift collect aws -o snap --request-timeout 30s --retry-budget 2m   a slow or flaky network
  permdrift scan files snapshots/2026-11-20            audit it later, offline
Permissions: \`permdrift policy aws\` prints the read-only IAM policy. Exit codes: 0 collected (warnings in
<dir>/aws/<account-id>/collect-warnings.json), 2 usage, credential or provider error (a required call timed
out included). Interrupted (SIGINT/SIGTERM, exit 130/143): the files written so far are whole, and the
account's collect-manifest.json says complete: false (\`scan files\` then needs --allow-incomplete).`,
    )
    .action(collectAction(ctx, runCollect, (result) => result.collected.map((a) => `aws/${a.account}/`)));
}
