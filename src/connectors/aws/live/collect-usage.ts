/**
 * Usage evidence of one account: the CloudTrail archive in S3 (the trail's bucket or
 * `--cloudtrail-s3`) when there is one, else LookupEvents (management events, 90 days), and what
 * the manifest may claim of each region's span: read in full up to what had been delivered, with
 * the gaps (unreadable objects, an unlisted bucket, LookupEvents' reach or a stop) recorded.
 */

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Trail } from '@aws-sdk/client-cloudtrail';
import { UsageError } from '../../../model/errors.js';
import type { ManifestRecorder } from '../../shared/collect-manifest-recorder.js';
import { awsErrorCode, errorMessage, isCredentialsError } from './aws-errors.js';
import type { AwsClients } from './clients.js';
import { lookupEventsToFile } from './cloudtrail.js';
import { downloadArchive, parseS3Url, type S3Location } from './s3-archive.js';
import type { CollectAwsOptions } from './collect.js';
import { deniedMessage } from './collect-problem.js';
import { eta } from './collect-progress.js';

/** LookupEvents answers at most 90 days back. */
const LOOKUP_EVENTS_REACH_MS = 90 * 86_400_000;

/**
 * How long after a call its record may still be on its way. CloudTrail delivers typically within
 * about five minutes, without a guarantee (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/how-cloudtrail-works.html);
 * the manifest claims no span as read in full closer than this to the moment it was read.
 */
const LOG_DELIVERY_LAG_MS = 15 * 60_000;

export interface UsageContext {
  account: string;
  region: string;
  trail: Trail | undefined;
  location: S3Location | undefined;
  accountDir: string;
  warn: (code: string, message: string) => void;
  manifest: ManifestRecorder;
  now: () => Date;
  progress: (m: string) => void;
}

export function archiveLocation(opts: CollectAwsOptions, trail: Trail | undefined): S3Location | undefined {
  if (opts.cloudTrailSource === 'none' || opts.cloudTrailSource === 'lookup-events') return undefined;
  let location: S3Location | undefined;
  if (opts.cloudTrailS3) {
    location = parseS3Url(opts.cloudTrailS3);
    if (!location) throw new UsageError(`invalid --cloudtrail-s3 "${opts.cloudTrailS3}"`, 'use s3://<bucket>/<prefix>, the prefix before AWSLogs/');
  } else if (trail?.S3BucketName) {
    location = { bucket: trail.S3BucketName, prefix: (trail.S3KeyPrefix ?? '').replace(/^\/+|\/+$/g, '') };
  }
  if (opts.cloudTrailSource === 's3' && !location) {
    throw new UsageError(
      '--cloudtrail-source s3 but no trail names a bucket',
      'pass --cloudtrail-s3 s3://<bucket>/<prefix>, or use --cloudtrail-source lookup-events',
    );
  }
  return location;
}

export async function collectUsage(clients: AwsClients, opts: CollectAwsOptions, c: UsageContext): Promise<string> {
  if (opts.cloudTrailSource === 'none') return 'none';
  const location = c.location;
  if (location && opts.cloudTrailSource !== 'lookup-events') {
    const url = `s3://${location.bucket}${location.prefix ? `/${location.prefix}` : ''}`;
    const phaseStart = new Map<string, number>();
    const readAt = c.now();
    try {
      const r = await downloadArchive(clients.s3(), location, {
        account: c.account,
        windowStart: opts.windowStart,
        asOf: opts.asOf,
        deliveryLagMs: LOG_DELIVERY_LAG_MS,
        concurrency: opts.s3Concurrency ?? 16,
        ...(opts.maxListPages !== undefined ? { maxListPages: opts.maxListPages } : {}),
        targetDir: join(c.accountDir, 'cloudtrail'),
        withBodyRetries: (operation, attempt) => clients.withBodyRetries(operation, attempt),
        ...(opts.trackTemp ? { trackTemp: opts.trackTemp } : {}),
        onProgress: (p) => {
          if (!phaseStart.has(p.phase)) phaseStart.set(p.phase, Date.now());
          const left = eta(phaseStart.get(p.phase) ?? Date.now(), p.done, p.total);
          c.progress(
            p.phase === 'list'
              ? `S3 day folders ${p.done}/${p.total}${left}`
              : `S3 objects ${p.done}/${p.total}, ${(p.bytes / 1_048_576).toFixed(1)} MB${left}`,
          );
        },
      });
      c.manifest.setLogSource('s3');
      c.manifest.sourceRead('cloudtrail', readAt);
      c.manifest.addFilesWritten(r.objects);
      // Every day folder of a region listed to its last page and every file downloaded: that span
      // of the region is read in full, up to what had been delivered when the listing began.
      const readUntil = Math.min(opts.asOf.getTime(), readAt.getTime() - LOG_DELIVERY_LAG_MS);
      for (const region of r.regions) c.manifest.attempt(region, opts.windowStart, readUntil);
      for (const g of r.gaps) c.manifest.fail(g.region, g.start, g.end, g.reason);
      if (r.roots.length === 0) {
        c.warn('cloudtrail-s3-empty', `${url} has no AWSLogs/${c.account}/CloudTrail/ (or AWSLogs/<org-id>/${c.account}/) folder: no usage was read`);
        c.manifest.fail(url, opts.windowStart, opts.asOf, `no AWSLogs/${c.account}/CloudTrail/ (or AWSLogs/<org-id>/${c.account}/) folder in ${url}`);
      }
      reportObjectFailures(r.failures, location.bucket, c.warn);
      reportDigestFailures(r.digestFailures, location.bucket, c.warn);
      c.progress(`S3 ${r.objects} objects, ${(r.bytes / 1_048_576).toFixed(1)} MB${r.digests > 0 ? `, ${r.digests} digests` : ''}`);
      return url;
    } catch (err) {
      if (isCredentialsError(err)) throw err;
      if (opts.cloudTrailSource === 's3') {
        c.warn('cloudtrail-s3-unreadable', `${deniedMessage('s3:ListBucket', `${url} could not be listed; no usage was read`, err)}`);
        c.manifest.setLogSource('s3');
        c.manifest.fail(url, opts.windowStart, opts.asOf, `${awsErrorCode(err)} listing ${url} (${errorMessage(err)})`);
        return 'none';
      }
      // LookupEvents stands in; the bucket's failure is a warning, not a gap of the evidence read instead.
      c.warn(
        'cloudtrail-s3-unreadable',
        `${url} could not be listed (${awsErrorCode(err)}: ${errorMessage(err)}); usage comes from LookupEvents instead (management events only)`,
      );
    }
  }
  return lookupEvents(clients, opts, c);
}

/** Per object while few; grouped per error code when many (a KMS denial fails every object alike). */
function reportObjectFailures(failures: { key: string; code: string; message: string }[], bucket: string, warn: (code: string, message: string) => void): void {
  if (failures.length <= 10) {
    for (const f of failures) warn('cloudtrail-object-unreadable', `s3://${bucket}/${f.key}: ${f.code} (${f.message}); its events are a coverage gap`);
    return;
  }
  const byCode = new Map<string, typeof failures>();
  for (const f of failures) byCode.set(f.code, [...(byCode.get(f.code) ?? []), f]);
  for (const [code, list] of byCode) {
    const first = list[0];
    const hint =
      code === 'AccessDenied' || code === 'KMS.AccessDeniedException' ? ` (objects encrypted with SSE-KMS also need kms:Decrypt, see docs/live-aws.md)` : '';
    warn(
      'cloudtrail-object-unreadable',
      `${list.length} objects of s3://${bucket} could not be read: ${code} (${first?.message ?? ''})${hint}; first: ${list
        .slice(0, 3)
        .map((f) => f.key)
        .join(', ')}; their events are a coverage gap`,
    );
  }
}

/** Digest files prove delivery; one missing is less proof (the scan sees a broken chain), not missing events. */
function reportDigestFailures(failures: { key: string; code: string; message: string }[], bucket: string, warn: (code: string, message: string) => void): void {
  if (failures.length === 0) return;
  const first = failures[0];
  warn(
    'cloudtrail-digest-unreadable',
    `${failures.length} CloudTrail digest folder(s) or file(s) of s3://${bucket} could not be read: ${first?.code ?? ''} (${first?.message ?? ''}); first: ${failures
      .slice(0, 3)
      .map((f) => f.key)
      .join(', ')}; the hours they cover have less proof of delivery`,
  );
}

async function lookupEvents(clients: AwsClients, opts: CollectAwsOptions, c: UsageContext): Promise<string> {
  // Global services log in us-east-1, so it is always read; other regions only when asked for.
  const regions = opts.regions.length > 0 ? [...new Set(opts.regions)] : [...new Set([c.region, 'us-east-1'])];
  const start = new Date(Math.max(opts.windowStart.getTime(), opts.asOf.getTime() - LOOKUP_EVENTS_REACH_MS));
  const dir = join(c.accountDir, 'cloudtrail', 'lookup-events');
  await mkdir(dir, { recursive: true });
  const readAt = c.now();
  const results = await Promise.all(
    regions.map((r) =>
      lookupEventsToFile(
        clients.cloudTrail(r),
        r,
        { start, end: opts.asOf },
        join(dir, `${r}.json`),
        (n) => c.progress(`LookupEvents ${r}: ${n} events`),
        undefined,
        opts.trackTemp,
      ),
    ),
  );
  c.manifest.setLogSource('lookup-events');
  c.manifest.sourceRead('cloudtrail', readAt);
  const readUntil = Math.min(opts.asOf.getTime(), readAt.getTime() - LOG_DELIVERY_LAG_MS);
  for (const r of results) {
    c.manifest.addFilesWritten(r.pages);
    c.manifest.attempt(r.region, start, readUntil);
    if (start.getTime() > opts.windowStart.getTime()) {
      c.manifest.fail(r.region, opts.windowStart, start, 'LookupEvents answers only the last 90 days');
    }
    if (r.failure) {
      c.warn(
        'lookup-events-incomplete',
        `LookupEvents in ${r.region} stopped after ${r.events} events (${r.failure.code}: ${r.failure.message}); older events there are a coverage gap`,
      );
      // Newest first: what is older than the oldest event read (to the second, EventTime's grain) is missing.
      const readFrom = r.oldestEventMs !== undefined ? r.oldestEventMs + 1000 : opts.asOf.getTime();
      c.manifest.fail(r.region, start, readFrom, `LookupEvents stopped after ${r.events} events (${r.failure.code}: ${r.failure.message})`);
    }
  }
  return `lookup-events (${regions.join(', ')})`;
}
