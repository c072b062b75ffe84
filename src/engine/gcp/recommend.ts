/**
 * GCP recommendations: which binding (role, on which resource, to which member) to remove or
 * replace, what else the change touches (a folder's other projects, a group's other members), and
 * the narrowest predefined role that still holds what the account used.
 */

import type { GcpGrantPath } from '../../model/gcp/policy.js';
import type { GcpRoleCatalogue } from './role-catalogue.js';

function resourceText(path: GcpGrantPath): string {
  return `${path.resource.type} ${path.resource.id}`;
}

/** `roles/editor bound on folder 123 (inherited: …)`. */
export function describeGcpPath(path: GcpGrantPath): string {
  const notes: string[] = [];
  if (path.resource.type !== 'project') notes.push(`inherited: changing it affects every project under the ${path.resource.type}`);
  if (path.viaGroup) notes.push(`through group ${path.viaGroup}: its other members keep it unless you change the group's binding`);
  if (path.binding.condition)
    notes.push(
      `only when ${path.binding.condition.title ? `"${path.binding.condition.title}" (${path.binding.condition.expression})` : path.binding.condition.expression}`,
    );
  return `${path.binding.role} bound on ${resourceText(path)} to ${path.member}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`;
}

export function uniqueGcpPaths(grantedBy: readonly GcpGrantPath[][]): GcpGrantPath[] {
  const seen = new Map<string, GcpGrantPath>();
  for (const list of grantedBy) {
    for (const p of list) {
      const key = [p.resource.type, p.resource.id, p.binding.index, p.binding.role, p.member].join('\u0000');
      if (!seen.has(key)) seen.set(key, p);
    }
  }
  return [...seen.values()];
}

const BASIC_ROLES = new Set(['roles/owner', 'roles/editor', 'roles/viewer', 'roles/browser']);

/**
 * Roles never suggested: basic roles (the thing being replaced), and service agent roles
 * (`roles/….serviceAgent`, `…ServiceAgent`), which Google grants to its own service agents and warns
 * against granting to other principals (https://cloud.google.com/iam/docs/service-agents#grant-roles).
 */
export function isSuggestible(role: string): boolean {
  return !BASIC_ROLES.has(role) && !/serviceagent$/i.test(role);
}

/** A role name of the usual kind (…viewer, …objectAdmin, …secretAccessor), not legacy, system or output roles. */
const CONVENTIONAL =
  /\.(?!legacy)[a-zA-Z]*(viewer|reader|user|editor|writer|admin|accessor|creator|publisher|subscriber|invoker|developer|operator|signer|encrypter|decrypter|encrypterDecrypter)$/i;

interface Candidate {
  role: string;
  perms: Set<string>;
  rank: number;
}

/** Greedy cover of one service's permissions by that service's roles first; undefined when none covers them. */
function coverService(needed: readonly string[], service: string, catalogue: GcpRoleCatalogue): { role: string; size: number }[] | undefined {
  const missing = new Set(needed);
  const candidates: Candidate[] = [];
  for (const [role, perms] of catalogue.entries()) {
    if (!isSuggestible(role) || !perms.some((p) => missing.has(p))) continue;
    const isSameService = role.startsWith(`roles/${service}.`);
    // 0: the service's own, conventionally named role; 1: the service's own; 2: another product's.
    candidates.push({ role, perms: new Set(perms), rank: isSameService ? (CONVENTIONAL.test(role) ? 0 : 1) : 2 });
  }
  const out: { role: string; size: number }[] = [];
  while (missing.size > 0 && out.length < 3) {
    let best: (Candidate & { hits: number }) | undefined;
    for (const c of candidates) {
      let hits = 0;
      for (const p of missing) if (c.perms.has(p)) hits += 1;
      if (hits === 0) continue;
      const isBetter =
        !best ||
        (hits !== best.hits
          ? hits > best.hits
          : c.rank !== best.rank
            ? c.rank < best.rank
            : c.perms.size !== best.perms.size
              ? c.perms.size < best.perms.size
              : c.role < best.role);
      if (isBetter) best = { ...c, hits };
    }
    if (!best) return undefined;
    out.push({ role: best.role, size: best.perms.size });
    for (const p of best.perms) missing.delete(p);
  }
  return missing.size === 0 ? out : undefined;
}

/**
 * Predefined roles that together hold every permission in `needed`: per service, a greedy cover
 * that prefers the service's own conventionally named roles, then the fewest permissions (at most
 * 3 roles a service). Basic and service agent roles are never suggested. Empty when a service's
 * permissions cannot be covered.
 */
export function narrowestRoles(needed: readonly string[], catalogue: GcpRoleCatalogue): { role: string; size: number }[] {
  const byService = new Map<string, string[]>();
  for (const p of needed) {
    const service = p.split('.')[0] ?? p;
    byService.set(service, [...(byService.get(service) ?? []), p]);
  }
  const out: { role: string; size: number }[] = [];
  for (const [service, perms] of [...byService].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const cover = coverService(perms, service, catalogue);
    if (!cover) return [];
    for (const r of cover) if (!out.some((o) => o.role === r.role)) out.push(r);
  }
  return out;
}

export function listText(items: readonly string[], max: number): string {
  return `${items.slice(0, max).join(', ')}${items.length > max ? `, and ${items.length - max} more` : ''}`;
}

export function suggestRolesText(used: readonly string[], catalogue: GcpRoleCatalogue): string {
  const roles = narrowestRoles(used, catalogue);
  if (roles.length === 0) return '';
  return ` Narrowest predefined role(s) holding the permissions in use: ${roles.map((r) => `${r.role} (${r.size} permissions)`).join(' + ')}, or a custom role with exactly those permissions.`;
}
