/**
 * CSV for spreadsheets: one row per principal × permission (RFC 4180: CRLF line ends, fields with a
 * comma, quote, CR or LF quoted, quotes doubled). Findings without permissions (dormant principal,
 * stale credential) get one row with an empty action, so every finding appears.
 */

import type { Finding, FindingPermission, Report } from '../model/report.js';
import { sortedFindings } from './finding-order.js';
import { grantPathText } from './grant-path-text.js';

export const CSV_COLUMNS = [
  'account',
  'principal_arn',
  'principal_name',
  'principal_kind',
  'finding_id',
  'finding_type',
  'severity',
  'service',
  'action',
  'access_level',
  'provenance',
  'granted_by',
  'last_used',
  'last_used_source',
  'unverifiable_reason',
  'baseline_status',
  'exception_state',
  'exception_owner',
  'first_seen',
] as const;
type CsvColumn = (typeof CSV_COLUMNS)[number];

const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * OWASP's advice: a leading apostrophe makes the spreadsheet show the text instead of evaluating it.
 * Every cell, not only names: services and actions come from GCP custom-role permissions and
 * policy documents, which are free text. No column is numeric (ids and dates are text, counts are
 * not exported), so a leading `-` is never a negative number here and is neutralised too.
 */
export function neutralizeFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function row(finding: Finding, permission: FindingPermission | undefined): Record<CsvColumn, string> {
  return {
    account: finding.account,
    principal_arn: finding.principal.id,
    principal_name: finding.principal.name,
    principal_kind: finding.principal.kind,
    finding_id: finding.id,
    finding_type: finding.type,
    severity: finding.severity,
    service: finding.service ?? '',
    action: permission?.action ?? '',
    access_level: permission?.accessLevel ?? '',
    provenance: permission?.provenance ?? '',
    granted_by: permission === undefined ? '' : permission.grantedBy.map(grantPathText).join('; '),
    last_used: permission?.lastUsed?.date ?? '',
    last_used_source: permission?.lastUsed?.source ?? '',
    unverifiable_reason: permission?.unverifiable?.reason ?? '',
    baseline_status: finding.baselineStatus ?? '',
    exception_state: finding.exception?.state ?? '',
    exception_owner: finding.exception?.owner ?? '',
    first_seen: finding.firstSeen ?? '',
  };
}

function line(values: readonly string[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

export function renderCsv(report: Report): string {
  let text = line(CSV_COLUMNS);
  for (const finding of sortedFindings(report.findings)) {
    const permissions: (FindingPermission | undefined)[] = finding.permissions.length === 0 ? [undefined] : finding.permissions;
    for (const permission of permissions) {
      const cells = row(finding, permission);
      text += line(CSV_COLUMNS.map((c) => neutralizeFormula(cells[c])));
    }
  }
  return text;
}
