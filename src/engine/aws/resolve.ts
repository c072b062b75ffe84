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
 *
 * This module is the evaluation, in steps: the Allows stamped per action, the boundary, the Denies,
 * then the entitlements. Statement matching and wildcard expansion are policy-compile.ts and
 * policy-catalogue-index.ts; policies as attached, resolve-prepare.ts (their warnings,
 * resolve-warnings.ts); the scratch space, resolve-scratch.ts; the shared values, resolve-interning.ts.
 */

import type { ActionCatalogue } from '../../model/aws/catalogue.js';
import type { Entitlement, PrincipalEntitlements, ResolveWarning } from '../../model/aws/entitlement.js';
import type { AttachedPolicy, AwsAccountInventory, Principal } from '../../model/aws/inventory.js';
import { type CatalogueIndex, catalogueIndex } from './policy-catalogue-index.js';
import { compareText as compareStrings } from '../../model/compare-text.js';
import { type DenyRef, EMPTY_DENIES, internedAt, makePathSet, mergePartialDenies, type PathRef } from './resolve-interning.js';
import { appendPairs, type Scratch, scratchFor } from './resolve-scratch.js';
import { type PreparedPolicy, preparedBoundary, preparedFor } from './resolve-prepare.js';
import { addWarnings, warningsOf } from './resolve-warnings.js';

export interface ResolvedPrincipal {
  entitlements: Entitlement[];
  warnings: ResolveWarning[];
}

export interface ResolvedAccount {
  principals: PrincipalEntitlements[];
  warnings: ResolveWarning[];
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

/**
 * Effective entitlements of one principal, sorted by action. Entitlements and the arrays inside them
 * (resources, grant paths, partial denies) are shared between principals where equal, and frozen.
 */
export function resolvePrincipal(principal: Principal, catalogue: ActionCatalogue): ResolvedPrincipal {
  const index = catalogueIndex(catalogue);
  const scratch = scratchFor(index);
  const warnings: ResolveWarning[] = [];
  const seenWarnings = new Set<ResolveWarning>();

  const allows = stampAllows(principal, index, scratch, warnings, seenWarnings);
  const boundary = principal.boundary;
  const boundaryPrepared = boundary ? preparedBoundary(boundary, index) : undefined;
  if (boundaryPrepared) {
    addWarnings(warningsOf(boundaryPrepared, principal, undefined, 'permissions boundary'), warnings, seenWarnings);
    stampBoundary(boundaryPrepared, scratch);
  }

  // Denies from every identity policy and the boundary.
  const denyRefs: DenyRef[] = [];
  for (const p of allows.prepared) stampDenies(p, scratch, denyRefs);
  if (boundaryPrepared) stampDenies(boundaryPrepared, scratch, denyRefs);

  const entitlements = buildEntitlements(index, scratch, allows.refs, denyRefs, allows.entries, boundary !== undefined);
  return { entitlements, warnings };
}

/**
 * The Allow statements of every identity policy, stamped per action id. Each action's list of
 * paths is appended in policy → statement → pattern order, which is already the sorted order of
 * `grantedBy`. Returns the policies as prepared, the path refs, and how many actions are allowed.
 */
function stampAllows(
  principal: Principal,
  index: CatalogueIndex,
  scratch: Scratch,
  warnings: ResolveWarning[],
  seenWarnings: Set<ResolveWarning>,
): { prepared: PreparedPolicy[]; refs: PathRef[]; entries: number } {
  const attached = [...principal.policies].sort(comparePolicies);
  const prepared: PreparedPolicy[] = [];
  const refs: PathRef[] = [];
  let entries = 0;
  for (const a of attached) {
    const p = preparedFor(a, index);
    prepared.push(p);
    addWarnings(warningsOf(p, principal, a.viaGroup, 'managed policy'), warnings, seenWarnings);
    for (const ref of p.allows) {
      refs.push(ref);
      entries += appendPairs(scratch.allows, ref.grant.ids, refs.length - 1, scratch.stamp, scratch.epoch, scratch.allowedBits);
    }
  }
  return { prepared, refs, entries };
}

/** The boundary's Allow statements, stamped on the allowed actions: allowed by the boundary, and whether without a Condition. */
function stampBoundary(boundary: PreparedPolicy, scratch: Scratch): void {
  const { epoch, stamp, boundaryAllowed, boundaryUnconditional } = scratch;
  for (const grant of boundary.compiled.allows) {
    for (const id of grant.ids) {
      if (stamp[id] !== epoch) continue;
      boundaryAllowed[id] = epoch;
      if (!grant.isConditional) boundaryUnconditional[id] = epoch;
    }
  }
}

/** One policy's Deny statements on the allowed actions: a full Deny removes the action, a partial one is listed with it. */
function stampDenies(p: PreparedPolicy, scratch: Scratch, denyRefs: DenyRef[]): void {
  const { epoch, stamp, denyStamp, fullyDenied } = scratch;
  p.compiled.denies.forEach((deny, d) => {
    const denyRef = p.denies[d];
    if (!denyRef) return;
    if (deny.isFull) {
      for (const id of deny.ids) if (stamp[id] === epoch) fullyDenied[id] = epoch;
      return;
    }
    const allowed = deny.ids.filter((id) => stamp[id] === epoch);
    if (allowed.length === 0) return;
    denyRefs.push(denyRef);
    appendPairs(scratch.denies, allowed, denyRefs.length - 1, denyStamp, epoch, undefined);
  });
}

/**
 * The entitlements of the stamped actions, in id (= action name) order from the bitset: no sort
 * needed. An action fully denied, or outside the boundary, has none; an entitlement that only
 * shared attachments grant, without partial deny or boundary condition, is one object for all.
 */
function buildEntitlements(
  index: CatalogueIndex,
  scratch: Scratch,
  refs: PathRef[],
  denyRefs: DenyRef[],
  entries: number,
  hasBoundary: boolean,
): Entitlement[] {
  const { epoch, stamp, denyStamp, fullyDenied, boundaryAllowed, boundaryUnconditional } = scratch;
  const entitlements: Entitlement[] = new Array<Entitlement>(entries);
  let count = 0;
  const allowHead = scratch.allows.head;
  const allowPos = scratch.allows.pos;
  const denyHead = scratch.denies.head;
  const bits = scratch.allowedBits;
  for (let w = 0; w < bits.length; w++) {
    let word = bits[w] ?? 0;
    while (word !== 0) {
      const low = word & -word;
      word ^= low;
      const id = (w << 5) | (31 - Math.clz32(low));
      if (stamp[id] !== epoch || fullyDenied[id] === epoch) continue;
      if (hasBoundary && boundaryAllowed[id] !== epoch) continue;
      const pathSet = internedAt(scratch.allows, allowHead[id] ?? -1, refs, makePathSet);
      if (!pathSet) continue;
      const partialDenies =
        denyStamp[id] === epoch ? (internedAt(scratch.denies, denyHead[id] ?? -1, denyRefs, mergePartialDenies) ?? EMPTY_DENIES) : EMPTY_DENIES;
      // A boundary that allows the action only under a Condition makes the effective grant conditional.
      const isBoundaryConditional = hasBoundary && boundaryUnconditional[id] !== epoch;
      const isShared = pathSet.isShareable && partialDenies === EMPTY_DENIES && !isBoundaryConditional;
      const isSinglePath = pathSet.grantedBy.length === 1;
      const position = allowPos[id] ?? 0;
      let entitlement: Entitlement | undefined;
      if (isShared) entitlement = isSinglePath ? pathSet.sharedByPosition?.[position] : pathSet.sharedById?.get(id);
      if (!entitlement) {
        const action = index.actions[id];
        if (!action) continue;
        entitlement = {
          action: action.action,
          service: action.service,
          accessLevel: action.accessLevel,
          provenance: pathSet.isDirect ? 'direct' : 'inherited',
          grantedBy: pathSet.grantedBy,
          isConditional: pathSet.isEveryPathConditional || isBoundaryConditional,
          resources: pathSet.resources,
          partialDenies,
        };
        Object.freeze(entitlement);
        if (isShared && isSinglePath) {
          const first = refs[scratch.allows.ref[allowHead[id] ?? 0] ?? -1];
          (pathSet.sharedByPosition ??= new Array<Entitlement | undefined>(first?.grant.ids.length ?? 0))[position] = entitlement;
        } else if (isShared) {
          (pathSet.sharedById ??= new Map()).set(id, entitlement);
        }
      }
      entitlements[count++] = entitlement;
    }
  }
  entitlements.length = count;
  return entitlements;
}

/** Every principal of an account inventory, sorted by ARN; warnings de-duplicated across principals. */
export function resolveAccount(inventory: AwsAccountInventory, catalogue: ActionCatalogue): ResolvedAccount {
  const principals = [...inventory.principals].sort((a, b) => compareStrings(a.arn, b.arn));
  const warnings: ResolveWarning[] = [];
  const seen = new Set<ResolveWarning>();
  const resolved = principals.map((principal): PrincipalEntitlements => {
    const result = resolvePrincipal(principal, catalogue);
    addWarnings(result.warnings, warnings, seen);
    return { principal, entitlements: result.entitlements };
  });
  return { principals: resolved, warnings };
}
