/**
 * GCP recommendations: which binding (role, on which resource, to which member) to remove or
 * replace, what else the change touches (a folder's other projects, a group's other members), and
 * the narrowest predefined role that still holds what the account used.
 */

import type { GcpGrantPath } from '../../model/gcp.js';
import type { GcpRoleCatalogue } from './role-catalogue.js';

function resourceText(path: GcpGrantPath): string {
  return `${path.resource.type} ${path.resource.id}`;
}

/** `roles/editor bound on folder 123 (inherited: …)`. */
export function describeGcpPath(path: GcpGrantPath): string {
  const notes: string[] = [];
  if (path.resource.type !== 'project') notes.push(`inherited: changing it affects every project under the ${path.resource.type}`);
  if (path.viaGroup) notes.push(`through group ${path.viaGroup}: its other members keep it unless you change the group's binding`);
  if (path.binding.condition) notes.push(`only when ${path.binding.condition.title ? `"${path.binding.condition.title}" (${path.binding.condition.expression})` : path.binding.condition.expression}`);
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

/**
 * The predefined roles with the fewest permissions that together hold every permission in `needed`
 * (greedy set cover, at most 3 roles; basic roles are never suggested). Empty when none fits.
 */
export function narrowestRoles(needed: readonly string[], catalogue: GcpRoleCatalogue): { role: string; size: number }[] {
  if (needed.length === 0) return [];
  const missing = new Set(needed);
  const out: { role: string; size: number }[] = [];
  const candidates: { role: string; perms: Set<string> }[] = [];
  for (const [role, perms] of catalogue.entries()) {
    if (role === 'roles/owner' || role === 'roles/editor' || role === 'roles/viewer' || role === 'roles/browser') continue;
    if (perms.some((p) => missing.has(p))) candidates.push({ role, perms: new Set(perms) });
  }
  while (missing.size > 0 && out.length < 3) {
    let best: { role: string; perms: Set<string>; hits: number } | undefined;
    for (const c of candidates) {
      let hits = 0;
      for (const p of missing) if (c.perms.has(p)) hits += 1;
      if (hits === 0) continue;
      if (!best || hits > best.hits || (hits === best.hits && (c.perms.size < best.perms.size || (c.perms.size === best.perms.size && c.role < best.role)))) {
        best = { ...c, hits };
      }
    }
    if (!best) break;
    out.push({ role: best.role, size: best.perms.size });
    for (const p of best.perms) missing.delete(p);
  }
  return missing.size === 0 ? out : [];
}

export function listText(items: readonly string[], max: number): string {
  return `${items.slice(0, max).join(', ')}${items.length > max ? `, and ${items.length - max} more` : ''}`;
}

export function suggestRolesText(used: readonly string[], catalogue: GcpRoleCatalogue): string {
  const roles = narrowestRoles(used, catalogue);
  if (roles.length === 0) return '';
  return ` Narrowest predefined role(s) holding the permissions in use: ${roles.map((r) => `${r.role} (${r.size} permissions)`).join(' + ')}, or a custom role with exactly those permissions.`;
}
