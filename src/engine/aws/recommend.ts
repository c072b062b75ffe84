/**
 * Recommendations in words a reader can act on: which statement of which policy, reached how, to
 * remove or narrow — and the places that change would also affect (a group's other members).
 */

import type { Entitlement, GrantPath } from '../../model/aws/entitlement.js';
import type { Principal } from '../../model/aws/inventory.js';
import type { LastUsed } from '../../model/report.js';

function statementRef(path: GrantPath): string {
  return path.statement.sid ? `statement "${path.statement.sid}"` : `statement #${path.statement.index}`;
}

export function isWildcardPattern(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?') || pattern.startsWith('NotAction');
}

function describePath(principal: Principal, path: GrantPath): string {
  const policy =
    path.policy.type === 'inline'
      ? `inline policy "${path.policy.name}"`
      : `managed policy "${path.policy.name}"${path.policy.arn ? ` (${path.policy.arn})` : ''}`;
  const where = path.viaGroup
    ? `on group "${path.viaGroup.name}" (inherited; the group's other members keep it unless you change the group)`
    : `on ${principal.kind} "${principal.name}"`;
  return `${policy} ${where}, ${statementRef(path)} via "${path.matchedBy}"`;
}

function uniqueGrants(entitlements: Entitlement[]): GrantPath[] {
  const seen = new Map<string, GrantPath>();
  for (const e of entitlements) {
    for (const g of e.grantedBy) {
      const key = [g.viaGroup?.arn ?? '', g.policy.type, g.policy.arn ?? g.policy.name, g.statement.index, g.matchedBy].join('|');
      if (!seen.has(key)) seen.set(key, g);
    }
  }
  return [...seen.values()];
}

export function describeGrants(entitlements: Entitlement[], principal?: Principal): string {
  const grants = uniqueGrants(entitlements);
  if (grants.length === 0) return '';
  const shown = grants.slice(0, 3).map((g) => (principal ? describePath(principal, g) : `${g.policy.name} (${statementRef(g)}, "${g.matchedBy}")`));
  const more = grants.length > 3 ? `, and ${grants.length - 3} more` : '';
  return `Granted by ${shown.join('; ')}${more}.`;
}

export function recommendUnusedPermission(principal: Principal, e: Entitlement, usedInService: string[]): string {
  const paths = e.grantedBy.map((g) => describePath(principal, g));
  const hasWildcard = e.grantedBy.some((g) => isWildcardPattern(g.matchedBy));
  const keep =
    usedInService.length > 0 ? ` Keep the ${e.service} actions in use (${usedInService.slice(0, 5).join(', ')}${usedInService.length > 5 ? ', …' : ''}).` : '';
  const verb = hasWildcard ? `Narrow the wildcard so it no longer grants ${e.action}` : `Remove ${e.action}`;
  return `${verb}: granted by ${paths.join('; ')}.${keep}`;
}

export function recommendOverbroad(principal: Principal, service: string, unused: Entitlement[], usedInService: string[]): string {
  const grants = uniqueGrants(unused).filter((g) => isWildcardPattern(g.matchedBy));
  const patterns = [...new Set(grants.map((g) => g.matchedBy))];
  const paths = grants.slice(0, 3).map((g) => describePath(principal, g));
  const more = grants.length > 3 ? `; and ${grants.length - 3} more (see the JSON report)` : '';
  const keep =
    usedInService.length > 0
      ? `with the ${service} actions in use: ${usedInService.slice(0, 12).join(', ')}${usedInService.length > 12 ? `, and ${usedInService.length - 12} more` : ''}`
      : `with only the ${service} actions the workload needs (none was used in the window)`;
  return `Replace ${patterns.map((p) => `"${p}"`).join(', ')} ${keep}; ${unused.length} ${service} action(s) it grants went unused. Granted by ${paths.join('; ')}${more}.`;
}

export function recommendUnusedService(principal: Principal, service: string, entitlements: Entitlement[]): string {
  const grants = uniqueGrants(entitlements);
  const paths = grants.slice(0, 5).map((g) => describePath(principal, g));
  const more = grants.length > 5 ? `; and ${grants.length - 5} more grant(s) (see the JSON report)` : '';
  return `Remove ${service} access (${entitlements.length} action(s)) from ${principal.kind} "${principal.name}": granted by ${paths.join('; ')}${more}.`;
}

export function recommendDormant(principal: Principal, entitlementCount: number, lastActivity: LastUsed | null): string {
  const last = lastActivity ? `last activity ${lastActivity.date} (${lastActivity.source})` : 'no recorded activity';
  const what =
    principal.kind === 'role'
      ? 'Delete the role, or detach its policies and remove its trust policy'
      : 'Delete the user, or deactivate its keys and detach its policies';
  return `${what}: it holds ${entitlementCount} permission(s) and did nothing in the window (${last}). If it serves a rare job, record an exception with an owner.`;
}

export function recommendStaleCredential(principal: Principal, slot: 1 | 2, isUnused: boolean): string {
  return isUnused
    ? `Deactivate, then delete, access key ${slot} of user "${principal.name}" (\`aws iam update-access-key --user-name ${principal.name} --access-key-id <id> --status Inactive\`); prefer a role with short-lived credentials for workloads.`
    : `Rotate access key ${slot} of user "${principal.name}" (create a new key, switch the workload, deactivate the old one), or replace it with a role.`;
}
