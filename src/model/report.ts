/**
 * The Report: the JSON contract for cron and CI users (schema/report.schema.json, schemaVersion 2).
 * Everything here is deterministic for the same input and clock.
 */

import type { GrantPath } from './aws/entitlement.js';
import type { AccessLevel, Provenance } from './grant.js';
import type { GcpGrantPath } from './gcp/policy.js';
import type { GcpPermissionType, GcpSkippedEntryReason, GcpUnattributedEntryReason } from './gcp/activity.js';
import type { PrincipalKind } from './aws/inventory.js';

export type Provider = 'aws' | 'gcp';
/** AWS roles and users; GCP service accounts. */
export type ReportPrincipalKind = PrincipalKind | 'service-account';
/** An AWS path (principal → [group] → policy → statement) or a GCP one (project → … → binding → role). */
export type ReportGrantPath = GrantPath | GcpGrantPath;

export function isGcpGrantPath(path: ReportGrantPath): path is GcpGrantPath {
  return 'binding' in path;
}

/**
 * 2 added the unverifiable reasons `logging-gap` and `event-time-unknown` (coverage from proof of
 * delivery); a schemaVersion 1 report is still read back (baseline, diff, trend): it is a valid 2
 * report but for the number.
 */
export const SCHEMA_VERSION = 2 as const;
export const READABLE_SCHEMA_VERSIONS: readonly number[] = [1, 2];

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
  /** A gap inside the span to judge: logging stopped, the trail changed, files missing, no proof of delivery. */
  | 'logging-gap'
  /**
   * Log records of the principal without a usable time (CloudTrail records no file name dates,
   * GCP audit entries without a timestamp): they may lie inside the window, so they are neither
   * use nor proof of non-use. One code for both providers.
   */
  | 'event-time-unknown'
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
  /** GCP: no cited classification or documented rule says which audit log records this permission. */
  | 'log-type-unknown'
  /** GCP: the permission is checked inside other calls (`*.use`, `iam.serviceAccounts.actAs`): its use is logged, if at all, as part of the call that checked it. */
  | 'checked-inside-other-calls'
  /** GCP: the logs read hold no entry of the audit log this permission lands in (not exported or filtered out). */
  | 'log-type-not-collected'
  /** GCP: no Cloud Audit Logs in the snapshot for the project. */
  | 'no-audit-logs';

/**
 * Why a GCP permission's audit log type is known, so that its use would have been seen: `cited`
 * (a Google audit-logging page says so), `observed` (the audit logs read checked it with that
 * `permissionType`, for any principal), `rule` (the documented verb rule, a guess that can be
 * wrong on data-plane writes).
 */
export const VERDICT_BASES = ['cited', 'observed', 'rule'] as const;
export type VerdictBasis = (typeof VERDICT_BASES)[number];

/** What an unused GCP permission's verdict rests on: the audit log type its use lands in, and why that type is known. */
export interface PermissionObservability {
  basis: VerdictBasis;
  /** ADMIN_WRITE = Admin Activity; the others = Data Access. */
  logType: GcpPermissionType;
}

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
  /** GCP, on an unused permission: the log type that made its non-use observable and its basis. Absent on AWS. */
  observability?: PermissionObservability;
}

export type CoverageGapKind =
  | 'logging-stopped'
  | 'trail-deleted'
  | 'trail-changed'
  | 'not-logging'
  | 'log-file-missing'
  | 'digest-chain-broken'
  | 'collection-failed'
  | 'no-proof'
  | 'before-evidence'
  | 'unobserved-tail';

export interface CoverageGap {
  start: string;
  end: string;
  kind: CoverageGapKind;
  cause: string;
}

/** Longest list of intervals or gaps written per account; the totals say how many there were. */
export const COVERAGE_LIST_LIMIT = 100;

/**
 * A granted action counted as used only because a used action is authorized through it (a
 * dependent action: secretsmanager:GetSecretValue through secretsmanager:BatchGetSecretValue).
 */
export interface UsedThrough {
  action: string;
  /** The used actions that need it, sorted. */
  through: string[];
  /** The latest use of those actions (or of this one, if later). */
  lastUsed: LastUsed | null;
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
  /**
   * On overbroad-grant and unused-permission findings: the service's actions counted as used only
   * through the actions that need them, which the recommendation keeps. Absent when there are none.
   */
  usedThrough?: UsedThrough[];
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
  /** Present (true) when its principal glob matches every principal, accepted by `allowWildcard: true`. */
  isWildcard?: true;
  /** Present when the entry matches only findings whose unused claims all rest on these bases. */
  requireBasis?: VerdictBasis[];
}

export interface ExceptionsSummary {
  source: string;
  inForce: number;
  /** In force, expiring within 14 days of asOf. */
  expiringSoon: number;
  expired: number;
  stale: number;
  /** Entries whose principal glob matches every principal (in force or not). Written since the field was added; absent in older reports. */
  wildcard?: number;
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
  /** Principals created after asOf: skipped (they did not exist in the window). */
  skippedCreatedAfterAsOf?: number;
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
    /** Observed intervals inside the window (proof of delivery), at most COVERAGE_LIST_LIMIT; `intervalsTotal` counts all. */
    intervals?: { start: string; end: string }[];
    intervalsTotal?: number;
    /** Gaps that block claims over the whole window, with what opened each (at most COVERAGE_LIST_LIMIT). */
    gaps?: CoverageGap[];
    gapsTotal?: number;
    /** Gaps accepted: within the window's edge tolerance, or under --min-coverage. */
    acceptedGaps?: (CoverageGap & { acceptedBy: 'edge-tolerance' | 'min-coverage' })[];
    /** Share of the window observed (0..1, three decimals). */
    coveredFraction?: number;
    /** `--min-coverage`, when given, as a fraction. */
    minCoverage?: number;
    /** Where the evidence ends: the collection's read time, else the newest time inside the snapshot. */
    evidenceEnd?: { time: string; basis: 'collect-manifest' | 'newest-time-inside' } | null;
    /** What proved delivery (log files, digests, collection manifest with trail status). */
    proofs?: string[];
    /** Trail-changing calls found in the logs, and whether each opened a gap. */
    trailChanges?: { time: string; eventName: string; trail: string | null; callerArn: string | null; isDenied: boolean; opensGap: boolean; why?: string }[];
    /** Records not used as they stand, per file and reason. */
    recordsUnusable?: { file: string; reason: 'not-a-cloudtrail-event' | 'time-missing' | 'time-invalid'; count: number }[];
    recordsTimedByFile?: number;
    zonelessTimes?: number;
    regions: string[];
    trail: { isMultiRegion: boolean; isAssumed: boolean; homeRegion?: string; inferredFrom?: string };
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
export interface GcpLogCoverage {
  basis: 'collect-manifest' | 'entries' | 'none';
  isWindowCovered: boolean;
  /** At most COVERAGE_LIST_LIMIT; `intervalsTotal` counts all. */
  intervals: { start: string; end: string }[];
  intervalsTotal: number;
  gaps: CoverageGap[];
  gapsTotal: number;
  acceptedGaps: (CoverageGap & { acceptedBy: 'edge-tolerance' | 'min-coverage' })[];
  /** Share of the window observed (0..1, three decimals). */
  coveredFraction: number;
  /** Where the log's evidence ends: the end of what the collection read, else its newest entry. */
  evidenceEnd: { time: string; basis: 'collect-manifest' | 'newest-time-inside' } | null;
}

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
    /**
     * Entries whose logName named no audit log, placed in Admin Activity or Data Access because all
     * their checks' `permissionType` agreed (counted in `streams`). Present only when there are some.
     */
    entriesStreamFromPermissionType?: Record<'activity' | 'data_access', number>;
    /**
     * Per judged log (Admin Activity, Data Access): what its coverage rests on, the observed
     * intervals inside the window, the gaps that block claims and those accepted. `basis`:
     * `collect-manifest` (spans the collection read in full), `entries` (first to last entry read,
     * a hand-made export), `none` (no entry of the log).
     */
    logCoverage?: Record<'activity' | 'data_access', GcpLogCoverage>;
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
  /** This release writes SCHEMA_VERSION; a report read back may be any of READABLE_SCHEMA_VERSIONS. */
  schemaVersion: 1 | 2;
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
