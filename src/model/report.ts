/**
 * The Report: the JSON contract for cron and CI users (schema/report.schema.json, schemaVersion 1).
 * Everything here is deterministic for the same input and clock.
 */

import type { AccessLevel, GrantPath, Provenance } from './entitlement.js';
import type { PrincipalKind } from './inventory.js';

export const SCHEMA_VERSION = 1 as const;

export const FINDING_TYPES = [
  'dormant-principal',
  'unused-service',
  'overbroad-grant',
  'unused-permission',
  'unverifiable-permission',
  'stale-credential',
] as const;
export type FindingType = (typeof FINDING_TYPES)[number];

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export type EvidenceSource = 'cloudtrail' | 'access-advisor' | 'role-last-used' | 'credential-report';

export interface LastUsed {
  date: string;
  source: EvidenceSource;
}

/** Why a grant cannot be judged from the collected evidence. */
export type UnverifiableReason =
  | 'data-events-not-logged'
  | 'not-logged-by-cloudtrail'
  | 'region-not-covered'
  | 'window-not-covered'
  | 'no-cloudtrail-logs'
  | 'management-events-not-logged'
  | 'dependent-action-unobservable'
  | 'source-excluded'
  /** The principal made calls to this service that map to no catalogue action: any of them may be it. */
  | 'unmapped-events'
  /** Some of the account's log files (or archive objects) could not be read: a use in them would be unseen. */
  | 'log-files-unreadable';

export interface FindingPermission {
  action: string;
  accessLevel: AccessLevel;
  provenance: Provenance;
  grantedBy: GrantPath[];
  isConditional: boolean;
  resources: string[];
  /** Latest evidence of use, even older than the window; null = no evidence of use at all. */
  lastUsed: LastUsed | null;
  unverifiable?: { reason: UnverifiableReason; detail: string };
}

export interface Span {
  start: string;
  end: string;
  days: number;
}

export interface Evidence {
  window: Span;
  /** The part of the window the CloudTrail evidence covers; null when there is no log evidence. */
  observed: Span | null;
  sources: EvidenceSource[];
  /** One sentence: why this verdict is safe (or why it cannot be made). */
  reason: string;
  deniedAttempts?: number;
}

/** Against a baseline report: seen before, or new in this run. */
export type BaselineStatus = 'new' | 'existing';

/** The exceptions-file entry that matches a finding. */
export interface FindingException {
  /** 1-based position of the entry in the exceptions file. */
  entry: number;
  reason: string;
  owner: string;
  /** YYYY-MM-DD; the entry applies up to and including this day (UTC). */
  expires?: string;
  ticket?: string;
  /** `active`: the finding is excepted (never fails a gate). `expired`: it applies no more. */
  state: 'active' | 'expired';
}

export interface Finding {
  id: string;
  type: FindingType;
  severity: Severity;
  provider: 'aws';
  account: string;
  principal: { id: string; name: string; kind: PrincipalKind };
  /** Present on per-service and per-permission findings. */
  service?: string;
  permissions: FindingPermission[];
  evidence: Evidence;
  recommendation: string;
  /** When the finding first appeared: carried over from the baseline, else this report's asOf. */
  firstSeen?: string;
  /** Present when the run compared against a baseline. */
  baselineStatus?: BaselineStatus;
  /** Present when an exceptions-file entry matches. */
  exception?: FindingException;
}

/** A baseline finding that is gone from this report: revoked, or now used. */
export interface ResolvedFinding {
  id: string;
  type: FindingType;
  severity: Severity;
  provider: 'aws';
  account: string;
  principal: { id: string; name: string; kind: PrincipalKind };
  service?: string;
  actions: string[];
  firstSeen: string;
  /** This report's asOf: the first run that no longer saw it. */
  resolvedAt: string;
}

export interface BaselineSummary {
  /** The baseline file as given on the command line. */
  source: string;
  asOf: string;
  counts: { new: number; existing: number; resolved: number };
  resolved: ResolvedFinding[];
}

export interface ExceptionEntrySummary {
  entry: number;
  reason: string;
  owner: string;
  expires?: string;
  ticket?: string;
  state: 'active' | 'expiring-soon' | 'expired';
  /** Findings it matches in this report. 0 = stale: it matches nothing. */
  matches: number;
}

export interface ExceptionsSummary {
  source: string;
  inForce: number;
  /** In force, expiring within 14 days of asOf. */
  expiringSoon: number;
  expired: number;
  stale: number;
  entries: ExceptionEntrySummary[];
}

export interface ReportWarning {
  code: string;
  message: string;
  account?: string;
  file?: string;
}

export interface AccountCoverage {
  account: string;
  /** The identity that read the account (`permdrift collect aws` / `scan aws` record it). */
  collectedBy?: string;
  principals: number;
  skippedServiceLinked: number;
  cloudTrail: {
    isPresent: boolean;
    filesRead: number;
    filesFailed: number;
    /** Of the files read, those in `aws cloudtrail lookup-events` shape (one region, management events). */
    lookupEventsFiles: number;
    eventsRead: number;
    firstEvent: string | null;
    lastEvent: string | null;
    observed: Span | null;
    isWindowCovered: boolean;
    regions: string[];
    trail: { isMultiRegion: boolean; isAssumed: boolean; homeRegion?: string };
    managementEvents: { read: boolean; write: boolean };
    dataEvents: { resourceType: string; read: boolean; write: boolean }[];
    selectorsSource: string;
  };
  accessAdvisor: { principals: number; files: string[] };
  credentialReport: { isPresent: boolean; generatedTime?: string };
  notes: string[];
  /** Events that map to no catalogue action, never silently dropped. */
  unmappedEvents: { eventSource: string; eventName: string; count: number }[];
  /** Calls by callers that are not IAM roles/users of the inventory, kept apart. */
  otherCallers: { callerType: string; arn: string | null; events: number }[];
  deniedAttempts: { principal: string; action: string; count: number }[];
}

export interface ReportSummary {
  accounts: number;
  principals: number;
  skippedServiceLinked: number;
  findings: number;
  byType: Record<FindingType, number>;
  bySeverity: Record<Severity, number>;
}

export interface Report {
  schemaVersion: typeof SCHEMA_VERSION;
  tool: { name: 'permdrift'; version: string };
  asOf: string;
  window: Span;
  catalogue: string;
  summary: ReportSummary;
  coverage: AccountCoverage[];
  findings: Finding[];
  warnings: ReportWarning[];
  /** Present when the run compared against a baseline report. */
  baseline?: BaselineSummary;
  /** Present when an exceptions file was given. */
  exceptions?: ExceptionsSummary;
}
