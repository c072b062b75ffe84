/**
 * What every step of one account's `collect aws` reads and writes through: the clients, the
 * account folder and its manifest, the warnings, and how a file is recorded as read; and the
 * delivery lag that bounds what any log source may claim as read in full.
 */

import type { ManifestRecorder } from '../../shared/collect-manifest-recorder.js';
import type { AwsClients } from './clients.js';
import type { CollectAwsOptions } from './collect.js';

/**
 * How long after a call its record may still be on its way. CloudTrail delivers typically within
 * about five minutes, without a guarantee (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/how-cloudtrail-works.html);
 * the manifest claims no span as read in full closer than this to the moment it was read.
 */
export const LOG_DELIVERY_LAG_MS = 15 * 60_000;

/** One account's collection, as each of its steps sees it. */
export interface AccountContext {
  clients: AwsClients;
  opts: CollectAwsOptions;
  /** The 12-digit account id. */
  account: string;
  /** The region of the run's first calls (the first `--region`, else the profile's). */
  region: string;
  /** `<outDir>/aws/<account-id>`. */
  accountDir: string;
  manifest: ManifestRecorder;
  now: () => Date;
  /** A warning of this account (its collect-warnings.json). */
  warn: (code: string, message: string) => void;
  /** Throws the error that ends the run when `err` is a credentials failure; returns otherwise. */
  rethrowCredentials: (err: unknown) => void;
  /** Writes `name` in the account folder and records in the manifest that it was read at `at`. */
  record: (name: string, value: unknown, at: Date) => Promise<void>;
}
