/**
 * The drift formats of `diff` and `trend`: this list is their set of formats, in the shape of the
 * report formats (format.ts; index.ts has scan's). One entry renders either a diff or a trend, told
 * apart by its `kind`, so the two commands share names, endings and help.
 */

import type { ReportDiff } from '../model/drift.js';
import type { ReportTrend } from '../model/drift-trend.js';
import { renderDiffMarkdown } from './drift-diff-markdown.js';
import { renderDiffTable } from './drift-diff-table.js';
import { renderDriftJson } from './drift-json.js';
import type { DriftRenderOptions } from './drift-text.js';
import { type OutputFormat } from './format.js';
import { renderTrendMarkdown } from './drift-trend-markdown.js';
import { renderTrendTable } from './drift-trend-table.js';

/** The first format is the default: what stdout gets when no --format is given. */
export const DRIFT_FORMATS = [
  {
    name: 'table',
    extensions: ['.txt'],
    render: (drift, opts) => [drift.kind === 'permdrift-diff' ? renderDiffTable(drift, opts) : renderTrendTable(drift, opts)],
  },
  // Never coloured: the CLI decides colour for the table only.
  { name: 'json', extensions: ['.json'], render: (drift) => [renderDriftJson(drift)] },
  {
    name: 'markdown',
    extensions: ['.md', '.markdown'],
    render: (drift) => [drift.kind === 'permdrift-diff' ? renderDiffMarkdown(drift) : renderTrendMarkdown(drift)],
  },
] as const satisfies readonly OutputFormat<string, ReportDiff | ReportTrend, DriftRenderOptions>[];

export type DriftFormat = (typeof DRIFT_FORMATS)[number]['name'];
