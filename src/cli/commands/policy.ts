/** `permdrift policy aws`: prints the read-only IAM policy the live AWS commands need. */

import type { Command } from 'commander';
import { readonlyPolicyText } from '../../connectors/aws/live/readonly-policy.js';
import type { CommandContext } from '../context.js';

export function registerPolicy(program: Command, ctx: CommandContext): void {
  const policy = program.command('policy').description("print the cloud permissions permdrift's live commands need");
  policy
    .command('aws')
    .description('the read-only IAM policy for `scan aws` and `collect aws` (every action it grants is one the tool calls)')
    .addHelpText(
      'after',
      `
Example:
  permdrift policy aws > permdrift-policy.json
  aws iam create-policy --policy-name permdrift-readonly --policy-document file://permdrift-policy.json`,
    )
    .action(() => {
      ctx.io.stdout.write(readonlyPolicyText());
    });
}
