/**
 * CloudTrail names each log file it delivers after the account, the region and the time of
 * delivery: `<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<unique>.json.gz`
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/get-and-view-cloudtrail-log-files.html).
 * That time proves the trail was delivering, and places a record whose own time is unusable.
 */

import { basename } from 'node:path';
import { fastUtc } from './event-time.js';

export interface LogFileDelivery {
  account: string;
  region: string;
  /** Normalised ISO time (minute precision). */
  time: string;
}

// `.json` too: downloads are often decompressed on the way and keep the rest of the name.
const LOG_FILE_NAME = /^(\d{12})_CloudTrail_([a-z0-9]+(?:-[a-z0-9]+)+)_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z_[A-Za-z0-9_-]+\.json(?:\.gz)?$/;

/** The delivery named by a CloudTrail log file name, or null for any other name. */
export function logFileDelivery(path: string): LogFileDelivery | null {
  const m = LOG_FILE_NAME.exec(basename(path.replace(/\\/g, '/')));
  if (m === null) return null;
  const [, account, region, y, mo, d, h, mi] = m;
  const time = fastUtc(`${y}-${mo}-${d}T${h}:${mi}:00Z`);
  return account !== undefined && region !== undefined && time !== null ? { account, region, time } : null;
}
