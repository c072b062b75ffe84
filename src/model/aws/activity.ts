/**
 * Activity: usage *aggregated* per caller and API call, plus what the evidence covers.
 * This is the seam between log readers and the engine: a streaming reader and a remote
 * GROUP BY (Athena, BigQuery) both produce exactly these shapes, and the engine never sees a
 * raw log line.
 */

import type { CollectManifest } from '../collect-manifest.js';
import type { LogFileProblem } from '../log-file-problem.js';
import type { DigestEvidence, TrailStatus } from './trail-delivery.js';

export type CallerType =
  'IAMUser' | 'AssumedRole' | 'Root' | 'FederatedUser' | 'AWSService' | 'AWSAccount' | 'IdentityCenterUser' | 'WebIdentityUser' | 'SAMLUser' | 'Unknown';

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
   * `unknown-time`: the record had no usable time and its file's delivery time is unknown too, so
   * it may lie inside the window: never use and never non-use (its principal's claims become
   * unverifiable).
   */
  period: 'window' | 'before-window' | 'unknown-time';
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
  /** The trail whose logs were read (its name), when known: changes to other trails open no gap. */
  name?: string;
  /** How `isMultiRegion` was decided when no trail description says it. */
  inferredFrom?: string;
}

/** Why a record could not be used at all (nothing is dropped in silence). */
export type UnusableRecordReason =
  /** Not an object, or an object without eventSource / eventName. */
  | 'not-a-cloudtrail-event'
  /** No eventTime (nor @timestamp). */
  | 'time-missing'
  /** eventTime present but not a time (garbage, out of range). */
  | 'time-invalid';

export interface UnusableRecords {
  file: string;
  reason: UnusableRecordReason;
  count: number;
}

/** A time interval, ISO times, start <= end. */
export interface TimeInterval {
  start: string;
  end: string;
}

/**
 * A call that changes what a trail records, read from the logs (cloudtrail.amazonaws.com:
 * StopLogging, StartLogging, DeleteTrail, CreateTrail, UpdateTrail, PutEventSelectors,
 * PutInsightSelectors), denied ones included (marked).
 */
export interface TrailChange {
  time: string;
  eventName: string;
  /** requestParameters.name (or trailName / trailARN); null when absent. */
  trail: string | null;
  callerArn: string | null;
  region: string;
  isDenied: boolean;
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
  /** Every record not used as it stands, per file and reason (sorted by file, then reason). */
  recordsUnusable: UnusableRecords[];
  /**
   * Records without a usable time that were placed at their log file's delivery time (from the
   * CloudTrail file name) and counted as use there.
   */
  recordsTimedByFile: number;
  /** Records whose time had no zone (`2026-10-20T10:00:00`): read as UTC, counted. */
  zonelessTimes: number;
  /**
   * Proof of delivery from the logs themselves, per region (sorted): the spans in which event
   * times and log-file delivery times follow each other with no hole longer than an hour
   * (CloudTrail writes a file about every five minutes per region while there is activity).
   * Events after asOf count too: they show the trail was delivering.
   */
  deliveryIntervals: { region: string; intervals: TimeInterval[] }[];
  /** Trail-changing calls found in the logs, in time order. */
  trailChanges: TrailChange[];
}

/** Proof (or disproof) of delivery beside the logs; see engine/aws/delivery.ts. */
export interface DeliveryEvidence {
  trailStatus?: TrailStatus;
  digests?: DigestEvidence;
  manifest?: CollectManifest;
  /** Names of the log files read (basename), to check the files each digest lists. */
  logFileNames?: string[];
}

export interface AccountActivity {
  provider: 'aws';
  account: string;
  calls: CallAggregate[];
  cloudTrail: CloudTrailCoverage | null;
  selectors: EventSelectorCoverage;
  trail: TrailCoverage;
  delivery?: DeliveryEvidence;
}
