/**
 * The exceptions file (`permdrift.exceptions.yaml` or `.json`): accepted findings, each with a
 * selector, a required reason and owner, and an optional expiry. Invalid entries are errors that
 * name the line, so a CI gate never runs with an exception silently ignored.
 */

import { readFile } from 'node:fs/promises';
import { isMap, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { ConfigError } from '../model/errors.js';
import { FINDING_TYPES, type FindingType, type VerdictBasis } from '../model/report.js';
import { matchesEveryPrincipal } from './principal-glob.js';
import { BASIS_LIST_HINT, readBasisList } from './verdict-basis.js';

export interface ExceptionEntry {
  /** 1-based position in the file. */
  entry: number;
  line: number;
  principal?: string;
  permission?: string;
  type?: FindingType;
  account?: string;
  reason: string;
  owner: string;
  /** YYYY-MM-DD */
  expires?: string;
  ticket?: string;
  /** The principal glob matches every principal (accepted only with `allowWildcard: true`). */
  isWildcard?: true;
  /** Matches only findings whose unused claims all rest on these bases (engine/compare.ts, restsOnBases). */
  requireBasis?: VerdictBasis[];
}

export interface ExceptionsFile {
  source: string;
  entries: ExceptionEntry[];
}

const KEYS = ['principal', 'permission', 'type', 'account', 'reason', 'owner', 'expires', 'ticket', 'allowWildcard', 'requireBasis'] as const;
const HINT =
  'each entry needs a selector (principal, permission, type and/or account), a reason and an owner; expires is YYYY-MM-DD; allowWildcard: true lets a principal glob match every principal; requireBasis (cited, observed, rule) narrows it to verdicts resting on those bases (see README "Exceptions")';

function isValidDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

export function parseExceptions(text: string, source: string): ExceptionsFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const lineOf = (node: YamlNode | null | undefined): number => (node?.range ? lineCounter.linePos(node.range[0]).line : 1);
  const fail = (line: number, problem: string, hint = HINT): never => {
    throw new ConfigError(`${source}:${line}: ${problem}`, hint, { file: source });
  };
  const firstError = doc.errors[0];
  if (firstError) fail(firstError.linePos?.[0]?.line ?? 1, firstError.message.split('\n')[0] ?? 'invalid YAML/JSON');

  const root = doc.contents;
  let list: YamlNode | null | undefined = root;
  if (isMap(root)) {
    for (const pair of root.items) {
      const key = String((pair.key as { value?: unknown } | null)?.value ?? pair.key);
      if (key !== 'exceptions') fail(lineOf(pair.key as YamlNode), `unknown key "${key}" (expected "exceptions")`);
    }
    list = root.get('exceptions', true) as YamlNode | undefined;
  }
  if (root === null || root === undefined) return { source, entries: [] };
  if (!isSeq(list)) return fail(lineOf(list ?? root), 'expected a list of exceptions (a top-level "exceptions:" list)');

  const entries: ExceptionEntry[] = [];
  list.items.forEach((item, i) => {
    const line = lineOf(item as YamlNode);
    if (!isMap(item)) return fail(line, `exception #${i + 1} is not a mapping`);
    const values = new Map<string, { value: unknown; line: number }>();
    for (const pair of item.items) {
      const keyNode = pair.key as YamlNode & { value?: unknown };
      const key = String(keyNode?.value ?? '');
      if (!(KEYS as readonly string[]).includes(key)) fail(lineOf(keyNode), `exception #${i + 1}: unknown key "${key}" (allowed: ${KEYS.join(', ')})`);
      const valueNode = pair.value as (YamlNode & { value?: unknown }) | null;
      values.set(key, { value: valueNode && 'value' in valueNode ? valueNode.value : valueNode?.toJSON(), line: lineOf(valueNode ?? keyNode) });
    }
    const str = (key: string): string | undefined => {
      const v = values.get(key);
      if (v === undefined || v.value === null || v.value === undefined) return undefined;
      if (typeof v.value !== 'string' && typeof v.value !== 'number') fail(v.line, `exception #${i + 1}: "${key}" must be a string`);
      const s = String(v.value).trim();
      if (s === '') fail(v.line, `exception #${i + 1}: "${key}" is empty`);
      return s;
    };
    const reason = str('reason');
    const owner = str('owner');
    if (!reason) fail(line, `exception #${i + 1} has no reason: say why the finding is accepted`);
    if (!owner) fail(line, `exception #${i + 1} has no owner: name who answers for it`);
    const type = str('type');
    if (type !== undefined && !(FINDING_TYPES as readonly string[]).includes(type)) {
      fail(values.get('type')?.line ?? line, `exception #${i + 1}: unknown finding type "${type}" (one of ${FINDING_TYPES.join(', ')})`);
    }
    const expires = str('expires');
    if (expires !== undefined && !isValidDate(expires))
      fail(values.get('expires')?.line ?? line, `exception #${i + 1}: expires "${expires}" is not a date (YYYY-MM-DD)`);
    const account = str('account');
    if (account !== undefined && !/^\d{12}$/.test(account))
      fail(values.get('account')?.line ?? line, `exception #${i + 1}: account "${account}" is not a 12-digit account id`);
    const principal = str('principal');
    const permission = str('permission');
    if (!principal && !permission && !type && !account) fail(line, `exception #${i + 1} selects nothing: give principal, permission, type or account`);
    const ticket = str('ticket');
    const allow = values.get('allowWildcard');
    if (allow !== undefined && typeof allow.value !== 'boolean')
      fail(allow.line, `exception #${i + 1}: "allowWildcard" must be true or false, not ${JSON.stringify(allow.value)}`);
    const basisValue = values.get('requireBasis');
    let requireBasis: VerdictBasis[] | undefined;
    if (basisValue !== undefined) {
      const v = basisValue.value;
      const isList = Array.isArray(v) && v.every((w) => typeof w === 'string');
      const read = typeof v === 'string' || isList ? readBasisList(v as string | string[]) : undefined;
      if (read === undefined || !read.ok) {
        fail(
          basisValue.line,
          `exception #${i + 1}: "requireBasis" ${read && !read.ok ? read.problem : `must be a basis or a list of them, not ${JSON.stringify(v)}`}`,
          `requireBasis: ${BASIS_LIST_HINT}`,
        );
      } else requireBasis = read.bases;
    }
    const isWildcard = principal !== undefined && matchesEveryPrincipal(principal);
    if (isWildcard && allow?.value !== true) {
      fail(
        values.get('principal')?.line ?? line,
        `exception #${i + 1}: principal ${JSON.stringify(principal)} matches every principal, so it turns the gate off for every finding it selects`,
        'narrow the principal glob, or add allowWildcard: true to the entry if excepting every principal is meant (the report counts such entries)',
      );
    }
    entries.push({
      entry: i + 1,
      line,
      ...(principal ? { principal } : {}),
      ...(permission ? { permission } : {}),
      ...(type ? { type: type as FindingType } : {}),
      ...(account ? { account } : {}),
      reason: reason as string,
      owner: owner as string,
      ...(expires ? { expires } : {}),
      ...(ticket ? { ticket } : {}),
      ...(isWildcard ? { isWildcard: true as const } : {}),
      ...(requireBasis ? { requireBasis } : {}),
    });
  });
  return { source, entries };
}

export async function readExceptionsFile(path: string, displayName = path): Promise<ExceptionsFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new ConfigError(`cannot read exceptions file ${displayName}`, 'check the --exceptions path', { cause, file: path });
  }
  return parseExceptions(text, displayName);
}
