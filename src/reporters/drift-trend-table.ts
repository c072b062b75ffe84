/** `permdrift trend` on the terminal: one row per report, then a sparkline per metric. */

import type { ReportTrend, TrendPoint } from '../model/drift-trend.js';
import { sparkline } from './drift-sparkline.js';
import { type DriftRenderOptions, isoDay, makeChalk, padLeft, padRight, plural, signed } from './drift-text.js';
import { fixed } from './text-format.js';
import { visibleStrings } from './visible-text.js';

const SOURCE_WIDTH = 22;

interface Column {
  title: string;
  isLeft?: boolean;
  cell(p: TrendPoint): string;
}

/** Each point's report by its file name only, as both trend renderers show it. */
export function withFileNames(trend: ReportTrend): ReportTrend {
  return {
    ...trend,
    points: trend.points.map((p) => (p.source === undefined ? p : { ...p, source: p.source.split(/[\\/]/).pop() ?? p.source })),
  };
}

function shortSource(base: string | undefined): string {
  if (base === undefined) return '';
  return base.length <= SOURCE_WIDTH ? base : `…${base.slice(base.length - SOURCE_WIDTH + 1)}`;
}

const COLUMNS: Column[] = [
  { title: 'As of', isLeft: true, cell: (p) => isoDay(p.asOf) },
  { title: 'Report', isLeft: true, cell: (p) => shortSource(p.source) },
  { title: 'Findings', cell: (p) => String(p.findings) },
  { title: 'Crit', cell: (p) => String(p.bySeverity.critical) },
  { title: 'High', cell: (p) => String(p.bySeverity.high) },
  { title: 'Med', cell: (p) => String(p.bySeverity.medium) },
  { title: 'Low', cell: (p) => String(p.bySeverity.low) },
  { title: 'Info', cell: (p) => String(p.bySeverity.info) },
  { title: 'Unused', cell: (p) => String(p.drift.unusedGrants) },
  { title: 'Δ', cell: (p) => (p.drift.change === null ? '—' : signed(p.drift.change)) },
  { title: 'Per princ.', cell: (p) => fixed(p.drift.meanPerPrincipal, 2) },
  { title: 'Resolved', cell: (p) => String(p.revocation.resolved) },
  { title: 'Median d', cell: (p) => fixed(p.revocation.medianDays, 1) },
  { title: 'Excepted', cell: (p) => String(p.exceptions.active) },
];

interface Metric {
  label: string;
  value(p: TrendPoint): number | null;
  digits: number;
}

const METRICS: Metric[] = [
  { label: 'unused grants', value: (p) => p.drift.unusedGrants, digits: 0 },
  { label: 'per principal', value: (p) => p.drift.meanPerPrincipal, digits: 2 },
  { label: 'findings', value: (p) => p.findings, digits: 0 },
  { label: 'critical+high', value: (p) => p.bySeverity.critical + p.bySeverity.high, digits: 0 },
  { label: 'resolved', value: (p) => p.revocation.resolved, digits: 0 },
  { label: 'revocation days', value: (p) => p.revocation.medianDays, digits: 1 },
  { label: 'exceptions', value: (p) => p.exceptions.active, digits: 0 },
];

function valueText(v: number | null, digits: number): string {
  return v === null ? '—' : v.toFixed(digits);
}

export function renderTrendTable(input: ReportTrend, opts: DriftRenderOptions): string {
  // The file name is cut from the path before escaping: an escape's backslash is no separator.
  const trend = visibleStrings(withFileNames(input));
  const chalk = makeChalk(opts.isColor);
  const first = trend.points[0];
  const last = trend.points[trend.points.length - 1];
  const span = first && last ? `${isoDay(first.asOf)} → ${isoDay(last.asOf)}` : 'no reports';
  const lines = [chalk.bold(`permdrift trend · ${plural(trend.reports, 'report')} · ${span}`), ''];

  const cells = trend.points.map((p) => COLUMNS.map((c) => c.cell(p)));
  const widths = COLUMNS.map((c, i) => Math.max(c.title.length, ...cells.map((row) => (row[i] ?? '').length)));
  const row = (values: string[]): string =>
    values
      .map((v, i) => ((COLUMNS[i]?.isLeft ?? false) ? padRight(v, widths[i] ?? 0) : padLeft(v, widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  lines.push(chalk.bold(row(COLUMNS.map((c) => c.title))));
  for (const r of cells) lines.push(row(r));

  lines.push('', chalk.bold('Trend'));
  const labelWidth = Math.max(...METRICS.map((m) => m.label.length));
  for (const m of METRICS) {
    const values = trend.points.map((p) => m.value(p));
    const present = values.filter((v): v is number => v !== null);
    const ends = present.length === 0 ? 'no value' : `${valueText(present[0] ?? null, m.digits)} → ${valueText(present[present.length - 1] ?? null, m.digits)}`;
    lines.push(`  ${padRight(m.label, labelWidth)}  ${padRight(sparkline(values, opts.isAscii), trend.points.length)}  ${ends}`);
  }

  const rev = trend.summary.revocation;
  lines.push(
    '',
    `Revocation speed  ${rev.medianDays === null ? 'no finding resolved in the series' : `median ${rev.medianDays.toFixed(1)} days over ${plural(rev.resolved, 'resolved finding')}`}`,
    `Unused grants     ${trend.summary.unusedGrants.first} → ${trend.summary.unusedGrants.last} (${signed(trend.summary.unusedGrants.change)})`,
  );
  for (const note of trend.notes) lines.push(chalk.yellow(`Note              ${note}`));
  lines.push(
    '',
    'Unused: distinct principal × action pairs in unused-permission, unused-service and overbroad-grant findings.',
    'Median d: days from first appearance to resolution of the findings resolved at that report.',
  );
  return `${lines.join('\n')}\n`;
}

export { METRICS as TREND_METRICS };
