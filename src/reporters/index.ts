import type { Report } from '../model/report.js';
import { renderJson } from './json.js';
import { renderTable } from './table.js';

export interface ReporterOptions {
  /** Decided by the CLI (NO_COLOR, --no-color, TTY, FORCE_COLOR); machine formats ignore it. */
  isColor: boolean;
  /** Terminal width in columns, when known. */
  width?: number;
}

/** A reporter is pure: same report and options, same string. */
export type Reporter = (report: Report, opts: ReporterOptions) => string;

export type ReporterName = 'table' | 'json';

export const reporters: Record<ReporterName, Reporter> = {
  table: (report, opts) => renderTable(report, opts),
  // JSON is never coloured and never sized to a terminal.
  json: (report) => renderJson(report),
};

export { renderJson } from './json.js';
export { renderTable, type TableOptions } from './table.js';
export { validateReport, type ReportValidation } from './validate-report.js';
