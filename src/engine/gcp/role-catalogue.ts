/**
 * The bundled snapshot of GCP predefined roles (data/gcp/roles.json, derived from the MIT-licensed
 * iam-dataset project by scripts/update-gcp-roles.mjs). Basic roles (owner, editor, viewer,
 * browser) are in it too. Loaded once per process; the resolver takes a catalogue as an argument so
 * tests and a live refresh (IAM roles.list view FULL) can pass their own.
 */

import { readFileSync } from 'node:fs';

export interface GcpRoleCatalogue {
  /** Where the data came from, for the report's sources. */
  source: string;
  generatedFrom?: { repository: string; commit: string; commitDate: string };
  /** Permissions of a predefined or basic role, `undefined` when the catalogue does not know it. */
  permissionsOf(role: string): readonly string[] | undefined;
  /** Every role with its permissions, in catalogue order (for suggesting a narrower role). */
  entries(): Iterable<[string, readonly string[]]>;
  roleCount: number;
  /** Set by mergeRoleCatalogues: the live list this catalogue prefers and the fallback it fills gaps from. */
  merged?: { live: GcpRoleCatalogue; fallback: GcpRoleCatalogue; rolesFromFallback: number };
}

interface RolesFile {
  source: string;
  generatedFrom?: { repository: string; commit: string; commitDate: string };
  roles: Record<string, string[]>;
}

function isRolesFile(value: unknown): value is RolesFile {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.source === 'string' && typeof v.roles === 'object' && v.roles !== null;
}

export function roleCatalogueFrom(data: {
  source: string;
  roles: Record<string, readonly string[]>;
  generatedFrom?: RolesFile['generatedFrom'];
}): GcpRoleCatalogue {
  const roles = new Map(Object.entries(data.roles));
  const catalogue: GcpRoleCatalogue = {
    source: data.source,
    permissionsOf: (role) => roles.get(role),
    entries: () => roles.entries(),
    roleCount: roles.size,
  };
  if (data.generatedFrom) catalogue.generatedFrom = data.generatedFrom;
  return catalogue;
}

let bundled: GcpRoleCatalogue | undefined;

/** The vendored snapshot, parsed on first use (6 MB: not at import time). */
export function bundledRoleCatalogue(): GcpRoleCatalogue {
  if (bundled) return bundled;
  const raw: unknown = JSON.parse(readFileSync(new URL('../../../data/gcp/roles.json', import.meta.url), 'utf8'));
  if (!isRolesFile(raw)) throw new Error('data/gcp/roles.json is damaged: regenerate it with scripts/update-gcp-roles.mjs');
  bundled = roleCatalogueFrom(raw);
  return bundled;
}

/**
 * Live predefined roles (IAM roles.list, view FULL, read by `collect gcp`) over a fallback (the
 * bundled snapshot): a role the live list has is resolved with the live permissions; a role it
 * lacks (retired since, or a list that missed it) with the fallback's, so a binding never resolves
 * to nothing merely because the two sources differ. Narrower-role suggestions (entries()) come from
 * the live list only: a role Google no longer lists must not be recommended.
 */
export function mergeRoleCatalogues(live: GcpRoleCatalogue, fallback: GcpRoleCatalogue): GcpRoleCatalogue {
  let rolesFromFallback = 0;
  for (const [role] of fallback.entries()) if (live.permissionsOf(role) === undefined) rolesFromFallback += 1;
  return {
    source: live.source,
    permissionsOf: (role) => live.permissionsOf(role) ?? fallback.permissionsOf(role),
    entries: () => live.entries(),
    roleCount: live.roleCount + rolesFromFallback,
    merged: { live, fallback, rolesFromFallback },
  };
}
