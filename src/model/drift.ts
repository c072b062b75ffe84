/** The `permdrift diff` output contract: what changed between two reports (engine/drift.ts builds it; docs/drift.md documents it). */

import type { Finding, FindingType, LastUsed, ReportPrincipalKind as PrincipalKind, Severity, Span } from './report.js';

export const DIFF_SCHEMA_VERSION = 1 as const;

export interface PrincipalRef {
  id: string;
  name: string;
  kind: PrincipalKind;
}

/** A finding as the diff names it: enough to find it in either report. */
export interface DiffFinding {
  id: string;
  type: FindingType;
  severity: Severity;
  service?: string;
  actions: string[];
  firstSeen?: string;
}

/** An action that entered (or left) the set of actions this principal's findings name. */
export interface DiffAction {
  action: string;
  /** The finding that names it in the report where it is present. */
  findingId: string;
  type: FindingType;
  severity: Severity;
  /** Latest evidence of use recorded in that report; null = none at all. */
  lastUsed: LastUsed | null;
}

export interface DiffException {
  finding: DiffFinding;
  reason: string;
  owner: string;
  expires?: string;
  ticket?: string;
  /** For a lapsed exception: `expired` (the entry is past its date) or `removed` (no entry matches). */
  lapse?: 'expired' | 'removed';
}

export interface DiffSeverityChange {
  finding: DiffFinding;
  from: Severity;
  to: Severity;
  direction: 'raised' | 'lowered';
}

export interface PrincipalDiff {
  account: string;
  principal: PrincipalRef;
  /**
   * Actions named by a finding now and by none before, with no evidence of use since the old
   * window began: newly granted (the old report would have flagged an unused grant it held).
   */
  granted: DiffAction[];
  /**
   * Actions named by a finding now and by none before, last used inside (or after the start of)
   * the old window: already held and in use then, unused (or unobservable) now.
   */
  heldBefore: DiffAction[];
  /** Actions named by a finding before and by none now: revoked, or now used. */
  cleared: DiffAction[];
  /** New findings saying something is unused: unused-permission/-service, overbroad-grant, dormant-principal. */
  becameUnused: DiffFinding[];
  /** New findings of the other types: unverifiable-permission, stale-credential. */
  newlyFlagged: DiffFinding[];
  /** Findings gone: the grant was revoked, is now used, or the principal is gone. */
  resolved: DiffFinding[];
  /**
   * Findings gone whose actions all still appear in another finding of the principal (e.g. an
   * unused-permission folded into an unused-service once the rest of the service went unused):
   * nothing was revoked or used, the engine grouped them differently.
   */
  regrouped: DiffFinding[];
  /** An exception is active now and was not before. */
  excepted: DiffException[];
  /** An exception was active before and is not now, while the finding remains. */
  exceptionLapsed: DiffException[];
  severityChanged: DiffSeverityChange[];
}

export interface DiffSide {
  /** The file the report was read from, when the caller says. */
  source?: string;
  asOf: string;
  window: Span;
  findings: number;
  principals: number;
}

interface DiffSummary {
  principalsChanged: number;
  granted: number;
  heldBefore: number;
  cleared: number;
  becameUnused: number;
  newlyFlagged: number;
  resolved: number;
  regrouped: number;
  excepted: number;
  exceptionLapsed: number;
  severityChanged: number;
  /** Findings present in both reports with the same severity and exception state. */
  unchanged: number;
}

export interface ReportDiff {
  kind: 'permdrift-diff';
  schemaVersion: typeof DIFF_SCHEMA_VERSION;
  old: DiffSide;
  new: DiffSide;
  summary: DiffSummary;
  /** Sorted by account, then principal ARN. Principals with no change are left out. */
  principals: PrincipalDiff[];
  /** Reasons to read the diff with care (reports out of order, different windows). */
  notes: string[];
}

export interface DiffLabels {
  oldSource?: string;
  newSource?: string;
}

export interface ActionSite {
  finding: Finding;
  lastUsed: LastUsed | null;
}
