/**
 * What proves (or disproves) that CloudTrail was delivering: `aws cloudtrail get-trail-status`
 * output and the hourly digest files (log file integrity validation). Read by the snapshot
 * connector, judged in engine/aws/delivery.ts.
 */

/** `aws cloudtrail get-trail-status` (cloudtrail-get-trail-status.json), the fields that matter. */
export interface TrailStatus {
  source: string;
  isLogging: boolean | null;
  startLoggingTime: string | null;
  stopLoggingTime: string | null;
  latestDeliveryTime: string | null;
  latestDigestDeliveryTime: string | null;
  latestDeliveryError: string | null;
}

/** One digest file: the log files CloudTrail delivered in [start, end] for one region. */
export interface DigestRecord {
  file: string;
  region: string;
  start: string;
  end: string;
  /** The digest's own S3 key, and the previous one's (null for the first digest of a chain). */
  s3Object: string;
  previousS3Object: string | null;
  /** S3 keys of the log files it lists. */
  logFiles: string[];
}

export interface DigestEvidence {
  digests: DigestRecord[];
  /** Digest files that could not be read: they prove nothing. */
  failed: { file: string; reason: string }[];
}
