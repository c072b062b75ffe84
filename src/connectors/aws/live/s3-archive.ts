/**
 * The trail's S3 archive: list only the day folders inside the window
 * (`AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/`, or `AWSLogs/<org-id>/<account>/…` for an
 * organization trail) and download the objects unchanged (.json.gz) with bounded concurrency, so
 * the snapshot's reader streams them exactly as it streams an `aws s3 sync` copy.
 */

import { mkdir, rm } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { awsErrorCode, errorMessage, isCredentialsError } from './aws-errors.js';
import { mapPool } from './pool.js';

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

async function listAll(s3: S3Client, bucket: string, prefix: string, delimiter?: string): Promise<Listed> {
  const out: Listed = { keys: [], prefixes: [] };
  let token: string | undefined;
  for (let guard = 0; guard < 100_000; guard++) {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(delimiter ? { Delimiter: delimiter } : {}), ...(token ? { ContinuationToken: token } : {}) }),
    );
    for (const c of page.Contents ?? []) if (c.Key) out.keys.push({ key: c.Key, size: c.Size ?? 0 });
    for (const p of page.CommonPrefixes ?? []) if (p.Prefix) out.prefixes.push(p.Prefix);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
    if (!token) break;
  }
  return out;
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
  concurrency: number;
  /** The account folder's `cloudtrail/`; keys are written below it from `AWSLogs/` on. */
  targetDir: string;
  onProgress?: (p: { phase: 'list' | 'download'; done: number; total: number; bytes: number }) => void;
}

export interface ArchiveResult {
  /** The log roots read, e.g. `AWSLogs/111122223333/CloudTrail/` (after the bucket prefix). */
  roots: string[];
  regions: string[];
  daysListed: number;
  objects: number;
  bytes: number;
  failures: { key: string; code: string; message: string }[];
}

/**
 * Lists `AWSLogs/` (one delimiter listing tells an account trail from an organization trail), then
 * each region's day folders in the window. Throws what the first listing throws, so `auto` can tell
 * a readable bucket from an unreadable one; failures after that are per object.
 */
export async function downloadArchive(s3: S3Client, loc: S3Location, opts: ArchiveOptions): Promise<ArchiveResult> {
  const base = `${loc.prefix ? `${loc.prefix}/` : ''}AWSLogs/`;
  const top = await listAll(s3, loc.bucket, base, '/');
  const roots: string[] = [];
  for (const p of top.prefixes) {
    const name = p.slice(base.length).replace(/\/$/, '');
    if (name === opts.account) roots.push(`${p}CloudTrail/`);
    else if (/^o-[a-z0-9]+$/.test(name)) roots.push(`${p}${opts.account}/CloudTrail/`);
  }
  const result: ArchiveResult = { roots, regions: [], daysListed: 0, objects: 0, bytes: 0, failures: [] };
  const days = windowDays(opts.windowStart, opts.asOf);
  const folders: string[] = [];
  const regions = new Set<string>();
  for (const root of roots) {
    const listed = await listAll(s3, loc.bucket, root, '/');
    for (const p of listed.prefixes) {
      // Every region, always: a multi-region trail tells the audit that every region was observed,
      // so leaving a region's folder unread would turn its usage into false "unused" findings.
      regions.add(p.slice(root.length).replace(/\/$/, ''));
      for (const day of days) folders.push(`${p}${day}/`);
    }
  }
  result.regions = [...regions].sort();
  result.daysListed = folders.length;
  let listedDone = 0;
  const perFolder = await mapPool(folders, opts.concurrency, async (folder) => {
    try {
      const l = await listAll(s3, loc.bucket, folder);
      return l.keys;
    } catch (err) {
      if (isCredentialsError(err)) throw err;
      result.failures.push({ key: folder, code: awsErrorCode(err), message: errorMessage(err) });
      return [];
    } finally {
      opts.onProgress?.({ phase: 'list', done: ++listedDone, total: folders.length, bytes: 0 });
    }
  });
  const objects = perFolder.flat();
  const strip = loc.prefix ? loc.prefix.length + 1 : 0;
  let downloaded = 0;
  await mapPool(objects, opts.concurrency, async ({ key, size }) => {
    const file = join(opts.targetDir, ...key.slice(strip).split('/'));
    try {
      await mkdir(dirname(file), { recursive: true });
      const got = await s3.send(new GetObjectCommand({ Bucket: loc.bucket, Key: key }));
      const body = got.Body;
      if (body instanceof Readable) await pipeline(body, createWriteStream(file));
      else if (body) await pipeline(Readable.from([Buffer.from(await body.transformToByteArray())]), createWriteStream(file));
      else throw new Error('empty body');
      result.objects++;
      result.bytes += size;
    } catch (err) {
      // A half-written object would read as a corrupt log; the warning names the gap instead.
      await rm(file, { force: true });
      if (isCredentialsError(err)) throw err;
      result.failures.push({ key, code: awsErrorCode(err), message: errorMessage(err) });
    } finally {
      opts.onProgress?.({ phase: 'download', done: ++downloaded, total: objects.length, bytes: result.bytes });
    }
  });
  result.failures.sort((a, b) => (a.key < b.key ? -1 : 1));
  return result;
}
