/**
 * Compiles one policy document into action-id sets: the Allow grants (one per statement and
 * matching pattern, for provenance) and the Denies (full or partial). A document is compiled once
 * per catalogue and cached by identity, so a managed policy shared by thousands of principals is
 * expanded once.
 *
 * Semantics follow the IAM policy evaluation logic
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
 * an explicit Deny overrides any Allow; NotAction matches every action except the listed ones
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html).
 */

import type { PolicyDocument, PolicyStatement } from '../../model/aws/inventory.js';
import { type CatalogueIndex, type PatternProblem, unionIds } from './policy-catalogue-index.js';
import { compareText as compareStrings } from '../../model/compare-text.js';

export interface CompiledGrant {
  statementIndex: number;
  sid: string | undefined;
  /** The pattern that matched (as written), or `NotAction[…]`. */
  matchedBy: string;
  ids: Int32Array;
  isConditional: boolean;
  /** Resource scope, sorted; NotResource entries prefixed with `!`. */
  resources: string[];
}

interface CompiledDeny {
  statementIndex: number;
  ids: Int32Array;
  /**
   * Removes the action outright: every resource (`*`), no Condition, no NotResource. Anything
   * narrower only denies some requests, so the action stays an entitlement with the deny recorded.
   */
  isFull: boolean;
  isConditional: boolean;
  resources: string[];
}

interface StatementProblem {
  code: PatternProblem['code'] | 'unsupported-statement';
  message: string;
}

export interface CompiledPolicy {
  /** Sorted by statement index, then matchedBy. */
  allows: CompiledGrant[];
  denies: CompiledDeny[];
  problems: StatementProblem[];
}

function resourceScope(statement: PolicyStatement): string[] {
  if (statement.notResource) return [...new Set(statement.notResource.map((r) => `!${r}`))].sort(compareStrings);
  // A statement without Resource cannot be saved in an identity policy; read it as unrestricted.
  if (!statement.resource) return ['*'];
  if (statement.resource.length === 1) return [...statement.resource];
  return [...new Set(statement.resource)].sort(compareStrings);
}

function describeStatement(statement: PolicyStatement): string {
  return statement.sid ? `statement ${statement.index} (Sid ${statement.sid})` : `statement ${statement.index}`;
}

function compileStatement(statement: PolicyStatement, index: CatalogueIndex, out: CompiledPolicy): void {
  const hasAction = statement.action !== undefined;
  const hasNotAction = statement.notAction !== undefined;
  if (hasAction === hasNotAction) {
    out.problems.push({
      code: 'unsupported-statement',
      message: `${describeStatement(statement)} has ${hasAction ? 'both Action and NotAction' : 'neither Action nor NotAction'}; ignored`,
    });
    return;
  }
  if (statement.resource && statement.notResource) {
    out.problems.push({
      code: 'unsupported-statement',
      message: `${describeStatement(statement)} has both Resource and NotResource; ignored`,
    });
    return;
  }
  const patterns = statement.action ?? statement.notAction ?? [];
  // A retired service can account for dozens of actions in one AWS managed policy: one warning per
  // service prefix, not per action.
  let unknownServices: Map<string, string[]> | undefined;
  const expansions = patterns.map((pattern) => {
    const expansion = index.expand(pattern);
    if (expansion.problem?.code === 'unknown-service') {
      const service = pattern.trim().toLowerCase().split(':')[0] ?? '';
      unknownServices ??= new Map();
      const list = unknownServices.get(service);
      if (list) list.push(pattern);
      else unknownServices.set(service, [pattern]);
    } else if (expansion.problem) {
      out.problems.push({
        code: expansion.problem.code,
        message: `${describeStatement(statement)}: ${expansion.problem.message}`,
      });
    }
    return { pattern, ids: expansion.ids };
  });
  for (const [service, listed] of unknownServices ?? []) {
    out.problems.push({
      code: 'unknown-service',
      message: `${describeStatement(statement)}: service prefix "${service}" is not in the action catalogue (${index.catalogue.source}), a typo or a retired or newer service; ${listed.length === 1 ? `"${listed[0] ?? ''}"` : `${listed.length} actions (${listed.slice(0, 3).join(', ')}${listed.length > 3 ? ', …' : ''})`} ignored`,
    });
  }
  const isConditional = statement.condition !== undefined;
  const resources = resourceScope(statement);
  const size = index.actions.length;

  if (statement.effect === 'Deny') {
    const listed = unionIds(
      expansions.map((e) => e.ids),
      size,
    );
    const ids = hasNotAction ? index.complement(listed) : listed;
    if (ids.length === 0) return;
    const isFull = !isConditional && !statement.notResource && resources.includes('*');
    out.denies.push({ statementIndex: statement.index, ids, isFull, isConditional, resources });
    return;
  }

  // Explicit object literals (no spread): this runs for every statement of every policy.
  const sid = statement.sid;
  if (hasNotAction) {
    const ids = index.complement(
      unionIds(
        expansions.map((e) => e.ids),
        size,
      ),
    );
    if (ids.length > 0) {
      out.allows.push({ statementIndex: statement.index, sid, matchedBy: `NotAction[${patterns.join(',')}]`, ids, isConditional, resources });
    }
    return;
  }
  // One grant per distinct pattern (case-insensitively), so each path names what matched.
  const byPattern = new Map<string, { pattern: string; lists: Int32Array[] }>();
  for (const e of expansions) {
    if (e.ids.length === 0) continue;
    const key = e.pattern.trim().toLowerCase();
    const entry = byPattern.get(key);
    if (entry) entry.lists.push(e.ids);
    else byPattern.set(key, { pattern: e.pattern.trim(), lists: [e.ids] });
  }
  const grants: CompiledGrant[] = [];
  for (const { pattern, lists } of byPattern.values()) {
    grants.push({ statementIndex: statement.index, sid, matchedBy: pattern, ids: unionIds(lists, size), isConditional, resources });
  }
  grants.sort((a, b) => compareStrings(a.matchedBy, b.matchedBy));
  out.allows.push(...grants);
}

function compile(document: PolicyDocument, index: CatalogueIndex): CompiledPolicy {
  const out: CompiledPolicy = { allows: [], denies: [], problems: [] };
  const statements = [...document.statements].sort((a, b) => a.index - b.index);
  for (const statement of statements) compileStatement(statement, index, out);
  // The same typo twice in one statement is one problem.
  const seen = new Set<string>();
  out.problems = out.problems.filter((p) => {
    const key = `${p.code}\n${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return out;
}

const cache = new WeakMap<CatalogueIndex, WeakMap<PolicyDocument, CompiledPolicy>>();

/** Compiles `document` against the catalogue, once per document object. */
export function compilePolicy(document: PolicyDocument, index: CatalogueIndex): CompiledPolicy {
  let perIndex = cache.get(index);
  if (!perIndex) {
    perIndex = new WeakMap();
    cache.set(index, perIndex);
  }
  let compiled = perIndex.get(document);
  if (!compiled) {
    compiled = compile(document, index);
    perIndex.set(document, compiled);
  }
  return compiled;
}
