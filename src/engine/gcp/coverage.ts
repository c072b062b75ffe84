/**
 * GCP coverage: would the use of a permission by a service account have been seen?
 *
 * - Which audit log a permission lands in: data/gcp/permission-log-types.json (cited per entry);
 *   `unknown` and `NOT_LOGGED` are unverifiable.
 * - Admin Activity logs are always written (https://cloud.google.com/logging/docs/audit#admin-activity).
 * - Data Access logs (ADMIN_READ, DATA_READ, DATA_WRITE) are off unless an auditConfig enables them
 *   for the service or `allServices` on the project, a folder above it or the organization; the
 *   effective configuration is the union of those, and principals listed in `exemptedMembers` are not
 *   logged (https://cloud.google.com/logging/docs/audit/configure-data-access). permdrift treats an
 *   account as exempt when *any* applicable config exempts it (or a group it may belong to): the
 *   direction that can only make more permissions unverifiable.
 * - The logs read must contain the stream the permission lands in (an export filtered to Admin
 *   Activity says nothing about Data Access), reach back to the start of the window and up to asOf.
 *   Retention bounds that: `_Required` keeps Admin Activity 400 days, `_Default` keeps Data Access
 *   30 days unless changed (https://cloud.google.com/logging/quotas#logs_retention_periods).
 */

import type { GcpAuditLogStream, GcpProjectActivity } from '../../model/gcp-activity.js';
import type { GcpDataAccessLogType, GcpProjectInventory } from '../../model/gcp.js';
import type { GcpProjectCoverage, Span, UnverifiableReason } from '../../model/report.js';
import { spanOf } from '../aws/coverage.js';
import { durationText, freshnessFlag, partOfText, spanMs } from '../duration-text.js';
import type { Window } from '../aws/evidence.js';
import type { GcpLogTypeTable } from './permission-log-type.js';

const DATA_ACCESS_TYPES: readonly GcpDataAccessLogType[] = ['ADMIN_READ', 'DATA_READ', 'DATA_WRITE'];

export interface EffectiveDataAccess {
  /** service (or `allServices`) → log type → exempted members (as written; compared case-insensitively). */
  byService: Map<string, Map<GcpDataAccessLogType, Set<string>>>;
}

export function effectiveDataAccess(inventory: GcpProjectInventory): EffectiveDataAccess {
  const byService = new Map<string, Map<GcpDataAccessLogType, Set<string>>>();
  for (const policy of inventory.policies) {
    for (const config of policy.auditConfigs) {
      const types = byService.get(config.service) ?? new Map<GcpDataAccessLogType, Set<string>>();
      for (const lt of config.logTypes) {
        const exempted = types.get(lt.logType) ?? new Set<string>();
        for (const m of lt.exemptedMembers) exempted.add(m);
        types.set(lt.logType, exempted);
      }
      byService.set(config.service, types);
    }
  }
  return { byService };
}

export function dataAccessSummary(eff: EffectiveDataAccess): GcpProjectCoverage['dataAccessLogs'] {
  return [...eff.byService]
    .sort(([a], [b]) => (a === 'allServices' ? -1 : b === 'allServices' ? 1 : a < b ? -1 : a > b ? 1 : 0))
    .map(([service, types]) => ({
      service,
      logTypes: DATA_ACCESS_TYPES.filter((t) => types.has(t)),
      exemptedMembers: [...new Set([...types.values()].flatMap((s) => [...s]))].sort(),
    }))
    .filter((s) => s.logTypes.length > 0 || s.exemptedMembers.length > 0);
}

export type Observability = { isObservable: true } | { isObservable: false; reason: UnverifiableReason; detail: string };

interface StreamSpan {
  firstMs: number;
  lastMs: number;
}

const RETENTION: Record<'activity' | 'data_access', string> = {
  activity: 'Admin Activity logs are kept 400 days in the _Required bucket',
  data_access: 'Data Access logs are kept 30 days in the _Default bucket unless its retention was raised or a sink exports them',
};

/** Everything about one project's log evidence that verdicts need, computed once. */
export class GcpProjectLogCoverage {
  readonly hasLogs: boolean;
  private readonly spans = new Map<GcpAuditLogStream, StreamSpan>();

  constructor(
    private readonly inventory: GcpProjectInventory,
    private readonly activity: GcpProjectActivity | null,
    readonly dataAccess: EffectiveDataAccess,
    private readonly table: GcpLogTypeTable,
    private readonly window: Window,
  ) {
    const logs = activity?.auditLogs ?? null;
    this.hasLogs = logs !== null && logs.filesRead > 0;
    for (const a of activity?.permissions ?? []) {
      const first = Date.parse(a.firstSeen);
      const last = Date.parse(a.lastSeen);
      const s = this.spans.get(a.stream);
      if (!s) this.spans.set(a.stream, { firstMs: first, lastMs: last });
      else {
        s.firstMs = Math.min(s.firstMs, first);
        s.lastMs = Math.max(s.lastMs, last);
      }
    }
  }

  private get logs() {
    return this.activity?.auditLogs ?? null;
  }

  /** The whole evidence's first and last entry. */
  overall(): StreamSpan | null {
    const l = this.logs;
    if (!l?.firstEntry || !l.lastEntry) return null;
    return { firstMs: Date.parse(l.firstEntry), lastMs: Date.parse(l.lastEntry) };
  }

  /** A stream's span: from its own attributed entries, else the whole evidence when the stream has entries. */
  private streamSpan(stream: 'activity' | 'data_access'): StreamSpan | null {
    const own = this.spans.get(stream);
    const all = this.overall();
    if (own && all) return { firstMs: own.firstMs, lastMs: all.lastMs };
    if ((this.logs?.streams[stream] ?? 0) > 0) return all;
    return null;
  }

  observed(stream: 'activity' | 'data_access' = 'activity'): Span | null {
    const s = this.streamSpan(stream);
    if (!s) return null;
    const start = Math.max(s.firstMs, this.window.startMs);
    const end = Math.min(s.lastMs, this.window.endMs);
    return end >= start ? spanOf(start, end) : null;
  }

  isWindowCovered(stream: 'activity' | 'data_access' = 'activity'): boolean {
    return this.missingEnds(stream).length === 0;
  }

  /** Which end of the window the stream's logs miss: they start late (retention) or stop early (collection). */
  private missingEnds(stream: 'activity' | 'data_access'): ('start' | 'end')[] {
    const s = this.streamSpan(stream);
    if (!s) return ['start', 'end'];
    const out: ('start' | 'end')[] = [];
    if (s.firstMs > this.window.startMs + this.window.toleranceMs) out.push('start');
    if (s.lastMs < this.window.endMs - this.window.toleranceMs) out.push('end');
    return out;
  }

  private gapText(stream: 'activity' | 'data_access'): string {
    const ends = this.missingEnds(stream);
    const parts: string[] = [];
    if (ends.includes('start')) parts.push(`they start after the window does (${RETENTION[stream]})`);
    const s = this.streamSpan(stream);
    if (ends.includes('end')) {
      // Logs that stop early call for an earlier --as-of, not a shorter window ending at the same time.
      const last = s ? `; or pass --as-of ${new Date(s.lastMs).toISOString()}, the last entry` : '';
      parts.push(`they stop before ${new Date(this.window.endMs).toISOString().slice(0, 10)} (collect the logs up to --as-of${last})`);
    }
    return parts.join('; ');
  }

  /** Whether `member` (e.g. `serviceAccount:x@p.iam…`) is exempted, directly or possibly through a group. */
  private exemptedBy(exempted: Set<string>, member: string): string | undefined {
    const wanted = member.toLowerCase();
    for (const e of exempted) if (e.toLowerCase() === wanted) return e;
    for (const raw of exempted) {
      const e = raw.toLowerCase();
      if (!e.startsWith('group:')) continue;
      const groups = this.inventory.groups;
      if (groups === undefined) return `${e} (membership unknown)`;
      if (groupContains(groups, e.slice('group:'.length), member.toLowerCase())) return e;
    }
    return undefined;
  }

  judge(permission: string, member: string, unmappedServices: ReadonlySet<string>): Observability {
    const v = this.table.classify(permission);
    if (v.logType === 'unknown') {
      return { isObservable: false, reason: 'log-type-unknown', detail: `no cited source says which audit log records ${permission}` };
    }
    if (v.logType === 'NOT_LOGGED') {
      return { isObservable: false, reason: 'not-logged-by-cloud-audit-logs', detail: `${permission} writes no audit log entry${v.source ? ` (${v.source})` : ''}` };
    }
    const logs = this.logs;
    if (!this.hasLogs || !logs) {
      return { isObservable: false, reason: 'no-audit-logs', detail: `no Cloud Audit Logs were read for project ${this.inventory.projectId}` };
    }
    if (logs.filesFailed.length > 0) {
      return {
        isObservable: false,
        reason: 'log-files-unreadable',
        detail: `${logs.filesFailed.length} audit log file(s) of project ${this.inventory.projectId} could not be read (e.g. ${logs.filesFailed[0]?.file}: ${logs.filesFailed[0]?.reason}); a use in them would be unseen`,
      };
    }
    let stream: 'activity' | 'data_access' = 'activity';
    if (v.logType !== 'ADMIN_WRITE') {
      stream = 'data_access';
      const lt = v.logType;
      const all = this.dataAccess.byService.get('allServices')?.get(lt);
      const own = this.dataAccess.byService.get(v.auditService)?.get(lt);
      if (!all && !own) {
        return {
          isObservable: false,
          reason: 'data-access-logs-disabled',
          detail: `${permission} is logged as ${lt} (Data Access), which the auditConfigs of the project, its folders and organization leave off for ${v.auditService}`,
        };
      }
      const exemption = this.exemptedBy(new Set([...(all ?? []), ...(own ?? [])]), member);
      if (exemption) {
        return {
          isObservable: false,
          reason: 'data-access-logs-disabled',
          detail: `${permission} is logged as ${lt} (Data Access), and the auditConfig for ${own ? v.auditService : 'allServices'} exempts ${exemption}`,
        };
      }
    }
    if (logs.streams[stream] === 0) {
      return {
        isObservable: false,
        reason: 'log-type-not-collected',
        detail: `${permission} lands in the ${stream === 'activity' ? 'Admin Activity' : 'Data Access'} audit log, and the logs read hold no entry of it (filtered out of the export?)`,
      };
    }
    if (!this.isWindowCovered(stream)) {
      const o = this.observed(stream);
      const windowMs = this.window.endMs - this.window.startMs;
      return {
        isObservable: false,
        reason: 'window-not-covered',
        detail: `the ${stream === 'activity' ? 'Admin Activity' : 'Data Access'} logs read cover ${o ? `${partOfText(spanMs(o), windowMs, 'of the')} (${o.start} to ${o.end})` : `none of the ${durationText(windowMs)}`}: ${this.gapText(stream)}`,
      };
    }
    if (unmappedServices.has(v.auditService)) {
      return {
        isObservable: false,
        reason: 'unmapped-events',
        detail: `the account made ${v.auditService} calls whose log entries name no permission; any of them may have used ${permission}`,
      };
    }
    return { isObservable: true };
  }

  notes(): string[] {
    const notes: string[] = [];
    const logs = this.logs;
    if (!logs) notes.push(`No Cloud Audit Logs in the snapshot (audit-logs/): every permission is unverifiable; add \`gcloud logging read 'logName:"cloudaudit.googleapis.com"' --freshness=${freshnessFlag(this.window.endMs - this.window.startMs)} --format=json\` output.`);
    else {
      if (logs.filesFailed.length > 0) notes.push(`${logs.filesFailed.length} audit log file(s) could not be read: nothing is called unused from the logs of this project.`);
      if (logs.streams.data_access === 0) notes.push('The logs read hold no Data Access entries: permissions that land there are unverifiable.');
      for (const stream of ['activity', 'data_access'] as const) {
        if (logs.streams[stream] > 0 && !this.isWindowCovered(stream)) {
          const o = this.observed(stream);
          notes.push(`${stream === 'activity' ? 'Admin Activity' : 'Data Access'} logs cover ${o ? `${o.start.slice(0, 10)} to ${o.end.slice(0, 10)}` : 'none'} of the window: ${this.gapText(stream)}.`);
        }
      }
    }
    if (this.dataAccess.byService.size === 0) notes.push('No Data Access audit logs are enabled (auditConfigs empty on project, folders and organization): only Admin Activity is observable.');
    if (!this.activity?.activity) notes.push('No Policy Analyzer activity (activity/): dormancy and stale keys are not judged.');
    return notes;
  }
}

export function groupContains(groups: Record<string, string[]>, group: string, member: string, seen = new Set<string>()): boolean {
  const key = group.toLowerCase();
  if (seen.has(key)) return false;
  seen.add(key);
  const members = Object.entries(groups).find(([g]) => g.toLowerCase().replace(/^group:/, '') === key)?.[1] ?? [];
  for (const m of members) {
    const lm = m.toLowerCase();
    if (lm === member) return true;
    if (lm.startsWith('group:') && groupContains(groups, lm.slice('group:'.length), member, seen)) return true;
  }
  return false;
}
