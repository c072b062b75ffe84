/**
 * A compiled policy as it reaches principals through one attachment (direct, one group, or a
 * permissions boundary): its Allow statements as grant-path refs and its Deny statements as
 * partial-deny refs, prepared once per attachment object and catalogue index, so every principal
 * that holds the policy the same way shares them.
 */

import type { GrantPath, ResolveWarning } from '../../model/aws/entitlement.js';
import type { AttachedPolicy, PolicyDocument, PolicyRef, Principal } from '../../model/aws/inventory.js';
import type { CatalogueIndex } from './policy-catalogue-index.js';
import { type CompiledPolicy, compilePolicy } from './policy-compile.js';
import { type DenyRef, frozen, type PathRef } from './resolve-interning.js';

/** A compiled policy as it reaches principals through one attachment (direct, or one group). */
export interface PreparedPolicy {
  policy: PolicyRef;
  compiled: CompiledPolicy;
  /** Warnings of a group's inline policy do not depend on the member: built once. */
  sharedWarnings?: { account: string; list: ResolveWarning[] };
  /** Aligned with compiled.allows. */
  allows: PathRef[];
  /** Aligned with compiled.denies. */
  denies: DenyRef[];
}

const preparedCache = new WeakMap<CatalogueIndex, WeakMap<AttachedPolicy, PreparedPolicy>>();
const boundaryCache = new WeakMap<CatalogueIndex, WeakMap<PolicyDocument, PreparedPolicy>>();

function prepare(policy: PolicyRef, compiled: CompiledPolicy, viaGroup: AttachedPolicy['viaGroup']): PreparedPolicy {
  const allows = compiled.allows.map((grant): PathRef => {
    const statement: GrantPath['statement'] = grant.sid === undefined ? { index: grant.statementIndex } : { index: grant.statementIndex, sid: grant.sid };
    const path: GrantPath = viaGroup ? { viaGroup, policy, statement, matchedBy: grant.matchedBy } : { policy, statement, matchedBy: grant.matchedBy };
    return { path, grant };
  });
  const denies = compiled.denies.map((deny): DenyRef => ({
    entry: {
      policy,
      statementIndex: deny.statementIndex,
      resources: frozen(deny.resources),
      isConditional: deny.isConditional,
    },
  }));
  return { policy, compiled, allows, denies };
}

/** Prepared once per attachment object: the parser shares one object per managed policy and group. */
export function preparedFor(attached: AttachedPolicy, index: CatalogueIndex): PreparedPolicy {
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

/** A boundary's denies become partial-deny entries; prepared once per boundary document. */
export function preparedBoundary(boundary: NonNullable<Principal['boundary']>, index: CatalogueIndex): PreparedPolicy {
  let perIndex = boundaryCache.get(index);
  if (!perIndex) {
    perIndex = new WeakMap();
    boundaryCache.set(index, perIndex);
  }
  let prepared = perIndex.get(boundary.document);
  if (!prepared || prepared.policy !== boundary.policy) {
    prepared = prepare(boundary.policy, compilePolicy(boundary.document, index), undefined);
    perIndex.set(boundary.document, prepared);
  }
  return prepared;
}
