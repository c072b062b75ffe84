/** Helpers shared by `diff` and `trend`: what a finding names, which types mean "unused", a median. */

import { FINDING_TYPES, type Finding, type FindingType } from '../model/report.js';
import { severityRank } from './findings.js';
import { compareText } from '../model/compare-text.js';

/** Types that claim a grant (or a whole identity) goes unused; the others say "cannot tell" or "stale key". */
const UNUSED_TYPES: ReadonlySet<FindingType> = new Set<FindingType>(['unused-permission', 'unused-service', 'overbroad-grant', 'dormant-principal']);

/** Types whose permissions are unused grants, counted by entitlement drift (dormant lists none). */
const UNUSED_GRANT_TYPES: ReadonlySet<FindingType> = new Set<FindingType>(['unused-permission', 'unused-service', 'overbroad-grant']);

export function isUnusedType(type: FindingType): boolean {
  return UNUSED_TYPES.has(type);
}

export function isUnusedGrantType(type: FindingType): boolean {
  return UNUSED_GRANT_TYPES.has(type);
}

/** The distinct actions a finding names, sorted. */
export function findingActions(f: Finding): string[] {
  return [...new Set(f.permissions.map((p) => p.action))].sort(compareText);
}

/** Most severe first, then type, service, id: which finding "owns" an action named by two. */
export function sortFindingRefs(findings: Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      severityRank(a.severity) - severityRank(b.severity) ||
      FINDING_TYPES.indexOf(a.type) - FINDING_TYPES.indexOf(b.type) ||
      compareText(a.service ?? '', b.service ?? '') ||
      compareText(a.id, b.id),
  );
}

/** The median, averaging the two middle values of an even count; null for none. */
export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const hi = sorted[mid] as number;
  return sorted.length % 2 === 1 ? hi : ((sorted[mid - 1] as number) + hi) / 2;
}

/** One decimal, as spans' `days` are written in reports. */
export function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
