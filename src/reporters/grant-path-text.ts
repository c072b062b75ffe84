import type { GrantPath } from '../model/entitlement.js';

/**
 * One grant path in words, e.g. `group platform-admins > managed AdministratorAccess statement 0`
 * or `inline deploy-ec2 statement 0 (LaunchBuildHosts)`. IAM names cannot hold spaces or `>`, so
 * the text splits back into its parts unambiguously.
 */
export function grantPathText(path: GrantPath): string {
  const sid = path.statement.sid === undefined || path.statement.sid === '' ? '' : ` (${path.statement.sid})`;
  const policy = `${path.policy.type} ${path.policy.name} statement ${path.statement.index}${sid}`;
  return path.viaGroup === undefined ? policy : `group ${path.viaGroup.name} > ${policy}`;
}

/** Every distinct grant path of a set of permissions, in first-seen order. */
export function distinctGrantPaths(permissions: readonly { grantedBy: readonly GrantPath[] }[]): GrantPath[] {
  const seen = new Map<string, GrantPath>();
  for (const permission of permissions) {
    for (const path of permission.grantedBy) {
      const key = grantPathText(path);
      if (!seen.has(key)) seen.set(key, path);
    }
  }
  return [...seen.values()];
}
