/**
 * How `collect gcp` words a read that failed: what was not read, the API's answer, what that costs
 * the audit, and the fix (enable the API, grant the read-only role's permission, raise a time
 * limit, or try again); and the one kind of failure that is not a warning but ends the run, bad
 * credentials. Every warning and failed project of a GCP collection is worded with these.
 */

import { credentialsError, describe, gcpError, isCredentialsError, isDenied, isServiceDisabled } from './errors.js';
import { isCallTimeout } from '../../shared/call-timeouts.js';

export const ROLE_HINT = 'grant the read-only role `permdrift policy gcp` prints (docs/gcp-readonly-role.json)';

/** `what: 403 PERMISSION_DENIED: …; effect; what to do`, with the API to enable when it is disabled. */
export function problem(what: string, permission: string, effect: string, err: unknown): string {
  const info = gcpError(err);
  let fix: string;
  if (isServiceDisabled(info)) {
    const api = info.service ?? 'the API';
    const project = /^projects\/(.+)$/.exec(info.consumer ?? '')?.[1];
    fix = `enable ${api} (\`gcloud services enable ${api}${project ? ` --project ${project}` : ''}\`)`;
  } else if (isDenied(info)) {
    fix = `${ROLE_HINT}; needs ${permission}`;
  } else if (isCallTimeout(err)) {
    fix = 'check the network, or raise --request-timeout / --retry-budget';
  } else {
    fix = 'quota and 5xx errors were retried; try again later';
  }
  return `${what}: ${describe(info)}; ${effect}; ${fix}`;
}

/** A function that throws the run-ending credentials error for a credentials failure and returns for any other. */
export function credentialsRethrower(impersonateServiceAccount: string | undefined): (err: unknown) => void {
  return (err) => {
    if (isCredentialsError(err)) throw credentialsError(err, impersonateServiceAccount);
  };
}

/** The first five names of a list and how many more there are: `a, b, c, d, e and 3 more`. */
export function firstFive(names: readonly string[]): string {
  return `${names.slice(0, 5).join(', ')}${names.length > 5 ? ` and ${names.length - 5} more` : ''}`;
}
