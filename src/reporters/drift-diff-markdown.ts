/** `permdrift diff` as Markdown, for a pull-request comment or a ticket. */

import { durationAdjective, spanMs } from '../model/duration-text.js';
import type { DiffException, DiffFinding, DiffSide, PrincipalDiff, ReportDiff } from '../model/drift.js';
import { isoDay, isoMinute, listSome, plural } from './drift-text.js';
import { escapeMarkdown } from './markdown.js';
import { visibleStrings } from './visible-text.js';

/** Backticks inside a code span would end it early. */
function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

/**
 * Names, reasons, owners and notes come from reports and exceptions files: shown as text, never as
 * HTML, a link, emphasis, a table cell or an @mention (see escapeMarkdown).
 */
function escapeText(text: string): string {
  return escapeMarkdown(text);
}

function sideText(side: DiffSide): string {
  const source = side.source !== undefined ? `${code(side.source)}, ` : '';
  return `${source}as of ${isoMinute(side.asOf)}, ${durationAdjective(spanMs(side.window))} window, ${plural(side.findings, 'finding')}`;
}

function findingText(f: DiffFinding): string {
  const subject = f.service !== undefined ? ` ${code(f.service)}` : '';
  const actions = f.actions.length > 0 ? ` (${listSome(f.actions.map(code), 5)})` : '';
  return `**${f.severity}** ${f.type}${subject}${actions} ${code(f.id)}`;
}

function exceptionText(e: DiffException): string {
  const until = e.expires !== undefined ? `, until ${escapeText(e.expires)}` : '';
  const ticket = e.ticket !== undefined ? `, ${escapeText(e.ticket)}` : '';
  const lapse = e.lapse !== undefined ? ` (${escapeText(e.lapse)})` : '';
  return `${findingText(e.finding)}: "${escapeText(e.reason)}", ${escapeText(e.owner)}${until}${ticket}${lapse}`;
}

function items(label: string, lines: string[]): string[] {
  if (lines.length === 0) return [];
  if (lines.length === 1) return [`- **${label}:** ${lines[0] as string}`];
  return [`- **${label}:**`, ...lines.map((l) => `  - ${l}`)];
}

function principalSection(d: PrincipalDiff): string[] {
  return [
    `### ${escapeText(d.principal.name)} (${d.principal.kind}, ${escapeText(d.account)})`,
    '',
    ...items('Granted', d.granted.length > 0 ? [d.granted.map((a) => code(a.action)).join(', ')] : []),
    ...items('Held, now unused', d.heldBefore.length > 0 ? [d.heldBefore.map((a) => code(a.action)).join(', ')] : []),
    ...items('Became unused', d.becameUnused.map(findingText)),
    ...items('Newly flagged', d.newlyFlagged.map(findingText)),
    ...items('Exception lapsed', d.exceptionLapsed.map(exceptionText)),
    ...items('Revoked or now used', d.resolved.map(findingText)),
    ...items('Cleared', d.cleared.length > 0 ? [d.cleared.map((a) => code(a.action)).join(', ')] : []),
    ...items('Excepted', d.excepted.map(exceptionText)),
    ...items('Regrouped (still flagged)', d.regrouped.map(findingText)),
    ...items(
      'Severity changed',
      d.severityChanged.map(
        (c) => `${c.finding.type}${c.finding.service !== undefined ? ` ${code(c.finding.service)}` : ''}: ${c.from} → **${c.to}** ${code(c.finding.id)}`,
      ),
    ),
    '',
  ];
}

export function renderDiffMarkdown(input: ReportDiff): string {
  const diff = visibleStrings(input);
  const s = diff.summary;
  const lines = [
    `## permdrift diff: ${isoDay(diff.old.asOf)} → ${isoDay(diff.new.asOf)}`,
    '',
    `- **Old:** ${sideText(diff.old)}`,
    `- **New:** ${sideText(diff.new)}`,
    '',
    '| change | count |',
    '|---|---:|',
    `| granted (actions) | ${s.granted} |`,
    `| held, now unused (actions) | ${s.heldBefore} |`,
    `| became unused | ${s.becameUnused} |`,
    `| newly flagged | ${s.newlyFlagged} |`,
    `| exception lapsed | ${s.exceptionLapsed} |`,
    `| revoked or now used | ${s.resolved} |`,
    `| cleared (actions) | ${s.cleared} |`,
    `| excepted | ${s.excepted} |`,
    `| severity changed | ${s.severityChanged} |`,
    `| regrouped | ${s.regrouped} |`,
    `| unchanged | ${s.unchanged} |`,
    '',
  ];
  for (const note of diff.notes) lines.push(`> **Note:** ${escapeText(note)}`, '');
  if (diff.principals.length === 0) lines.push('No change: the same findings, severities and exceptions in both reports.', '');
  for (const d of diff.principals) lines.push(...principalSection(d));
  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}
