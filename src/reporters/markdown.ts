/**
 * Markdown for a pull-request comment or a job summary: the verdict first, then what to change.
 * With a baseline it leads with the new findings, the ones a CI gate fails on; the rest is counted.
 * GitHub refuses comments over 65,536 characters, so the text stays within MARKDOWN_MAX_CHARS,
 * dropping whole findings from the end and saying how many.
 */

import {
  FINDING_TYPES,
  SEVERITIES,
  type ExceptionEntrySummary,
  type Finding,
  type FindingType,
  type Report,
  type ResolvedFinding,
  type Severity,
  VERDICT_BASES,
} from '../model/report.js';
import { isMoreSevereOrEqual, sortedFindings } from './finding-order.js';
import { distinctGrantPaths } from './grant-path-text.js';
import { isGcpGrantPath } from '../model/report.js';
import { formatCount, isExcepted, isoDay, isoMinute, plural, spanRangeText } from './text-format.js';
import { durationAdjective, partOfText, spanMs } from '../model/duration-text.js';
import { visibleStrings } from './visible-text.js';

/** UTF-16 code units, which is never fewer than characters: the limit holds however it is counted. */
export const MARKDOWN_MAX_CHARS = 65_000;

const MAX_ACTIONS_SHOWN = 10;
const MAX_GRANTS_SHOWN = 3;
const MAX_RESOLVED_SHOWN = 20;
const MAX_EXCEPTIONS_SHOWN = 20;
const MAX_CAVEATS_SHOWN = 15;
/** Free text from files people write (reasons, notes) is cut here so one entry cannot fill the comment. */
const MAX_FREE_TEXT = 400;
/** Recommendations are the point of an item; longer than this they would crowd out the others. */
const MAX_RECOMMENDATION = 2_000;
const DAY_MS = 86_400_000;

const SEVERITY_ICON: Readonly<Record<Severity, string>> = {
  critical: '🔴',
  high: '🟠',
  medium: '🟡',
  low: '🔵',
  info: '⚪',
};

/** Finding types whose permissions are proven unused (the others are not judged, or have none). */
const UNUSED_TYPES: ReadonlySet<FindingType> = new Set(['unused-service', 'overbroad-grant', 'unused-permission']);

// ---------------------------------------------------------------------------------------------
// Escaping. Everything that comes from an inventory, a file or a person goes through one of these.

function squash(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * `@name` after a non-word character notifies a user or team in a GitHub comment (a role named
 * `@team`, an owner `@storage-oncall`). A zero-width space after the `@` (as `&#8203;`, the way
 * Renovate does it) keeps the text readable and the mention inert; a backslash would not, as
 * mentions are found in the rendered text. An `@` inside a word (an email) is no mention and stays.
 */
function escapeMentions(text: string): string {
  return text.replace(/(?<![A-Za-z0-9_])@/g, '@&#8203;');
}

/**
 * Inline prose: HTML is shown as text, and Markdown punctuation cannot open emphasis, links,
 * code, strikethrough or table cells; no @mention fires. Newlines become spaces, so a value never
 * ends a list item.
 */
export function escapeMarkdown(text: string): string {
  return escapeMentions(
    squash(text)
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/[\\`*_[\]|~#!]/g, (c) => `\\${c}`),
  );
}

/**
 * Identifiers (names, ARNs, actions) as code spans: shown verbatim, never a link or an @mention.
 * A backtick inside is fenced with a longer run, as CommonMark allows. Not for table cells (a `|`
 * would still split the cell); tables here hold fixed words and numbers only.
 */
export function codeSpan(text: string): string {
  const value = squash(text);
  const longestRun = Math.max(0, ...(value.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const pad = longestRun > 0 || value.startsWith(' ') ? ' ' : '';
  return `${fence}${pad}${value}${pad}${fence}`;
}

// ---------------------------------------------------------------------------------------------
// Small text helpers, deterministic (UTC only).

function daysBetween(from: string, to: string): number | null {
  const a = Date.parse(from);
  const b = Date.parse(to);
  return Number.isNaN(a) || Number.isNaN(b) ? null : Math.round((b - a) / DAY_MS);
}

function truncatedList(items: readonly string[], max: number, noun: string, separator = ', '): string {
  const shown = items.slice(0, max).join(separator);
  return items.length > max ? `${shown} … and ${plural(items.length - max, `more ${noun}`)}` : shown;
}

// ---------------------------------------------------------------------------------------------
// Sections.

interface Scope {
  hasBaseline: boolean;
  /** The findings described one by one: new ones with a baseline, otherwise all; never excepted ones. */
  listed: Finding[];
}

function scopeOf(report: Report): Scope {
  const hasBaseline = report.baseline !== undefined;
  const listed = sortedFindings(report.findings).filter((f) => !isExcepted(f) && (!hasBaseline || f.baselineStatus === 'new'));
  return { hasBaseline, listed };
}

function headline(report: Report, scope: Scope): string {
  // Matches the default gate (`new` = new, not excepted, low or above): info findings are not judged.
  const judged = scope.listed.filter((f) => isMoreSevereOrEqual(f.severity, 'low'));
  const unusedPermissions = judged.filter((f) => UNUSED_TYPES.has(f.type)).reduce((n, f) => n + f.permissions.length, 0);
  const unused = unusedPermissions > 0 ? ` (${plural(unusedPermissions, 'unused permission')})` : '';
  const notJudged = scope.listed.length - judged.length;
  if (report.summary.principals === 0) return '### ⚠️ permdrift: nothing judged (no principal was audited; see the warnings)';
  if (scope.hasBaseline) {
    const since = ` since the baseline of ${isoDay(report.baseline?.asOf ?? '')}`;
    const extra = notJudged > 0 ? `; ${plural(notJudged, 'new finding')} at info level, not judged` : '';
    return judged.length > 0
      ? `### ❌ permdrift: ${plural(judged.length, 'new finding')}${since}${unused}${extra}`
      : `### ✅ permdrift: no new findings${since}${extra}`;
  }
  if (scope.listed.length === 0) return '### ✅ permdrift: no findings';
  const principals = new Set(scope.listed.map((f) => `${f.account}\u0000${f.principal.id}`)).size;
  return `### ⚠️ permdrift: ${plural(scope.listed.length, 'finding')} across ${plural(principals, 'principal')}${unused}`;
}

function metaLines(report: Report): string[] {
  const { summary } = report;
  const lines = [
    `As of ${isoMinute(report.asOf)} · ${durationAdjective(spanMs(report.window))} window (${spanRangeText(report.window)}) · ${plural(summary.accounts, 'account')} · ${plural(summary.principals, 'principal')} audited · permdrift ${escapeMarkdown(report.tool.version)}`,
  ];
  const { baseline, exceptions } = report;
  if (baseline !== undefined) {
    const c = baseline.counts;
    lines.push(
      `Baseline ${codeSpan(baseline.source)} of ${isoDay(baseline.asOf)}: ${formatCount(c.new)} new · ${formatCount(c.existing)} existing · ${formatCount(c.resolved)} resolved`,
    );
  }
  if (exceptions !== undefined) {
    lines.push(
      `Exceptions ${codeSpan(exceptions.source)}: ${formatCount(exceptions.inForce)} in force (${formatCount(exceptions.expiringSoon)} expiring within 14 days) · ${formatCount(exceptions.expired)} expired · ${formatCount(exceptions.stale)} stale${(exceptions.wildcard ?? 0) > 0 ? ` · ${formatCount(exceptions.wildcard ?? 0)} wildcard (every principal)` : ''}`,
    );
  }
  // Two trailing spaces: a hard line break, so the lines stay apart without a list.
  return [lines.join('  \n')];
}

function summaryTable(report: Report, scope: Scope): string[] {
  if (report.findings.length === 0) return [];
  const types = FINDING_TYPES.filter((t) => report.findings.some((f) => f.type === t));
  const count = (predicate: (f: Finding) => boolean): number => report.findings.filter(predicate).length;
  const cell = (n: number): string => (n === 0 ? '·' : formatCount(n));
  const hasExceptions = report.exceptions !== undefined;
  const head = ['Finding type', ...SEVERITIES, 'Total', ...(scope.hasBaseline ? ['New'] : []), ...(hasExceptions ? ['Excepted'] : [])];
  const rows = types.map((type) => [
    `\`${type}\``,
    ...SEVERITIES.map((s) => cell(count((f) => f.type === type && f.severity === s))),
    cell(count((f) => f.type === type)),
    ...(scope.hasBaseline ? [cell(count((f) => f.type === type && f.baselineStatus === 'new'))] : []),
    ...(hasExceptions ? [cell(count((f) => f.type === type && isExcepted(f)))] : []),
  ]);
  rows.push([
    '**Total**',
    ...SEVERITIES.map((s) => cell(count((f) => f.severity === s))),
    `**${formatCount(report.findings.length)}**`,
    ...(scope.hasBaseline ? [cell(count((f) => f.baselineStatus === 'new'))] : []),
    ...(hasExceptions ? [cell(count(isExcepted))] : []),
  ]);
  const align = head.map((_, i) => (i === 0 ? '---' : '--:'));
  return [[head, align, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n')];
}

function findingItem(finding: Finding, index: number): string {
  const service = finding.service === undefined ? '' : ` · ${codeSpan(finding.service)}`;
  const lines = [
    `**${index}. ${SEVERITY_ICON[finding.severity]} ${finding.severity} · ${finding.type}${service}** · ${finding.principal.kind} ${codeSpan(finding.principal.name)} in ${finding.provider === 'gcp' ? 'GCP project' : 'account'} ${codeSpan(finding.account)}`,
    `- Principal: ${codeSpan(finding.principal.id)}`,
  ];
  if (finding.permissions.length > 0) {
    const actions = finding.permissions.map((p) => codeSpan(p.action));
    const label =
      finding.type === 'unverifiable-permission'
        ? `Not judged, ${[...new Set(finding.permissions.flatMap((p) => (p.unverifiable === undefined ? [] : [p.unverifiable.reason])))].join(', ')}`
        : 'Unused';
    lines.push(`- ${label} (${formatCount(actions.length)}): ${truncatedList(actions, MAX_ACTIONS_SHOWN, 'action')}`);
    const basis = basisLine(finding);
    if (basis !== undefined) lines.push(basis);
    const grants = distinctGrantPaths(finding.permissions).map((path) => {
      if (isGcpGrantPath(path)) {
        const where = `${escapeMarkdown(path.binding.role)} bound on ${escapeMarkdown(path.resource.type)} ${codeSpan(path.resource.id)}`;
        const condition = path.binding.condition ? ` if ${codeSpan(path.binding.condition.expression)}` : '';
        return path.viaGroup === undefined ? `${where}${condition}` : `${where}${condition} via group ${codeSpan(path.viaGroup)}`;
      }
      const statement = `statement ${path.statement.sid === undefined ? path.statement.index : `${path.statement.index} (${codeSpan(path.statement.sid)})`}`;
      const policy = `${path.policy.type} policy ${codeSpan(path.policy.name)}, ${statement}`;
      return path.viaGroup === undefined ? policy : `${policy} via group ${codeSpan(path.viaGroup.name)}`;
    });
    if (grants.length > 0) lines.push(`- Granted by: ${truncatedList(grants, MAX_GRANTS_SHOWN, 'grant path', '; ')}`);
  }
  lines.push(`- Evidence: ${escapeMarkdown(clip(finding.evidence.reason, MAX_FREE_TEXT))}`);
  if (finding.exception?.state === 'expired') {
    lines.push(
      `- Exception #${finding.exception.entry} (owner ${codeSpan(finding.exception.owner)}) expired ${escapeMarkdown(finding.exception.expires ?? '')}: it no longer applies`,
    );
  }
  lines.push(`- Fix: ${escapeMarkdown(clip(finding.recommendation, MAX_RECOMMENDATION))}`);
  return lines.join('\n');
}

/**
 * GCP unused claims: how many rest on each basis of their log type, naming those that rest on the
 * verb rule alone (a guess, worth checking before acting on it). Undefined when none has a basis.
 */
function basisLine(finding: Finding): string | undefined {
  const withBasis = finding.permissions.flatMap((p) => (p.observability === undefined ? [] : [{ action: p.action, basis: p.observability.basis }]));
  if (withBasis.length === 0) return undefined;
  const counts = VERDICT_BASES.filter((b) => withBasis.some((p) => p.basis === b)).map(
    (b) => `${formatCount(withBasis.filter((p) => p.basis === b).length)} ${b}`,
  );
  const rule = withBasis.filter((p) => p.basis === 'rule').map((p) => codeSpan(p.action));
  const named = rule.length > 0 ? ` (the verb rule alone: ${truncatedList(rule, MAX_ACTIONS_SHOWN, 'action')})` : '';
  return `- Log type basis: ${counts.join(', ')}${named}`;
}

function severityCounts(findings: readonly Finding[]): string {
  return SEVERITIES.filter((s) => findings.some((f) => f.severity === s))
    .map((s) => `${formatCount(findings.filter((f) => f.severity === s).length)} ${s}`)
    .join(' · ');
}

function otherFindingsLines(report: Report, scope: Scope): string[] {
  const lines: string[] = [];
  if (scope.hasBaseline) {
    const existing = report.findings.filter((f) => f.baselineStatus !== 'new' && !isExcepted(f));
    if (existing.length > 0) {
      lines.push(`${plural(existing.length, 'existing finding')} already in the baseline and not excepted: ${severityCounts(existing)}.`);
    }
  }
  const excepted = report.findings.filter(isExcepted);
  if (excepted.length > 0) {
    const ofNew = scope.hasBaseline ? excepted.filter((f) => f.baselineStatus === 'new').length : 0;
    const newPart = ofNew > 0 ? ` (${formatCount(ofNew)} of them new)` : '';
    lines.push(`${plural(excepted.length, 'finding')} excepted by an exception in force${newPart}: ${severityCounts(excepted)}.`);
  }
  return lines.length === 0 ? [] : ['#### Other findings', lines.join('  \n')];
}

function resolvedItem(resolved: ResolvedFinding): string {
  const service = resolved.service === undefined ? '' : ` ${codeSpan(resolved.service)}`;
  const actions = resolved.actions.length === 0 ? '' : `: ${truncatedList(resolved.actions.map(codeSpan), 5, 'action')}`;
  const days = daysBetween(resolved.firstSeen, resolved.resolvedAt);
  const age = days === null ? '' : `, resolved after ${plural(days, 'day')}`;
  return `- ${resolved.severity} ${resolved.type}${service} · ${resolved.principal.kind} ${codeSpan(resolved.principal.name)} in ${codeSpan(resolved.account)}${actions} (first seen ${isoDay(resolved.firstSeen)}${age})`;
}

function resolvedLines(report: Report): string[] {
  const resolved = report.baseline?.resolved ?? [];
  if (resolved.length === 0) return [];
  const items = resolved.slice(0, MAX_RESOLVED_SHOWN).map(resolvedItem);
  if (resolved.length > MAX_RESOLVED_SHOWN)
    items.push(`- … and ${plural(resolved.length - MAX_RESOLVED_SHOWN, 'more resolved finding')} (see the JSON report)`);
  return [`#### ✅ Resolved since the baseline (${formatCount(resolved.length)})`, items.join('\n')];
}

function exceptionItem(entry: ExceptionEntrySummary, asOf: string): string {
  const who = `Entry ${entry.entry} (owner ${codeSpan(entry.owner)}${entry.ticket === undefined ? '' : `, ticket ${codeSpan(entry.ticket)}`})`;
  const reason = escapeMarkdown(clip(entry.reason, MAX_FREE_TEXT));
  if (entry.state === 'expired')
    return `- ⌛ ${who} expired ${escapeMarkdown(entry.expires ?? '')}; it no longer excepts ${plural(entry.matches, 'finding')}: ${reason}`;
  if (entry.matches === 0) return `- 💤 ${who} matches no finding (stale): ${reason}`;
  const days = entry.expires === undefined ? null : daysBetween(asOf, `${entry.expires}T23:59:59.999Z`);
  const left = days === null ? '' : ` (${plural(Math.max(0, days), 'day')} left)`;
  return `- ⏳ ${who} expires ${escapeMarkdown(entry.expires ?? '')}${left}, excepting ${plural(entry.matches, 'finding')}: ${reason}`;
}

function exceptionLines(report: Report): string[] {
  const entries = (report.exceptions?.entries ?? []).filter((e) => e.state !== 'active' || e.matches === 0);
  if (entries.length === 0) return [];
  const items = entries.slice(0, MAX_EXCEPTIONS_SHOWN).map((e) => exceptionItem(e, report.asOf));
  if (entries.length > MAX_EXCEPTIONS_SHOWN)
    items.push(`- … and ${plural(entries.length - MAX_EXCEPTIONS_SHOWN, 'more entry', 'more entries')} (see the JSON report)`);
  return [`#### Exceptions to review (${formatCount(entries.length)})`, items.join('\n')];
}

function caveatLines(report: Report): string[] {
  const caveats: string[] = [];
  for (const account of report.coverage) {
    const ct = account.cloudTrail;
    const where = `Account ${codeSpan(account.account)}`;
    if (!ct.isPresent) caveats.push(`${where}: no CloudTrail logs; verdicts rest on Access Advisor and RoleLastUsed only.`);
    else if (!ct.isWindowCovered) {
      caveats.push(
        `${where}: CloudTrail covers only ${partOfText(ct.observed === null ? 0 : spanMs(ct.observed), spanMs(report.window))}${ct.gapsTotal ? ` (${plural(ct.gapsTotal, 'gap')})` : ''}; no use outside that span can be seen.`,
      );
    }
    if (ct.filesFailed > 0) caveats.push(`${where}: ${plural(ct.filesFailed, 'log file')} could not be read.`);
    for (const note of account.notes) caveats.push(`${where}: ${escapeMarkdown(clip(note, MAX_FREE_TEXT))}`);
  }
  for (const project of report.gcpCoverage ?? []) {
    const where = `GCP project ${codeSpan(project.project)}`;
    if (project.auditLogs.filesFailed > 0) caveats.push(`${where}: ${plural(project.auditLogs.filesFailed, 'audit log file')} could not be read.`);
    for (const note of project.notes) caveats.push(`${where}: ${escapeMarkdown(clip(note, MAX_FREE_TEXT))}`);
  }
  if (caveats.length === 0 && report.warnings.length === 0) return [];
  const items = caveats.slice(0, MAX_CAVEATS_SHOWN).map((c) => `- ${c}`);
  if (caveats.length > MAX_CAVEATS_SHOWN) items.push(`- … and ${plural(caveats.length - MAX_CAVEATS_SHOWN, 'more caveat')} (see the JSON report)`);
  if (report.warnings.length > 0) items.push(`- ${plural(report.warnings.length, 'warning')} (unreadable files, unknown actions…) in the JSON report.`);
  return ['#### Coverage caveats', items.join('\n')];
}

// ---------------------------------------------------------------------------------------------

function moreLine(hidden: number): string {
  return `… and ${plural(hidden, 'more finding')} (see the JSON report)`;
}

function join(blocks: readonly string[]): string {
  return `${blocks.filter((b) => b !== '').join('\n\n')}\n`;
}

export function renderMarkdown(input: Report): string {
  // Controls and bidi marks from the inputs shown as escapes: a rendered comment could hide them.
  const report = visibleStrings(input);
  const scope = scopeOf(report);
  const head = [headline(report, scope), ...metaLines(report), ...summaryTable(report, scope)];
  const listTitle = scope.listed.length === 0 ? [] : [`#### ${scope.hasBaseline ? 'New findings' : 'Findings'} (${formatCount(scope.listed.length)})`];
  const items = scope.listed.map((f, i) => findingItem(f, i + 1));
  const tail = [
    ...otherFindingsLines(report, scope),
    ...resolvedLines(report),
    ...exceptionLines(report),
    ...caveatLines(report),
    '<sub>Generated by permdrift. Every grant path, resource and piece of evidence is in the JSON report (`--format json`).</sub>',
  ];

  // Whole items only: keep as many as fit beside the head, the tail and the "… more" line.
  const fixed = join([...head, ...listTitle, moreLine(items.length), ...tail]).length;
  let budget = MARKDOWN_MAX_CHARS - fixed;
  let shown = 0;
  for (const item of items) {
    const cost = item.length + 2; // the blank line between blocks
    if (cost > budget) break;
    budget -= cost;
    shown += 1;
  }
  const hidden = items.length - shown;
  const text = join([...head, ...listTitle, ...items.slice(0, shown), ...(hidden > 0 ? [moreLine(hidden)] : []), ...tail]);
  if (text.length <= MARKDOWN_MAX_CHARS) return text;
  // Only an enormous head or tail (thousands of accounts) gets here: cut at a line end, and say so.
  const notice = '\n\n… output truncated (see the JSON report)\n';
  const cut = text.lastIndexOf('\n', MARKDOWN_MAX_CHARS - notice.length);
  return `${text.slice(0, Math.max(0, cut))}${notice}`;
}
