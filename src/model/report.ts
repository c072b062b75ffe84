/**
 * The Report: the JSON contract for cron and CI users (schema/report.schema.json, schemaVersion 1).
 * Everything here is deterministic for the same input and clock.
 */

import type { AccessLevel, GrantPath, Provenance } from './entitlement.js';
import type { GcpGrantPath } from './gcp.js';
import type { GcpSkippedEntryReason, GcpUnattributedEntryReason } from './gcp-activity.js';
import type { PrincipalKind } from './inventory.js';

export type Provider = 'aws' | 'gcp';
/** AWS roles and users; GCP service accounts. */
export type ReportPrincipalKind = PrincipalKind | 'service-account';
/** An AWS path (principal → [group] → policy → statement) or a GCP one (project → … → binding → role). */
export type ReportGrantPath = GrantPath | GcpGrantPath;

export function isGcpGrantPath(path: ReportGrantPath): path is GcpGrantPath {
  return 'binding' in path;
}

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

export type EvidenceSource =
  | 'cloudtrail'
  | 'access-advisor'
  | 'role-last-used'
  | 'credential-report'
  /** GCP: Cloud Audit Logs (authorizationInfo of each entry). */
  | 'cloud-audit-logs'
  /** GCP: Policy Analyzer last-authentication activity of service accounts and keys. */
  | 'policy-analyzer';

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
  | 'log-files-unreadable'
  /** GCP: the permission's use lands in a Data Access log type that auditConfigs leave off (or exempt the account from). */
  | 'data-access-logs-disabled'
  /** GCP: the service writes no audit log for this permission. */
  | 'not-logged-by-cloud-audit-logs'
  /** GCP: no cited classification says which audit log records this permission. */
  | 'log-type-unknown'
  /** GCP: the logs read hold no entry of the audit log this permission lands in (not exported or filtered out). */
  | 'log-type-not-collected'
  /** GCP: no Cloud Audit Logs in the snapshot for the project. */
  | 'no-audit-logs'
  /**
   * Log records of the principal without a usable time (no timestamp, or not a time) record this
   * use: it may lie inside the window, so it is neither use nor proof of non-use.
   */
  | 'records-without-time';

export interface FindingPermission {
  action: string;
  accessLevel: AccessLevel;
  provenance: Provenance;
  grantedBy: ReportGrantPath[];
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
  provider: Provider;
  /** AWS account id, or GCP project id. */
  account: string;
  principal: { id: string; name: string; kind: ReportPrincipalKind };
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
  provider: Provider;
  account: string;
  principal: { id: string; name: string; kind: ReportPrincipalKind };
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

/** What the evidence of one GCP project covers (Cloud Audit Logs, auditConfigs, Policy Analyzer). */
export interface GcpProjectCoverage {
  project: string;
  /** The identity that read the project, when `collect gcp` recorded it. */
  collectedBy?: string;
  /** The hierarchy above the project, nearest first: `folders/123`, `organizations/456`. */
  ancestors: string[];
  principals: number;
  skippedServiceAgents: number;
  auditLogs: {
    isPresent: boolean;
    filesRead: number;
    filesFailed: number;
    entriesRead: number;
    firstEntry: string | null;
    lastEntry: string | null;
    /** Entries per audit log: `activity` (Admin Activity), `data_access`, `system_event`, `policy`, `other`. */
    streams: Record<'activity' | 'data_access' | 'system_event' | 'policy' | 'other', number>;
    observed: Span | null;
    isWindowCovered: boolean;
    /** JSON values in the files read: `valuesRead` = `entriesRead` + the sum of `entriesSkipped`. */
    valuesRead: number;
    /** Of `entriesRead`: dated after asOf, so not used. */
    entriesAfterAsOf: number;
    /** Values not read as dated audit entries, per file (relative to the snapshot) and reason; sorted. */
    entriesSkipped: { file: string; reason: GcpSkippedEntryReason; count: number }[];
    /** Dated entries credited to nobody (no principal), per file and reason; sorted. */
    entriesUnattributed: { file: string; reason: GcpUnattributedEntryReason; count: number }[];
    /** Entries without a usable `timestamp` placed at their `receiveTimestamp`. */
    entriesTimedByReceiveTimestamp: number;
    /** Timestamps without a zone, read as UTC. */
    zonelessTimes: number;
  };
  /**
   * The effective Data Access audit config: union of auditConfigs on the project, its folders and its
   * organization. `allServices` applies to every service. Admin Activity logs are always on.
   */
  dataAccessLogs: { service: string; logTypes: ('ADMIN_READ' | 'DATA_READ' | 'DATA_WRITE')[]; exemptedMembers: string[] }[];
  activity: { isPresent: boolean; files: string[]; types: string[] };
  /**
   * Present when some `service-account-keys/` file could not be read as a key list: the keys of
   * `serviceAccount` (null: of any account, the file does not say whose) are unknown, so no
   * stale-key verdict is made for them — which is not "no keys".
   */
  unreadableKeyFiles?: { file: string; serviceAccount: string | null; reason: string }[];
  /** IAM policy insights read (`recommender/`), present when the folder exists: extra evidence of use. */
  recommender?: { files: string[]; insights: number };
  notes: string[];
  /** Entries of audited accounts with no authorizationInfo permission, per service and method. */
  unmappedEntries: { serviceName: string; methodName: string; count: number }[];
  /** Callers that are not audited service accounts of the project (users, other projects' accounts), kept apart. */
  otherCallers: { principal: string; entries: number }[];
  deniedAttempts: { principal: string; permission: string; count: number }[];
  /** Impersonation seen in `serviceAccountDelegationInfo`: who acted as which service account. */
  impersonation: { serviceAccount: string; delegate: string; entries: number }[];
}

export interface ReportSummary {
  /** AWS accounts. */
  accounts: number;
  /** GCP projects; present when the run read any. */
  projects?: number;
  principals: number;
  skippedServiceLinked: number;
  /** GCP service agents (Google-managed), kept apart like service-linked roles; present with `projects`. */
  skippedServiceAgents?: number;
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
  /** GCP projects, present when the run read any. */
  gcpCoverage?: GcpProjectCoverage[];
  findings: Finding[];
  warnings: ReportWarning[];
  /** Present when the run compared against a baseline report. */
  baseline?: BaselineSummary;
  /** Present when an exceptions file was given. */
  exceptions?: ExceptionsSummary;
}
