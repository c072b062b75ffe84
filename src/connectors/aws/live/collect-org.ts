/**
 * The accounts of an organization (`collect aws --org`): every ACTIVE account ListAccounts
 * names, sorted. The call must succeed: without the list there is no run.
 */

import { ListAccountsCommand } from '@aws-sdk/client-organizations';
import { credentialsError, isCredentialsError } from './aws-errors.js';
import type { AwsClients } from './clients.js';
import { requiredCallFailure } from './collect-problem.js';

export async function listOrganizationAccounts(clients: AwsClients, profile: string | undefined): Promise<string[]> {
  const ids: string[] = [];
  let token: string | undefined;
  try {
    for (let guard = 0; guard < 10_000; guard++) {
      const page = await clients.organizations().send(new ListAccountsCommand({ ...(token ? { NextToken: token } : {}) }));
      for (const a of page.Accounts ?? []) if (a.Id && (a.State ?? a.Status) === 'ACTIVE') ids.push(a.Id);
      token = page.NextToken;
      if (!token) break;
    }
  } catch (err) {
    if (isCredentialsError(err)) throw credentialsError(err, profile);
    throw requiredCallFailure(
      'organizations:ListAccounts',
      err,
      'run --org from the management account or a delegated administrator with organizations:ListAccounts (`permdrift policy aws --org`), or name the accounts with --accounts',
    );
  }
  return ids.sort();
}
