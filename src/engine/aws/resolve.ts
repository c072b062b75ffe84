/**
 * resolve: policies → effective, action-level entitlements per principal, with provenance.
 *
 * Evaluation follows https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 * for a principal inside its own account, identity-based policies only:
 * - an action is granted when an Allow statement of an identity policy (inline, attached managed,
 *   or reaching the user through a group) matches it;
 * - an explicit Deny in any of those policies, or in the permissions boundary, overrides the Allow.
 *   Only a Deny on every resource and without Condition removes the action: a narrower Deny blocks
 *   some requests only, so the action stays with the Deny recorded in `partialDenies`;
 * - with a permissions boundary the effective permissions are the intersection of the identity
 *   policies and the boundary (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html).
 *
 * Pure and synchronous. Work is shared across principals: the catalogue index, pattern expansion
 * and each policy document's compilation are memoised, and per-principal scratch space is reused.
 */

import type { ActionCatalogue } from '../../model/catalogue.js';
import type {
  Entitlement,
  GrantPath,
  PrincipalEntitlements,
  ResolveWarning,
} from '../../model/entitlement.js';
import type { AttachedPolicy, AwsAccountInventory, PolicyRef, Principal } from '../../model/inventory.js';
import { type CatalogueIndex, catalogueIndex } from './policy-catalogue-index.js';
import { type CompiledGrant, type CompiledPolicy, compilePolicy } from './policy-compile.js';

export interface ResolvedPrincipal {
  entitlements: Entitlement[];
  warnings: ResolveWarning[];
}

export interface ResolvedAccount {
  principals: PrincipalEntitlements[];
  warnings: ResolveWarning[];
}

type PartialDeny = Entitlement['partialDenies'][number];

interface PathRef {
  path: GrantPath;
  grant: CompiledGrant;
}

/** A compiled policy as it reaches principals through one attachment (direct, or one group). */
interface PreparedPolicy {
  compiled: CompiledPolicy;
  /** Aligned with compiled.allows. */
  allows: PathRef[];
  /** Aligned with compiled.denies. */
  partialDenies: PartialDeny[];
}

interface Scratch {
  epoch: number;
  /** stamp[id] === epoch: the current principal has an Allow for id, at entries[slot[id]]. */
  stamp: Uint32Array;
  slot: Int32Array;
  fullyDenied: Uint32Array;
  boundaryAllowed: Uint32Array;
  boundaryUnconditional: Uint32Array;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Direct paths first, then by group; then inline before managed, by name and ARN. */
function comparePolicies(a: AttachedPolicy, b: AttachedPolicy): number {
  return (
    (a.viaGroup ? 1 : 0) - (b.viaGroup ? 1 : 0) ||
    compareStrings(a.viaGroup?.name ?? '', b.viaGroup?.name ?? '') ||
    compareStrings(a.viaGroup?.arn ?? '', b.viaGroup?.arn ?? '') ||
    compareStrings(a.policy.type, b.policy.type) ||
    compareStrings(a.policy.name, b.policy.name) ||
    compareStrings(a.policy.arn ?? '', b.policy.arn ?? '')
  );
}

function comparePartialDenies(a: PartialDeny, b: PartialDeny): number {
  return (
    compareStrings(a.policy.type, b.policy.type) ||
    compareStrings(a.policy.name, b.policy.name) ||
    compareStrings(a.policy.arn ?? '', b.policy.arn ?? '') ||
    a.statementIndex - b.statementIndex ||
    compareStrings(a.resources.join('\n'), b.resources.join('\n')) ||
    Number(a.isConditional) - Number(b.isConditional)
  );
}

const preparedCache = new WeakMap<CatalogueIndex, WeakMap<AttachedPolicy, PreparedPolicy>>();
const scratchCache = new WeakMap<CatalogueIndex, Scratch>();

function prepare(
  policy: PolicyRef,
  compiled: CompiledPolicy,
  viaGroup: AttachedPolicy['viaGroup'],
): PreparedPolicy {
  const allows = compiled.allows.map((grant): PathRef => {
    const statement: GrantPath['statement'] =
      grant.sid === undefined ? { index: grant.statementIndex } : { index: grant.statementIndex, sid: grant.sid };
    const path: GrantPath = viaGroup
      ? { viaGroup, policy, statement, matchedBy: grant.matchedBy }
      : { policy, statement, matchedBy: grant.matchedBy };
    return { path, grant };
  });
  const partialDenies = compiled.denies.map(
    (deny): PartialDeny => ({
      policy,
      statementIndex: deny.statementIndex,
      resources: deny.resources,
      isConditional: deny.isConditional,
    }),
  );
  return { compiled, allows, partialDenies };
}

/** Prepared once per attachment object: the parser shares one object per managed policy and group. */
function preparedFor(attached: AttachedPolicy, index: CatalogueIndex): PreparedPolicy {
  let perIndex = preparedCache.get(index);
  if (!perIndex) {
    perIndex = new WeakMap();
    preparedCache.set(index, perIndex);
  }
  let prepared = perIndex.get(attached);
  if (!prepared) {
    prepared = prepare(attached.policy, compilePolicy(attached.document, index), attached.viaGroup);
    perIndex.set(attached, prepared);
  }
  return prepared;
}

function scratchFor(index: CatalogueIndex): Scratch {
  let scratch = scratchCache.get(index);
  const size = index.actions.length;
  if (!scratch || scratch.epoch >= 0xfffffffe) {
    scratch = {
      epoch: 0,
      stamp: new Uint32Array(size),
      slot: new Int32Array(size),
      fullyDenied: new Uint32Array(size),
      boundaryAllowed: new Uint32Array(size),
      boundaryUnconditional: new Uint32Array(size),
    };
    scratchCache.set(index, scratch);
  }
  scratch.epoch++;
  return scratch;
}

function policyLabel(policy: PolicyRef, principal: Principal, viaGroup: AttachedPolicy['viaGroup'], role: string): string {
  if (policy.type === 'managed') return `${role} ${policy.name} (${policy.arn ?? 'no ARN'})`;
  if (viaGroup) return `inline policy ${policy.name} of group ${viaGroup.name}`;
  return `inline policy ${policy.name} of ${principal.kind} ${principal.name}`;
}

function collectWarnings(
  compiled: CompiledPolicy,
  policy: PolicyRef,
  principal: Principal,
  viaGroup: AttachedPolicy['viaGroup'],
  role: string,
  out: ResolveWarning[],
  seen: Set<string>,
): void {
  if (compiled.problems.length === 0) return;
  const label = policyLabel(policy, principal, viaGroup, role);
  // Managed and group policies are shared, so their warnings name the policy, not this principal:
  // resolveAccount then reports each once.
  const isOwn = policy.type === 'inline' && !viaGroup;
  for (const problem of compiled.problems) {
    const warning: ResolveWarning = {
      code: problem.code,
      message: `${label}: ${problem.message}`,
      account: principal.account,
      policy: policy.arn ?? policy.name,
    };
    if (isOwn) warning.principal = principal.arn;
    const key = `${warning.code}\n${warning.principal ?? ''}\n${warning.policy ?? ''}\n${warning.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(warning);
  }
}

function mergeResources(refs: readonly PathRef[]): string[] {
  const first = refs[0]?.grant.resources ?? ['*'];
  if (refs.every((r) => r.grant.resources === first)) return first;
  const all = new Set<string>();
  for (const r of refs) for (const resource of r.grant.resources) all.add(resource);
  return [...all].sort(compareStrings);
}

function mergePartialDenies(denies: readonly PartialDeny[] | undefined): PartialDeny[] {
  if (!denies) return [];
  if (denies.length === 1) return [...denies];
  const byKey = new Map<string, PartialDeny>();
  for (const d of denies) {
    const key = `${d.policy.type}\n${d.policy.name}\n${d.policy.arn ?? ''}\n${d.statementIndex}\n${d.resources.join('\n')}\n${d.isConditional}`;
    if (!byKey.has(key)) byKey.set(key, d);
  }
  return [...byKey.values()].sort(comparePartialDenies);
}

/**
 * Effective entitlements of one principal, sorted by action. Arrays inside the result (resources,
 * grant paths, policy refs) may be shared between entitlements and principals: treat them as
 * read-only.
 */
export function resolvePrincipal(principal: Principal, catalogue: ActionCatalogue): ResolvedPrincipal {
  const index = catalogueIndex(catalogue);
  const scratch = scratchFor(index);
  const { epoch, stamp, slot, fullyDenied, boundaryAllowed, boundaryUnconditional } = scratch;
  const warnings: ResolveWarning[] = [];
  const seenWarnings = new Set<string>();

  const attached = [...principal.policies].sort(comparePolicies);
  const prepared = attached.map((a) => preparedFor(a, index));

  // Allows: one entry per action, its paths appended in policy → statement → pattern order,
  // which is already the sorted order of `grantedBy`.
  const entryIds: number[] = [];
  const entryRefs: PathRef[][] = [];
  attached.forEach((a, k) => {
    const p = prepared[k];
    if (!p) return;
    collectWarnings(p.compiled, a.policy, principal, a.viaGroup, 'managed policy', warnings, seenWarnings);
    for (const ref of p.allows) {
      for (const id of ref.grant.ids) {
        if (stamp[id] !== epoch) {
          stamp[id] = epoch;
          slot[id] = entryIds.length;
          entryIds.push(id);
          entryRefs.push([ref]);
        } else {
          entryRefs[slot[id] ?? -1]?.push(ref);
        }
      }
    }
  });

  const boundary = principal.boundary;
  const boundaryPrepared = boundary
    ? prepare(boundary.policy, compilePolicy(boundary.document, index), undefined)
    : undefined;
  if (boundary && boundaryPrepared) {
    collectWarnings(boundaryPrepared.compiled, boundary.policy, principal, undefined, 'permissions boundary', warnings, seenWarnings);
    for (const grant of boundaryPrepared.compiled.allows) {
      for (const id of grant.ids) {
        if (stamp[id] !== epoch) continue;
        boundaryAllowed[id] = epoch;
        if (!grant.isConditional) boundaryUnconditional[id] = epoch;
      }
    }
  }

  // Denies from every identity policy and the boundary.
  const partial: (PartialDeny[] | undefined)[] = [];
  const applyDenies = (p: PreparedPolicy): void => {
    p.compiled.denies.forEach((deny, d) => {
      const entry = p.partialDenies[d];
      for (const id of deny.ids) {
        if (stamp[id] !== epoch) continue;
        if (deny.isFull) fullyDenied[id] = epoch;
        else if (entry) {
          const s = slot[id] ?? -1;
          const list = partial[s];
          if (list) list.push(entry);
          else partial[s] = [entry];
        }
      }
    });
  };
  for (const p of prepared) applyDenies(p);
  if (boundaryPrepared) applyDenies(boundaryPrepared);

  const kept: number[] = [];
  for (const id of entryIds) {
    if (fullyDenied[id] === epoch) continue;
    if (boundary && boundaryAllowed[id] !== epoch) continue;
    kept.push(id);
  }
  const sortedIds = Int32Array.from(kept).sort();

  const entitlements: Entitlement[] = new Array<Entitlement>(sortedIds.length);
  let n = 0;
  for (const id of sortedIds) {
    const s = slot[id] ?? -1;
    const refs = entryRefs[s];
    const action = index.actions[id];
    if (!refs || !action) continue;
    let isDirect = false;
    let isEveryPathConditional = true;
    for (const r of refs) {
      if (!r.path.viaGroup) isDirect = true;
      if (!r.grant.isConditional) isEveryPathConditional = false;
    }
    // A boundary that allows the action only under a Condition makes the effective grant conditional.
    const isBoundaryConditional = boundary !== undefined && boundaryUnconditional[id] !== epoch;
    entitlements[n++] = {
      action: action.action,
      service: action.service,
      accessLevel: action.accessLevel,
      provenance: isDirect ? 'direct' : 'inherited',
      grantedBy: refs.map((r) => r.path),
      isConditional: isEveryPathConditional || isBoundaryConditional,
      resources: mergeResources(refs),
      partialDenies: mergePartialDenies(partial[s]),
    };
  }
  entitlements.length = n;
  return { entitlements, warnings };
}

/** Every principal of an account inventory, sorted by ARN; warnings de-duplicated across principals. */
export function resolveAccount(inventory: AwsAccountInventory, catalogue: ActionCatalogue): ResolvedAccount {
  const principals = [...inventory.principals].sort((a, b) => compareStrings(a.arn, b.arn));
  const seen = new Set<string>();
  const warnings: ResolveWarning[] = [];
  const resolved = principals.map((principal): PrincipalEntitlements => {
    const result = resolvePrincipal(principal, catalogue);
    for (const w of result.warnings) {
      const key = `${w.code}\n${w.principal ?? ''}\n${w.policy ?? ''}\n${w.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      warnings.push(w);
    }
    return { principal, entitlements: result.entitlements };
  });
  return { principals: resolved, warnings };
}
