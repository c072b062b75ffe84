/**
 * CloudTrail event (eventSource, eventName) → IAM action.
 *
 * CloudTrail names the API operation; IAM authorizes an action. They usually share a name, and
 * where they do not, the gap is data, not code: data/aws/event-map.json is derived from the
 * iam-dataset project's map.json (MIT, regenerate with scripts/update-event-map.mjs) and
 * data/aws/event-map-manual.json holds hand corrections with their AWS documentation.
 *
 * A missed mapping is the expensive direction: usage that is not recognised makes a used
 * permission look unused. So every candidate action an event may exercise is kept
 * (`mapEventToActions`), and the single-action form returns the primary one.
 */

import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { ActionCatalogue } from '../../model/aws/catalogue.js';
import { ownValue } from '../../model/own-keys.js';

const actionTable = z.record(z.string(), z.array(z.string()));

const derivedSchema = z.object({
  source: z.string(),
  eventSources: z.record(z.string(), z.string()),
  actions: actionTable,
});

const verbRuleSchema = z.object({
  source: z.string(),
  exact: actionTable,
  prefixes: actionTable,
});

const manualSchema = z.object({
  source: z.string(),
  eventSources: z.record(z.string(), z.string()),
  actions: actionTable,
  verbRules: z.record(z.string(), verbRuleSchema),
});

type VerbRule = z.infer<typeof verbRuleSchema>;

interface EventMapData {
  /** Event source host (lower case) → IAM service prefix, where they differ. */
  eventSources: Map<string, string>;
  /** `prefix:eventname` (lower case) → candidate actions, primary first. Manual entries. */
  manual: Map<string, readonly string[]>;
  /** Same shape, derived from iam-dataset: consulted only after an exact catalogue match. */
  derived: Map<string, readonly string[]>;
  verbRules: Map<string, VerbRule>;
}

function readJson(name: string): unknown {
  // Three levels under the repo root from both src/engine/aws and dist/engine/aws.
  return JSON.parse(readFileSync(new URL(`../../../data/aws/${name}`, import.meta.url), 'utf8'));
}

function lowerKeys(table: Record<string, string[]>): Map<string, readonly string[]> {
  return new Map(Object.entries(table).map(([k, v]) => [k.toLowerCase(), v]));
}

let data: EventMapData | undefined;

function loadData(): EventMapData {
  if (data) return data;
  const derived = derivedSchema.parse(readJson('event-map.json'));
  const manual = manualSchema.parse(readJson('event-map-manual.json'));
  const eventSources = new Map<string, string>();
  // Manual aliases are applied last so a hand correction beats the derived table.
  for (const [k, v] of [...Object.entries(derived.eventSources), ...Object.entries(manual.eventSources)]) {
    eventSources.set(k.toLowerCase(), v.toLowerCase());
  }
  data = {
    eventSources,
    manual: lowerKeys(manual.actions),
    derived: lowerKeys(derived.actions),
    verbRules: new Map(Object.entries(manual.verbRules).map(([k, v]) => [k.toLowerCase(), v])),
  };
  return data;
}

const SOURCE_SUFFIX = '.amazonaws.com';

/** `ec2.amazonaws.com` → `ec2`, `monitoring.amazonaws.com` → `cloudwatch`. Null for a non-AWS source. */
export function eventSourceToPrefix(eventSource: string): string | null {
  const source = eventSource.trim().toLowerCase();
  const alias = loadData().eventSources.get(source);
  if (alias !== undefined) return alias;
  if (!source.endsWith(SOURCE_SUFFIX)) return null;
  const stem = source.slice(0, -SOURCE_SUFFIX.length);
  return stem.length > 0 ? stem : null;
}

/**
 * API-version suffixes that some services append to eventName: Lambda `CreateFunction20150331`,
 * `UpdateFunctionCode20150331v2`; CloudFront `CreateDistribution2020_05_31`.
 */
const VERSION_SUFFIX = /(?:\d{8}(?:v\d+)?|\d{4}_\d{2}_\d{2})$/;

export function stripVersionSuffix(eventName: string): string {
  const stripped = eventName.replace(VERSION_SUFFIX, '');
  return stripped.length > 0 ? stripped : eventName;
}

function existing(candidates: readonly string[], catalogue: ActionCatalogue): string[] {
  const out: string[] = [];
  for (const c of candidates) {
    const hit = catalogue.lookup(c);
    if (hit && !out.includes(hit.action)) out.push(hit.action);
  }
  return out;
}

function verbActions(rule: VerbRule, prefix: string, name: string, catalogue: ActionCatalogue): string[] {
  // Own keys only: the event name comes from the logs, and `toString` names no operation.
  const exact = ownValue(rule.exact, name);
  if (exact)
    return existing(
      exact.map((v) => `${prefix}:${v}`),
      catalogue,
    );
  // Longest matching operation prefix wins, so `Get` does not shadow a longer rule.
  const match = Object.keys(rule.prefixes)
    .filter((p) => name.startsWith(p) && name.length > p.length && /[A-Z]/.test(name.charAt(p.length)))
    .sort((a, b) => b.length - a.length)[0];
  if (match === undefined) return [];
  return existing(
    (ownValue(rule.prefixes, match) ?? []).map((v) => `${prefix}:${v}`),
    catalogue,
  );
}

function resolve(eventSource: string, eventName: string, catalogue: ActionCatalogue): string[] {
  const prefix = eventSourceToPrefix(eventSource);
  const name = eventName.trim();
  if (prefix === null || name.length === 0) return [];
  const { manual, derived, verbRules } = loadData();
  const stripped = stripVersionSuffix(name);
  const names = stripped === name ? [name] : [name, stripped];
  for (const n of names) {
    const key = `${prefix}:${n}`.toLowerCase();
    const hand = manual.get(key);
    if (hand) {
      const found = existing(hand, catalogue);
      if (found.length > 0) return found;
    }
    // An exact catalogue action beats the derived table: that table is keyed by SDK method
    // names, and a few of its entries predate actions that now carry the API's own name.
    const direct = catalogue.lookup(`${prefix}:${n}`);
    if (direct) return [direct.action];
    const fromDataset = derived.get(key);
    if (fromDataset) {
      const found = existing(fromDataset, catalogue);
      if (found.length > 0) return found;
    }
  }
  const rule = verbRules.get(prefix);
  return rule ? verbActions(rule, prefix, stripped, catalogue) : [];
}

const memo = new WeakMap<ActionCatalogue, Map<string, readonly string[]>>();

/**
 * Every catalogue action the event may exercise, primary first (HeadObject → GetObject,
 * GetObjectVersion). Empty when nothing matches; never throws on unknown input.
 */
export function mapEventToActions(eventSource: string, eventName: string, catalogue: ActionCatalogue): readonly string[] {
  let cache = memo.get(catalogue);
  if (!cache) {
    cache = new Map();
    memo.set(catalogue, cache);
  }
  const key = `${eventSource}\u0000${eventName}`;
  let hit = cache.get(key);
  if (hit === undefined) {
    hit = Object.freeze(resolve(eventSource, eventName, catalogue));
    cache.set(key, hit);
  }
  return hit;
}

/** The canonical catalogue action for a CloudTrail event (`s3:ListAllMyBuckets`), or null. */
export function mapEventToAction(eventSource: string, eventName: string, catalogue: ActionCatalogue): string | null {
  return mapEventToActions(eventSource, eventName, catalogue)[0] ?? null;
}
