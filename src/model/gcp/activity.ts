/**
 * GCP activity: Cloud Audit Log usage *aggregated* per (principal, permission, denied, period), plus
 * what the evidence covers, and Policy Analyzer last-authentication activity. Like activity.ts for
 * AWS, this is the seam between readers and the engine: a streaming reader and a BigQuery GROUP BY
 * over a log sink both produce these shapes, and the engine never sees a raw log entry.
 */

import type { LogFileProblem } from '../log-file-problem.js';
import type { CollectManifest } from '../collect-manifest.js';

/** Which audit log an entry came from (the tail of its `logName`). */
export type GcpAuditLogStream = 'activity' | 'data_access' | 'system_event' | 'policy' | 'other';

/**
 * When an aggregated entry happened, against the window. `window`: inside [windowStart, asOf].
 * `before-window`: older, kept only so `lastUsed` can tell "used 200 days ago" from "never used".
 * `unknown-time`: the entry had no usable `timestamp` (nor `receiveTimestamp`), so it may lie
 * inside the window: it is never use and never non-use, and the claims it could decide become
 * unverifiable (its `firstSeen` / `lastSeen` are empty strings).
 */
export type GcpAuditPeriod = 'window' | 'before-window' | 'unknown-time';

/**
 * Why a JSON value of an audit log file was not read as a dated audit log entry. Nothing is
 * dropped in silence: each is counted per file and reason.
 */
export type GcpSkippedEntryReason =
  /** The scanner found where the value ends, but it is not valid JSON: it may have been anyone's use. */
  | 'not-json'
  /** A JSON value that is not an object (a number, a string, null). */
  | 'not-a-log-entry'
  /** A LogEntry without `protoPayload` (`textPayload` / `jsonPayload`: an application log). */
  | 'no-proto-payload'
  /** `protoPayload` of another type than AuditLog (e.g. an App Engine request log). */
  | 'not-an-audit-log'
  /** An audit log entry with neither `timestamp` nor `receiveTimestamp`: aggregated as `unknown-time`. */
  | 'time-missing'
  /** An audit log entry whose timestamp is not an RFC 3339 time (garbage, a number, 30 February): aggregated as `unknown-time`. */
  | 'time-invalid';

/** Why a dated audit log entry (counted in `entriesRead`) was credited to nobody. */
export type GcpUnattributedEntryReason =
  /** No `authenticationInfo.principalEmail` (System Event entries, some anonymous or redacted callers). */
  'no-principal';

interface GcpEntryCount<R extends string> {
  /** The log file (relative to the snapshot in a report). */
  file: string;
  reason: R;
  count: number;
}

/**
 * One aggregate row from `protoPayload.authorizationInfo[]`: the entry's
 * `authenticationInfo.principalEmail` checked `permission` (granted or not).
 */
export interface GcpPermissionAggregate {
  /** Lower-cased `authenticationInfo.principalEmail`. */
  principalEmail: string;
  permission: string;
  /** `granted: false`: a denied attempt, not usage. */
  isDenied: boolean;
  /** The project whose log recorded it (from `logName`), when known. */
  project?: string;
  stream: GcpAuditLogStream;
  period: GcpAuditPeriod;
  count: number;
  firstSeen: string;
  lastSeen: string;
}

/**
 * `authorizationInfo[].permissionType`: the type of the permission checked, which says which audit
 * log a use of it lands in (ADMIN_WRITE → Admin Activity, the other three → Data Access, "for data
 * access audit logs this corresponds with the permission type that must be enabled" in the
 * auditConfigs). Enum `google.cloud.audit.AuthorizationInfo.PermissionType`:
 * https://cloud.google.com/logging/docs/reference/audit/auditlog/rest/Shared.Types/AuditLog#AuthorizationInfo,
 * https://docs.cloud.google.com/dotnet/docs/reference/Google.Cloud.Audit/latest/Google.Cloud.Audit.AuthorizationInfo
 * (`PERMISSION_TYPE_UNSPECIFIED`, "Default. Should not be used", is not one of them).
 */
export type GcpPermissionType = 'ADMIN_READ' | 'ADMIN_WRITE' | 'DATA_READ' | 'DATA_WRITE';

/**
 * How often the project's audit entries checked `permission` with `permissionType`: by any
 * principal (or none), granted or denied, in or before the window or at an unknown time, never
 * after asOf. The type is a property of the permission, not of who used it; one permission seen
 * with two types is a conflict the engine reports.
 */
export interface GcpPermissionTypeAggregate {
  permission: string;
  permissionType: GcpPermissionType;
  count: number;
}

/**
 * Entries of a principal that carry no `authorizationInfo` (some methods log none): any permission
 * of that service may have been used, so the engine must not call its permissions unused.
 */
export interface GcpUnmappedAggregate {
  principalEmail: string;
  /** `protoPayload.serviceName`, e.g. `storage.googleapis.com`. */
  serviceName: string;
  methodName: string;
  period: GcpAuditPeriod;
  count: number;
  firstSeen: string;
  lastSeen: string;
}

/**
 * Impersonation: an entry made as `serviceAccount` (principalEmail) whose
 * `serviceAccountDelegationInfo` names `delegate` (first-party principalEmail, or a third-party
 * principal rendered as a string). One row per (serviceAccount, delegate, position in the chain).
 */
export interface GcpDelegationAggregate {
  serviceAccount: string;
  delegate: string;
  /** 0 = the original caller; higher = later hops of the chain. */
  position: number;
  period: GcpAuditPeriod;
  count: number;
  firstSeen: string;
  lastSeen: string;
}

/**
 * What the audit log files held, so that every JSON value is accounted for:
 * `valuesRead = entriesRead + recordsSkipped` (and `recordsSkipped` = the sum of `entriesSkipped`).
 */
export interface GcpAuditLogCoverage {
  filesRead: number;
  bytesRead: number;
  /**
   * JSON values in the files read to the end: the elements of a `[…]` file (of nested arrays too,
   * as `jq -s` writes them), the lines of a JSON lines file, the `entries` of an `entries.list`
   * response, a single pretty-printed entry.
   */
  valuesRead: number;
  /** Audit log entries with a usable time (all of them, attributed or not, after asOf included). */
  entriesRead: number;
  filesFailed: LogFileProblem[];
  /** Files under audit-logs/ that are not log files by name (`.json[l]`, `.ndjson`, optionally `.gz`): not read. */
  filesIgnored: string[];
  /** Earliest / latest entry `timestamp`; null when none. */
  firstEntry: string | null;
  lastEntry: string | null;
  /** Entries per stream, so the engine can tell "Data Access logs were not exported" from "no use". */
  streams: Record<GcpAuditLogStream, number>;
  /** Entries with a timestamp after asOf: ignored. */
  entriesAfterAsOf: number;
  /** JSON values not read as dated audit log entries: the sum of `entriesSkipped`. */
  recordsSkipped: number;
  /** The values skipped, per file and reason (sorted by file, then reason). */
  entriesSkipped: GcpEntryCount<GcpSkippedEntryReason>[];
  /** Entries with no principalEmail (system events, anonymous): counted, not attributed. */
  entriesWithoutPrincipal: number;
  /** Dated entries credited to nobody, per file and reason (sorted by file, then reason). */
  entriesUnattributed: GcpEntryCount<GcpUnattributedEntryReason>[];
  /** Entries without a usable `timestamp` placed at their `receiveTimestamp` (when Logging received them). */
  entriesTimedByReceiveTimestamp: number;
  /** Entries whose time had no zone (`2026-10-20T10:00:00`): read as UTC, counted. */
  zonelessTimes: number;
  /**
   * Entries whose `logName` names no Cloud Audit Log (absent, or another log) placed in a stream by
   * their checks' `permissionType`: every check names one and all agree (ADMIN_WRITE → `activity`,
   * the others → `data_access`). Present only when there are some; the others stay `other`.
   */
  entriesStreamFromPermissionType?: Record<'activity' | 'data_access', number>;
}

/** Policy Analyzer `serviceAccountLastAuthentication` / `serviceAccountKeyLastAuthentication`. */
export interface GcpLastAuthentication {
  /** Service account email (lower-cased). */
  serviceAccount: string;
  /** Set for key activity: the key id. */
  keyId?: string;
  /** null = the activity row says no authentication in its observation period. */
  lastAuthenticated: string | null;
  observationStart?: string;
  observationEnd?: string;
  source: string;
}

export interface GcpActivityCoverage {
  files: string[];
  /** Which activity types the files held: absence of a row only means "not used" for a type read. */
  types: ('serviceAccountLastAuthentication' | 'serviceAccountKeyLastAuthentication')[];
  serviceAccounts: GcpLastAuthentication[];
  keys: GcpLastAuthentication[];
}

export interface GcpProjectActivity {
  provider: 'gcp';
  projectId: string;
  permissions: GcpPermissionAggregate[];
  unmapped: GcpUnmappedAggregate[];
  delegations: GcpDelegationAggregate[];
  /**
   * The `permissionType` of each permission the entries checked, with counts (sorted by permission,
   * then type). Absent when no audit logs were read, or from a reader that does not fill it.
   */
  permissionTypes?: GcpPermissionTypeAggregate[];
  /** null when the snapshot has no `audit-logs/` folder for the project. */
  auditLogs: GcpAuditLogCoverage | null;
  /** null when the snapshot has no `activity/` folder. */
  activity: GcpActivityCoverage | null;
  /** IAM policy insights from `recommender/`, when present: extra evidence of use. */
  insights?: { files: string[]; insights: GcpPolicyInsight[] };
  /**
   * `collect-manifest.json` of `permdrift collect gcp`, when present and readable: which spans of
   * each audit log were read in full or failed, and when the logs were read.
   */
  manifest?: CollectManifest;
}

/**
 * One IAM policy insight (`google.iam.policy.Insight`, subtype PERMISSIONS_USAGE): for one binding
 * (member, role, condition) the permissions Google saw exercised over its observation period
 * (https://cloud.google.com/iam/docs/manage-policy-insights). Extra evidence of *use* only.
 */
export interface GcpPolicyInsight {
  /** The IAM member string as the insight writes it, e.g. `serviceAccount:x@p.iam.gserviceaccount.com`. */
  member: string;
  role: string;
  conditionExpression?: string;
  exercisedPermissions: string[];
  /** Permissions Google's model infers the member may need: not evidence of use, kept for the record. */
  inferredPermissions: string[];
  /** End of the observation period. */
  lastRefreshTime: string;
  /** Start of the observation period (lastRefreshTime − observationPeriod). */
  observationStart: string;
  /** `ACTIVE`, `ACCEPTED`, `DISMISSED`… */
  state: string;
  source: string;
}
