/** The `permdrift trend` output contract: drift over a series of reports (engine/drift-trend.ts builds it; docs/drift.md documents it). */

import { type FindingType, type Report, type Severity } from './report.js';
import type { PrincipalRef } from './drift.js';

export const TREND_SCHEMA_VERSION = 1 as const;

interface PrincipalDrift {
  account: string;
  principal: PrincipalRef;
  unusedGrants: number;
}

export interface TrendPoint {
  source?: string;
  asOf: string;
  windowDays: number;
  /** Principals audited (summary.principals). */
  principals: number;
  findings: number;
  bySeverity: Record<Severity, number>;
  drift: {
    /** Distinct principal × action pairs that findings call unused. Excepted findings count: accepted drift is still drift. */
    unusedGrants: number;
    principalsWithUnused: number;
    /** unusedGrants / principals audited, two decimals. */
    meanPerPrincipal: number;
    /** unusedGrants minus the previous report's; null for the first report. */
    change: number | null;
    /** change / previous unusedGrants, two decimals; null for the first report or from zero. */
    growth: number | null;
    /** Principals with at least one unused grant, most first. */
    perPrincipal: PrincipalDrift[];
  };
  revocation: {
    /** Findings resolved at this report: present in the previous one (or in this report's baseline) and gone now. */
    resolved: number;
    /** Findings gone whose actions all appear in another finding of the principal: not resolved, regrouped. */
    regrouped: number;
    /** Median days from first appearance to resolution, over the findings resolved here; null when none. */
    medianDays: number | null;
  };
  exceptions: {
    /** Findings under an active exception. */
    active: number;
    /** Findings whose exception has expired. */
    expired: number;
  };
}

export interface Resolution {
  id: string;
  type: FindingType;
  account: string;
  principal: PrincipalRef;
  service?: string;
  actions: string[];
  firstAppeared: string;
  resolvedAt: string;
  days: number;
  /** `series`: seen in one report, gone in the next. `baseline`: listed as resolved by a report's own baseline comparison. */
  from: 'series' | 'baseline';
}

export interface ReportTrend {
  kind: 'permdrift-trend';
  schemaVersion: typeof TREND_SCHEMA_VERSION;
  reports: number;
  points: TrendPoint[];
  summary: {
    unusedGrants: { first: number; last: number; change: number };
    /** Over every resolution in the series. */
    revocation: { resolved: number; medianDays: number | null };
    exceptions: { first: number; last: number; change: number };
  };
  resolutions: Resolution[];
  notes: string[];
}

export interface TrendInput {
  report: Report;
  source?: string;
}
