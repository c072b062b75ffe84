/**
 * Reads `gcloud iam service-accounts keys list --iam-account EMAIL --format=json` (a list of
 * ServiceAccountKey objects) or the API's `{keys: [...]}` response
 * (https://cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts.keys).
 * The owning account is taken from each key's resource name, not from the file name, so a file
 * saved under any name is attributed correctly.
 */

import { z } from 'zod';
import { InputError } from '../../model/errors.js';
import type { GcpServiceAccountKey } from '../../model/gcp/policy.js';
import { basename } from 'node:path';
import { checkShape, readJsonFile } from './validate.js';

const keySchema = z.object({
  name: z.string().min(1),
  keyType: z.enum(['USER_MANAGED', 'SYSTEM_MANAGED']),
  keyOrigin: z.string().optional(),
  keyAlgorithm: z.string().optional(),
  validAfterTime: z.string().optional(),
  validBeforeTime: z.string().optional(),
  disabled: z.boolean().optional(),
});

const listSchema = z.union([z.array(keySchema), z.object({ keys: z.array(keySchema).optional() })]);

const HINT = 'write one file per account with `gcloud iam service-accounts keys list --iam-account EMAIL --format=json > service-account-keys/EMAIL.json`';

export const serviceAccountKeysHint = HINT;

const KEY_NAME = /^projects\/[^/]+\/serviceAccounts\/([^/]+)\/keys\/([^/]+)$/;

/** The fields of the REST `keys.list` response (https://cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts.keys/list). */
const LIST_RESPONSE_FIELDS = new Set(['keys']);

function parseServiceAccountKeys(raw: unknown, source: string): GcpServiceAccountKey[] {
  const parsed = checkShape(listSchema, raw, source, '`gcloud iam service-accounts keys list --format=json` output', HINT);
  if (!Array.isArray(parsed)) {
    // `{}` is the REST response for an account without keys (proto3 JSON leaves an empty `keys`
    // out, https://protobuf.dev/programming-guides/json/). Any other object is not a key list —
    // zod would drop its keys and read it as "no keys".
    const foreign = Object.keys(raw as Record<string, unknown>).filter((k) => !LIST_RESPONSE_FIELDS.has(k));
    if (foreign.length > 0 && parsed.keys === undefined) {
      const r = raw as Record<string, unknown>;
      const what =
        r['type'] === 'service_account' && 'private_key' in r
          ? 'a service account key (credentials with a private key, from `keys create`), not a key list: move it out of the snapshot, it is a secret'
          : typeof r['name'] === 'string' && typeof r['keyType'] === 'string'
            ? 'a single key, not a key list (wrap it in [ ] or save `keys list` output)'
            : `an object with ${foreign
                .slice(0, 5)
                .map((k) => JSON.stringify(k))
                .join(', ')}${foreign.length > 5 ? ' …' : ''} and no \`keys\``;
      throw new InputError(`${source}: not a key list: ${what}`, HINT, { file: source });
    }
  }
  const keys = Array.isArray(parsed) ? parsed : (parsed.keys ?? []);
  return keys.map((k, i) => {
    const match = KEY_NAME.exec(k.name);
    if (!match?.[1] || !match[2]) {
      throw new InputError(`${source}: [${i}].name: expected projects/PROJECT/serviceAccounts/EMAIL/keys/KEY_ID, found ${JSON.stringify(k.name)}`, HINT, {
        file: source,
      });
    }
    const key: GcpServiceAccountKey = {
      name: k.name,
      keyId: match[2],
      serviceAccountEmail: match[1],
      keyType: k.keyType,
      isDisabled: k.disabled === true,
      source,
    };
    if (k.keyOrigin !== undefined) key.keyOrigin = k.keyOrigin;
    if (k.keyAlgorithm !== undefined) key.keyAlgorithm = k.keyAlgorithm;
    if (k.validAfterTime !== undefined) key.validAfter = k.validAfterTime;
    if (k.validBeforeTime !== undefined) key.validBefore = k.validBeforeTime;
    return key;
  });
}

export type KeyFileRead = { isOk: true; keys: GcpServiceAccountKey[] } | { isOk: false; reason: string; serviceAccount: string | null };

/** `EMAIL.json`, as `collect gcp` and the hint name them. */
const EMAIL_FILE = /^([^/\\@\s]+@[^/\\@\s]+)\.json$/i;

/**
 * Reads one key file; a file that is not JSON or not a key list is reported (with the account it
 * was for, from its name or a credentials file's `client_email`), never read as "no keys".
 */
export function readServiceAccountKeyFile(file: string): KeyFileRead {
  let raw: unknown;
  try {
    raw = readJsonFile(file, HINT);
    return { isOk: true, keys: parseServiceAccountKeys(raw, file) };
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    const fromName = EMAIL_FILE.exec(basename(file))?.[1];
    const r = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
    const fromContent = typeof r['client_email'] === 'string' ? r['client_email'] : undefined;
    // The file is named apart (warning `file`, coverage `file`): the reason is what is wrong in it.
    const reason = err.message.startsWith(`${file}: `) ? err.message.slice(file.length + 2) : err.message;
    return { isOk: false, reason, serviceAccount: (fromName ?? fromContent ?? null)?.toLowerCase() ?? null };
  }
}
