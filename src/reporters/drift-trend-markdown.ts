/** `permdrift trend` as Markdown: the table, then one sparkline per metric. */

import type { ReportTrend } from '../model/drift-trend.js';
import { sparkline } from './drift-sparkline.js';
import { isoDay, plural, signed } from './drift-text.js';
import { TREND_METRICS, withFileNames } from './drift-trend-table.js';
import { fixed } from './text-format.js';
import { escapeMarkdown } from './markdown.js';
import { visibleStrings } from './visible-text.js';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

export function renderTrendMarkdown(input: ReportTrend): string {
  const trend = visibleStrings(withFileNames(input));
  const first = trend.points[0];
  const last = trend.points[trend.points.length - 1];
  const lines = [
    `## permdrift trend: ${plural(trend.reports, 'report')}${first && last ? `, ${isoDay(first.asOf)} → ${isoDay(last.asOf)}` : ''}`,
    '',
    '| as of | report | findings | critical | high | medium | low | info | unused grants | Δ | per principal | resolved | median days to resolve | excepted |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const p of trend.points) {
    const source = p.source !== undefined ? `\`${cell(p.source.replace(/`/g, "'"))}\`` : '';
    lines.push(
      `| ${isoDay(p.asOf)} | ${source} | ${p.findings} | ${p.bySeverity.critical} | ${p.bySeverity.high} | ${p.bySeverity.medium} | ${p.bySeverity.low} | ${p.bySeverity.info} | ` +
        `${p.drift.unusedGrants} | ${p.drift.change === null ? '—' : signed(p.drift.change)} | ${p.drift.meanPerPrincipal.toFixed(2)} | ` +
        `${p.revocation.resolved} | ${fixed(p.revocation.medianDays, 1)} | ${p.exceptions.active} |`,
    );
  }
  lines.push('', '| metric | trend | first → last |', '|---|---|---|');
  for (const m of TREND_METRICS) {
    const values = trend.points.map((p) => m.value(p));
    const present = values.filter((v): v is number => v !== null);
    const ends = present.length === 0 ? 'no value' : `${fixed(present[0] ?? null, m.digits)} → ${fixed(present[present.length - 1] ?? null, m.digits)}`;
    lines.push(`| ${m.label} | \`${sparkline(values)}\` | ${ends} |`);
  }
  const rev = trend.summary.revocation;
  lines.push(
    '',
    `**Revocation speed:** ${rev.medianDays === null ? 'no finding resolved in the series.' : `median ${rev.medianDays.toFixed(1)} days over ${plural(rev.resolved, 'resolved finding')}.`}`,
  );
  for (const note of trend.notes) lines.push('', `> **Note:** ${escapeMarkdown(note)}`);
  return `${lines.join('\n')}\n`;
}
