/** `permdrift policy aws`: prints the read-only IAM policy the live AWS commands need. */

import { type Command } from 'commander';
import { orgPolicyText, readonlyPolicyText } from '../../connectors/aws/live/readonly-policy.js';
import { readonlyRoleText } from '../../connectors/gcp/live/readonly-role.js';
import { addFlags } from '../flags.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../../model/errors.js';
import { parseCloudTrailS3, parseRoleName } from '../options.js';

export function registerPolicy(program: Command, ctx: CommandContext): void {
  const policy = program.command('policy').description("print the cloud permissions permdrift's live commands need");
  addFlags(
    policy.command('aws').description('the read-only IAM policy for `scan aws` and `collect aws` (every action it grants is one the tool calls)'),
    'policy aws',
  )
    .addHelpText(
      'after',
      `
Example:
  permdrift policy aws > permdrift-policy.json
  aws iam create-policy --policy-name permdrift-readonly --policy-document file://permdrift-policy.json
  permdrift policy aws --cloudtrail-s3 s3://org-trail-logs/prod   S3 reads only on the trail archive
  permdrift policy aws --org --assume-role-name PermdriftAudit   for the management account`,
    )
    .action((flags: { org: boolean; assumeRoleName: string; cloudtrailS3?: string }) => {
      if (flags.org) {
        if (flags.cloudtrailS3 !== undefined) {
          throw new UsageError(
            '--cloudtrail-s3 narrows the read-only policy; --org prints the policy of the identity that enters the accounts, which reads no bucket',
            'run `permdrift policy aws --cloudtrail-s3 <url>` for the role in each account, and `permdrift policy aws --org` for the caller',
          );
        }
        ctx.io.stdout.write(orgPolicyText(parseRoleName(flags.assumeRoleName)));
        return;
      }
      ctx.io.stdout.write(readonlyPolicyText(flags.cloudtrailS3 === undefined ? undefined : parseCloudTrailS3(flags.cloudtrailS3)));
    });
  policy
    .command('gcp')
    .description('the read-only custom role for `scan gcp` and `collect gcp` (every permission it includes is one the tool needs)')
    .addHelpText(
      'after',
      `
Example:
  permdrift policy gcp > permdrift-role.json
  gcloud iam roles create permdriftReadonly --organization 123456789012 --file permdrift-role.json
  gcloud organizations add-iam-policy-binding 123456789012 --role organizations/123456789012/roles/permdriftReadonly \\
    --member serviceAccount:scanner@audit-host.iam.gserviceaccount.com
See docs/gcp-live.md for what each permission serves.`,
    )
    .action(() => {
      ctx.io.stdout.write(readonlyRoleText());
    });
}
