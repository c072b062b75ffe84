/**
 * Reads `<dir>/gcp/groups.json`, the optional group-membership file (permdrift's own format, as
 * Cloud Identity membership is not part of any gcloud IAM output):
 *
 *   { "ci-deployers@example.com": ["serviceAccount:deploy@p.iam.gserviceaccount.com", "group:nested@example.com"] }
 *
 * Keys are group emails (a `group:` prefix is accepted and dropped); values are IAM member strings.
 * One way to produce it: `gcloud identity groups memberships list --group-email=G --format=json`
 * per group, keeping each `preferredMemberKey.id` with its type prefix. Without this file group
 * grants cannot be expanded and the resolver says so.
 */

import { z } from 'zod';
import { nullRecord } from '../../model/own-keys.js';
import { jsonRecord } from '../shared/json-record.js';
import { checkShape } from './validate.js';

const MEMBER = /^(serviceAccount|group|user|domain):.+$/;

// Group emails are keys: a group may be called `constructor` or `__proto__` (see json-record.ts).
const groupsSchema = jsonRecord(z.string().min(1), z.array(z.string().regex(MEMBER, 'expected a member such as serviceAccount:EMAIL or group:EMAIL')));

const HINT = 'groups.json maps each group email to its members: { "g@example.com": ["serviceAccount:sa@p.iam.gserviceaccount.com"] }';

export function parseGroups(raw: unknown, source: string): Record<string, string[]> {
  const parsed = checkShape(groupsSchema, raw, source, 'a permdrift groups.json file', HINT);
  const out = nullRecord<string[]>();
  for (const [group, members] of Object.entries(parsed).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const key = group.startsWith('group:') ? group.slice('group:'.length) : group;
    out[key] = [...new Set([...(out[key] ?? []), ...members])].sort();
  }
  return out;
}
