/**
 * `collect-manifest.json`: written by `collect aws` / `collect gcp` into each account or project
 * folder. It records when each source was read and which span of the logs the collector asked
 * for and got, so `scan files` can tell "no activity" from "not read" and knows where the
 * evidence ends (an `--as-of` after `readAt` is an unobserved tail).
 *
 * Hand-made snapshots have no manifest; the engine then falls back to the newest time inside
 * the files and says so.
 */

export const COLLECT_MANIFEST_FILE = 'collect-manifest.json';
export const COLLECT_MANIFEST_VERSION = 1;

interface ManifestSourceRead {
  /** When the source was read (ISO, UTC). */
  readAt: string;
}

/** One region's (AWS) or log stream's (GCP) span of log reading. */
export interface ManifestLogSpan {
  /** AWS region, or GCP log id (`cloudaudit.googleapis.com/activity`, …). */
  scope: string;
  start: string;
  end: string;
}

export interface ManifestLogFailure extends ManifestLogSpan {
  reason: string;
}

interface ManifestLogs {
  /** AWS: `s3` | `lookup-events` | `none`; GCP: `api` | `gcs` | `none`. */
  source: string;
  /** The span the collector asked for: [window start, collection time]. */
  requested: { start: string; end: string };
  /**
   * Spans read to the end (every listing page, every file downloaded, every lookup page): inside
   * them, no file means no activity.
   */
  complete: ManifestLogSpan[];
  /** Spans whose reading failed or was given up: gaps in the evidence. */
  failed: ManifestLogFailure[];
  /** Files written (log files, or pages of lookup / entries output). */
  filesWritten: number;
}

export interface CollectManifest {
  schemaVersion: typeof COLLECT_MANIFEST_VERSION;
  provider: 'aws' | 'gcp';
  /** Account id or project id. */
  scope: string;
  /** `permdrift <version>` */
  tool: string;
  /**
   * false from the start of the collection until its end: a folder whose manifest says false was
   * interrupted (or its run failed) half-way; what the manifest does not record as read in full
   * is a gap. Manifests written before this field existed are complete (the reader sets true).
   */
  complete?: boolean;
  /** When the collection of this account / project started and finished (for an incomplete one: when it last recorded progress). */
  startedAt: string;
  finishedAt: string;
  /**
   * Per source (file name without extension as key, e.g. `iam-get-account-authorization-details`,
   * `iam-get-credential-report`, `cloudtrail-get-trail-status`, `access-advisor`): when it was read.
   */
  sources: Record<string, ManifestSourceRead>;
  logs: ManifestLogs;
}
