import { FINDING_TYPES, type Finding, type Severity } from '../model/report.js';
import { compareText } from '../model/compare-text.js';

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };
const TYPE_RANK = new Map(FINDING_TYPES.map((t, i) => [t, i]));

/**
 * The engine already sorts findings, but the machine formats sort again with this total order (the
 * id breaks every tie) so their output stays byte-identical even for a report assembled by hand or
 * by another tool. Same keys as the engine: severity, account, principal, type, service, first action.
 */
function compareFindings(a: Finding, b: Finding): number {
  return (
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    compareText(a.account, b.account) ||
    compareText(a.principal.id, b.principal.id) ||
    (TYPE_RANK.get(a.type) ?? 0) - (TYPE_RANK.get(b.type) ?? 0) ||
    compareText(a.service ?? '', b.service ?? '') ||
    compareText(a.permissions[0]?.action ?? '', b.permissions[0]?.action ?? '') ||
    compareText(a.id, b.id)
  );
}

export function sortedFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(compareFindings);
}

export function isMoreSevereOrEqual(severity: Severity, threshold: Severity): boolean {
  return SEVERITY_RANK[severity] <= SEVERITY_RANK[threshold];
}
