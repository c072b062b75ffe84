/**
 * The report formats of `scan`: this list is the set of formats. Their names (`--format`, its help,
 * its errors), the file endings `-o` recognises and how each renders all come from here
 * (format.ts has the shape, shared with the diff/trend formats in drift-reporters.ts).
 */

import type { Report } from '../model/report.js';
import { renderCsv } from './csv.js';
import { type OutputFormat } from './format.js';
import { renderJsonChunks } from './json.js';
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

/** The first format is the default: what stdout gets when no --format is given. */
export const REPORT_FORMATS = [
  { name: 'table', extensions: ['.txt', '.table'], render: (report, opts) => [renderTable(report, opts)] },
  // The machine formats are never coloured and never sized to a terminal. JSON comes in pieces (one
  // per finding): a large report can outgrow the longest string an engine can hold.
  { name: 'json', extensions: ['.json'], render: (report) => renderJsonChunks(report) },
  {
    name: 'sarif',
    extensions: ['.sarif', '.sarif.json'],
    render: (report, opts) => [
      renderSarif(report, {
        ...(opts.sarifArtifactUri !== undefined ? { artifactUri: opts.sarifArtifactUri } : {}),
        ...(opts.locate ? { locate: opts.locate } : {}),
      }),
    ],
  },
  { name: 'markdown', extensions: ['.md', '.markdown'], render: (report) => [renderMarkdown(report)] },
  { name: 'csv', extensions: ['.csv'], render: (report) => [renderCsv(report)] },
] as const satisfies readonly OutputFormat<string, Report, ReporterOptions>[];

export type ReporterName = (typeof REPORT_FORMATS)[number]['name'];

/** A reporter is pure: same report and options, same string. */
type Reporter = (report: Report, opts: ReporterOptions) => string;

/** Each format's output as one string, for callers that want the text rather than its pieces. */
export const reporters = Object.fromEntries(
  REPORT_FORMATS.map((format) => [format.name, (report: Report, opts: ReporterOptions) => [...format.render(report, opts)].join('')]),
) as Record<ReporterName, Reporter>;
