/**
 * Reads the files that prove (or disprove) CloudTrail delivery in a snapshot:
 * `cloudtrail-get-trail-status.json` (`aws cloudtrail get-trail-status`), the hourly digest
 * files of log file integrity validation (`…/CloudTrail-Digest/<region>/…`); the collection
 * manifest is read by ../shared/collect-manifest-file.ts. Judged in engine/aws/delivery.ts.
 *
 * Digest structure: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html
 */

import { gunzipSync } from 'node:zlib';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { z } from 'zod';
import { InputError } from '../../model/errors.js';
import { isoOrNull } from '../shared/iso-or-null.js';
import type { DigestEvidence, DigestRecord, TrailStatus } from '../../model/aws/trail-delivery.js';

export const TRAIL_STATUS_FILE = 'cloudtrail-get-trail-status.json';

const trailStatusSchema = z
  .object({
    IsLogging: z.boolean().optional(),
    StartLoggingTime: z.union([z.string(), z.number()]).optional(),
    StopLoggingTime: z.union([z.string(), z.number()]).optional(),
    LatestDeliveryTime: z.union([z.string(), z.number()]).optional(),
    LatestDigestDeliveryTime: z.union([z.string(), z.number()]).optional(),
    LatestDeliveryError: z.string().optional(),
  })
  .passthrough();

export function parseTrailStatus(json: unknown, source: string): TrailStatus {
  const parsed = trailStatusSchema.safeParse(json);
  if (!parsed.success || typeof json !== 'object' || json === null || Array.isArray(json) || !('IsLogging' in json)) {
    throw new InputError(
      `${source} is not \`aws cloudtrail get-trail-status\` output (no IsLogging)`,
      'run `aws cloudtrail get-trail-status --name <trail> > cloudtrail-get-trail-status.json`',
      { file: source },
    );
  }
  const d = parsed.data;
  return {
    source,
    isLogging: d.IsLogging ?? null,
    startLoggingTime: isoOrNull(d.StartLoggingTime),
    stopLoggingTime: isoOrNull(d.StopLoggingTime),
    latestDeliveryTime: isoOrNull(d.LatestDeliveryTime),
    latestDigestDeliveryTime: isoOrNull(d.LatestDigestDeliveryTime),
    latestDeliveryError: d.LatestDeliveryError && d.LatestDeliveryError.trim() !== '' ? d.LatestDeliveryError : null,
  };
}

const digestSchema = z.object({
  awsAccountId: z.string().optional(),
  digestStartTime: z.string(),
  digestEndTime: z.string(),
  digestS3Object: z.string(),
  previousDigestS3Object: z.string().nullable().optional(),
  logFiles: z.array(z.object({ s3Object: z.string() }).passthrough()),
});

function regionOfDigest(key: string, file: string): string {
  const m = /CloudTrail-Digest\/([a-z0-9-]+)\//.exec(key) ?? /CloudTrail-Digest\/([a-z0-9-]+)\//.exec(file.replace(/\\/g, '/'));
  return m?.[1] ?? '';
}

async function readMaybeGzip(path: string): Promise<string> {
  const buf = await readFile(path);
  return (buf[0] === 0x1f && buf[1] === 0x8b ? gunzipSync(buf) : buf).toString('utf8');
}

/** Reads digest files; one that cannot be read is recorded, never taken as proof. */
export async function readDigests(files: readonly string[], label: (f: string) => string): Promise<DigestEvidence> {
  const digests: DigestRecord[] = [];
  const failed: DigestEvidence['failed'] = [];
  for (const file of files) {
    let json: unknown;
    try {
      json = JSON.parse(await readMaybeGzip(file));
    } catch (err) {
      failed.push({ file: label(file), reason: `not a readable digest file (${(err as Error).message})` });
      continue;
    }
    const parsed = digestSchema.safeParse(json);
    const start = parsed.success ? isoOrNull(parsed.data.digestStartTime) : null;
    const end = parsed.success ? isoOrNull(parsed.data.digestEndTime) : null;
    if (!parsed.success || start === null || end === null || end < start) {
      failed.push({ file: label(file), reason: 'not a CloudTrail digest file (digestStartTime, digestEndTime, digestS3Object, logFiles)' });
      continue;
    }
    const d = parsed.data;
    digests.push({
      file: label(file),
      region: regionOfDigest(d.digestS3Object, file),
      start,
      end,
      s3Object: d.digestS3Object,
      previousS3Object: d.previousDigestS3Object ?? null,
      logFiles: d.logFiles.map((l) => l.s3Object).sort(),
    });
  }
  digests.sort((a, b) => (a.region < b.region ? -1 : a.region > b.region ? 1 : a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  failed.sort((a, b) => (a.file < b.file ? -1 : 1));
  return { digests, failed };
}

/** The name part of an S3 key or path, which is how digest entries are matched to the log files read. */
export function logFileName(keyOrPath: string): string {
  return basename(keyOrPath.replace(/\\/g, '/'));
}
