/**
 * The trail's S3 archive: list only the day folders inside the window
 * (`AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/`, or `AWSLogs/<org-id>/<account>/…` for an
 * organization trail) and download the objects unchanged (.json.gz) with bounded concurrency, so
 * the snapshot's reader streams them exactly as it streams an `aws s3 sync` copy. The digest files
 * of the same days (`…/CloudTrail-Digest/<region>/YYYY/MM/DD/`, log file integrity validation)
 * come along into the same tree, where the snapshot reader takes them as proof of delivery.
 */

import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { DELIVERY_CADENCE_MS } from '../../../model/aws/delivery-cadence.js';
import { openAtomicWrite, type TempTracker } from '../../shared/atomic-file.js';
import { awsErrorCode, errorMessage, isCredentialsError } from './aws-errors.js';
import { mapPool } from '../../shared/pool.js';

export interface S3Location {
  bucket: string;
  /** Key prefix before `AWSLogs/`, without slashes at either end; '' for none. */
  prefix: string;
}

/** `s3://bucket/prefix` → location; undefined when the text is not one. */
export function parseS3Url(text: string): S3Location | undefined {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(text.trim());
  if (!m || !m[1]) return undefined;
  return { bucket: m[1], prefix: (m[2] ?? '').replace(/^\/+|\/+$/g, '') };
}

interface Listed {
  keys: { key: string; size: number }[];
  prefixes: string[];
}

/** A listing given up before its last page (the page guard): what it returned is not all there is. */
class ListingIncompleteError extends Error {
  override readonly name = 'ListingIncomplete';
}

const MAX_LIST_PAGES = 100_000;

async function listAll(s3: S3Client, bucket: string, prefix: string, delimiter?: string, maxPages = MAX_LIST_PAGES): Promise<Listed> {
  const out: Listed = { keys: [], prefixes: [] };
  let token: string | undefined;
  for (let pages = 0; pages < maxPages; pages++) {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix,
        ...(delimiter ? { Delimiter: delimiter } : {}),
        ...(token ? { ContinuationToken: token } : {}),
      }),
    );
    for (const c of page.Contents ?? []) if (c.Key) out.keys.push({ key: c.Key, size: c.Size ?? 0 });
    for (const p of page.CommonPrefixes ?? []) if (p.Prefix) out.prefixes.push(p.Prefix);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
    if (!token) return out;
  }
  // Bounded, so a misbehaving endpoint cannot loop forever; but a partial listing is never "all".
  throw new ListingIncompleteError(`the listing of ${prefix} was given up after ${maxPages} pages`);
}

/** UTC days from the window start to as-of, both included: the day folders worth listing. */
export function windowDays(start: Date, end: Date): string[] {
  const days: string[] = [];
  const d = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate()));
  for (let guard = 0; d.getTime() <= end.getTime() && guard < 1000; guard++) {
    days.push(`${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}`);
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return days;
}

export interface ArchiveOptions {
  account: string;
  windowStart: Date;
  asOf: Date;
  /**
   * Day folders are listed up to as-of plus this much: a call just before as-of can be in a file
   * delivered after it, in the next day's folder.
   */
  deliveryLagMs?: number;
  /** false: log files only, no digest files. */
  isDigestWanted?: boolean;
  /** Page guard per listing (tests lower it). */
  maxListPages?: number;
  concurrency: number;
  /** The account folder's `cloudtrail/`; keys are written below it from `AWSLogs/` on. */
  targetDir: string;
  /**
   * Runs one download (GetObject and reading its body) with retries of a body that stalls or
   * breaks off (AwsClients.withBodyRetries); default: once.
   */
  withBodyRetries?: <T>(operation: string, attempt: () => Promise<T>) => Promise<T>;
  /** Registers each temp file for removal on an interrupt. */
  trackTemp?: TempTracker;
  onProgress?: (p: { phase: 'list' | 'download'; done: number; total: number; bytes: number }) => void;
}

/** A span of one region's logs that was not read, with why (for the collection manifest). */
interface ArchiveGap {
  region: string;
  start: number;
  end: number;
  reason: string;
}

export interface ArchiveResult {
  /** The log roots read, e.g. `AWSLogs/111122223333/CloudTrail/` (after the bucket prefix). */
  roots: string[];
  regions: string[];
  daysListed: number;
  objects: number;
  bytes: number;
  /** Log day folders that could not be listed and log objects that could not be read. */
  failures: { key: string; code: string; message: string }[];
  /** The same failures as spans of each region's log timeline. */
  gaps: ArchiveGap[];
  /** Digest files downloaded. */
  digests: number;
  /** Digest folders or objects that could not be read: less proof of delivery, not missing logs. */
  digestFailures: { key: string; code: string; message: string }[];
}

/** `…/YYYY/MM/DD/` in a key → that UTC day's start; undefined when the key has none. */
function dayOf(key: string): number | undefined {
  const m = /\/(\d{4})\/(\d{2})\/(\d{2})\//.exec(key);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : undefined;
}

/** A log file's delivery time from its name (`…_CloudTrail_<region>_20261103T1005Z_<id>.json.gz`). */
function deliveryTimeOf(key: string): number | undefined {
  const m = /_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z_[^/]*$/.exec(key);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5])) : undefined;
}

/**
 * The part of the log timeline a missing folder or file could hold: a file holds the calls of up
 * to a delivery cadence before its delivery time, and a day folder the files delivered that day.
 */
function spanOf(key: string, isFolder: boolean): { start: number; end: number } {
  const delivered = isFolder ? undefined : deliveryTimeOf(key);
  if (delivered !== undefined) return { start: delivered - DELIVERY_CADENCE_MS, end: delivered };
  const day = dayOf(key);
  if (day !== undefined) return { start: day - DELIVERY_CADENCE_MS, end: day + 86_400_000 };
  return { start: Number.NEGATIVE_INFINITY, end: Number.POSITIVE_INFINITY };
}

/**
 * Lists `AWSLogs/` (one delimiter listing tells an account trail from an organization trail), then
 * each region's day folders in the window, logs and digests. Throws what the first listings of the
 * log roots throw, so `auto` can tell a readable bucket from an unreadable one; failures after that
 * are per folder or object, and each becomes a gap of its region.
 */
export async function downloadArchive(s3: S3Client, loc: S3Location, opts: ArchiveOptions): Promise<ArchiveResult> {
  const maxPages = opts.maxListPages ?? MAX_LIST_PAGES;
  const base = `${loc.prefix ? `${loc.prefix}/` : ''}AWSLogs/`;
  const top = await listAll(s3, loc.bucket, base, '/', maxPages);
  const roots: string[] = [];
  for (const p of top.prefixes) {
    const name = p.slice(base.length).replace(/\/$/, '');
    if (name === opts.account) roots.push(`${p}CloudTrail/`);
    else if (/^o-[a-z0-9]+$/.test(name)) roots.push(`${p}${opts.account}/CloudTrail/`);
  }
  const result: ArchiveResult = { roots, regions: [], daysListed: 0, objects: 0, bytes: 0, failures: [], gaps: [], digests: 0, digestFailures: [] };
  const days = windowDays(opts.windowStart, new Date(opts.asOf.getTime() + (opts.deliveryLagMs ?? 0)));
  interface Folder {
    prefix: string;
    region: string;
    /** `s3://bucket/<root><region>/`, named in the reasons. */
    regionUrl: string;
    isDigest: boolean;
  }
  const folders: Folder[] = [];
  const regions = new Set<string>();
  for (const root of roots) {
    const listed = await listAll(s3, loc.bucket, root, '/', maxPages);
    for (const p of listed.prefixes) {
      // Every region, always: a multi-region trail tells the audit that every region was observed,
      // so leaving a region's folder unread would turn its usage into false "unused" findings.
      const region = p.slice(root.length).replace(/\/$/, '');
      regions.add(region);
      for (const day of days) folders.push({ prefix: `${p}${day}/`, region, regionUrl: `s3://${loc.bucket}/${p}`, isDigest: false });
    }
  }
  if (opts.isDigestWanted !== false) {
    for (const root of roots) {
      const digestRoot = root.replace(/CloudTrail\/$/, 'CloudTrail-Digest/');
      let listed: Listed;
      try {
        listed = await listAll(s3, loc.bucket, digestRoot, '/', maxPages);
      } catch (err) {
        if (isCredentialsError(err)) throw err;
        result.digestFailures.push({ key: digestRoot, code: awsErrorCode(err), message: errorMessage(err) });
        continue;
      }
      for (const p of listed.prefixes) {
        const region = p.slice(digestRoot.length).replace(/\/$/, '');
        for (const day of days) folders.push({ prefix: `${p}${day}/`, region, regionUrl: `s3://${loc.bucket}/${p}`, isDigest: true });
      }
    }
  }
  result.regions = [...regions].sort();
  result.daysListed = folders.filter((f) => !f.isDigest).length;
  let listedDone = 0;
  const perFolder = await mapPool(folders, opts.concurrency, async (folder) => {
    try {
      const l = await listAll(s3, loc.bucket, folder.prefix, undefined, maxPages);
      return l.keys.map((k) => ({ ...k, folder }));
    } catch (err) {
      if (isCredentialsError(err)) throw err;
      const failure = { key: folder.prefix, code: awsErrorCode(err), message: errorMessage(err) };
      if (folder.isDigest) result.digestFailures.push(failure);
      else {
        result.failures.push(failure);
        result.gaps.push({
          region: folder.region,
          ...spanOf(folder.prefix, true),
          reason: `${failure.code} listing the day folders of ${folder.regionUrl} (${failure.message})`,
        });
      }
      return [];
    } finally {
      opts.onProgress?.({ phase: 'list', done: ++listedDone, total: folders.length, bytes: 0 });
    }
  });
  const objects = perFolder.flat();
  const strip = loc.prefix ? loc.prefix.length + 1 : 0;
  const withBodyRetries = opts.withBodyRetries ?? (<T>(_operation: string, attempt: () => Promise<T>): Promise<T> => attempt());
  let downloaded = 0;
  await mapPool(objects, opts.concurrency, async ({ key, size, folder }) => {
    const file = join(opts.targetDir, ...key.slice(strip).split('/'));
    try {
      // A key is not a trusted path: `..` would write outside the snapshot.
      if (key.split('/').some((seg) => seg === '..' || seg === '.')) throw new Error(`key ${key} is not a safe relative path`);
      await mkdir(dirname(file), { recursive: true });
      // To a temp name, renamed when whole: an interrupted or failed download leaves no partial file.
      await withBodyRetries('s3:GetObject', async () => {
        const out = openAtomicWrite(file, opts.trackTemp);
        try {
          const got = await s3.send(new GetObjectCommand({ Bucket: loc.bucket, Key: key }));
          const body = got.Body;
          if (body instanceof Readable) await pipeline(body, out.stream);
          else if (body) await pipeline(Readable.from([Buffer.from(await body.transformToByteArray())]), out.stream);
          else throw new Error('empty body');
          await out.commit();
        } catch (err) {
          await out.discard();
          throw err;
        }
      });
      if (folder.isDigest) result.digests++;
      else {
        result.objects++;
        result.bytes += size;
      }
    } catch (err) {
      // Nothing half-written is left (the temp file is gone); the warning names the gap instead.
      if (isCredentialsError(err)) throw err;
      const failure = { key, code: awsErrorCode(err), message: errorMessage(err) };
      if (folder.isDigest) result.digestFailures.push(failure);
      else {
        result.failures.push(failure);
        result.gaps.push({
          region: folder.region,
          ...spanOf(key, false),
          reason: `${failure.code} reading log files of ${folder.regionUrl} (${failure.message})`,
        });
      }
    } finally {
      opts.onProgress?.({ phase: 'download', done: ++downloaded, total: objects.length, bytes: result.bytes });
    }
  });
  result.failures.sort((a, b) => (a.key < b.key ? -1 : 1));
  result.digestFailures.sort((a, b) => (a.key < b.key ? -1 : 1));
  return result;
}
