/**
 * The values resolution shares between entitlements and principals: the grant paths and partial
 * denies as refs, the set of paths an action is granted by (with what it derives: direct or
 * inherited, conditional, resources), and the merged partial denies, each built once per
 * distinct list of refs and interned in a trie, then frozen so a consumer cannot corrupt its
 * neighbours. In a large account most actions reach a principal through the same one or two
 * statements, so sharing these saves millions of allocations.
 */

import type { Entitlement, GrantPath } from '../../model/aws/entitlement.js';
import type { CompiledGrant } from './policy-compile.js';
import { compareText as compareStrings } from '../../model/compare-text.js';
import type { PairLists } from './resolve-scratch.js';

export type PartialDeny = Entitlement['partialDenies'][number];

/**
 * Everything an entitlement derives from its list of grant paths. Computed once per distinct list
 * and shared: in a large account most actions of a principal reach it through the same one or two
 * statements, so sharing these arrays saves millions of allocations.
 */
export interface PathSet {
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

export interface PathRef {
  path: GrantPath;
  grant: CompiledGrant;
  /** The PathSet of an action granted by this path alone. */
  single?: PathSet;
  /** PathSets of actions whose first path is this one, keyed by the following paths. */
  multi?: Map<PathRef, TrieNode<PathRef, PathSet>>;
}

export interface DenyRef {
  entry: PartialDeny;
  single?: PartialDeny[];
  multi?: Map<DenyRef, TrieNode<DenyRef, PartialDeny[]>>;
}

export const EMPTY_DENIES: PartialDeny[] = [];
Object.freeze(EMPTY_DENIES);

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
export function frozen<T>(list: T[]): T[] {
  Object.freeze(list);
  return list;
}

export function makePathSet(refs: readonly PathRef[]): PathSet {
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

export function mergePartialDenies(refs: readonly DenyRef[]): PartialDeny[] {
  const byKey = new Map<string, PartialDeny>();
  for (const { entry: d } of refs) {
    const key = `${d.policy.type}\n${d.policy.name}\n${d.policy.arn ?? ''}\n${d.statementIndex}\n${d.resources.join('\n')}\n${d.isConditional}`;
    if (!byKey.has(key)) byKey.set(key, d);
  }
  return frozen([...byKey.values()].sort(comparePartialDenies));
}

/** A ref that interns the values built from the lists starting with it. */
export interface Interning<R, V> {
  single?: V;
  multi?: Map<R, TrieNode<R, V>>;
}

/**
 * The value built from the ref list starting at pair `h`, interned in a trie keyed by the refs
 * after the first, so equal lists share one value: one trie step per ref after the first.
 */
export function internedAt<R extends Interning<R, V>, V>(lists: PairLists, h: number, refs: readonly R[], build: (list: R[]) => V): V | undefined {
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
