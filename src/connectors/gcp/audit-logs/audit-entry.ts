/**
 * What permdrift reads from one Cloud Audit Logs LogEntry, in the JSON (camelCase) form the REST API,
 * `gcloud logging read --format=json` and sink exports print:
 *
 * - LogEntry: https://cloud.google.com/logging/docs/reference/v2/rest/v2/LogEntry
 *   (`logName`, `timestamp`, `protoPayload`);
 * - AuditLog payload, `protoPayload["@type"] == "type.googleapis.com/google.cloud.audit.AuditLog"`:
 *   https://cloud.google.com/logging/docs/reference/audit/auditlog/rest/Shared.Types/AuditLog
 *   and its source, https://github.com/googleapis/googleapis/blob/master/google/cloud/audit/audit_log.proto
 *   (`authenticationInfo.principalEmail`, `authenticationInfo.serviceAccountDelegationInfo[]`,
 *   `authorizationInfo[] {resource, permission, granted, permissionType}`, `serviceName`, `methodName`;
 *   `permissionType`, on entries since 2025, is enum AuthorizationInfo.PermissionType: ADMIN_READ,
 *   ADMIN_WRITE, DATA_READ, DATA_WRITE, "the type of the permission that was checked",
 *   https://docs.cloud.google.com/dotnet/docs/reference/Google.Cloud.Audit/latest/Google.Cloud.Audit.AuthorizationInfo);
 * - the audit log names: https://cloud.google.com/logging/docs/audit#types
 *   (`cloudaudit.googleapis.com%2Factivity`, `%2Fdata_access`, `%2Fsystem_event`, `%2Fpolicy`).
 *
 * Only entries whose payload is an AuditLog count as audit entries: a sink or a `logging read`
 * filter can carry application logs too (gcpdiag's samples mix Cloud Functions logs in), and those
 * say nothing about IAM permissions.
 */

import type { GcpAuditLogStream } from '../../../model/gcp/activity.js';

const AUDIT_LOG_TYPE = 'type.googleapis.com/google.cloud.audit.AuditLog';

export type JsonObject = Record<string, unknown>;

/**
 * `protoPayload` is a `google.protobuf.Any`, whose JSON form always names its type in `@type`
 * (https://protobuf.dev/programming-guides/json/, "Any"). A payload of another type is not an audit
 * entry. One exception is accepted: Eventarc's LogEntryData (the CloudEvents form of an audit log
 * entry, https://github.com/googleapis/google-cloudevents/tree/main/proto/google/events/cloud/audit/v1)
 * types `protoPayload` as AuditLog and may carry no `@type`; such a payload counts when it has the
 * AuditLog fields permdrift reads.
 */
export function isAuditLogPayload(payload: JsonObject): boolean {
  const type = payload['@type'];
  if (type === AUDIT_LOG_TYPE) return true;
  if (type !== undefined) return false;
  return asObject(payload['authenticationInfo']) !== null || typeof payload['serviceName'] === 'string';
}

export function asObject(v: unknown): JsonObject | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as JsonObject) : null;
}

export function nonEmptyString(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

/** A Map: the log id comes from the entry, and a log named `constructor` is no stream. */
const LOG_ID_STREAMS: ReadonlyMap<string, GcpAuditLogStream> = new Map([
  ['cloudaudit.googleapis.com/activity', 'activity'],
  ['cloudaudit.googleapis.com/data_access', 'data_access'],
  ['cloudaudit.googleapis.com/system_event', 'system_event'],
  ['cloudaudit.googleapis.com/policy', 'policy'],
]);

export interface LogNameParts {
  stream: GcpAuditLogStream;
  /** Set for `projects/P/logs/…`; organizations, folders and billing accounts have none. */
  project?: string;
}

const logNameCache = new Map<string, LogNameParts>();

/**
 * `projects/P/logs/cloudaudit.googleapis.com%2Factivity` → stream `activity`, project P. The log id
 * is URL-encoded in `logName` (LogEntry reference above); a decoded `/` is accepted too. Any other
 * log (an AuditLog payload in a log that is none of the four) is `other`.
 */
export function parseLogName(logName: string | null): LogNameParts {
  if (logName === null) return { stream: 'other' };
  const cached = logNameCache.get(logName);
  if (cached !== undefined) return cached;
  const at = logName.indexOf('/logs/');
  let parts: LogNameParts = { stream: 'other' };
  if (at >= 0) {
    const parent = logName.slice(0, at);
    const logId = logName.slice(at + 6).replace(/%2F/gi, '/');
    parts = { stream: LOG_ID_STREAMS.get(logId) ?? 'other' };
    const m = /^projects\/([^/]+)$/.exec(parent);
    if (m?.[1] !== undefined) parts.project = m[1];
  }
  if (logNameCache.size < 10_000) logNameCache.set(logName, parts);
  return parts;
}

const ISO_UTC = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/;

/**
 * The other RFC 3339 forms (https://www.rfc-editor.org/rfc/rfc3339#section-5.6: `t`/space for `T`,
 * `z` for `Z`, a numeric offset), BigQuery's `2026-11-20 10:00:00.123 UTC` (how a log sink's
 * TIMESTAMP column prints), and a time with no zone at all.
 */
const ISO_ANY = /^(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:([Zz]| UTC)|([+-])(\d\d):?(\d\d))?$/;

/** The two digits at `at` are within [min, max]. */
function inRange(s: string, at: number, min: number, max: number): boolean {
  const v = (s.charCodeAt(at) - 48) * 10 + (s.charCodeAt(at + 1) - 48);
  return v >= min && v <= max;
}

/** Days in a month of the proleptic Gregorian calendar. */
function daysIn(year: number, month: number): number {
  return month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function millis(frac: string | undefined): string {
  return frac === undefined ? '000' : frac.length >= 3 ? frac.slice(0, 3) : frac.padEnd(3, '0');
}

export interface ParsedTimestamp {
  /** `YYYY-MM-DDTHH:MM:SS.sssZ`, UTC. */
  time: string;
  /** The text named no zone: read as UTC (Cloud Logging writes UTC), and counted. */
  isZoneless: boolean;
}

/**
 * LogEntry timestamps are RFC 3339 with up to nanoseconds (`2020-06-30T16:14:47.593398572Z`,
 * https://cloud.google.com/logging/docs/reference/v2/rest/v2/LogEntry, `timestamp`); they are put in
 * the fixed-width millisecond form the rest of permdrift compares as strings (truncated, as
 * `Date.parse` does). A time without a zone is UTC — never the machine's local time, so a report
 * does not depend on `TZ` — and is flagged. Anything else (a date alone, an epoch number, month 13,
 * 30 February, a year outside 0000–9999) is not a time: null. `Date.parse` is not used: it reads
 * zone-less times as local and accepts free text such as `12` or `Oct 20`.
 */
export function parseTimestamp(s: string): ParsedTimestamp | null {
  const fast = ISO_UTC.exec(s);
  if (fast?.[1] !== undefined) {
    const base = fast[1];
    // Reject impossible fields (month 13, hour 24…) the regular expression lets through; the
    // calendar check runs only for days past the 28th. Cheaper than a Date per entry.
    if (!inRange(base, 5, 1, 12) || !inRange(base, 8, 1, 31) || !inRange(base, 11, 0, 23) || !inRange(base, 14, 0, 59) || !inRange(base, 17, 0, 60)) {
      return null;
    }
    if (!inRange(base, 8, 1, 28) && Number(base.slice(8, 10)) > daysIn(Number(base.slice(0, 4)), Number(base.slice(5, 7)))) return null;
    return { time: `${base}.${millis(fast[2])}Z`, isZoneless: false };
  }
  const m = ISO_ANY.exec(s);
  if (m === null) return null;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 60) return null;
  const isZoneless = m[8] === undefined && m[9] === undefined;
  let offsetMinutes = 0;
  if (m[9] !== undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return null;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  // A leap second (:60) is taken as the next second, as Date.parse would not take it at all.
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0–99 to 1900–1999.
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute - offsetMinutes, second, 0);
  const y = d.getUTCFullYear();
  if (y < 0 || y > 9999) return null;
  return { time: `${d.toISOString().slice(0, 20)}${millis(m[7])}Z`, isZoneless };
}

/** `parseTimestamp`'s time alone (zone-less read as UTC), or null. */
export function normaliseTimestamp(s: string): string | null {
  return parseTimestamp(s)?.time ?? null;
}

/**
 * How one delegation hop is named in the aggregates: the first-party principal's email
 * (lower-cased); else the hop's `principalSubject`
 * (`principal://iam.googleapis.com/{pool}/subject/{subject}`); else the third-party claims as
 * canonical JSON, prefixed `thirdParty:`; else `unknown` (the hop is kept so positions stay right).
 */
export function describeDelegate(hop: unknown): string {
  const h = asObject(hop);
  if (h === null) return 'unknown';
  const first = asObject(h['firstPartyPrincipal']);
  const email = first !== null ? nonEmptyString(first['principalEmail']) : null;
  if (email !== null) return email.toLowerCase();
  const subject = nonEmptyString(h['principalSubject']);
  if (subject !== null) return subject;
  const third = asObject(h['thirdPartyPrincipal']);
  const claims = third !== null ? third['thirdPartyClaims'] : undefined;
  if (claims !== undefined && claims !== null) return `thirdParty:${canonicalJson(claims)}`;
  return 'unknown';
}

/** JSON with object keys sorted, so the same claims always give the same string. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = asObject(v);
  if (o !== null) {
    const keys = Object.keys(o).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
