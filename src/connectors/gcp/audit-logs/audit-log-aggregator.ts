/**
 * Aggregates Cloud Audit Logs entries into the rows of model/gcp-activity.ts. One aggregator per
 * file; a file is merged into the project's totals only once it was read to the end, so a file that
 * fails half-way contributes nothing and cannot pass for complete (as on the AWS side).
 *
 * Semantics, with their sources (see audit-entry.ts for the field references):
 * - usage = an `authorizationInfo[]` element with `granted: true`. `granted` is a proto3 `bool`
 *   (audit_log.proto: "Whether or not authorization for `resource` and `permission` was granted"),
 *   and the proto3 JSON mapping omits fields holding their default value, `false` included
 *   (https://protobuf.dev/programming-guides/json/ — "If a field has the default value in the
 *   protocol buffer, it will be omitted in the JSON-encoded data by default"). So an element without
 *   `granted` is a denied check exactly like `granted: false`: it is aggregated with `isDenied`, never
 *   as usage — counting it as use would hide an unused permission.
 * - entries after `asOf` are counted (`entriesAfterAsOf`, and in entriesRead / streams / the span)
 *   but not aggregated; entries before `windowStart` are aggregated as `before-window`, so a
 *   reviewer still sees when a permission was last used.
 * - an entry of a principal whose payload names no permission is an unmapped row (with its
 *   `serviceName` / `methodName`, empty when absent): that call may have used any permission of its
 *   service, and the account acted. Policy Denied entries (stream `policy`) are the exception: the
 *   call was refused, nothing was used.
 * - nothing is dropped in silence: every JSON value is either a dated audit entry (`entriesRead`) or
 *   skipped with a reason (`skipped`); dated entries credited to nobody are counted apart
 *   (`unattributed`). An audit entry without a usable time is skipped *and* aggregated with period
 *   `unknown-time`, so the engine makes the claims it could decide unverifiable. A time without a
 *   zone is UTC (counted in `zonelessTimes`).
 * - `serviceAccountDelegationInfo` is "sorted based on the original ordering of the identity
 *   delegation events" (audit_log.proto, AuthenticationInfo): element 0 is the original caller,
 *   later elements the later hops; `principalEmail` is the account finally acting
 *   (https://cloud.google.com/iam/docs/audit-logging/examples-service-accounts). One row per
 *   (account, delegate, position).
 * - `authorizationInfo[].permissionType` (ADMIN_READ, ADMIN_WRITE, DATA_READ, DATA_WRITE; see
 *   model/gcp/activity.ts for the reference) is counted per permission for every check of every
 *   entry up to asOf, whoever made it and whether granted or not: the type belongs to the
 *   permission. Other values (`PERMISSION_TYPE_UNSPECIFIED`, numbers, typos) are not counted.
 * - an entry whose `logName` names no Cloud Audit Log (absent, or a log outside
 *   `cloudaudit.googleapis.com`) would be stream `other`. When every one of its checks names a
 *   permissionType and they agree on one log — all ADMIN_WRITE: Admin Activity; all ADMIN_READ /
 *   DATA_READ / DATA_WRITE: Data Access ("methods that check ADMIN_WRITE generate Admin Activity
 *   logs", e.g. https://cloud.google.com/compute/docs/audit-logging) — it is put in that stream and
 *   counted (`streamsFromPermissionType`). A mixed or untyped entry stays `other`, and a `logName`
 *   that names an audit log (even one of another type) is never overruled.
 */

import type {
  GcpAuditLogStream,
  GcpAuditPeriod,
  GcpDelegationAggregate,
  GcpPermissionAggregate,
  GcpPermissionType,
  GcpPermissionTypeAggregate,
  GcpSkippedEntryReason,
  GcpUnattributedEntryReason,
  GcpUnmappedAggregate,
} from '../../../model/gcp/activity.js';
import { asObject, describeDelegate, isAuditLogPayload, nonEmptyString, parseLogName, parseTimestamp } from './audit-entry.js';
import { compareText } from '../../../model/compare-text.js';

/** Window bounds in the normalised string form (`YYYY-MM-DDTHH:MM:SS.sssZ`). */
export interface AuditWindow {
  windowStart: string;
  asOf: string;
}

const STREAMS: readonly GcpAuditLogStream[] = ['activity', 'data_access', 'system_event', 'policy', 'other'];

export const SKIPPED_REASONS: readonly GcpSkippedEntryReason[] = [
  'not-json',
  'not-a-log-entry',
  'no-proto-payload',
  'not-an-audit-log',
  'time-missing',
  'time-invalid',
];
export const UNATTRIBUTED_REASONS: readonly GcpUnattributedEntryReason[] = ['no-principal'];

function emptyStreams(): Record<GcpAuditLogStream, number> {
  return { activity: 0, data_access: 0, system_event: 0, policy: 0, other: 0 };
}

function emptySkipped(): Record<GcpSkippedEntryReason, number> {
  return { 'not-json': 0, 'not-a-log-entry': 0, 'no-proto-payload': 0, 'not-an-audit-log': 0, 'time-missing': 0, 'time-invalid': 0 };
}

function emptyUnattributed(): Record<GcpUnattributedEntryReason, number> {
  return { 'no-principal': 0 };
}

const PERMISSION_TYPES: readonly GcpPermissionType[] = ['ADMIN_READ', 'ADMIN_WRITE', 'DATA_READ', 'DATA_WRITE'];
const PERMISSION_TYPE_SET: ReadonlySet<unknown> = new Set<unknown>(PERMISSION_TYPES);

/** Checks of one permission, per permissionType. */
type TypeCounts = Record<GcpPermissionType, number>;

/** Text that names a Cloud Audit Log: a logName with it is never overruled by permissionType. */
const AUDIT_LOG_PREFIX = 'cloudaudit.googleapis.com';

/**
 * The stream an entry's checks put it in when its logName does not say: every check names a
 * permissionType and all of them land in one log; else null.
 */
function streamOfChecks(checks: unknown[] | undefined): 'activity' | 'data_access' | null {
  if (checks === undefined) return null;
  let found: 'activity' | 'data_access' | null = null;
  for (const check of checks) {
    const type = asObject(check)?.['permissionType'];
    if (!PERMISSION_TYPE_SET.has(type)) return null;
    const stream = type === 'ADMIN_WRITE' ? 'activity' : 'data_access';
    if (found !== null && found !== stream) return null;
    found = stream;
  }
  return found;
}

/**
 * Coverage figures of one file (or of several merged). Every JSON value is accounted for:
 * `valuesRead = entriesRead + Σ skipped`.
 */
export interface AuditFileStats {
  valuesRead: number;
  entriesRead: number;
  entriesAfterAsOf: number;
  skipped: Record<GcpSkippedEntryReason, number>;
  /** Of `entriesRead` (those up to asOf): credited to nobody. */
  unattributed: Record<GcpUnattributedEntryReason, number>;
  timedByReceiveTimestamp: number;
  zonelessTimes: number;
  firstEntry: string | null;
  lastEntry: string | null;
  streams: Record<GcpAuditLogStream, number>;
  /** Of `streams`: entries whose logName named no audit log, placed by their checks' permissionType. */
  streamsFromPermissionType: Record<'activity' | 'data_access', number>;
}

function emptyFileStats(): AuditFileStats {
  return {
    valuesRead: 0,
    entriesRead: 0,
    entriesAfterAsOf: 0,
    skipped: emptySkipped(),
    unattributed: emptyUnattributed(),
    timedByReceiveTimestamp: 0,
    zonelessTimes: 0,
    firstEntry: null,
    lastEntry: null,
    streams: emptyStreams(),
    streamsFromPermissionType: { activity: 0, data_access: 0 },
  };
}

interface Counted {
  count: number;
  firstSeen: string;
  lastSeen: string;
}

function bump(row: Counted, time: string): void {
  row.count++;
  if (time < row.firstSeen) row.firstSeen = time;
  if (time > row.lastSeen) row.lastSeen = time;
}

function absorbRow(target: Counted, row: Counted): void {
  target.count += row.count;
  if (row.firstSeen < target.firstSeen) target.firstSeen = row.firstSeen;
  if (row.lastSeen > target.lastSeen) target.lastSeen = row.lastSeen;
}

const SEP = '\u0001';

/** The entry's time: `timestamp`, else `receiveTimestamp`; why not, when neither is usable. */
type EntryTime = { time: string; isZoneless: boolean; isReceive: boolean } | { time: null; reason: 'time-missing' | 'time-invalid' };

function entryTime(entry: Record<string, unknown>): EntryTime {
  const own = entry['timestamp'];
  const received = entry['receiveTimestamp'];
  const t = typeof own === 'string' ? parseTimestamp(own) : null;
  if (t !== null) return { time: t.time, isZoneless: t.isZoneless, isReceive: false };
  const r = typeof received === 'string' ? parseTimestamp(received) : null;
  if (r !== null) return { time: r.time, isZoneless: r.isZoneless, isReceive: true };
  const isAbsent = (v: unknown): boolean => v === undefined || v === null || v === '';
  return { time: null, reason: isAbsent(own) && isAbsent(received) ? 'time-missing' : 'time-invalid' };
}

export class AuditLogAggregator {
  readonly permissions = new Map<string, GcpPermissionAggregate>();
  readonly unmapped = new Map<string, GcpUnmappedAggregate>();
  readonly delegations = new Map<string, GcpDelegationAggregate>();
  /** permission → checks per permissionType. */
  readonly permissionTypes = new Map<string, TypeCounts>();
  readonly stats: AuditFileStats = emptyFileStats();

  constructor(private readonly window: AuditWindow) {}

  /** A value the splitter delimited but JSON.parse rejected. */
  addInvalid(): void {
    this.stats.valuesRead++;
    this.stats.skipped['not-json']++;
  }

  /** One parsed JSON value from a log file. */
  addValue(value: unknown): void {
    if (Array.isArray(value)) {
      // Arrays of arrays (`jq -s` over several `gcloud logging read` outputs): read every element.
      for (const v of value as unknown[]) this.addValue(v);
      return;
    }
    const s = this.stats;
    s.valuesRead++;
    const entry = asObject(value);
    if (entry === null) {
      s.skipped['not-a-log-entry']++;
      return;
    }
    const payload = asObject(entry['protoPayload']);
    if (payload === null) {
      s.skipped['no-proto-payload']++;
      return;
    }
    if (!isAuditLogPayload(payload)) {
      s.skipped['not-an-audit-log']++;
      return;
    }
    const logName = nonEmptyString(entry['logName']);
    const named = parseLogName(logName);
    const project = named.project;
    let stream = named.stream;
    const rawChecks = payload['authorizationInfo'];
    const checks = Array.isArray(rawChecks) ? (rawChecks as unknown[]) : undefined;
    let typedStream: 'activity' | 'data_access' | null = null;
    if (stream === 'other' && (logName === null || !logName.includes(AUDIT_LOG_PREFIX))) {
      typedStream = streamOfChecks(checks);
      if (typedStream !== null) stream = typedStream;
    }
    const when = entryTime(entry);
    let period: GcpAuditPeriod;
    let time: string;
    if (when.time === null) {
      // An audit entry that cannot be placed in time: counted as skipped, and still aggregated as
      // `unknown-time`, so a use it records makes its claims unverifiable instead of vanishing.
      s.skipped[when.reason]++;
      period = 'unknown-time';
      time = '';
    } else {
      time = when.time;
      if (when.isZoneless) s.zonelessTimes++;
      if (when.isReceive) s.timedByReceiveTimestamp++;
      s.entriesRead++;
      s.streams[stream]++;
      if (typedStream !== null) s.streamsFromPermissionType[typedStream]++;
      if (s.firstEntry === null || time < s.firstEntry) s.firstEntry = time;
      if (s.lastEntry === null || time > s.lastEntry) s.lastEntry = time;
      if (time > this.window.asOf) {
        s.entriesAfterAsOf++;
        return;
      }
      period = time < this.window.windowStart ? 'before-window' : 'window';
    }
    const auth = asObject(payload['authenticationInfo']);
    const rawPrincipal = auth !== null ? nonEmptyString(auth['principalEmail']) : null;
    if (rawPrincipal === null) {
      if (period !== 'unknown-time') s.unattributed['no-principal']++;
      // Credited to nobody, but the types of the permissions checked are still the permissions'.
      if (checks !== undefined) {
        for (const check of checks) {
          const c = asObject(check);
          const permission = c !== null ? nonEmptyString(c['permission']) : null;
          if (c !== null && permission !== null) this.addPermissionType(permission, c['permissionType']);
        }
      }
      return;
    }
    const principal = rawPrincipal.toLowerCase();

    let hasPermission = false;
    if (checks !== undefined) {
      for (const check of checks) {
        const c = asObject(check);
        const permission = c !== null ? nonEmptyString(c['permission']) : null;
        if (c === null || permission === null) continue;
        hasPermission = true;
        this.addPermissionType(permission, c['permissionType']);
        // Only an explicit `true` is a grant: proto3 JSON omits `granted: false`.
        this.addPermission(principal, permission, c['granted'] !== true, project, stream, period, time);
      }
    }
    // Policy Denied entries record calls a security policy refused (https://cloud.google.com/logging/docs/audit#policy):
    // nothing was used, so they never make an unmapped row. Any other entry naming no permission
    // is one, even with no serviceName / methodName either: the account did act (it is not dormant).
    if (!hasPermission && stream !== 'policy') {
      this.addUnmapped(principal, nonEmptyString(payload['serviceName']) ?? '', nonEmptyString(payload['methodName']) ?? '', period, time);
    }

    const hops = auth !== null ? auth['serviceAccountDelegationInfo'] : undefined;
    if (Array.isArray(hops)) {
      for (let position = 0; position < hops.length; position++) {
        this.addDelegation(principal, describeDelegate(hops[position]), position, period, time);
      }
    }
  }

  private addPermission(
    principalEmail: string,
    permission: string,
    isDenied: boolean,
    project: string | undefined,
    stream: GcpAuditLogStream,
    period: GcpAuditPeriod,
    time: string,
  ): void {
    const key = principalEmail + SEP + permission + SEP + (isDenied ? 'd' : 'g') + SEP + (project ?? '') + SEP + stream + SEP + period; // = permissionKey(row)
    const row = this.permissions.get(key);
    if (row !== undefined) {
      bump(row, time);
      return;
    }
    const created: GcpPermissionAggregate = { principalEmail, permission, isDenied, stream, period, count: 1, firstSeen: time, lastSeen: time };
    if (project !== undefined) created.project = project;
    this.permissions.set(key, created);
  }

  private addPermissionType(permission: string, type: unknown): void {
    if (PERMISSION_TYPE_SET.has(type)) this.addPermissionTypeCount(permission, type as GcpPermissionType, 1);
  }

  /** The permissionType counts as rows, unsorted. */
  permissionTypeRows(): GcpPermissionTypeAggregate[] {
    const out: GcpPermissionTypeAggregate[] = [];
    for (const [permission, counts] of this.permissionTypes) {
      for (const permissionType of PERMISSION_TYPES) if (counts[permissionType] > 0) out.push({ permission, permissionType, count: counts[permissionType] });
    }
    return out;
  }

  private addUnmapped(principalEmail: string, serviceName: string, methodName: string, period: GcpAuditPeriod, time: string): void {
    const key = principalEmail + SEP + serviceName + SEP + methodName + SEP + period; // = unmappedKey(row)
    const row = this.unmapped.get(key);
    if (row !== undefined) bump(row, time);
    else this.unmapped.set(key, { principalEmail, serviceName, methodName, period, count: 1, firstSeen: time, lastSeen: time });
  }

  private addDelegation(serviceAccount: string, delegate: string, position: number, period: GcpAuditPeriod, time: string): void {
    const key = serviceAccount + SEP + delegate + SEP + String(position) + SEP + period; // = delegationKey(row)
    const row = this.delegations.get(key);
    if (row !== undefined) bump(row, time);
    else this.delegations.set(key, { serviceAccount, delegate, position, period, count: 1, firstSeen: time, lastSeen: time });
  }

  /** Takes over `other`'s rows and figures (`other` must not be used afterwards). */
  absorb(other: AuditLogAggregator): void {
    this.absorbRows(other.rows());
    this.absorbStats(other.stats);
  }

  /** The rows, as plain data (they can cross a worker boundary). */
  rows(): AuditRows {
    return {
      permissions: [...this.permissions.values()],
      unmapped: [...this.unmapped.values()],
      delegations: [...this.delegations.values()],
      permissionTypes: this.permissionTypeRows(),
    };
  }

  /** Takes over rows (the objects are kept, not copied: the caller must not use them afterwards). */
  absorbRows(rows: AuditRows): void {
    absorbRowList(this.permissions, rows.permissions, permissionKey);
    absorbRowList(this.unmapped, rows.unmapped, unmappedKey);
    absorbRowList(this.delegations, rows.delegations, delegationKey);
    for (const r of rows.permissionTypes) this.addPermissionTypeCount(r.permission, r.permissionType, r.count);
  }

  private addPermissionTypeCount(permission: string, type: GcpPermissionType, count: number): void {
    let counts = this.permissionTypes.get(permission);
    if (counts === undefined) {
      counts = { ADMIN_READ: 0, ADMIN_WRITE: 0, DATA_READ: 0, DATA_WRITE: 0 };
      this.permissionTypes.set(permission, counts);
    }
    counts[type] += count;
  }

  /** Adds the coverage figures of a file (or of several merged). */
  absorbStats(o: AuditFileStats): void {
    const s = this.stats;
    s.valuesRead += o.valuesRead;
    s.entriesRead += o.entriesRead;
    s.entriesAfterAsOf += o.entriesAfterAsOf;
    for (const k of SKIPPED_REASONS) s.skipped[k] += o.skipped[k];
    for (const k of UNATTRIBUTED_REASONS) s.unattributed[k] += o.unattributed[k];
    s.timedByReceiveTimestamp += o.timedByReceiveTimestamp;
    s.zonelessTimes += o.zonelessTimes;
    if (o.firstEntry !== null && (s.firstEntry === null || o.firstEntry < s.firstEntry)) s.firstEntry = o.firstEntry;
    if (o.lastEntry !== null && (s.lastEntry === null || o.lastEntry > s.lastEntry)) s.lastEntry = o.lastEntry;
    for (const k of STREAMS) s.streams[k] += o.streams[k];
    s.streamsFromPermissionType.activity += o.streamsFromPermissionType.activity;
    s.streamsFromPermissionType.data_access += o.streamsFromPermissionType.data_access;
  }
}

/** Every row of an aggregator, unsorted. */
export interface AuditRows {
  permissions: GcpPermissionAggregate[];
  unmapped: GcpUnmappedAggregate[];
  delegations: GcpDelegationAggregate[];
  permissionTypes: GcpPermissionTypeAggregate[];
}

function permissionKey(r: GcpPermissionAggregate): string {
  return r.principalEmail + SEP + r.permission + SEP + (r.isDenied ? 'd' : 'g') + SEP + (r.project ?? '') + SEP + r.stream + SEP + r.period;
}

function unmappedKey(r: GcpUnmappedAggregate): string {
  return r.principalEmail + SEP + r.serviceName + SEP + r.methodName + SEP + r.period;
}

function delegationKey(r: GcpDelegationAggregate): string {
  return r.serviceAccount + SEP + r.delegate + SEP + String(r.position) + SEP + r.period;
}

function absorbRowList<T extends Counted>(into: Map<string, T>, rows: T[], keyOf: (row: T) => string): void {
  for (const row of rows) {
    const key = keyOf(row);
    const prev = into.get(key);
    if (prev === undefined) into.set(key, row);
    else absorbRow(prev, row);
  }
}

export function comparePermissions(a: GcpPermissionAggregate, b: GcpPermissionAggregate): number {
  return (
    compareText(a.principalEmail, b.principalEmail) ||
    compareText(a.permission, b.permission) ||
    Number(a.isDenied) - Number(b.isDenied) ||
    compareText(a.project ?? '', b.project ?? '') ||
    compareText(a.stream, b.stream) ||
    compareText(a.period, b.period)
  );
}

export function compareUnmapped(a: GcpUnmappedAggregate, b: GcpUnmappedAggregate): number {
  return (
    compareText(a.principalEmail, b.principalEmail) ||
    compareText(a.serviceName, b.serviceName) ||
    compareText(a.methodName, b.methodName) ||
    compareText(a.period, b.period)
  );
}

export function comparePermissionTypes(a: GcpPermissionTypeAggregate, b: GcpPermissionTypeAggregate): number {
  return compareText(a.permission, b.permission) || compareText(a.permissionType, b.permissionType);
}

export function compareDelegations(a: GcpDelegationAggregate, b: GcpDelegationAggregate): number {
  return compareText(a.serviceAccount, b.serviceAccount) || a.position - b.position || compareText(a.delegate, b.delegate) || compareText(a.period, b.period);
}
