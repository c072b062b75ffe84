/** `permdrift policy aws`: prints the read-only IAM policy the live AWS commands need. */

import { Option, type Command } from 'commander';
import { orgPolicyText, readonlyPolicyText } from '../../connectors/aws/live/readonly-policy.js';
import type { CommandContext } from '../context.js';

export function registerPolicy(program: Command, ctx: CommandContext): void {
  const policy = program.command('policy').description("print the cloud permissions permdrift's live commands need");
  policy
    .command('aws')
    .description('the read-only IAM policy for `scan aws` and `collect aws` (every action it grants is one the tool calls)')
    .addOption(new Option('--org', 'instead: the policy for the identity that runs --org / --accounts (ListAccounts, AssumeRole into each account)').default(false))
    .addOption(new Option('--assume-role-name <name>', 'the role --org assumes in each account').default('OrganizationAccountAccessRole'))
    .addHelpText(
      'after',
      `
Example:
  permdrift policy aws > permdrift-policy.json
  aws iam create-policy --policy-name permdrift-readonly --policy-document file://permdrift-policy.json
  permdrift policy aws --org --assume-role-name PermdriftAudit   for the management account`,
    )
    .action((flags: { org: boolean; assumeRoleName: string }) => {
      ctx.io.stdout.write(flags.org ? orgPolicyText(flags.assumeRoleName) : readonlyPolicyText());
    });
}
