/**
 * How `collect gcp` words a read that failed: what was not read, the API's answer, what that costs
 * the audit, and the fix (enable the API, grant the read-only role's permission, raise a time
 * limit, or try again). Every warning and failed project of a GCP collection is worded here.
 */

import { describe, gcpError, isDenied, isServiceDisabled } from './errors.js';
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
