/**
 * The table reporter (`--format table`, the default on a terminal): the report as sections for a
 * person at a terminal of a given width, with or without colour. This module orders the sections;
 * their text is table-header.ts, table-coverage.ts, the findings table (table-rows.ts for its rows,
 * table-grid.ts for its columns and cells) and table-after.ts; wrapping and colour, table-format.ts.
 */

import type { Report } from '../model/report.js';
import { isExcepted, plural } from './text-format.js';
import { visibleStrings } from './visible-text.js';
import { makePaint, type Paint, paragraph } from './table-format.js';
import { countLines, headerLines } from './table-header.js';
import { coverageLines } from './table-coverage.js';
import { buildRows, FOLD_UNVERIFIABLE_ABOVE } from './table-rows.js';
import { findingsTable } from './table-grid.js';
import { exceptionReviewLines, nextStepLines, resolvedLines, unmappedLines, unverifiableLines, warningLines } from './table-after.js';

export interface TableOptions {
  isColor: boolean;
  /** Terminal width in columns; 100 when unknown (a pipe, a file). */
  width?: number;
}

const DEFAULT_WIDTH = 100;
/** Below this the table cannot hold its fixed columns; lines may then exceed the width. */
const MIN_WIDTH = 72;

export function renderTable(input: Report, opts: TableOptions): string {
  // Every string from the inputs shown as text, never run by the terminal (colour is added after).
  const report = visibleStrings(input);
  const width = Math.max(MIN_WIDTH, Math.floor(opts.width ?? DEFAULT_WIDTH));
  const paint = makePaint(opts.isColor);
  const sections: string[][] = [headerLines(report, width, paint), coverageLines(report, width, paint)];

  if (report.summary.principals === 0) {
    // Zero findings over zero principals is not a pass: never word it as "No findings".
    sections.push(
      paragraph(
        'Nothing judged: no principal was audited, so the absence of findings says nothing. The warning below says why (the --principal globs, skipped service-linked roles, or inputs without principals).',
        width,
        0,
      ),
    );
  } else if (report.findings.length === 0) {
    sections.push(
      paragraph(
        `No findings: across ${plural(report.summary.principals, 'audited principal')}, nothing granted went unused or unjudged in the window, as far as the coverage above reaches.` +
          // "No findings" must never hide "could not read": point at what the inputs lacked.
          (report.warnings.length > 0
            ? ` Read the ${plural(report.warnings.length, 'warning')} below first: ${report.warnings.length === 1 ? 'it says' : 'they say'} what the inputs lacked.`
            : ''),
        width,
        0,
      ),
    );
  } else {
    sections.push(...findingSections(report, width, paint));
  }
  sections.push(resolvedLines(report, width, paint));
  sections.push(exceptionReviewLines(report, width, paint));
  sections.push(warningLines(report, width, paint));
  sections.push(unmappedLines(report, width));
  const hint = 'Run with --format json for every grant path, resource and piece of evidence behind each finding.';
  sections.push(paragraph(hint, width, 0).map((line) => paint.chalk.dim(line)));
  return `${sections
    .filter((s) => s.length > 0)
    .map((s) => s.join('\n'))
    .join('\n\n')}\n`;
}

/** With findings: the counts, the table (and a note on folded rows), the next steps, what could not be judged. */
function findingSections(report: Report, width: number, paint: Paint): string[][] {
  const { rows, foldedPrincipals } = buildRows(report.findings);
  const hasStatus = report.baseline !== undefined || report.exceptions !== undefined;
  const table = [findingsTable(rows, width, paint, hasStatus)];
  const ruleRows = rows.filter((r) => r.ruleActions.size > 0).length;
  if (ruleRows > 0) {
    const note = `"verb rule": in ${plural(ruleRows, 'row')}, unused permissions whose audit log type only GCP's documented verb rule gives (no Google page, no log entry read); each counts at most low towards the severity, and --require-basis cited,observed leaves them out of the gate.`;
    table.push(...paragraph(note, width, 0).map((line) => paint.chalk.dim(line)));
  }
  if (foldedPrincipals > 0) {
    const note = `${plural(foldedPrincipals, 'principal')} with unverifiable grants in more than ${FOLD_UNVERIFIABLE_ABOVE} services: one row per severity ("N services"); the JSON report lists each service.`;
    table.push(...paragraph(note, width, 0).map((line) => paint.chalk.dim(line)));
  }
  return [
    countLines(report, width, paint),
    table,
    // Excepted findings are accepted risk: repeating their fix as a next step would be noise.
    nextStepLines(
      report.findings.filter((f) => !isExcepted(f)),
      width,
      paint,
    ),
    unverifiableLines(report.findings, width, paint),
  ];
}
