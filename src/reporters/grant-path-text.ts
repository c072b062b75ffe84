import type { GrantPath } from '../model/aws/entitlement.js';
import type { GcpGrantPath } from '../model/gcp/policy.js';
import { isGcpGrantPath, type ReportGrantPath } from '../model/report.js';

function awsPathText(path: GrantPath): string {
  const sid = path.statement.sid === undefined || path.statement.sid === '' ? '' : ` (${path.statement.sid})`;
  const policy = `${path.policy.type} ${path.policy.name} statement ${path.statement.index}${sid}`;
  return path.viaGroup === undefined ? policy : `group ${path.viaGroup.name} > ${policy}`;
}

/** `folder 123 binding 2 roles/editor` — where the binding is; the chain below it is implied. */
function gcpPathText(path: GcpGrantPath): string {
  const where = `${path.resource.type} ${path.resource.id} binding ${path.binding.index} ${path.binding.role}`;
  const condition = path.binding.condition ? ` if ${path.binding.condition.title ?? path.binding.condition.expression}` : '';
  return path.viaGroup === undefined ? `${where}${condition}` : `group ${path.viaGroup} > ${where}${condition}`;
}

/**
 * One grant path in words, e.g. `group platform-admins > managed AdministratorAccess statement 0`
 * or `inline deploy-ec2 statement 0 (LaunchBuildHosts)`. IAM names cannot hold spaces or `>`, so
 * the text splits back into its parts unambiguously. GCP: `folder 123 binding 2 roles/editor`.
 */
export function grantPathText(path: ReportGrantPath): string {
  return isGcpGrantPath(path) ? gcpPathText(path) : awsPathText(path);
}

/** Reached through a group or from a folder/organization binding: changing it affects others too. */
export function isInheritedPath(path: ReportGrantPath): boolean {
  return path.viaGroup !== undefined || (isGcpGrantPath(path) && path.resource.type !== 'project');
}

/** Every distinct grant path of a set of permissions, in first-seen order. */
export function distinctGrantPaths(permissions: readonly { grantedBy: readonly ReportGrantPath[] }[]): ReportGrantPath[] {
  const seen = new Map<string, ReportGrantPath>();
  for (const permission of permissions) {
    for (const path of permission.grantedBy) {
      const key = grantPathText(path);
      if (!seen.has(key)) seen.set(key, path);
    }
  }
  return [...seen.values()];
}
