/**
 * Reads `gcloud iam service-accounts keys list --iam-account EMAIL --format=json` (a list of
 * ServiceAccountKey objects) or the API's `{keys: [...]}` response
 * (https://cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts.keys).
 * The owning account is taken from each key's resource name, not from the file name, so a file
 * saved under any name is attributed correctly.
 */

import { z } from 'zod';
import { InputError } from '../../model/errors.js';
import type { GcpServiceAccountKey } from '../../model/gcp.js';
import { checkShape } from './validate.js';

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

const HINT =
  'write one file per account with `gcloud iam service-accounts keys list --iam-account EMAIL --format=json > service-account-keys/EMAIL.json`';

const KEY_NAME = /^projects\/[^/]+\/serviceAccounts\/([^/]+)\/keys\/([^/]+)$/;

export function parseServiceAccountKeys(raw: unknown, source: string): GcpServiceAccountKey[] {
  const parsed = checkShape(listSchema, raw, source, '`gcloud iam service-accounts keys list --format=json` output', HINT);
  const keys = Array.isArray(parsed) ? parsed : (parsed.keys ?? []);
  return keys.map((k, i) => {
    const match = KEY_NAME.exec(k.name);
    if (!match?.[1] || !match[2]) {
      throw new InputError(
        `${source}: [${i}].name: expected projects/PROJECT/serviceAccounts/EMAIL/keys/KEY_ID, found ${JSON.stringify(k.name)}`,
        HINT,
        { file: source },
      );
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
