import type { Report } from '../model/report.js';
import { renderCsv } from './csv.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import { renderSarif, type SarifOptions } from './sarif.js';
import { renderTable } from './table.js';

interface ReporterOptions {
  /** Decided by the CLI (NO_COLOR, --no-color, TTY, FORCE_COLOR); machine formats ignore it. */
  isColor: boolean;
  /** Terminal width in columns, when known. */
  width?: number;
  /**
   * SARIF only: a file every result is also located in (see SarifOptions.artifactUri). GitHub code
   * scanning rejects an upload whose results have no physical location.
   */
  sarifArtifactUri?: string;
  /** SARIF only: the source line that grants a finding (see SarifOptions.locate). */
  locate?: SarifOptions['locate'];
}

/** A reporter is pure: same report and options, same string. */
export type Reporter = (report: Report, opts: ReporterOptions) => string;

export type ReporterName = 'table' | 'json' | 'sarif' | 'markdown' | 'csv';

export const REPORTER_NAMES: readonly ReporterName[] = ['table', 'json', 'sarif', 'markdown', 'csv'];

export const reporters: Record<ReporterName, Reporter> = {
  table: (report, opts) => renderTable(report, opts),
  // The machine formats are never coloured and never sized to a terminal.
  json: (report) => renderJson(report),
  sarif: (report, opts) =>
    renderSarif(report, {
      ...(opts.sarifArtifactUri !== undefined ? { artifactUri: opts.sarifArtifactUri } : {}),
      ...(opts.locate ? { locate: opts.locate } : {}),
    }),
  markdown: (report) => renderMarkdown(report),
  csv: (report) => renderCsv(report),
};
