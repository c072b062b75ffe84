/**
 * The table report's sections after the findings table: the next steps (recommendations, worst
 * first), what could not be judged and why, findings resolved since the baseline, exceptions to
 * review, the warnings, and events no catalogue action matches. Each shows a few and points at
 * the JSON report for the rest.
 */

import type { Finding, Report, Severity, UnverifiableReason } from '../model/report.js';
import { UNVERIFIABLE_REASON_LABELS } from './unverifiable-reasons.js';
import { compareText } from '../model/compare-text.js';
import { formatCount, isoDay, plural } from './text-format.js';
import { hardSplit, paragraph, type Paint } from './table-format.js';
import { severityOrder } from './table-rows.js';
import { DAY_MS } from '../model/time.js';

const MAX_NEXT_STEPS = 5;
const MAX_WARNINGS_SHOWN = 3;
const MAX_DETAILS_PER_REASON = 2;
export function nextStepLines(findings: readonly Finding[], width: number, paint: Paint): string[] {
  // Info findings ("not judged", with the evidence to collect) make the list only when nothing
  // weightier exists: their advice is already grouped in the unverifiable section.
  const hasAboveInfo = findings.some((f) => f.severity !== 'info');
  const ordered = findings
    .map((finding, index) => ({ finding, index }))
    .filter(({ finding }) => !hasAboveInfo || finding.severity !== 'info')
    .sort((a, b) => severityOrder(a.finding.severity, b.finding.severity) || a.index - b.index);
  const seen = new Set<string>();
  const steps: { severity: Severity; text: string }[] = [];
  for (const { finding } of ordered) {
    if (seen.has(finding.recommendation)) continue;
    seen.add(finding.recommendation);
    steps.push({ severity: finding.severity, text: finding.recommendation });
  }
  if (steps.length === 0) return [];
  const shown = steps.slice(0, MAX_NEXT_STEPS);
  const lines = [paint.chalk.bold('Next steps')];
  shown.forEach((step, i) => {
    const label = `${i + 1}. ${step.severity.padEnd(8)} `;
    const body = paragraph(step.text, width, 2 + label.length);
    const first = body[0] ?? '';
    lines.push(`  ${i + 1}. ${paint.severity(step.severity, step.severity.padEnd(8))} ${first.trimStart()}`, ...body.slice(1));
  });
  if (steps.length > shown.length) {
    lines.push(...paragraph(`… ${plural(steps.length - shown.length, 'more recommendation')} in the JSON report.`, width, 2));
  }
  return lines;
}

export function unverifiableLines(findings: readonly Finding[], width: number, paint: Paint): string[] {
  const byReason = new Map<UnverifiableReason, { count: number; details: string[] }>();
  for (const finding of findings) {
    for (const permission of finding.permissions) {
      if (permission.unverifiable === undefined) continue;
      const entry = byReason.get(permission.unverifiable.reason) ?? { count: 0, details: [] };
      entry.count += 1;
      if (!entry.details.includes(permission.unverifiable.detail)) entry.details.push(permission.unverifiable.detail);
      byReason.set(permission.unverifiable.reason, entry);
    }
  }
  if (byReason.size === 0) return [];
  const total = [...byReason.values()].reduce((sum, e) => sum + e.count, 0);
  const lines = [paint.chalk.bold(`Unverifiable: ${plural(total, 'permission')} cannot be judged from the evidence, so none is called unused`)];
  const reasons = [...byReason.entries()].sort((a, b) => b[1].count - a[1].count || compareText(a[0], b[0]));
  for (const [reason, entry] of reasons) {
    lines.push(`  ${paint.chalk.yellow(reason)} (${entry.count}): ${UNVERIFIABLE_REASON_LABELS[reason]}`);
    for (const detail of entry.details.slice(0, MAX_DETAILS_PER_REASON)) lines.push(...paragraph(detail, width, 4));
    const hidden = entry.details.length - MAX_DETAILS_PER_REASON;
    if (hidden > 0) lines.push(`    … ${plural(hidden, 'other detail')}`);
  }
  return lines;
}

/**
 * Text from a hand-written file (exception reasons, owners), made one line. Control characters are
 * already escapes here (renderTable made every string visible); this squashes the whitespace.
 */
function plainText(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}

const MAX_RESOLVED_SHOWN = 5;
const MAX_EXCEPTIONS_SHOWN = 5;

export function resolvedLines(report: Report, width: number, paint: Paint): string[] {
  const resolved = report.baseline?.resolved ?? [];
  if (resolved.length === 0) return [];
  const lines = [paint.chalk.bold(`Resolved since the baseline (${formatCount(resolved.length)})`)];
  for (const r of resolved.slice(0, MAX_RESOLVED_SHOWN)) {
    const service = r.service === undefined ? '' : ` ${r.service}`;
    const days = Math.round((Date.parse(r.resolvedAt) - Date.parse(r.firstSeen)) / DAY_MS);
    const age = Number.isNaN(days) ? '' : `, after ${plural(days, 'day')}`;
    const text = `${r.severity} ${r.type}${service} · ${r.principal.name} (${r.principal.kind} · ${r.account}) · first seen ${isoDay(r.firstSeen)}${age}`;
    lines.push(...paragraph(text, width, 2, 4));
  }
  if (resolved.length > MAX_RESOLVED_SHOWN) lines.push(`  … ${formatCount(resolved.length - MAX_RESOLVED_SHOWN)} more in the JSON report`);
  return lines;
}

/** Entries that need their owner: expiring soon, expired, or matching nothing (stale). */
export function exceptionReviewLines(report: Report, width: number, paint: Paint): string[] {
  const entries = (report.exceptions?.entries ?? []).filter((e) => e.state !== 'active' || e.matches === 0);
  if (entries.length === 0) return [];
  const lines = [paint.chalk.bold(`Exceptions to review (${formatCount(entries.length)})`)];
  for (const entry of entries.slice(0, MAX_EXCEPTIONS_SHOWN)) {
    const state =
      entry.state === 'expired'
        ? `expired ${entry.expires ?? ''}, no longer applies`
        : entry.matches === 0
          ? 'stale: matches no finding'
          : `expires ${entry.expires ?? ''}`;
    const text = `#${entry.entry} ${state} · owner ${plainText(entry.owner)} · ${plural(entry.matches, 'finding')} · ${plainText(entry.reason)}`;
    lines.push(...paragraph(text, width, 2, 4).map((line) => (entry.state === 'expired' ? paint.chalk.yellow(line) : line)));
  }
  if (entries.length > MAX_EXCEPTIONS_SHOWN) lines.push(`  … ${formatCount(entries.length - MAX_EXCEPTIONS_SHOWN)} more in the JSON report`);
  return lines;
}

export function warningLines(report: Report, width: number, paint: Paint): string[] {
  const { warnings } = report;
  if (warnings.length === 0) return [];
  const lines = [paint.chalk.bold.yellow(`Warnings (${warnings.length})`)];
  for (const warning of warnings.slice(0, MAX_WARNINGS_SHOWN)) {
    const account = warning.account === undefined || warning.account === '' ? '' : ` [${warning.account}]`;
    lines.push(...paragraph(`${warning.code}${account}: ${warning.message}`, width, 2, 4));
    // A path on its own line: wrapped inside prose it would break at every hyphen of a region name.
    if (warning.file !== undefined && warning.file !== '') {
      lines.push(...hardSplit(`file ${warning.file}`, width - 4).map((line) => `    ${line}`));
    }
  }
  if (warnings.length > MAX_WARNINGS_SHOWN) {
    lines.push(`  … ${warnings.length - MAX_WARNINGS_SHOWN} more in the JSON report`);
  }
  return lines;
}

export function unmappedLines(report: Report, width: number): string[] {
  const all = report.coverage.flatMap((c) => c.unmappedEvents);
  if (all.length === 0) return [];
  const total = all.reduce((sum, e) => sum + e.count, 0);
  const top = [...all].sort((a, b) => b.count - a.count || compareText(a.eventSource, b.eventSource) || compareText(a.eventName, b.eventName))[0];
  const example = top === undefined ? '' : ` (most often ${top.eventSource} ${top.eventName} ×${formatCount(top.count)})`;
  const text = `Unmapped events: ${plural(total, 'event')} of ${plural(all.length, 'kind')} match no catalogue action${example}; each is listed in the JSON report.`;
  return paragraph(text, width, 0, 2);
}
