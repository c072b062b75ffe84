/**
 * resolve (GCP): a project's allow and deny policies → effective permissions per service account,
 * each with its provenance.
 *
 * Evaluation follows https://cloud.google.com/iam/docs/policy-inheritance and
 * https://cloud.google.com/iam/docs/deny-overview:
 * - the effective allow policy of a project is the union of its own policy and those of its folders
 *   and organization; a binding on the project is `direct`, one on an ancestor `inherited`, with the
 *   chain project → folder(s) → organization;
 * - a role grants its permissions: predefined and basic roles from the bundled catalogue, custom roles
 *   (`projects/…/roles/…`, `organizations/…/roles/…`) from the snapshot; a role neither knows is a
 *   warning, never a crash, and grants nothing we can name;
 * - `group:` members reach the service accounts in the group (nested groups too) when membership
 *   data is present; otherwise a warning says the group's grant could not be expanded;
 * - a conditional binding still grants (its condition cannot be evaluated offline): the entitlement
 *   is marked conditional and carries the CEL expression;
 * - deny rules are checked before allow policies: an unconditional deny removes the permission
 *   (recorded in `denied`); a deny with a denialCondition may or may not apply, so the permission
 *   stays with the rule recorded, as AWS partial denies are.
 *
 * Pure and synchronous.
 */

import type {
  GcpConditionalDeny,
  GcpDeniedPermission,
  GcpEntitlement,
  GcpGrantPath,
  GcpProjectInventory,
  GcpPrincipalEntitlements,
  GcpResolveWarning,
  GcpServiceAccount,
} from '../../model/gcp/policy.js';
import { denyPatternMatches, denyPrincipalMatches, isV2PermissionPattern } from './deny-match.js';
import type { GcpRoleCatalogue } from './role-catalogue.js';

export interface ResolvedGcpProject {
  principals: GcpPrincipalEntitlements[];
  warnings: GcpResolveWarning[];
}

const BASIC_ROLES = new Set(['roles/owner', 'roles/editor', 'roles/viewer', 'roles/browser']);

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function roleKindOf(role: string): GcpGrantPath['roleKind'] {
  if (BASIC_ROLES.has(role)) return 'basic';
  return role.startsWith('roles/') ? 'predefined' : 'custom';
}

/** Groups (lower-cased emails) that contain `member`, directly or through nested groups. */
function groupsContaining(member: string, groups: Record<string, string[]>): Set<string> {
  const parentsOf = new Map<string, string[]>();
  for (const [group, members] of Object.entries(groups)) {
    for (const m of members) {
      const key = m.toLowerCase();
      const list = parentsOf.get(key) ?? [];
      list.push(group.toLowerCase());
      parentsOf.set(key, list);
    }
  }
  const out = new Set<string>();
  const queue = [member.toLowerCase()];
  while (queue.length > 0) {
    const next = queue.shift();
    if (next === undefined) break;
    for (const parent of parentsOf.get(next) ?? []) {
      if (out.has(parent)) continue;
      out.add(parent);
      queue.push(`group:${parent}`);
    }
  }
  return out;
}

function pathKey(p: GcpGrantPath): string {
  return [String(p.chain.length).padStart(3, '0'), p.resource.type, p.resource.id, String(p.binding.index).padStart(6, '0'), p.member].join('\u0000');
}

export function resolveGcpProject(inventory: GcpProjectInventory, catalogue: GcpRoleCatalogue): ResolvedGcpProject {
  const project = inventory.projectId;
  const warnings: GcpResolveWarning[] = [];
  const warned = new Set<string>();
  const warn = (key: string, warning: GcpResolveWarning): void => {
    if (warned.has(key)) return;
    warned.add(key);
    warnings.push(warning);
  };

  const customRoles = new Map(inventory.customRoles.map((r) => [r.name, r]));
  const rolePermissions = (role: string): readonly string[] | undefined => {
    if (role.startsWith('roles/')) {
      const permissions = catalogue.permissionsOf(role);
      if (permissions === undefined) {
        warn(`role:${role}`, {
          code: 'unknown-role',
          message: `role ${role} is not in the predefined-role snapshot (${catalogue.source}); its permissions are unknown and not counted`,
          project,
          role,
        });
      }
      return permissions;
    }
    const custom = customRoles.get(role);
    if (custom === undefined) {
      warn(`role:${role}`, {
        code: 'unknown-role',
        message: `custom role ${role} is not in the snapshot; add it under roles/ (gcloud iam roles describe … --format=json)`,
        project,
        role,
      });
      return undefined;
    }
    // A deleted or disabled custom role stays in bindings but grants nothing.
    if (custom.isDeleted || custom.stage === 'DISABLED') {
      warn(`inactive:${role}`, {
        code: 'inactive-custom-role',
        message: `custom role ${role} is ${custom.isDeleted ? 'deleted' : 'disabled'}: its bindings grant nothing`,
        project,
        role,
      });
      return [];
    }
    return custom.includedPermissions;
  };

  const principals = inventory.serviceAccounts;
  const byEmail = new Map(principals.map((a) => [a.email.toLowerCase(), a]));
  const groupsByAccount = new Map<string, Set<string> | undefined>();
  for (const account of principals) {
    groupsByAccount.set(account.email.toLowerCase(), inventory.groups ? groupsContaining(`serviceAccount:${account.email}`, inventory.groups) : undefined);
  }

  // permission → paths, per account.
  const grants = new Map<string, Map<string, GcpGrantPath[]>>();
  const addPaths = (account: GcpServiceAccount, permissions: readonly string[], path: GcpGrantPath): void => {
    const key = account.email.toLowerCase();
    let perAccount = grants.get(key);
    if (!perAccount) {
      perAccount = new Map();
      grants.set(key, perAccount);
    }
    for (const permission of permissions) {
      const list = perAccount.get(permission);
      if (list) list.push(path);
      else perAccount.set(permission, [path]);
    }
  };

  for (const policy of inventory.policies) {
    const depth = inventory.ancestry.findIndex((r) => r.type === policy.resource.type && r.id === policy.resource.id);
    const chain = depth >= 0 ? inventory.ancestry.slice(0, depth + 1) : [inventory.ancestry[0] ?? policy.resource, policy.resource];
    for (const binding of policy.bindings) {
      const targets: { account: GcpServiceAccount; member: string; viaGroup?: string }[] = [];
      for (const member of binding.members) {
        if (member.startsWith('serviceAccount:')) {
          const account = byEmail.get(member.slice('serviceAccount:'.length).toLowerCase());
          if (account) targets.push({ account, member });
        } else if (member.startsWith('group:')) {
          const group = member.slice('group:'.length).toLowerCase();
          if (inventory.groups === undefined) {
            warn(`group:${group}:${policy.resource.type}:${policy.resource.id}:${binding.index}`, {
              code: 'group-not-expanded',
              message: `${member} holds ${binding.role} on ${policy.resource.type} ${policy.resource.id}, but there is no groups.json: service accounts in the group are not credited with this grant`,
              project,
              role: binding.role,
            });
            continue;
          }
          for (const account of principals) {
            if (groupsByAccount.get(account.email.toLowerCase())?.has(group)) {
              targets.push({ account, member, viaGroup: group });
            }
          }
        }
      }
      if (targets.length === 0) continue;
      const permissions = rolePermissions(binding.role);
      if (permissions === undefined || permissions.length === 0) continue;
      for (const target of targets) {
        const path: GcpGrantPath = {
          chain,
          resource: policy.resource,
          binding: { index: binding.index, role: binding.role },
          member: target.member,
          roleKind: roleKindOf(binding.role),
        };
        if (binding.condition) path.binding.condition = binding.condition;
        if (target.viaGroup !== undefined) path.viaGroup = target.viaGroup;
        addPaths(target.account, permissions, path);
      }
    }
  }

  for (const policy of inventory.denyPolicies) {
    for (const rule of policy.rules) {
      for (const pattern of [...rule.deniedPermissions, ...rule.exceptionPermissions]) {
        if (!isV2PermissionPattern(pattern)) {
          warn(`deny-perm:${policy.name}:${rule.index}:${pattern}`, {
            code: 'unsupported-deny-permission',
            message: `deny policy ${policy.name} rule ${rule.index}: permission ${pattern} is not in the SERVICE_FQDN/RESOURCE.VERB form; it is ignored`,
            project,
            policy: policy.name,
          });
        }
      }
    }
  }

  // A role's permissions all reach an account by the same paths: one (read-only) list serves them
  // all, so a basic role's ~10,000 permissions do not each carry a copy.
  const pathLists = new Map<string, GcpGrantPath[]>();
  const sharedPaths = (paths: GcpGrantPath[]): GcpGrantPath[] => {
    const sorted = [...paths].sort((a, b) => compare(pathKey(a), pathKey(b)));
    const key = sorted.map(pathKey).join('\u0001');
    const known = pathLists.get(key);
    if (known) return known;
    pathLists.set(key, sorted);
    return sorted;
  };

  const out: GcpPrincipalEntitlements[] = [];
  for (const account of principals) {
    const key = account.email.toLowerCase();
    const perAccount = grants.get(key) ?? new Map<string, GcpGrantPath[]>();
    const groupsOf = groupsByAccount.get(key);
    const denied: GcpDeniedPermission[] = [];
    const conditional = new Map<string, GcpConditionalDeny[]>();

    for (const policy of inventory.denyPolicies) {
      for (const rule of policy.rules) {
        const principalMatch = (ids: string[]): boolean =>
          ids.some((id) => {
            const m = denyPrincipalMatches(id, account.email, groupsOf);
            if (m === 'unsupported') {
              warn(`deny-principal:${policy.name}:${rule.index}:${id}`, {
                code: 'unsupported-deny-principal',
                message: `deny policy ${policy.name} rule ${rule.index}: cannot tell whether ${id} covers service accounts${id.startsWith('principalSet://goog/group/') ? ' (no groups.json)' : ''}; the rule is not applied to them`,
                project,
                policy: policy.name,
              });
            }
            return m === 'match';
          });
        if (!principalMatch(rule.deniedPrincipals) || principalMatch(rule.exceptionPrincipals)) continue;
        const patterns = rule.deniedPermissions.filter(isV2PermissionPattern);
        const exceptions = rule.exceptionPermissions.filter(isV2PermissionPattern);
        for (const permission of perAccount.keys()) {
          const matchedBy = patterns.find((p) => denyPatternMatches(p, permission));
          if (matchedBy === undefined || exceptions.some((p) => denyPatternMatches(p, permission))) continue;
          if (rule.denialCondition) {
            const list = conditional.get(permission) ?? [];
            list.push({ policy: policy.name, ruleIndex: rule.index, condition: rule.denialCondition, matchedBy });
            conditional.set(permission, list);
          } else {
            denied.push({ permission, policy: policy.name, ruleIndex: rule.index, matchedBy });
          }
        }
      }
    }

    const deniedSet = new Set(denied.map((d) => d.permission));
    const entitlements: GcpEntitlement[] = [];
    for (const [permission, paths] of perAccount) {
      if (deniedSet.has(permission)) continue;
      const grantedBy = sharedPaths(paths);
      entitlements.push({
        permission,
        service: permission.split('.')[0] ?? permission,
        provenance: grantedBy.some((p) => p.chain.length === 1) ? 'direct' : 'inherited',
        grantedBy,
        isConditional: grantedBy.every((p) => p.binding.condition !== undefined),
        conditionalDenies: conditional.get(permission) ?? [],
      });
    }
    entitlements.sort((a, b) => compare(a.permission, b.permission));
    // One record per denied permission: the first rule (in policy order) that removes it.
    const seen = new Set<string>();
    const deniedOnce = denied.filter((d) => (seen.has(d.permission) ? false : (seen.add(d.permission), true)));
    deniedOnce.sort((a, b) => compare(a.permission, b.permission));
    out.push({ serviceAccount: account, entitlements, denied: deniedOnce });
  }
  out.sort((a, b) => compare(a.serviceAccount.email, b.serviceAccount.email));
  return { principals: out, warnings };
}
