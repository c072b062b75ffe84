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

import type { ActionCatalogue } from '../../model/aws/catalogue.js';
import type { Entitlement, GrantPath, PrincipalEntitlements, ResolveWarning } from '../../model/aws/entitlement.js';
import type { AttachedPolicy, AwsAccountInventory, PolicyDocument, PolicyRef, Principal } from '../../model/aws/inventory.js';
import { type CatalogueIndex, catalogueIndex } from './policy-catalogue-index.js';
import { type CompiledGrant, type CompiledPolicy, compilePolicy } from './policy-compile.js';
import { compareText as compareStrings } from '../../model/compare-text.js';

export interface ResolvedPrincipal {
  entitlements: Entitlement[];
  warnings: ResolveWarning[];
}

export interface ResolvedAccount {
  principals: PrincipalEntitlements[];
  warnings: ResolveWarning[];
}

type PartialDeny = Entitlement['partialDenies'][number];

/**
 * Everything an entitlement derives from its list of grant paths. Computed once per distinct list
 * and shared: in a large account most actions of a principal reach it through the same one or two
 * statements, so sharing these arrays saves millions of allocations.
 */
interface PathSet {
  grantedBy: GrantPath[];
  isDirect: boolean;
  isEveryPathConditional: boolean;
  resources: string[];
  /**
   * When every path comes from a shared attachment (a managed policy or a group's policy), the
   * entitlement is the same value for every principal holding the action only that way (no partial
   * deny, no boundary condition): one frozen object serves all.
   */
  isShareable: boolean;
  /** Single-path sets: by the action's position in the path's id list (cheaper than a map lookup). */
  sharedByPosition?: (Entitlement | undefined)[];
  /** Multi-path sets, far fewer entitlements: by action id. */
  sharedById?: Map<number, Entitlement>;
}

interface TrieNode<K, V> {
  value?: V;
  next?: Map<K, TrieNode<K, V>>;
}

interface PathRef {
  path: GrantPath;
  grant: CompiledGrant;
  /** The PathSet of an action granted by this path alone. */
  single?: PathSet;
  /** PathSets of actions whose first path is this one, keyed by the following paths. */
  multi?: Map<PathRef, TrieNode<PathRef, PathSet>>;
}

interface DenyRef {
  entry: PartialDeny;
  single?: PartialDeny[];
  multi?: Map<DenyRef, TrieNode<DenyRef, PartialDeny[]>>;
}

/** A compiled policy as it reaches principals through one attachment (direct, or one group). */
interface PreparedPolicy {
  policy: PolicyRef;
  compiled: CompiledPolicy;
  /** Warnings of a group's inline policy do not depend on the member: built once. */
  sharedWarnings?: { account: string; list: ResolveWarning[] };
  /** Aligned with compiled.allows. */
  allows: PathRef[];
  /** Aligned with compiled.denies. */
  denies: DenyRef[];
}

/** Linked lists of (action id → refs) in typed arrays, reused across principals. */
interface PairLists {
  head: Int32Array;
  /** Position of the id in the id list of the ref that started its list. */
  pos: Int32Array;
  tail: Int32Array;
  ref: Int32Array;
  next: Int32Array;
  count: number;
}

interface Scratch {
  epoch: number;
  /** stamp[id] === epoch: the current principal has an Allow for id. */
  stamp: Uint32Array;
  allows: PairLists;
  /** denyStamp[id] === epoch: the deny lists hold partial denies for id. */
  denyStamp: Uint32Array;
  denies: PairLists;
  fullyDenied: Uint32Array;
  boundaryAllowed: Uint32Array;
  boundaryUnconditional: Uint32Array;
  /** One bit per action id allowed to the current principal, scanned in id (= action) order. */
  allowedBits: Uint32Array;
}

const EMPTY_DENIES: PartialDeny[] = [];
Object.freeze(EMPTY_DENIES);

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

/** Shared between entitlements and principals: frozen so a consumer cannot corrupt its neighbours. */
function frozen<T>(list: T[]): T[] {
  Object.freeze(list);
  return list;
}

const preparedCache = new WeakMap<CatalogueIndex, WeakMap<AttachedPolicy, PreparedPolicy>>();
const scratchCache = new WeakMap<CatalogueIndex, Scratch>();
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

/** A boundary's denies become partial-deny entries; prepared once per boundary document. */
function preparedBoundary(boundary: NonNullable<Principal['boundary']>, index: CatalogueIndex): PreparedPolicy {
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

function pairLists(size: number): PairLists {
  return {
    head: new Int32Array(size),
    pos: new Int32Array(size),
    tail: new Int32Array(size),
    ref: new Int32Array(1024),
    next: new Int32Array(1024),
    count: 0,
  };
}

function ensureCapacity(lists: PairLists, needed: number): void {
  if (needed <= lists.ref.length) return;
  let length = lists.ref.length * 2;
  while (length < needed) length *= 2;
  const ref = new Int32Array(length);
  ref.set(lists.ref);
  const next = new Int32Array(length);
  next.set(lists.next);
  lists.ref = ref;
  lists.next = next;
}

function scratchFor(index: CatalogueIndex): Scratch {
  let scratch = scratchCache.get(index);
  const size = index.actions.length;
  if (!scratch || scratch.epoch >= 0xfffffffe) {
    scratch = {
      epoch: 0,
      stamp: new Uint32Array(size),
      allows: pairLists(size),
      denyStamp: new Uint32Array(size),
      denies: pairLists(size),
      fullyDenied: new Uint32Array(size),
      boundaryAllowed: new Uint32Array(size),
      boundaryUnconditional: new Uint32Array(size),
      allowedBits: new Uint32Array(Math.ceil(size / 32)),
    };
    scratchCache.set(index, scratch);
  }
  scratch.epoch++;
  scratch.allows.count = 0;
  scratch.denies.count = 0;
  scratch.allowedBits.fill(0);
  return scratch;
}

/**
 * Appends ref number `r` to the list of every id in `ids`; an id not yet stamped in this epoch
 * starts a new list. Returns how many lists were started.
 */
function appendPairs(lists: PairLists, ids: Int32Array, r: number, stamp: Uint32Array, epoch: number, bits: Uint32Array | undefined): number {
  ensureCapacity(lists, lists.count + ids.length);
  const { head, pos, tail, ref, next } = lists;
  let count = lists.count;
  let started = 0;
  const n = ids.length;
  for (let j = 0; j < n; j++) {
    const id = ids[j] ?? 0;
    ref[count] = r;
    next[count] = -1;
    if (stamp[id] !== epoch) {
      stamp[id] = epoch;
      head[id] = count;
      pos[id] = j;
      if (bits) bits[id >>> 5] = (bits[id >>> 5] ?? 0) | (1 << (id & 31));
      started++;
    } else {
      next[tail[id] ?? 0] = count;
    }
    tail[id] = count;
    count++;
  }
  lists.count = count;
  return started;
}

function policyLabel(policy: PolicyRef, principal: Principal, viaGroup: AttachedPolicy['viaGroup'], role: string): string {
  if (policy.type === 'managed') return `${role} ${policy.name} (${policy.arn ?? 'no ARN'})`;
  if (viaGroup) return `inline policy ${policy.name} of group ${viaGroup.name}`;
  return `inline policy ${policy.name} of ${principal.kind} ${principal.name}`;
}

const NO_WARNINGS: ResolveWarning[] = [];
Object.freeze(NO_WARNINGS);

/** Managed-policy warnings by compiled document, then by account and label: one object per content. */
const managedWarnings = new WeakMap<CompiledPolicy, Map<string, ResolveWarning[]>>();

function buildWarnings(compiled: CompiledPolicy, policy: PolicyRef, label: string, account: string, principalArn: string | undefined): ResolveWarning[] {
  return compiled.problems.map((problem): ResolveWarning => {
    const warning: ResolveWarning = { code: problem.code, message: `${label}: ${problem.message}`, account, policy: policy.arn ?? policy.name };
    if (principalArn !== undefined) warning.principal = principalArn;
    return warning;
  });
}

/**
 * The warnings of one policy as it reaches a principal. Managed and group policies are shared, so
 * their warnings name the policy, not the principal, and equal warnings are the same object:
 * de-duplication (here and in resolveAccount) is then by identity.
 */
function warningsOf(prepared: PreparedPolicy, principal: Principal, viaGroup: AttachedPolicy['viaGroup'], role: string): ResolveWarning[] {
  const { compiled, policy } = prepared;
  if (compiled.problems.length === 0) return NO_WARNINGS;
  const label = policyLabel(policy, principal, viaGroup, role);
  if (policy.type === 'managed') {
    let byKey = managedWarnings.get(compiled);
    if (!byKey) {
      byKey = new Map();
      managedWarnings.set(compiled, byKey);
    }
    const key = `${principal.account}\n${policy.arn ?? ''}\n${label}`;
    let list = byKey.get(key);
    if (!list) {
      list = buildWarnings(compiled, policy, label, principal.account, undefined);
      byKey.set(key, list);
    }
    return list;
  }
  if (viaGroup) {
    if (prepared.sharedWarnings?.account !== principal.account) {
      prepared.sharedWarnings = { account: principal.account, list: buildWarnings(compiled, policy, label, principal.account, undefined) };
    }
    return prepared.sharedWarnings.list;
  }
  return buildWarnings(compiled, policy, label, principal.account, principal.arn);
}

function addWarnings(list: readonly ResolveWarning[], out: ResolveWarning[], seen: Set<ResolveWarning>): void {
  for (const w of list) {
    if (seen.has(w)) continue;
    seen.add(w);
    out.push(w);
  }
}

function makePathSet(refs: readonly PathRef[]): PathSet {
  let isDirect = false;
  let isEveryPathConditional = true;
  for (const r of refs) {
    if (!r.path.viaGroup) isDirect = true;
    if (!r.grant.isConditional) isEveryPathConditional = false;
  }
  const first = refs[0]?.grant.resources ?? ['*'];
  let resources: string[];
  if (refs.every((r) => r.grant.resources === first)) resources = first;
  else {
    const all = new Set<string>();
    for (const r of refs) for (const resource of r.grant.resources) all.add(resource);
    resources = [...all].sort(compareStrings);
  }
  const pathSet: PathSet = {
    grantedBy: frozen(refs.map((r) => r.path)),
    isDirect,
    isEveryPathConditional,
    resources: frozen(resources),
    isShareable: refs.every((r) => r.path.policy.type === 'managed' || r.path.viaGroup !== undefined),
  };
  return pathSet;
}

function mergePartialDenies(refs: readonly DenyRef[]): PartialDeny[] {
  const byKey = new Map<string, PartialDeny>();
  for (const { entry: d } of refs) {
    const key = `${d.policy.type}\n${d.policy.name}\n${d.policy.arn ?? ''}\n${d.statementIndex}\n${d.resources.join('\n')}\n${d.isConditional}`;
    if (!byKey.has(key)) byKey.set(key, d);
  }
  return frozen([...byKey.values()].sort(comparePartialDenies));
}

/** A ref that interns the values built from the lists starting with it. */
interface Interning<R, V> {
  single?: V;
  multi?: Map<R, TrieNode<R, V>>;
}

/**
 * The value built from the ref list starting at pair `h`, interned in a trie keyed by the refs
 * after the first, so equal lists share one value: one trie step per ref after the first.
 */
function internedAt<R extends Interning<R, V>, V>(lists: PairLists, h: number, refs: readonly R[], build: (list: R[]) => V): V | undefined {
  const { ref, next } = lists;
  const first = refs[ref[h] ?? -1];
  if (!first) return undefined;
  let p = next[h] ?? -1;
  if (p === -1) return (first.single ??= build([first]));
  let map = (first.multi ??= new Map<R, TrieNode<R, V>>());
  let node: TrieNode<R, V> | undefined;
  while (p !== -1) {
    const item = refs[ref[p] ?? -1];
    if (!item) return undefined;
    node = map.get(item);
    if (!node) {
      node = {};
      map.set(item, node);
    }
    p = next[p] ?? -1;
    if (p !== -1) map = node.next ??= new Map<R, TrieNode<R, V>>();
  }
  if (!node) return undefined;
  if (node.value === undefined) {
    const list: R[] = [];
    for (let q = h; q !== -1; q = next[q] ?? -1) {
      const item = refs[ref[q] ?? -1];
      if (item) list.push(item);
    }
    node.value = build(list);
  }
  return node.value;
}

/**
 * Effective entitlements of one principal, sorted by action. Entitlements and the arrays inside them
 * (resources, grant paths, partial denies) are shared between principals where equal, and frozen.
 */
export function resolvePrincipal(principal: Principal, catalogue: ActionCatalogue): ResolvedPrincipal {
  const index = catalogueIndex(catalogue);
  const scratch = scratchFor(index);
  const { epoch, stamp, denyStamp, fullyDenied, boundaryAllowed, boundaryUnconditional } = scratch;
  const warnings: ResolveWarning[] = [];
  const seenWarnings = new Set<ResolveWarning>();

  const attached = [...principal.policies].sort(comparePolicies);
  const prepared: PreparedPolicy[] = [];

  // Allows: each action's list of paths is appended in policy → statement → pattern order, which
  // is already the sorted order of `grantedBy`.
  const refs: PathRef[] = [];
  let entries = 0;
  for (const a of attached) {
    const p = preparedFor(a, index);
    prepared.push(p);
    addWarnings(warningsOf(p, principal, a.viaGroup, 'managed policy'), warnings, seenWarnings);
    for (const ref of p.allows) {
      refs.push(ref);
      entries += appendPairs(scratch.allows, ref.grant.ids, refs.length - 1, stamp, epoch, scratch.allowedBits);
    }
  }

  const boundary = principal.boundary;
  const boundaryPrepared = boundary ? preparedBoundary(boundary, index) : undefined;
  if (boundaryPrepared) {
    addWarnings(warningsOf(boundaryPrepared, principal, undefined, 'permissions boundary'), warnings, seenWarnings);
    for (const grant of boundaryPrepared.compiled.allows) {
      for (const id of grant.ids) {
        if (stamp[id] !== epoch) continue;
        boundaryAllowed[id] = epoch;
        if (!grant.isConditional) boundaryUnconditional[id] = epoch;
      }
    }
  }

  // Denies from every identity policy and the boundary.
  const denyRefs: DenyRef[] = [];
  const applyDenies = (p: PreparedPolicy): void => {
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
  };
  for (const p of prepared) applyDenies(p);
  if (boundaryPrepared) applyDenies(boundaryPrepared);

  const entitlements: Entitlement[] = new Array<Entitlement>(entries);
  let count = 0;
  const hasBoundary = boundary !== undefined;
  const allowHead = scratch.allows.head;
  const allowPos = scratch.allows.pos;
  const denyHead = scratch.denies.head;
  const bits = scratch.allowedBits;
  // Allowed ids in id (= action name) order, from the bitset: no sort needed.
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
  return { entitlements, warnings };
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
