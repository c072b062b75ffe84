/**
 * Dependent actions: AWS authorizes some calls through further actions, and CloudTrail records only
 * the call. secretsmanager:BatchGetSecretValue needs secretsmanager:GetSecretValue on each secret
 * (and ListSecrets with filters); s3:GetObjectAttributes needs s3:GetObject or s3:GetObjectVersion.
 * Judged on their own, those further actions look unused, and removing them breaks the caller.
 *
 * So a used action credits the actions it depends on: the "dependent actions" the catalogue lists
 * for it (the Service Authorization Reference column: actions that must ALSO be allowed for the
 * action to succeed) plus the cited table data/aws/dependent-actions.json for documented cases the
 * catalogue lacks.
 *
 * The rule, kept simple on purpose:
 * - only a use inside the window credits (an old use proves nothing about the window), and a
 *   credited action credits its own dependencies in turn;
 * - only actions the principal is granted are credited (nothing else could be removed);
 * - the dependency's grant must be able to cover the resources the used action is granted on. Both
 *   are compared as ARN patterns: when they name ARNs of the same service and no resource could
 *   match both (`…:::bucket-a/*` against `…:::bucket-b/*`), the used call cannot have gone through
 *   that grant and nothing is credited. Patterns of different services (a secret and the KMS key
 *   that encrypts it) cannot be compared, NotResource cannot be reasoned about cheaply, and a used
 *   action the principal is not granted (allowed by a resource policy) has no resources to compare:
 *   all of those credit — wrongly keeping a grant is the cheap mistake, wrongly removing one is not.
 *
 * Pure: the table arrives loaded (see `loadDependentActionTable`, which reads it like the other
 * cited tables in data/aws/).
 */

import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { ActionCatalogue } from '../../model/aws/catalogue.js';
import type { Entitlement } from '../../model/aws/entitlement.js';
import type { LastUsed } from '../../model/report.js';

const fileSchema = z.object({
  source: z.string(),
  note: z.string(),
  entries: z.array(
    z.object({
      action: z.string(),
      dependsOn: z.array(z.object({ action: z.string(), when: z.string() })).min(1),
      source: z.array(z.url()).min(1),
      note: z.string().optional(),
    }),
  ),
});

export type DependentActionTable = z.infer<typeof fileSchema>;

let loaded: DependentActionTable | undefined;

/** The cited table, read once (three levels under the repo root from both src/ and dist/). */
export function loadDependentActionTable(): DependentActionTable {
  loaded ??= fileSchema.parse(JSON.parse(readFileSync(new URL('../../../data/aws/dependent-actions.json', import.meta.url), 'utf8')) as unknown);
  return loaded;
}

export interface Dependency {
  /** Canonical `service:Action`. */
  action: string;
  origin: 'catalogue' | 'table';
}

const tableIndexes = new WeakMap<DependentActionTable, Map<string, string[]>>();

function tableIndex(table: DependentActionTable): Map<string, string[]> {
  let index = tableIndexes.get(table);
  if (index) return index;
  index = new Map();
  for (const e of table.entries) {
    const key = e.action.toLowerCase();
    index.set(key, [...(index.get(key) ?? []), ...e.dependsOn.map((d) => d.action)]);
  }
  tableIndexes.set(table, index);
  return index;
}

/**
 * The actions `action` is authorized through: the catalogue's dependent actions, then the table's.
 * Canonical names (only actions the catalogue holds), without duplicates or `action` itself.
 */
export function dependenciesOf(action: string, catalogue: ActionCatalogue, table: DependentActionTable): Dependency[] {
  const key = action.trim().toLowerCase();
  const out = new Map<string, Dependency>();
  const add = (name: string, origin: Dependency['origin']): void => {
    const hit = catalogue.lookup(name);
    const canonical = hit?.action.toLowerCase();
    if (hit && canonical !== key && canonical !== undefined && !out.has(canonical)) out.set(canonical, { action: hit.action, origin });
  };
  for (const d of catalogue.lookup(key)?.dependentActions ?? []) add(d, 'catalogue');
  for (const d of tableIndex(table).get(key) ?? []) add(d, 'table');
  return [...out.values()];
}

/** The literal start of a resource pattern, up to its first wildcard or policy variable. */
function literalHead(pattern: string): string {
  const i = pattern.search(/[*?$]/);
  return i < 0 ? pattern : pattern.slice(0, i);
}

/** `s3` for `arn:aws:s3:::bucket/*`; null when the pattern is not an ARN with a literal service. */
function arnService(pattern: string): string | null {
  const parts = pattern.split(':');
  const service = parts[1] !== undefined && parts[0] === 'arn' ? parts[2] : undefined;
  return service !== undefined && service !== '' && !/[*?$]/.test(service) ? service.toLowerCase() : null;
}

/**
 * Whether some resource could match both patterns. Errs towards yes: a literal head of one that
 * is not a prefix of the other's (or of the other itself, when it has no wildcard) is the only no.
 */
function patternsMayOverlap(a: string, b: string): boolean {
  if (a.startsWith('!') || b.startsWith('!')) return true;
  const sa = arnService(a);
  const sb = arnService(b);
  if (sa !== null && sb !== null && sa !== sb) return true;
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const hx = literalHead(x);
  const hy = literalHead(y);
  const isExactX = hx.length === x.length;
  const isExactY = hy.length === y.length;
  if (isExactX && isExactY) return x === y;
  if (isExactX) return x.startsWith(hy);
  if (isExactY) return y.startsWith(hx);
  return hx.startsWith(hy) || hy.startsWith(hx);
}

export function resourcesMayOverlap(used: readonly string[], dependency: readonly string[]): boolean {
  if (used.length === 0 || dependency.length === 0) return true;
  return used.some((u) => dependency.some((d) => patternsMayOverlap(u, d)));
}

export interface DependencyCredit {
  /** Canonical names of the used (or themselves credited) actions that go through this one, sorted. */
  through: string[];
  /** The latest use of those actions: when this one was last exercised through them. */
  lastUsed: LastUsed | null;
}

export interface CreditInput {
  entitlements: readonly Entitlement[];
  /** Actions with evidence of use (the granted ones are tried anyway); any case. */
  usedActions: Iterable<string>;
  isUsedInWindow: (action: string) => boolean;
  lastUsed: (action: string) => LastUsed | null;
  catalogue: ActionCatalogue;
  table: DependentActionTable;
}

function later(a: LastUsed | null, b: LastUsed | null): LastUsed | null {
  if (!a) return b;
  if (!b) return a;
  if (b.date !== a.date) return b.date > a.date ? b : a;
  return b.source < a.source ? b : a;
}

/**
 * Granted actions used only through the actions that depend on them, keyed by lower-case action.
 * An action used on its own is never in the map: its own use is the better evidence.
 */
export function creditDependencies(input: CreditInput): Map<string, DependencyCredit> {
  const { catalogue, table } = input;
  const granted = new Map(input.entitlements.map((e) => [e.action.toLowerCase(), e]));
  const credits = new Map<string, DependencyCredit>();
  const queue: { action: string; resources: readonly string[]; lastUsed: LastUsed | null }[] = [];
  const seen = new Set<string>();
  for (const a of [...granted.values()].map((e) => e.action).concat([...input.usedActions])) {
    const key = a.toLowerCase();
    if (seen.has(key) || !input.isUsedInWindow(a)) continue;
    seen.add(key);
    const name = granted.get(key)?.action ?? catalogue.lookup(key)?.action ?? a;
    queue.push({ action: name, resources: granted.get(key)?.resources ?? [], lastUsed: input.lastUsed(a) });
  }
  // Roots in a fixed order: the activity's order depends on how log files were read.
  queue.sort((x, y) => (x.action.toLowerCase() < y.action.toLowerCase() ? -1 : x.action.toLowerCase() > y.action.toLowerCase() ? 1 : 0));
  for (let next = queue.shift(); next; next = queue.shift()) {
    for (const dep of dependenciesOf(next.action, catalogue, table)) {
      const key = dep.action.toLowerCase();
      const grant = granted.get(key);
      if (!grant || input.isUsedInWindow(grant.action)) continue;
      if (!resourcesMayOverlap(next.resources, grant.resources)) continue;
      const existing = credits.get(key);
      if (existing) {
        if (!existing.through.includes(next.action)) existing.through = [...existing.through, next.action].sort();
        existing.lastUsed = later(existing.lastUsed, next.lastUsed);
        continue;
      }
      credits.set(key, { through: [next.action], lastUsed: next.lastUsed });
      queue.push({ action: grant.action, resources: grant.resources, lastUsed: next.lastUsed });
    }
  }
  return credits;
}

/** `secretsmanager:GetSecretValue (used through secretsmanager:BatchGetSecretValue)`, for recommendations. */
export function describeCredited(action: string, credit: DependencyCredit | undefined): string {
  return credit ? `${action} (used through ${credit.through.join(', ')})` : action;
}
