/**
 * The rows of the findings table: one per principal × service × finding type, the findings of a
 * row merged (worst severity, actions, last use, direct / inherited grant, baseline and exception
 * status), a principal's unverifiable rows folded into one per severity when they span many
 * services, and the rows in one order.
 */

import { type ReportPrincipalKind as PrincipalKind, FINDING_TYPES, type Finding, type FindingType, type Severity } from '../model/report.js';
import { isInheritedPath } from './grant-path-text.js';
import { compareText } from '../model/compare-text.js';
import { isExcepted } from './text-format.js';

/**
 * A principal whose unverifiable grants span more services than this gets one row per severity
 * for them: with no logs, an admin user alone would otherwise fill hundreds of rows that all say
 * the same thing. Unused findings are never folded: each one is something to remove.
 */
export const FOLD_UNVERIFIABLE_ABOVE = 5;

export interface Row {
  severity: Severity;
  account: string;
  principal: { id: string; name: string; kind: PrincipalKind };
  services: Set<string>;
  type: FindingType;
  actions: Set<string>;
  /** Unused actions whose log type only the GCP verb rule gives (no Google page, no log entry): a weaker verdict. */
  ruleActions: Set<string>;
  hasPermissions: boolean;
  lastUsed: string | null;
  hasDirect: boolean;
  hasInherited: boolean;
  /** Against a baseline: some finding of the row is new. */
  hasNew: boolean;
  /** Every finding of the row is excepted by an exception in force. */
  isAllExcepted: boolean;
}

export interface Rows {
  rows: Row[];
  /** Principals whose unverifiable rows were folded. */
  foldedPrincipals: number;
}

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };
const TYPE_RANK = new Map<FindingType, number>(FINDING_TYPES.map((t, i) => [t, i]));

export function severityOrder(a: Severity, b: Severity): number {
  return SEVERITY_RANK[a] - SEVERITY_RANK[b];
}

function laterDate(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return Date.parse(b) > Date.parse(a) ? b : a;
}

export function serviceLabel(row: Row): string {
  if (row.services.size === 0) return '—';
  if (row.services.size === 1) return [...row.services][0] ?? '—';
  return `${row.services.size} services`;
}

function principalKey(finding: Finding): string {
  return `${finding.account}\u0000${finding.principal.id}`;
}

/** The principals (by principalKey) whose unverifiable findings span more than FOLD_UNVERIFIABLE_ABOVE services. */
function foldedPrincipals(findings: readonly Finding[]): Set<string> {
  const unverifiableServices = new Map<string, Set<string>>();
  for (const finding of findings) {
    if (finding.type !== 'unverifiable-permission' || finding.service === undefined) continue;
    const services = unverifiableServices.get(principalKey(finding)) ?? new Set<string>();
    services.add(finding.service);
    unverifiableServices.set(principalKey(finding), services);
  }
  return new Set([...unverifiableServices].filter(([, services]) => services.size > FOLD_UNVERIFIABLE_ABOVE).map(([key]) => key));
}

export function buildRows(findings: readonly Finding[]): Rows {
  const folded = foldedPrincipals(findings);
  const rows = new Map<string, Row>();
  for (const finding of findings) {
    const isFolded = finding.type === 'unverifiable-permission' && folded.has(principalKey(finding));
    // Service-less findings (dormant principal, stale credential) each keep their own row.
    const key = isFolded
      ? ['fold', principalKey(finding), finding.severity].join('\u0000')
      : finding.service === undefined
        ? `id\u0000${finding.id}`
        : ['svc', principalKey(finding), finding.type, finding.service].join('\u0000');
    let row = rows.get(key);
    if (row === undefined) {
      row = {
        severity: finding.severity,
        account: finding.account,
        principal: finding.principal,
        services: new Set(),
        type: finding.type,
        actions: new Set(),
        ruleActions: new Set(),
        hasPermissions: false,
        lastUsed: null,
        hasDirect: false,
        hasInherited: false,
        hasNew: false,
        isAllExcepted: true,
      };
      rows.set(key, row);
    }
    if (finding.baselineStatus === 'new') row.hasNew = true;
    if (!isExcepted(finding)) row.isAllExcepted = false;
    if (finding.service !== undefined) row.services.add(finding.service);
    if (severityOrder(finding.severity, row.severity) < 0) row.severity = finding.severity;
    for (const permission of finding.permissions) {
      row.hasPermissions = true;
      row.actions.add(permission.action);
      if (permission.observability?.basis === 'rule') row.ruleActions.add(permission.action);
      row.lastUsed = laterDate(row.lastUsed, permission.lastUsed?.date ?? null);
      // Provenance per path, not per permission: a grant reaching the principal both ways is "both".
      if (permission.grantedBy.length === 0) {
        if (permission.provenance === 'direct') row.hasDirect = true;
        else row.hasInherited = true;
      }
      for (const path of permission.grantedBy) {
        if (isInheritedPath(path)) row.hasInherited = true;
        else row.hasDirect = true;
      }
    }
  }
  const sorted = [...rows.values()].sort(
    (a, b) =>
      severityOrder(a.severity, b.severity) ||
      compareText(a.account, b.account) ||
      compareText(a.principal.name, b.principal.name) ||
      compareText(a.principal.id, b.principal.id) ||
      (TYPE_RANK.get(a.type) ?? 0) - (TYPE_RANK.get(b.type) ?? 0) ||
      a.services.size - b.services.size ||
      compareText(serviceLabel(a), serviceLabel(b)),
  );
  return { rows: sorted, foldedPrincipals: folded.size };
}
