/**
 * Reads `gcloud iam service-accounts list --format=json` (a list of ServiceAccount objects) or the
 * API's `{accounts: [...]}` response (https://cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts).
 */

import { z } from 'zod';
import type { GcpServiceAccount } from '../../model/gcp/policy.js';
import { isServiceAgentEmail } from './service-agents.js';
import { checkShape } from './validate.js';

const accountSchema = z.object({
  email: z.string().min(3),
  uniqueId: z.string().optional(),
  displayName: z.string().optional(),
  projectId: z.string().optional(),
  disabled: z.boolean().optional(),
});

const listSchema = z.union([z.array(accountSchema), z.object({ accounts: z.array(accountSchema).optional() })]);

export function serviceAccountsHint(projectId: string): string {
  return `write it with \`gcloud iam service-accounts list --project ${projectId} --format=json > service-accounts.json\``;
}

export function parseServiceAccounts(raw: unknown, projectId: string, source: string): GcpServiceAccount[] {
  const parsed = checkShape(listSchema, raw, source, '`gcloud iam service-accounts list --format=json` output', serviceAccountsHint(projectId));
  const accounts = Array.isArray(parsed) ? parsed : (parsed.accounts ?? []);
  return accounts.map((a) => {
    const account: GcpServiceAccount = {
      email: a.email,
      isDisabled: a.disabled === true,
      isServiceAgent: isServiceAgentEmail(a.email, projectId),
      isListed: true,
    };
    if (a.uniqueId !== undefined) account.uniqueId = a.uniqueId;
    if (a.displayName !== undefined) account.displayName = a.displayName;
    account.projectId = a.projectId ?? projectId;
    return account;
  });
}
