/** The drift renderers by format name: separate from the report reporters, which take a Report. */

import type { ReportDiff } from '../model/drift.js';
import type { ReportTrend } from '../model/drift-trend.js';
import { renderDiffMarkdown } from './drift-diff-markdown.js';
import { renderDiffTable } from './drift-diff-table.js';
import { renderDriftJson } from './drift-json.js';
import type { DriftRenderOptions } from './drift-text.js';
import { renderTrendMarkdown } from './drift-trend-markdown.js';
import { renderTrendTable } from './drift-trend-table.js';

export const DRIFT_FORMATS = ['table', 'json', 'markdown'] as const;
export type DriftFormat = (typeof DRIFT_FORMATS)[number];

export const diffReporters: Record<DriftFormat, (diff: ReportDiff, opts: DriftRenderOptions) => string> = {
  table: (diff, opts) => renderDiffTable(diff, opts),
  json: (diff) => renderDriftJson(diff),
  markdown: (diff) => renderDiffMarkdown(diff),
};

export const trendReporters: Record<DriftFormat, (trend: ReportTrend, opts: DriftRenderOptions) => string> = {
  table: (trend, opts) => renderTrendTable(trend, opts),
  json: (trend) => renderDriftJson(trend),
  markdown: (trend) => renderTrendMarkdown(trend),
};

export type { DriftRenderOptions } from './drift-text.js';
