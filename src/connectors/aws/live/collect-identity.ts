/**
 * The two reads an AWS collection cannot do without: who is calling (sts:GetCallerIdentity, which
 * proves the credentials work and names the account folder) and what IAM holds
 * (iam:GetAccountAuthorizationDetails, the one required file: without it there is nothing to
 * audit). Either failing ends the account's collection.
 */

import { GetCallerIdentityCommand, type GetCallerIdentityCommandOutput } from '@aws-sdk/client-sts';
import { AUTH_DETAILS_FILE } from '../snapshot.js';
import { credentialsError, isAccessDenied, isCredentialsError } from './aws-errors.js';
import type { AwsClients } from './clients.js';
import type { AccountContext } from './collect-context.js';
import { POLICY_HINT, requiredCallFailure } from './collect-problem.js';
import { getAuthorizationDetails, type AuthorizationDetails } from './iam.js';

export async function callerIdentity(clients: AwsClients, profile: string | undefined): Promise<GetCallerIdentityCommandOutput> {
  try {
    return await clients.sts().send(new GetCallerIdentityCommand({}));
  } catch (err) {
    if (isCredentialsError(err)) throw credentialsError(err, profile);
    throw requiredCallFailure('sts:GetCallerIdentity', err, 'check the network, the region and AWS_ENDPOINT_URL, then try again');
  }
}

/** Every page of the account's authorization details, written and recorded. */
export async function collectAuthDetails(ctx: AccountContext, progress: (m: string) => void): Promise<AuthorizationDetails> {
  let auth;
  const authAt = ctx.now();
  try {
    auth = await getAuthorizationDetails(ctx.clients.iam(), (pages) => progress(`IAM authorization details: page ${pages}`));
  } catch (err) {
    ctx.rethrowCredentials(err);
    throw requiredCallFailure(
      'iam:GetAccountAuthorizationDetails',
      err,
      isAccessDenied(err) ? POLICY_HINT : 'try again later; throttling and 5xx errors were already retried',
    );
  }
  await ctx.record(AUTH_DETAILS_FILE, auth, authAt);
  return auth;
}
