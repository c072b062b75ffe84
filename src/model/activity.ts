/**
 * Activity: usage *aggregated* per caller and API call, plus what the evidence covers.
 * This is the seam between log readers and the engine: a streaming reader and a remote
 * GROUP BY (Athena, BigQuery) both produce exactly these shapes, and the engine never sees a
 * raw log line.
 */

export type CallerType =
  | 'IAMUser'
  | 'AssumedRole'
  | 'Root'
  | 'FederatedUser'
  | 'AWSService'
  | 'AWSAccount'
  | 'IdentityCenterUser'
  | 'WebIdentityUser'
  | 'SAMLUser'
  | 'Unknown';

/** One aggregate row: (caller, eventSource, eventName, region, denied) → count, first/last seen. */
export interface CallAggregate {
  callerType: CallerType;
  /** IAM user ARN, or the role ARN (sessionIssuer.arn, with path) for an assumed role. */
  callerArn: string | null;
  /** The account whose log recorded the call (recipientAccountId, else the file's account). */
  account: string;
  eventSource: string;
  eventName: string;
  region: string;
  /** The call failed authorization (AccessDenied and friends): not usage. */
  isDenied: boolean;
  /**
   * `window`: inside [windowStart, asOf]. `before-window`: older, kept only so `lastUsed` can tell
   * "used 200 days ago" from "never used". Events after asOf are not aggregated.
   */
  period: 'window' | 'before-window';
  count: number;
  firstSeen: string;
  lastSeen: string;
}

export type EventSelectorCoverage =
  | { kind: 'assumed-default' }
  | {
      kind: 'selectors';
      source: string;
      management: { read: boolean; write: boolean; excludedSources: string[] };
      /** Data-event resource types logged (e.g. `AWS::S3::Object`), with read/write. */
      dataEvents: { resourceType: string; read: boolean; write: boolean; isPartial: boolean }[];
    };

export interface TrailCoverage {
  /** `undefined` = no trail description; taken as multi-region (console default). */
  isMultiRegion?: boolean;
  homeRegion?: string;
  source?: string;
}

export interface LogFileProblem {
  file: string;
  reason: string;
}

export interface CloudTrailCoverage {
  filesRead: number;
  bytesRead: number;
  eventsRead: number;
  filesFailed: LogFileProblem[];
  /** Earliest / latest eventTime among the records read; null when none. */
  firstEvent: string | null;
  lastEvent: string | null;
  regions: string[];
  /** Events read with eventTime after asOf: ignored. */
  eventsAfterAsOf: number;
  /**
   * Files in `aws cloudtrail lookup-events` shape, and the regions their events came from:
   * LookupEvents answers for one region at a time and for management events only.
   */
  lookupEventsFiles: number;
  lookupEventsRegions: string[];
  /** Records that were not CloudTrail events (no eventSource/eventName/eventTime): skipped, counted. */
  recordsSkipped: number;
}

export interface AccountActivity {
  provider: 'aws';
  account: string;
  calls: CallAggregate[];
  cloudTrail: CloudTrailCoverage | null;
  selectors: EventSelectorCoverage;
  trail: TrailCoverage;
}
