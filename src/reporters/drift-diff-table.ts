/** `permdrift diff` on the terminal: one block per principal, one line per change. */

import type { ChalkInstance } from 'chalk';
import { durationAdjective, spanMs } from '../model/duration-text.js';
import type { DiffAction, DiffException, DiffFinding, DiffSide, PrincipalDiff, ReportDiff } from '../model/drift.js';
import { type DriftRenderOptions, isoDay, isoMinute, listSome, makeChalk, padRight, plural } from './drift-text.js';
import { visibleStrings } from './visible-text.js';

const LABEL_WIDTH = 18;

function describeSide(label: string, side: DiffSide): string {
  const source = side.source !== undefined ? `${side.source} · ` : '';
  return `${padRight(label, 5)}${source}as of ${isoMinute(side.asOf)} · ${durationAdjective(spanMs(side.window))} window · ${plural(side.findings, 'finding')}`;
}

function findingText(f: DiffFinding): string {
  const subject = f.service !== undefined ? ` ${f.service}` : '';
  const actions = f.actions.length > 0 ? ` · ${listSome(f.actions)}` : '';
  return `${f.severity} ${f.type}${subject}${actions} · ${f.id}`;
}

function actionText(a: DiffAction): string {
  const where = `${a.severity} ${a.type} ${a.findingId}`;
  return `${a.action} · ${where} · ${a.lastUsed === null ? 'never used' : `last used ${isoDay(a.lastUsed.date)}`}`;
}

function exceptionText(e: DiffException): string {
  const until = e.expires !== undefined ? ` · until ${e.expires}` : '';
  const ticket = e.ticket !== undefined ? ` · ${e.ticket}` : '';
  const lapse = e.lapse !== undefined ? ` · ${e.lapse}` : '';
  const subject = e.finding.service !== undefined ? ` ${e.finding.service}` : '';
  return `${e.finding.severity} ${e.finding.type}${subject} · "${e.reason}" (${e.owner})${until}${ticket}${lapse}`;
}

function section(chalk: ChalkInstance, marker: '+' | '-' | '~' | '=', label: string, lines: string[]): string[] {
  const paint = marker === '+' ? chalk.red : marker === '-' ? chalk.green : chalk.yellow;
  return lines.map((line, i) => `  ${paint(marker)} ${padRight(i === 0 ? label : '', LABEL_WIDTH)}${line}`);
}

function principalBlock(d: PrincipalDiff, chalk: ChalkInstance): string[] {
  const head = `${chalk.bold(d.principal.name)} · ${d.principal.kind} · ${d.account} · ${d.principal.id}`;
  return [
    head,
    ...section(chalk, '+', 'granted', d.granted.map(actionText)),
    ...section(chalk, '+', 'held, now unused', d.heldBefore.map(actionText)),
    ...section(chalk, '+', 'became unused', d.becameUnused.map(findingText)),
    ...section(chalk, '+', 'newly flagged', d.newlyFlagged.map(findingText)),
    ...section(chalk, '+', 'exception lapsed', d.exceptionLapsed.map(exceptionText)),
    ...section(
      chalk,
      '-',
      'cleared',
      d.cleared.map((a) => `${a.action} · was in ${a.severity} ${a.type} ${a.findingId}`),
    ),
    ...section(
      chalk,
      '-',
      'resolved',
      d.resolved.map((f) => `${findingText(f)} · revoked or now used`),
    ),
    ...section(chalk, '=', 'excepted', d.excepted.map(exceptionText)),
    ...section(
      chalk,
      '~',
      'regrouped',
      d.regrouped.map((f) => `${findingText(f)} · still flagged in another finding`),
    ),
    ...section(
      chalk,
      '~',
      'severity',
      d.severityChanged.map((c) => {
        const subject = c.finding.service !== undefined ? ` ${c.finding.service}` : '';
        return `${c.finding.type}${subject} · ${c.from} → ${c.to} (${c.direction}) · ${c.finding.id}`;
      }),
    ),
  ];
}

export function renderDiffTable(input: ReportDiff, opts: DriftRenderOptions): string {
  const diff = visibleStrings(input);
  const chalk = makeChalk(opts.isColor);
  const s = diff.summary;
  const lines: string[] = [
    chalk.bold(`permdrift diff · ${isoDay(diff.old.asOf)} → ${isoDay(diff.new.asOf)}`),
    describeSide('Old', diff.old),
    describeSide('New', diff.new),
    '',
    `More     ${s.granted} granted · ${s.heldBefore} held and now unused · ${s.becameUnused} became unused · ${s.newlyFlagged} newly flagged · ${s.exceptionLapsed} exception(s) lapsed`,
    `Less     ${s.resolved} resolved · ${s.cleared} cleared · ${s.excepted} excepted`,
    `Other    ${plural(s.severityChanged, 'severity change')} · ${s.regrouped} regrouped · ${s.unchanged} unchanged · ${plural(s.principalsChanged, 'principal')} changed`,
  ];
  for (const note of diff.notes) lines.push(chalk.yellow(`Note     ${note}`));
  if (diff.principals.length === 0) {
    lines.push('', 'No change: the same findings, severities and exceptions in both reports.');
  }
  for (const d of diff.principals) lines.push('', ...principalBlock(d, chalk));
  lines.push(
    '',
    'granted: an action flagged now and not before, unused since the old window began',
    'held, now unused: flagged now and not before, but used in the old window',
    'cleared: flagged before and not now (revoked or now used)',
  );
  return `${lines.join('\n')}\n`;
}
