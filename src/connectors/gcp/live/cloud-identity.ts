/**
 * Group membership from the Cloud Identity Groups API, for the groups that hold bindings: without
 * it a service account that gets a role through a group is not credited with the group's grants
 * (the resolver reports `group-not-expanded`). Written as `<dir>/gcp/groups.json`, the format
 * ../groups.ts reads (group email → IAM member strings).
 *
 * - `GET https://cloudidentity.googleapis.com/v1/groups:lookup?groupKey.id=EMAIL` → `{ name: "groups/ID" }`
 *   (https://cloud.google.com/identity/docs/reference/rest/v1/groups/lookup);
 * - `GET /v1/groups/ID/memberships` (pageSize ≤ 1000, pageToken;
 *   https://cloud.google.com/identity/docs/reference/rest/v1/groups.memberships/list) →
 *   `memberships[] { preferredMemberKey { id }, type }`, `type` one of USER, SERVICE_ACCOUNT, GROUP,
 *   SHARED_DRIVE, CBCM_BROWSER, OTHER
 *   (https://cloud.google.com/identity/docs/reference/rest/v1/groups.memberships#Membership).
 *
 * Nested groups are followed (each group is read once, cycles included). Members of a type with no
 * IAM member prefix (shared drives, browsers, OTHER) are left out and counted: they cannot hold IAM
 * grants as principals permdrift audits. Reading memberships is governed by Cloud Identity / Google
 * Workspace (the group's "who can view members" setting, or a Groups Reader admin role), not by an
 * IAM permission; a group that cannot be read is reported, never guessed.
 */

import { nullRecord, setOwn } from '../../../model/own-keys.js';
import { compareText } from '../../../model/compare-text.js';
import type { GcpClients } from './clients.js';

const GROUP_LOOKUP_OPERATION = 'cloudidentity.groups.lookup';
const MEMBERSHIPS_LIST_OPERATION = 'cloudidentity.groups.memberships.list';

const PREFIX_BY_TYPE: Readonly<Record<string, string>> = { USER: 'user', SERVICE_ACCOUNT: 'serviceAccount', GROUP: 'group' };

export interface GroupExpansion {
  /** Group email (lower case) → its direct members as IAM member strings, sorted. */
  groups: Record<string, string[]>;
  /** Groups that could not be read, with the error. */
  failed: { group: string; error: unknown }[];
  /** Members left out because their type has no IAM member prefix. */
  skippedMembers: number;
}

interface MembershipPage {
  memberships?: { preferredMemberKey?: { id?: string }; type?: string }[];
  nextPageToken?: string;
}

async function directMembers(clients: GcpClients, email: string, pageSize: number): Promise<{ members: string[]; skipped: number }> {
  const found: { name?: string } = await clients.rest(GROUP_LOOKUP_OPERATION, 'cloudidentity', '/v1/groups:lookup', { query: { 'groupKey.id': email } });
  const name = found.name;
  if (typeof name !== 'string' || !/^groups\/[^/]+$/.test(name)) throw new Error(`groups:lookup for ${email} returned no group name`);
  const members: string[] = [];
  let skipped = 0;
  let pageToken: string | undefined;
  do {
    const page: MembershipPage = await clients.rest(MEMBERSHIPS_LIST_OPERATION, 'cloudidentity', `/v1/${name}/memberships`, {
      query: { pageSize: String(pageSize), pageToken },
    });
    for (const m of page.memberships ?? []) {
      const id = m.preferredMemberKey?.id;
      const prefix = m.type === undefined ? undefined : PREFIX_BY_TYPE[m.type];
      if (typeof id !== 'string' || id === '' || prefix === undefined) {
        skipped += 1;
        continue;
      }
      members.push(`${prefix}:${id.toLowerCase()}`);
    }
    pageToken = page.nextPageToken || undefined;
  } while (pageToken);
  return { members: [...new Set(members)].sort(compareText), skipped };
}

/**
 * Expands the given groups (emails, with or without `group:`) and every group nested in them.
 * `rethrow` is called with each error first, so credential errors can end the collection.
 */
export async function expandGroups(
  clients: GcpClients,
  emails: Iterable<string>,
  rethrow: (err: unknown) => void = () => undefined,
  pageSize = 1000,
): Promise<GroupExpansion> {
  const groups = new Map<string, string[]>();
  const failed: GroupExpansion['failed'] = [];
  let skippedMembers = 0;
  const seen = new Set<string>();
  const queue = [...emails].map((e) => e.replace(/^group:/i, '').toLowerCase());
  while (queue.length > 0) {
    const email = queue.shift() as string;
    if (seen.has(email)) continue;
    seen.add(email);
    try {
      const { members, skipped } = await directMembers(clients, email, pageSize);
      groups.set(email, members);
      skippedMembers += skipped;
      for (const m of members) if (m.startsWith('group:')) queue.push(m.slice('group:'.length));
    } catch (err) {
      rethrow(err);
      failed.push({ group: email, error: err });
    }
  }
  // Group emails are keys: a group may be called `constructor` or `__proto__` (model/own-keys.ts).
  const sorted = nullRecord<string[]>();
  for (const [k, v] of [...groups].sort((a, b) => compareText(a[0], b[0]))) setOwn(sorted, k, v);
  return { groups: sorted, failed: failed.sort((a, b) => compareText(a.group, b.group)), skippedMembers };
}
