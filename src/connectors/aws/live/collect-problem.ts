/**
 * How `collect aws` words a call that failed: a refused or timed-out optional call is a warning
 * that says what the audit lacks and points at the read-only policy or the time limits; a
 * required call that failed is the error that ends the account's collection; and bad
 * credentials, which are never a warning, end the run.
 */

import { PermdriftError } from '../../../model/errors.js';
import { isCallTimeout, timeoutFailure } from '../../shared/call-timeouts.js';
import { awsErrorCode, credentialsError, errorMessage, isAccessDenied, isCredentialsError } from './aws-errors.js';

export const POLICY_HINT = 'attach the read-only policy `permdrift policy aws` prints (docs/permdrift-readonly-policy.json)';

export function deniedMessage(action: string, what: string, err: unknown): string {
  if (isCallTimeout(err)) return `${err.message}: ${what}; check the network, or raise --request-timeout / --retry-budget`;
  return `${awsErrorCode(err)} on ${action} (${errorMessage(err)}): ${what}; ${POLICY_HINT}`;
}

/** A required call that failed: a timeout, or the provider's refusal. */
export function requiredCallFailure(action: string, err: unknown, hint: string): PermdriftError {
  if (isCallTimeout(err)) return timeoutFailure(err);
  return new PermdriftError(isAccessDenied(err) ? 'ACCESS_DENIED' : 'PROVIDER', `${action} failed (${awsErrorCode(err)}: ${errorMessage(err)})`, hint, {
    cause: err,
  });
}

/** A function that throws the run-ending credentials error for a credentials failure and returns for any other. */
export function credentialsRethrower(profile: string | undefined): (err: unknown) => void {
  return (err) => {
    if (isCredentialsError(err)) throw credentialsError(err, profile);
  };
}
