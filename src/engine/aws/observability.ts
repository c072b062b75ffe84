/**
 * What CloudTrail can show about an action: whether it is recorded only as a data event (and
 * which selector resource type turns it on), not recorded at all, recorded in us-east-1 whatever
 * the caller's region, or never called on its own (permission-only, judged through the calls
 * that exercise it).
 *
 * The tables live in data/aws/observability.json with the AWS page behind each entry. They lean
 * conservative on purpose: an action wrongly classed as unobservable becomes "unverifiable"
 * (a missed finding); one wrongly classed as observable can become a false "unused", which is
 * the one mistake this tool must not make.
 */

import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { ActionCatalogue } from '../../model/aws/catalogue.js';

const sources = z.array(z.string()).min(1);

const fileSchema = z.object({
  source: z.string(),
  dataEvents: z.array(
    z.object({
      resourceType: z.string(),
      source: sources,
      actions: z.array(z.string()),
      services: z.array(z.string()).optional(),
      note: z.string().optional(),
    }),
  ),
  notLogged: z.array(
    z.object({
      actions: z.array(z.string()).optional(),
      services: z.array(z.string()).optional(),
      reason: z.string(),
      source: sources,
    }),
  ),
  globalServices: z.object({ services: z.array(z.string()), source: sources, note: z.string() }),
  permissionOnly: z.array(z.object({ action: z.string(), exercisedBy: z.array(z.string()), source: sources, note: z.string().optional() })),
});

interface Tables {
  dataEventByAction: Map<string, string>;
  dataEventByService: Map<string, string>;
  notLoggedByAction: Map<string, string>;
  notLoggedByService: Map<string, string>;
  globalServices: Set<string>;
  /** Permission-only action (lower case) → the calls that exercise it, as written in the data. */
  permissionOnly: Map<string, readonly string[]>;
}

let tables: Tables | undefined;

function load(): Tables {
  if (tables) return tables;
  const raw: unknown = JSON.parse(readFileSync(new URL('../../../data/aws/observability.json', import.meta.url), 'utf8'));
  const file = fileSchema.parse(raw);
  const t: Tables = {
    dataEventByAction: new Map(),
    dataEventByService: new Map(),
    notLoggedByAction: new Map(),
    notLoggedByService: new Map(),
    globalServices: new Set(file.globalServices.services.map((s) => s.toLowerCase())),
    permissionOnly: new Map(),
  };
  for (const d of file.dataEvents) {
    for (const a of d.actions) t.dataEventByAction.set(a.toLowerCase(), d.resourceType);
    for (const s of d.services ?? []) t.dataEventByService.set(s.toLowerCase(), d.resourceType);
  }
  for (const n of file.notLogged) {
    const reason = `${n.reason} (${n.source.join(', ')})`;
    for (const a of n.actions ?? []) t.notLoggedByAction.set(a.toLowerCase(), reason);
    for (const s of n.services ?? []) t.notLoggedByService.set(s.toLowerCase(), reason);
  }
  for (const p of file.permissionOnly) t.permissionOnly.set(p.action.toLowerCase(), p.exercisedBy);
  tables = t;
  return t;
}

function serviceOf(action: string): string {
  const colon = action.indexOf(':');
  return colon < 0 ? '' : action.slice(0, colon).toLowerCase();
}

/**
 * The CloudTrail data-event resource type whose selectors must be on for a use of `action` to be
 * recorded (`AWS::S3::Object` for s3:GetObject), or null for actions logged as management events.
 */
export function dataEventResourceType(action: string): string | null {
  const t = load();
  const key = action.trim().toLowerCase();
  return t.dataEventByAction.get(key) ?? t.dataEventByService.get(serviceOf(key)) ?? null;
}

/** Why CloudTrail never records a use of `action` (with the AWS page that says so), or null. */
export function notLoggedReason(action: string): string | null {
  const t = load();
  const key = action.trim().toLowerCase();
  return t.notLoggedByAction.get(key) ?? t.notLoggedByService.get(serviceOf(key)) ?? null;
}

/**
 * True when every call to the service is recorded in us-east-1, so a single-region trail there
 * sees them all. STS is not one: its regional endpoints log in their own region.
 */
export function isGlobalService(service: string): boolean {
  return load().globalServices.has(service.trim().toLowerCase());
}

/** Actions with no API of their own (iam:PassRole): judge them through `callsExercising`. */
export function isPermissionOnly(action: string): boolean {
  return load().permissionOnly.has(action.trim().toLowerCase());
}

const reverseDependencies = new WeakMap<ActionCatalogue, Map<string, string[]>>();

function dependentsIndex(catalogue: ActionCatalogue): Map<string, string[]> {
  let index = reverseDependencies.get(catalogue);
  if (index) return index;
  index = new Map();
  for (const service of catalogue.services()) {
    for (const a of catalogue.actionsOf(service)) {
      for (const dep of a.dependentActions) {
        const key = dep.toLowerCase();
        const list = index.get(key);
        if (list) list.push(a.action);
        else index.set(key, [a.action]);
      }
    }
  }
  reverseDependencies.set(catalogue, index);
  return index;
}

/**
 * Catalogue actions whose calls exercise `action`: those listing it as a dependent action, plus
 * the cited hand table (needed because the catalogue lists few or no dependent actions for
 * role-taking calls). Canonical names, sorted, without `action` itself; only actions the
 * catalogue holds.
 */
export function callsExercising(action: string, catalogue: ActionCatalogue): string[] {
  const key = action.trim().toLowerCase();
  const out = new Set<string>(dependentsIndex(catalogue).get(key) ?? []);
  for (const call of load().permissionOnly.get(key) ?? []) {
    const hit = catalogue.lookup(call);
    if (hit) out.add(hit.action);
  }
  for (const a of out) if (a.toLowerCase() === key) out.delete(a);
  return [...out].sort();
}
