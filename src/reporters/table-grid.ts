/**
 * The findings table's layout: the column widths for the terminal width (the principal gets the
 * room first, the service column gives way first) and each row's cells, wrapped here so the grid
 * (cli-table3) never has to cut or re-wrap a name.
 */

import Table from 'cli-table3';
import { isoDay } from './text-format.js';
import { type Paint, truncate, wrap } from './table-format.js';
import { type Row, serviceLabel } from './table-rows.js';

function grantText(row: Row): string {
  if (row.hasDirect && row.hasInherited) return 'both';
  if (row.hasDirect) return 'direct';
  if (row.hasInherited) return 'inherited';
  return '—';
}

interface Columns {
  principal: number;
  service: number;
  finding: number;
  perms: number;
  severity: number;
  lastUsed: number;
  grant: number;
}

/** Content widths (padding excluded). The fixed columns fit their longest value or wrap at a hyphen. */
function columnWidths(width: number): Columns {
  const fixed = { service: 14, finding: 13, perms: 5, severity: 8, lastUsed: 10, grant: 9 };
  const columnCount = 7;
  const chrome = columnCount + 1 + columnCount * 2; // borders + one space of padding each side
  const fixedTotal = Object.values(fixed).reduce((sum, w) => sum + w, 0);
  let spare = width - chrome - fixedTotal;
  // Extra room goes first to the principal, then lets finding types and services stay on one line.
  const principal = Math.max(12, Math.min(spare, 40));
  spare -= principal;
  // Narrower than the layout: the service column gives way first (names wrap), never the principal.
  if (spare < 0) return { ...fixed, principal, service: Math.max(8, fixed.service + spare) };
  const finding = fixed.finding + Math.max(0, Math.min(spare, 23 - fixed.finding));
  spare -= finding - fixed.finding;
  const service = fixed.service + Math.max(0, Math.min(spare, 20 - fixed.service));
  return { ...fixed, principal, finding, service };
}

/** The status under a row's severity, when the report has a baseline or exceptions. */
function statusText(row: Row): string {
  if (row.isAllExcepted) return 'excepted';
  return row.hasNew ? 'new' : '';
}

/** Under the finding: how many of its unused actions rest on the verb rule alone (GCP). */
function ruleBasisText(row: Row): string {
  return row.ruleActions.size === row.actions.size ? 'verb rule only' : `${row.ruleActions.size} by verb rule`;
}

export function findingsTable(rows: readonly Row[], width: number, paint: Paint, hasStatus: boolean): string {
  const cols = columnWidths(width);
  const { chalk } = paint;
  // The status shares the severity column (8 wide fits "excepted"): a column of its own would take
  // the room the principal name needs at 100 columns.
  const severityHead = hasStatus ? 'Severity\nStatus' : 'Severity';
  const table = new Table({
    head: ['Principal', 'Service', 'Finding', 'Perms', severityHead, 'Last used', 'Grant'].map((h) =>
      h
        .split('\n')
        .map((part) => chalk.bold(part))
        .join('\n'),
    ),
    colWidths: [cols.principal, cols.service, cols.finding, cols.perms, cols.severity, cols.lastUsed, cols.grant].map((w) => w + 2),
    colAligns: ['left', 'left', 'left', 'right', 'left', 'left', 'left'],
    // Cells are wrapped here, so cli-table3 never has to truncate or re-wrap (it would cut ARNs anywhere).
    wordWrap: false,
    style: { head: [], border: [], 'padding-left': 1, 'padding-right': 1 },
  });
  for (const row of rows) {
    const nameLines = wrap(row.principal.name, cols.principal, true);
    const name = nameLines.length > 2 ? [nameLines[0] ?? '', truncate(nameLines.slice(1).join(''), cols.principal)] : nameLines;
    const principal = [...name, chalk.dim(truncate(`${row.principal.kind} · ${row.account}`, cols.principal))].join('\n');
    const lastUsed = !row.hasPermissions ? '—' : row.lastUsed === null ? 'not seen' : isoDay(row.lastUsed);
    table.push([
      principal,
      wrap(serviceLabel(row), cols.service, true).join('\n'),
      [...wrap(row.type, cols.finding, true), ...(row.ruleActions.size > 0 ? wrap(ruleBasisText(row), cols.finding, true).map((l) => chalk.dim(l)) : [])].join(
        '\n',
      ),
      row.hasPermissions ? String(row.actions.size) : '—',
      hasStatus && statusText(row) !== ''
        ? `${paint.severity(row.severity, row.severity)}\n${row.hasNew && !row.isAllExcepted ? chalk.bold(statusText(row)) : chalk.dim(statusText(row))}`
        : paint.severity(row.severity, row.severity),
      row.lastUsed === null ? chalk.dim(lastUsed) : lastUsed,
      grantText(row),
    ]);
  }
  return table.toString();
}
