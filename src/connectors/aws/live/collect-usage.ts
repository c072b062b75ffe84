/**
 * Usage evidence of one account from the CloudTrail archive in S3 (the trail's bucket or
 * `--cloudtrail-s3`), with LookupEvents standing in when there is no archive or `auto` cannot
 * list it; and what the manifest may claim of the archive: each region read in full up to what
 * had been delivered, with the gaps (folders or objects that could not be read) recorded, and
 * failures worded per object while few, per error code when many.
 */

import { join } from 'node:path';
import type { Trail } from '@aws-sdk/client-cloudtrail';
import { UsageError } from '../../../model/errors.js';
import { awsErrorCode, errorMessage, isCredentialsError } from './aws-errors.js';
import type { CollectAwsOptions } from './collect.js';
import { LOG_DELIVERY_LAG_MS, type AccountContext } from './collect-context.js';
import { lookupEvents } from './collect-lookup-events.js';
import { deniedMessage } from './collect-problem.js';
import { eta } from './collect-progress.js';
import { downloadArchive, parseS3Url, type ArchiveResult, type S3Location } from './s3-archive.js';

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

/** The usage source's text: the archive's url, `lookup-events (…)` or `none`. */
export async function collectUsage(ctx: AccountContext, location: S3Location | undefined, progress: (m: string) => void): Promise<string> {
  const { opts } = ctx;
  if (opts.cloudTrailSource === 'none') return 'none';
  if (location && opts.cloudTrailSource !== 'lookup-events') {
    const source = await readArchive(ctx, location, progress);
    if (source !== undefined) return source;
  }
  return lookupEvents(ctx, progress);
}

/** The archive's url once read; `none` when `--cloudtrail-source s3` and it cannot be listed; undefined when LookupEvents stands in. */
async function readArchive(ctx: AccountContext, location: S3Location, progress: (m: string) => void): Promise<string | undefined> {
  const { opts } = ctx;
  const url = `s3://${location.bucket}${location.prefix ? `/${location.prefix}` : ''}`;
  const phaseStart = new Map<string, number>();
  const readAt = ctx.now();
  try {
    const r = await downloadArchive(ctx.clients.s3(), location, {
      account: ctx.account,
      windowStart: opts.windowStart,
      asOf: opts.asOf,
      deliveryLagMs: LOG_DELIVERY_LAG_MS,
      concurrency: opts.s3Concurrency ?? 16,
      ...(opts.maxListPages !== undefined ? { maxListPages: opts.maxListPages } : {}),
      targetDir: join(ctx.accountDir, 'cloudtrail'),
      withBodyRetries: (operation, attempt) => ctx.clients.withBodyRetries(operation, attempt),
      ...(opts.trackTemp ? { trackTemp: opts.trackTemp } : {}),
      onProgress: (p) => {
        if (!phaseStart.has(p.phase)) phaseStart.set(p.phase, Date.now());
        const left = eta(phaseStart.get(p.phase) ?? Date.now(), p.done, p.total);
        progress(
          p.phase === 'list' ? `S3 day folders ${p.done}/${p.total}${left}` : `S3 objects ${p.done}/${p.total}, ${(p.bytes / 1_048_576).toFixed(1)} MB${left}`,
        );
      },
    });
    recordArchive(ctx, url, location.bucket, r, readAt);
    progress(`S3 ${r.objects} objects, ${(r.bytes / 1_048_576).toFixed(1)} MB${r.digests > 0 ? `, ${r.digests} digests` : ''}`);
    return url;
  } catch (err) {
    if (isCredentialsError(err)) throw err;
    if (opts.cloudTrailSource === 's3') {
      ctx.warn('cloudtrail-s3-unreadable', `${deniedMessage('s3:ListBucket', `${url} could not be listed; no usage was read`, err)}`);
      ctx.manifest.setLogSource('s3');
      ctx.manifest.fail(url, opts.windowStart, opts.asOf, `${awsErrorCode(err)} listing ${url} (${errorMessage(err)})`);
      return 'none';
    }
    // LookupEvents stands in; the bucket's failure is a warning, not a gap of the evidence read instead.
    ctx.warn(
      'cloudtrail-s3-unreadable',
      `${url} could not be listed (${awsErrorCode(err)}: ${errorMessage(err)}); usage comes from LookupEvents instead (management events only)`,
    );
    return undefined;
  }
}

function recordArchive(ctx: AccountContext, url: string, bucket: string, r: ArchiveResult, readAt: Date): void {
  const { opts, manifest, account } = ctx;
  manifest.setLogSource('s3');
  manifest.sourceRead('cloudtrail', readAt);
  manifest.addFilesWritten(r.objects);
  // Every day folder of a region listed to its last page and every file downloaded: that span
  // of the region is read in full, up to what had been delivered when the listing began.
  const readUntil = Math.min(opts.asOf.getTime(), readAt.getTime() - LOG_DELIVERY_LAG_MS);
  for (const region of r.regions) manifest.attempt(region, opts.windowStart, readUntil);
  for (const g of r.gaps) manifest.fail(g.region, g.start, g.end, g.reason);
  if (r.roots.length === 0) {
    ctx.warn('cloudtrail-s3-empty', `${url} has no AWSLogs/${account}/CloudTrail/ (or AWSLogs/<org-id>/${account}/) folder: no usage was read`);
    manifest.fail(url, opts.windowStart, opts.asOf, `no AWSLogs/${account}/CloudTrail/ (or AWSLogs/<org-id>/${account}/) folder in ${url}`);
  }
  reportObjectFailures(r.failures, bucket, ctx.warn);
  reportDigestFailures(r.digestFailures, bucket, ctx.warn);
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
