/**
 * CloudTrail digest files for a fake account's archive, in the structure AWS documents
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html):
 * one per region and hour, chained by previousDigestS3Object, each listing the log files delivered
 * in its hour (none for a quiet hour). Keys: `AWSLogs/<acct>/CloudTrail-Digest/<region>/YYYY/MM/DD/
 * <acct>_CloudTrail-Digest_<region>_<trail>_<home-region>_YYYYMMDDTHHmmssZ.json.gz`, dated by the
 * digest's end.
 */

import { gzipSync } from 'node:zlib';
import type { FakeAccount } from './account.js';

const HOUR = 3_600_000;

function stamp(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10).replace(/-/g, '/');
}

/** The log file keys of `bucket` per region, with their delivery time (from the name). */
function logFiles(objects: Record<string, Buffer>, account: string): Map<string, { key: string; delivered: number }[]> {
  const byRegion = new Map<string, { key: string; delivered: number }[]>();
  for (const key of Object.keys(objects).sort()) {
    const m = new RegExp(`AWSLogs/${account}/CloudTrail/([a-z0-9-]+)/.*_(\\d{4})(\\d{2})(\\d{2})T(\\d{2})(\\d{2})Z_[^/]*$`).exec(key);
    if (!m || !m[1]) continue;
    const delivered = Date.UTC(Number(m[2]), Number(m[3]) - 1, Number(m[4]), Number(m[5]), Number(m[6]));
    byRegion.set(m[1], [...(byRegion.get(m[1]) ?? []), { key, delivered }]);
  }
  return byRegion;
}

/**
 * Adds hourly digests for [from, to) to the account's trail bucket, for every region that has log
 * files; returns the digest keys added.
 */
export function addDigests(account: FakeAccount, from: Date, to: Date, opts: { trailName?: string; homeRegion?: string } = {}): string[] {
  const bucket = Object.keys(account.buckets)[0] ?? '';
  const objects = account.buckets[bucket] ?? {};
  const trail = opts.trailName ?? 'org-audit';
  const home = opts.homeRegion ?? 'us-east-1';
  const added: string[] = [];
  for (const [region, files] of logFiles(objects, account.accountId)) {
    let previous: string | null = null;
    for (let start = from.getTime(); start < to.getTime(); start += HOUR) {
      const end = start + HOUR;
      const key = `AWSLogs/${account.accountId}/CloudTrail-Digest/${region}/${day(end)}/${account.accountId}_CloudTrail-Digest_${region}_${trail}_${home}_${stamp(end)}.json.gz`;
      const listed = files.filter((f) => f.delivered >= start && f.delivered < end);
      const digest = {
        awsAccountId: account.accountId,
        digestStartTime: new Date(start).toISOString().replace('.000', ''),
        digestEndTime: new Date(end).toISOString().replace('.000', ''),
        digestS3Bucket: bucket,
        digestS3Object: key,
        digestPublicKeyFingerprint: '0123456789abcdef0123456789abcdef',
        digestSignatureAlgorithm: 'SHA256withRSA',
        newestEventTime: listed.length > 0 ? new Date(end - 60_000).toISOString() : null,
        oldestEventTime: listed.length > 0 ? new Date(start).toISOString() : null,
        previousDigestS3Bucket: previous ? bucket : null,
        previousDigestS3Object: previous,
        previousDigestHashValue: previous ? 'aa'.repeat(32) : null,
        previousDigestHashAlgorithm: previous ? 'SHA-256' : null,
        previousDigestSignature: previous ? 'bb'.repeat(64) : null,
        logFiles: listed.map((f) => ({
          s3Bucket: bucket,
          s3Object: f.key,
          hashValue: 'cc'.repeat(32),
          hashAlgorithm: 'SHA-256',
          newestEventTime: new Date(f.delivered).toISOString(),
          oldestEventTime: new Date(f.delivered - HOUR).toISOString(),
        })),
      };
      objects[key] = gzipSync(Buffer.from(JSON.stringify(digest)));
      added.push(key);
      previous = key;
    }
  }
  account.buckets[bucket] = objects;
  return added;
}
