/**
 * The per-principal scratch space of resolution, allocated once per catalogue index and reused:
 * epoch stamps per action id (allowed, denied, allowed by the boundary), the linked lists of
 * (action id → refs) in typed arrays, and the bitset of allowed ids that yields them in action
 * order without a sort. A new epoch clears it for the next principal in O(1).
 */

import type { CatalogueIndex } from './policy-catalogue-index.js';

/** Linked lists of (action id → refs) in typed arrays, reused across principals. */
export interface PairLists {
  head: Int32Array;
  /** Position of the id in the id list of the ref that started its list. */
  pos: Int32Array;
  tail: Int32Array;
  ref: Int32Array;
  next: Int32Array;
  count: number;
}

export interface Scratch {
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

const scratchCache = new WeakMap<CatalogueIndex, Scratch>();
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

export function scratchFor(index: CatalogueIndex): Scratch {
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
export function appendPairs(lists: PairLists, ids: Int32Array, r: number, stamp: Uint32Array, epoch: number, bits: Uint32Array | undefined): number {
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
