/**
 * GCP activity: Cloud Audit Log usage *aggregated* per (principal, permission, denied, period), plus
 * what the evidence covers, and Policy Analyzer last-authentication activity. Like activity.ts for
 * AWS, this is the seam between readers and the engine: a streaming reader and a BigQuery GROUP BY
 * over a log sink both produce these shapes, and the engine never sees a raw log entry.
 */

import type { LogFileProblem } from './activity.js';

/** Which audit log an entry came from (the tail of its `logName`). */
export type GcpAuditLogStream = 'activity' | 'data_access' | 'system_event' | 'policy' | 'other';

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
  /** As in CallAggregate: `window` = inside [windowStart, asOf]; `before-window` kept for lastUsed. */
  period: 'window' | 'before-window';
  count: number;
  firstSeen: string;
  lastSeen: string;
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
  period: 'window' | 'before-window';
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
  period: 'window' | 'before-window';
  count: number;
  firstSeen: string;
  lastSeen: string;
}

export interface GcpAuditLogCoverage {
  filesRead: number;
  bytesRead: number;
  /** Audit log entries read (all of them, attributed or not). */
  entriesRead: number;
  filesFailed: LogFileProblem[];
  /** Earliest / latest entry `timestamp`; null when none. */
  firstEntry: string | null;
  lastEntry: string | null;
  /** Entries per stream, so the engine can tell "Data Access logs were not exported" from "no use". */
  streams: Record<GcpAuditLogStream, number>;
  /** Entries with a timestamp after asOf: ignored. */
  entriesAfterAsOf: number;
  /** JSON values that were not audit log entries (no protoPayload AuditLog): skipped, counted. */
  recordsSkipped: number;
  /** Entries with no principalEmail (system events, anonymous): counted, not attributed. */
  entriesWithoutPrincipal: number;
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
  /** null when the snapshot has no `audit-logs/` folder for the project. */
  auditLogs: GcpAuditLogCoverage | null;
  /** null when the snapshot has no `activity/` folder. */
  activity: GcpActivityCoverage | null;
  /** IAM policy insights from `recommender/`, when present: extra evidence of use. */
  insights?: { files: string[]; insights: GcpPolicyInsight[] };
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
