/**
 * Reads Policy Analyzer authentication activity from `<dir>/gcp/<P>/activity/*.json`, as written by
 *
 *   gcloud policy-intelligence query-activity --activity-type=serviceAccountLastAuthentication \
 *     --project=P --limit=unlimited --format=json > activity/serviceAccountLastAuthentication.json
 *   gcloud policy-intelligence query-activity --activity-type=serviceAccountKeyLastAuthentication \
 *     --project=P --limit=unlimited --format=json > activity/serviceAccountKeyLastAuthentication.json
 *
 * (a JSON array of Activity objects, https://cloud.google.com/sdk/gcloud/reference/policy-intelligence/query-activity)
 * or the REST `activities:query` response `{activities: [...], nextPageToken}`
 * (https://cloud.google.com/policy-intelligence/docs/reference/policyanalyzer/rest/v1/projects.locations.activityTypes.activities/query).
 * An Activity is `{activityType, fullResourceName, observationPeriod: {startTime, endTime},
 * activity: {lastAuthenticatedTime, serviceAccount | serviceAccountKey: {fullResourceName,
 * projectNumber, serviceAccountId}}}` — the `activity` struct as shown in
 * https://cloud.google.com/policy-intelligence/docs/activity-analyzer-service-account-authentication.
 *
 * What the evidence means (same page): authentication activity counts failed calls too, the date is
 * reported at day granularity (Pacific time), and API-key use is not recorded — so this is evidence
 * for dormancy and key last use, never for a single permission.
 *
 * Which activity types a file holds is read from its rows. A file with no rows says "nothing
 * authenticated in the observation period" only if its type is known: then it is taken from the
 * file name when the name contains exactly one of the two type names; otherwise the file adds no
 * type, so nobody is called dormant on its account.
 */

import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { InputError } from '../../model/errors.js';
import type { GcpActivityCoverage, GcpLastAuthentication } from '../../model/gcp/activity.js';
import { normaliseTimestamp } from './audit-logs/audit-entry.js';
import { checkShape, readJsonFile } from './validate.js';
import { compareText } from '../../model/compare-text.js';

export type GcpActivityType = GcpActivityCoverage['types'][number];

const ACTIVITY_TYPES: readonly GcpActivityType[] = ['serviceAccountLastAuthentication', 'serviceAccountKeyLastAuthentication'];

const subjectSchema = z.object({
  fullResourceName: z.string().min(1).optional(),
  projectNumber: z.string().optional(),
  serviceAccountId: z.string().optional(),
});

const activitySchema = z.object({
  activityType: z.enum(['serviceAccountLastAuthentication', 'serviceAccountKeyLastAuthentication']),
  fullResourceName: z.string().min(1).optional(),
  observationPeriod: z.object({ startTime: z.string().optional(), endTime: z.string().optional() }).optional(),
  activity: z
    .object({
      lastAuthenticatedTime: z.string().optional(),
      serviceAccount: subjectSchema.optional(),
      serviceAccountKey: subjectSchema.optional(),
    })
    .optional(),
});

const fileSchema = z.union([z.array(activitySchema), z.object({ activities: z.array(activitySchema).optional(), nextPageToken: z.string().optional() })]);

const HINT =
  'write it with `gcloud policy-intelligence query-activity --activity-type=serviceAccountLastAuthentication|serviceAccountKeyLastAuthentication --project=P --limit=unlimited --format=json`';

const SA_NAME = /^\/\/iam\.googleapis\.com\/projects\/[^/]+\/serviceAccounts\/([^/]+)$/;
const KEY_NAME = /^\/\/iam\.googleapis\.com\/projects\/[^/]+\/serviceAccounts\/([^/]+)\/keys\/([^/]+)$/;

function time(value: string | undefined, file: string, path: string): string | undefined {
  if (value === undefined) return undefined;
  const t = normaliseTimestamp(value);
  if (t === null) throw new InputError(`${file}: ${path}: expected an RFC 3339 time, found ${JSON.stringify(value)}`, HINT, { file });
  return t;
}

/** The type a file of no rows was written for, from its name; null when the name does not say. */
export function activityTypeFromFileName(file: string): GcpActivityType | null {
  const name = basename(file).toLowerCase();
  const matches = ACTIVITY_TYPES.filter((t) => name.includes(t.toLowerCase()));
  return matches.length === 1 ? (matches[0] ?? null) : null;
}

interface ParsedActivityFile {
  types: GcpActivityType[];
  serviceAccounts: GcpLastAuthentication[];
  keys: GcpLastAuthentication[];
}

function parseActivityFile(raw: unknown, file: string): ParsedActivityFile {
  const parsed = checkShape(fileSchema, raw, file, '`gcloud policy-intelligence query-activity --format=json` output', HINT);
  const isList = Array.isArray(parsed);
  const rows = isList ? parsed : (parsed.activities ?? []);
  const prefix = isList ? '' : 'activities';
  const types = new Set<GcpActivityType>();
  const serviceAccounts: GcpLastAuthentication[] = [];
  const keys: GcpLastAuthentication[] = [];
  rows.forEach((row, i) => {
    const at = `${prefix}[${i}]`;
    types.add(row.activityType);
    const isKey = row.activityType === 'serviceAccountKeyLastAuthentication';
    const subject = isKey ? row.activity?.serviceAccountKey : row.activity?.serviceAccount;
    const name = subject?.fullResourceName ?? row.fullResourceName;
    const namePath =
      subject?.fullResourceName !== undefined ? `${at}.activity.${isKey ? 'serviceAccountKey' : 'serviceAccount'}.fullResourceName` : `${at}.fullResourceName`;
    if (name === undefined) {
      throw new InputError(`${file}: ${at}.fullResourceName: expected string (field is missing)`, HINT, { file });
    }
    const match = (isKey ? KEY_NAME : SA_NAME).exec(name);
    if (match?.[1] === undefined || (isKey && match[2] === undefined)) {
      const expected = isKey
        ? '//iam.googleapis.com/projects/PROJECT/serviceAccounts/EMAIL/keys/KEY_ID'
        : '//iam.googleapis.com/projects/PROJECT/serviceAccounts/EMAIL';
      throw new InputError(`${file}: ${namePath}: expected ${expected}, found ${JSON.stringify(name)}`, HINT, { file });
    }
    const entry: GcpLastAuthentication = {
      serviceAccount: match[1].toLowerCase(),
      lastAuthenticated: time(row.activity?.lastAuthenticatedTime, file, `${at}.activity.lastAuthenticatedTime`) ?? null,
      source: file,
    };
    if (isKey && match[2] !== undefined) entry.keyId = match[2];
    const start = time(row.observationPeriod?.startTime, file, `${at}.observationPeriod.startTime`);
    const end = time(row.observationPeriod?.endTime, file, `${at}.observationPeriod.endTime`);
    if (start !== undefined) entry.observationStart = start;
    if (end !== undefined) entry.observationEnd = end;
    (isKey ? keys : serviceAccounts).push(entry);
  });
  if (rows.length === 0) {
    const t = activityTypeFromFileName(file);
    if (t !== null) types.add(t);
  }
  return { types: ACTIVITY_TYPES.filter((t) => types.has(t)), serviceAccounts, keys };
}

function compareRows(a: GcpLastAuthentication, b: GcpLastAuthentication): number {
  return (
    compareText(a.serviceAccount, b.serviceAccount) ||
    compareText(a.keyId ?? '', b.keyId ?? '') ||
    compareText(a.source, b.source) ||
    compareText(a.lastAuthenticated ?? '', b.lastAuthenticated ?? '')
  );
}

/**
 * Reads every `*.json` in `activityDir` (not recursive). Null when the folder does not exist; a
 * file of the wrong shape is an InputError naming the file and the first bad path in it.
 */
export function readGcpActivityFolder(activityDir: string): GcpActivityCoverage | null {
  if (!existsSync(activityDir) || !statSync(activityDir).isDirectory()) return null;
  const files = readdirSync(activityDir)
    .filter((name) => name.toLowerCase().endsWith('.json'))
    .sort()
    .map((name) => join(activityDir, name));
  const types = new Set<GcpActivityType>();
  const serviceAccounts: GcpLastAuthentication[] = [];
  const keys: GcpLastAuthentication[] = [];
  for (const file of files) {
    const parsed = parseActivityFile(readJsonFile(file, HINT), file);
    for (const t of parsed.types) types.add(t);
    serviceAccounts.push(...parsed.serviceAccounts);
    keys.push(...parsed.keys);
  }
  return {
    files,
    types: ACTIVITY_TYPES.filter((t) => types.has(t)),
    serviceAccounts: serviceAccounts.sort(compareRows),
    keys: keys.sort(compareRows),
  };
}
