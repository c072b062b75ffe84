/**
 * A dense index over the action catalogue: every action gets an integer id in sorted order of its
 * canonical name, so sets of actions are typed arrays and "sorted by action" is a numeric sort.
 * Pattern expansion is memoised here: a large account repeats the same few hundred patterns
 * (`s3:*`, `ec2:Describe*`, `*`) across thousands of policies.
 */

import type { ActionCatalogue, CatalogueAction } from '../../model/aws/catalogue.js';
import { compareText as compareStrings } from '../../model/compare-text.js';

export interface PatternProblem {
  code: 'unknown-action' | 'unknown-service';
  message: string;
}

interface Expansion {
  /** Ids of the matching catalogue actions, ascending. */
  ids: Int32Array;
  problem?: PatternProblem;
}

export interface CatalogueIndex {
  readonly catalogue: ActionCatalogue;
  /** Catalogue actions by id. */
  readonly actions: readonly CatalogueAction[];
  readonly allIds: Int32Array;
  expand(pattern: string): Expansion;
  /** Every id not in `excluded` (both ascending). */
  complement(excluded: Int32Array): Int32Array;
}

/** IAM action wildcards: `*` any run of characters, `?` one character; matching is case-insensitive. */
function globToRegExp(lowerGlob: string): RegExp {
  let source = '^';
  for (const ch of lowerGlob) {
    if (ch === '*') source += '.*';
    else if (ch === '?') source += '.';
    else source += ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  return new RegExp(`${source}$`, 's');
}

function hasWildcard(text: string): boolean {
  return text.includes('*') || text.includes('?');
}

function buildIndex(catalogue: ActionCatalogue): CatalogueIndex {
  const actions: CatalogueAction[] = [];
  for (const service of catalogue.services()) actions.push(...catalogue.actionsOf(service));
  actions.sort((a, b) => compareStrings(a.action, b.action));
  const lowerNames = actions.map((a) => a.action.toLowerCase());
  const idByLower = new Map<string, number>();
  lowerNames.forEach((name, id) => idByLower.set(name, id));
  const idsByService = new Map<string, number[]>();
  actions.forEach((a, id) => {
    const key = a.service.toLowerCase();
    const list = idsByService.get(key);
    if (list) list.push(id);
    else idsByService.set(key, [id]);
  });
  const allIds = Int32Array.from(actions.keys());
  const memo = new Map<string, Expansion>();

  const expandUncached = (pattern: string): Expansion => {
    const lower = pattern.trim().toLowerCase();
    if (lower === '*') return { ids: allIds };
    const colon = lower.indexOf(':');
    if (colon < 0) {
      return {
        ids: new Int32Array(0),
        problem: { code: 'unknown-action', message: `action "${pattern}" is not of the form service:action` },
      };
    }
    const service = lower.slice(0, colon);
    const name = lower.slice(colon + 1);
    if (hasWildcard(service)) {
      const re = globToRegExp(lower);
      const ids = Int32Array.from(allIds.filter((id) => re.test(lowerNames[id] ?? '')));
      return ids.length > 0 ? { ids } : { ids, problem: { code: 'unknown-action', message: `action pattern "${pattern}" matches no action in the catalogue` } };
    }
    const serviceIds = idsByService.get(service);
    if (!serviceIds) {
      return {
        ids: new Int32Array(0),
        problem: {
          code: 'unknown-service',
          message: `service prefix "${service}" in "${pattern}" is not in the action catalogue (${catalogue.source}): a typo, or a service newer than the catalogue`,
        },
      };
    }
    if (!hasWildcard(name)) {
      const id = idByLower.get(lower);
      return id === undefined
        ? {
            ids: new Int32Array(0),
            problem: {
              code: 'unknown-action',
              message: `action "${pattern}" is not in the action catalogue (${catalogue.source}): a typo or a retired action`,
            },
          }
        : { ids: Int32Array.of(id) };
    }
    const re = globToRegExp(lower);
    const ids = Int32Array.from(serviceIds.filter((id) => re.test(lowerNames[id] ?? '')));
    return ids.length > 0
      ? { ids }
      : {
          ids,
          problem: { code: 'unknown-action', message: `action pattern "${pattern}" matches no ${service} action in the catalogue` },
        };
  };

  return {
    catalogue,
    actions,
    allIds,
    expand(pattern) {
      let hit = memo.get(pattern);
      if (!hit) {
        hit = expandUncached(pattern);
        memo.set(pattern, hit);
      }
      return hit;
    },
    complement(excluded) {
      const isExcluded = new Uint8Array(actions.length);
      for (const id of excluded) isExcluded[id] = 1;
      return allIds.filter((id) => isExcluded[id] === 0);
    },
  };
}

const indexes = new WeakMap<ActionCatalogue, CatalogueIndex>();

/** One index per catalogue object, built on first use. */
export function catalogueIndex(catalogue: ActionCatalogue): CatalogueIndex {
  let index = indexes.get(catalogue);
  if (!index) {
    index = buildIndex(catalogue);
    indexes.set(catalogue, index);
  }
  return index;
}

/** Ascending union of ascending id lists. */
export function unionIds(lists: readonly Int32Array[], size: number): Int32Array {
  if (lists.length === 1 && lists[0] !== undefined) return lists[0];
  const seen = new Uint8Array(size);
  let count = 0;
  for (const list of lists) {
    for (const id of list) {
      if (seen[id] === 0) {
        seen[id] = 1;
        count++;
      }
    }
  }
  const out = new Int32Array(count);
  let k = 0;
  for (let id = 0; id < size; id++) if (seen[id] === 1) out[k++] = id;
  return out;
}
