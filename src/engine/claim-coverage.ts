/**
 * Judging a claim ("unused over the window") against evidence of what was observed, for any
 * provider: observed intervals, proven gaps (a stopped trail, a failed collection span) and where
 * the evidence ends. AWS builds the evidence from proof of delivery (aws/delivery.ts), GCP from the
 * collection manifest or the audit log entries (gcp/coverage.ts).
 */

import type { CoverageGapKind } from '../model/report.js';
import { type MsInterval, overlaps, subtractIntervals, totalMs } from './intervals.js';

const POS_INF = Number.POSITIVE_INFINITY;

type GapKind = CoverageGapKind;

export interface NegativeProof extends MsInterval {
  kind: GapKind;
  cause: string;
}

/** What claims are judged against: observed intervals, proven gaps and where the evidence ends. */
export interface CoverageEvidence {
  /** Observed intervals, merged and sorted, ending at `evidenceEndMs`. */
  observed: MsInterval[];
  negatives: NegativeProof[];
  /** Where the evidence ends and how that is known. */
  evidenceEndMs: number | null;
  evidenceEndBasis: 'collect-manifest' | 'newest-time-inside' | 'none';
  /** Unproven pieces at an edge no longer than this are not gaps (AWS: the delivery cadence). */
  edgeSlackMs: number;
  /** How an unproven interior piece reads: `<text> <start> to <end>`. */
  unprovenText: string;
}

export interface Gap extends MsInterval {
  kind: GapKind;
  cause: string;
}

export function iso(t: number): string {
  return new Date(t).toISOString();
}

/** `2026-11-03T10:05Z`: the minute is enough to name a gap's bounds. */
export function when(t: number): string {
  return Number.isFinite(t) ? `${iso(t).slice(0, 16)}Z` : t < 0 ? 'before the window' : 'the end of the evidence';
}

/**
 * The parts of [fromMs, endMs] the evidence does not cover, each with what opened it. Pieces at
 * the edges no longer than `edgeSlackMs` are not gaps (AWS: a file is written every ~5 minutes).
 */
export function gapsIn(d: CoverageEvidence, fromMs: number, endMs: number): Gap[] {
  const missing = subtractIntervals([{ start: fromMs, end: endMs }], d.observed);
  const gaps: Gap[] = [];
  const firstObserved = d.observed.find((o) => o.end > fromMs)?.start ?? POS_INF;
  for (const piece of missing) {
    const neg = d.negatives.filter((n) => overlaps(n, piece));
    const isAtStart = piece.start <= fromMs;
    const isAtEnd = piece.end >= endMs;
    if (neg.length > 0) {
      gaps.push({ ...piece, kind: neg[0]?.kind ?? 'no-proof', cause: neg.map((n) => n.cause).join('; ') });
      continue;
    }
    const length = piece.end - piece.start;
    if ((isAtStart || isAtEnd) && length <= d.edgeSlackMs) continue;
    if (d.evidenceEndMs !== null && piece.start >= d.evidenceEndMs) {
      gaps.push({
        ...piece,
        kind: 'unobserved-tail',
        cause: `the evidence ends at ${when(d.evidenceEndMs)} (${d.evidenceEndBasis === 'collect-manifest' ? 'when the snapshot was collected' : 'the newest time in the snapshot'}); nothing after it was observed`,
      });
    } else if (isAtStart && piece.end <= firstObserved) {
      gaps.push({ ...piece, kind: 'before-evidence', cause: `no evidence before ${when(piece.end)}` });
    } else {
      gaps.push({ ...piece, kind: 'no-proof', cause: `${d.unprovenText} ${when(piece.start)} to ${when(piece.end)}` });
    }
  }
  return gaps;
}

interface AcceptedGap extends Gap {
  /** `edge-tolerance`: at the window's edge, no longer than its stated tolerance; `min-coverage`: under --min-coverage. */
  acceptedBy: 'edge-tolerance' | 'min-coverage';
}

export interface ClaimCoverage {
  isCovered: boolean;
  /** Gaps that block the claim (empty when covered). */
  gaps: Gap[];
  /** Gaps accepted: at an edge within the window's tolerance, or under --min-coverage. */
  acceptedGaps: AcceptedGap[];
  /** Share of [from, end] observed, counting accepted gaps as unobserved. */
  coveredFraction: number;
}

/** Kinds that say only "no proof here", as opposed to proof of a gap (a stop, a missing file…). */
const UNPROVEN: ReadonlySet<GapKind> = new Set<GapKind>(['no-proof', 'before-evidence', 'unobserved-tail']);

/**
 * Whether the evidence covers [fromMs, endMs]. A piece without proof at either edge, no longer
 * than `edgeToleranceMs` (the window's stated tolerance), is accepted and recorded; proof of a gap
 * (a StopLogging, a missing file…) never is. Other gaps are accepted only under an explicit
 * minimum coverage (`--min-coverage`), and recorded too.
 */
export function claimCoverage(d: CoverageEvidence, fromMs: number, endMs: number, minCoverage: number | undefined, edgeToleranceMs = 0): ClaimCoverage {
  const all = gapsIn(d, fromMs, endMs);
  const span = Math.max(1, endMs - fromMs);
  const coveredFraction = Math.max(0, 1 - totalMs(all) / span);
  const accepted: AcceptedGap[] = [];
  const gaps: Gap[] = [];
  for (const g of all) {
    const isEdge = g.start <= fromMs || g.end >= endMs;
    if (isEdge && UNPROVEN.has(g.kind) && g.end - g.start <= edgeToleranceMs) accepted.push({ ...g, acceptedBy: 'edge-tolerance' });
    else gaps.push(g);
  }
  if (gaps.length === 0) return { isCovered: true, gaps: [], acceptedGaps: accepted, coveredFraction };
  if (minCoverage !== undefined && coveredFraction >= minCoverage) {
    return {
      isCovered: true,
      gaps: [],
      acceptedGaps: [...accepted, ...gaps.map((g) => ({ ...g, acceptedBy: 'min-coverage' as const }))].sort((a, b) => a.start - b.start),
      coveredFraction,
    };
  }
  return { isCovered: false, gaps, acceptedGaps: accepted, coveredFraction };
}

export function describeGap(g: Gap): string {
  return `${when(g.start)} to ${when(g.end)}: ${g.cause}`;
}

/** Unverifiable detail for a claim with gaps, and the hint that fixes it. */
export function describeGaps(gaps: readonly Gap[]): string {
  const first = gaps[0];
  if (!first) return '';
  const more = gaps.length > 1 ? ` (and ${gaps.length - 1} more gap(s), ${Math.round(totalMs(gaps) / 3_600_000)} h in all)` : '';
  return `the evidence has a gap from ${describeGap(first)}${more}`;
}
