/** Provider-neutral helpers for findings: stable ids, severity order, deterministic sorting. */

import { createHash } from 'node:crypto';
import { FINDING_TYPES, SEVERITIES, type Finding, type FindingType, type Severity } from '../model/report.js';
import { compareText as cmp } from '../model/compare-text.js';

/** A fingerprint of what the finding is about, never of where it sits in a report. */
export function findingId(provider: string, account: string, principal: string, type: FindingType, subject: string): string {
  const digest = createHash('sha256').update([provider, account, principal, type, subject].join('\u0000')).digest('hex');
  return `PD-${digest.slice(0, 16)}`;
}

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

export function maxSeverity(list: Severity[]): Severity {
  let best: Severity = 'info';
  for (const s of list) if (severityRank(s) < severityRank(best)) best = s;
  return best;
}

/** Most severe first, then by account, principal, type, service and subject: byte-stable output. */
export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      severityRank(a.severity) - severityRank(b.severity) ||
      cmp(a.account, b.account) ||
      cmp(a.principal.id, b.principal.id) ||
      FINDING_TYPES.indexOf(a.type) - FINDING_TYPES.indexOf(b.type) ||
      cmp(a.service ?? '', b.service ?? '') ||
      cmp(a.permissions[0]?.action ?? '', b.permissions[0]?.action ?? '') ||
      cmp(a.id, b.id),
  );
}

export function countBy<K extends string>(keys: readonly K[], values: K[]): Record<K, number> {
  const out = Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
  for (const v of values) out[v] += 1;
  return out;
}
