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

import type { GcpAuditLogStream, GcpProjectActivity, GcpSkippedEntryReason } from '../../model/gcp/activity.js';
import type { GcpDataAccessLogType, GcpProjectInventory } from '../../model/gcp/policy.js';
import {
  COVERAGE_LIST_LIMIT,
  type CoverageGap,
  type GcpLogCoverage,
  type GcpProjectCoverage,
  type ReportWarning,
  type Span,
  type UnverifiableReason,
} from '../../model/report.js';
import { type ClaimCoverage, type CoverageEvidence, type Gap, type NegativeProof, claimCoverage, describeGaps, iso } from '../claim-coverage.js';
import { type MsInterval, clipIntervals, subtractIntervals, totalMs, unionIntervals } from '../intervals.js';
import { durationText, freshnessFlag, partOfText } from '../../model/duration-text.js';
import { DAY_MS, type Window, spanOf } from '../window.js';
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

/**
 * What a principal's audit log entries without a usable time record (period `unknown-time`): any of
 * them may lie inside the window, so they decide nothing either way.
 */
export interface UndatedUse {
  /** Granted checks, per permission. */
  permissions: ReadonlyMap<string, number>;
  /** Entries naming no permission, per serviceName. */
  services: ReadonlyMap<string, number>;
  /** Entries in which the account acted as a delegate (impersonated another account). */
  delegations: number;
}

/** `n thing(s)` with the right plural. */
function count(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** How each skip reason reads in the warning: [one, many]. */
const SKIP_TEXT: Record<GcpSkippedEntryReason, [string, string]> = {
  'not-json': ['value that is not valid JSON (a use in it would be unseen)', 'values that are not valid JSON (a use in them would be unseen)'],
  'not-a-log-entry': ['value that is not a JSON object', 'values that are not JSON objects'],
  'no-proto-payload': [
    'entry without protoPayload (an application log, not an audit entry)',
    'entries without protoPayload (application logs, not audit entries)',
  ],
  'not-an-audit-log': ['entry whose protoPayload is not an AuditLog', 'entries whose protoPayload is not an AuditLog'],
  'time-missing': ['audit entry without a timestamp', 'audit entries without a timestamp'],
  'time-invalid': ['audit entry whose timestamp is not a time', 'audit entries whose timestamp is not a time'],
};

interface StreamSpan {
  firstMs: number;
  lastMs: number;
}

type JudgedStream = 'activity' | 'data_access';

const RETENTION: Record<JudgedStream, string> = {
  activity: 'Admin Activity logs are kept 400 days in the _Required bucket',
  data_access: 'Data Access logs are kept 30 days in the _Default bucket unless its retention was raised or a sink exports them',
};

const STREAM_LABEL: Record<JudgedStream, string> = { activity: 'Admin Activity', data_access: 'Data Access' };

/** The manifest's scope for each log (collect gcp: `cloudaudit.googleapis.com/<log>`). */
const LOG_SCOPE_PREFIX = 'cloudaudit.googleapis.com/';

/** A stream's evidence: from the collection manifest's complete spans, else from its entries. */
export interface StreamEvidence extends CoverageEvidence {
  basis: 'collect-manifest' | 'entries';
}

/** Everything about one project's log evidence that verdicts need, computed once. */
export class GcpProjectLogCoverage {
  readonly hasLogs: boolean;
  private readonly spans = new Map<GcpAuditLogStream, StreamSpan>();
  private readonly evidence = new Map<JudgedStream, StreamEvidence | null>();
  private readonly claims = new Map<JudgedStream, ClaimCoverage>();

  constructor(
    private readonly inventory: GcpProjectInventory,
    private readonly activity: GcpProjectActivity | null,
    readonly dataAccess: EffectiveDataAccess,
    private readonly table: GcpLogTypeTable,
    private readonly window: Window,
    private readonly minCoverage?: number,
  ) {
    const logs = activity?.auditLogs ?? null;
    this.hasLogs = logs !== null && logs.filesRead > 0;
    for (const a of activity?.permissions ?? []) {
      // Rows without a time place nothing: they have no span.
      if (a.period === 'unknown-time') continue;
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

  /** A stream's span of entries: from its own attributed entries, else the whole evidence when the stream has entries. */
  private entrySpan(stream: JudgedStream): StreamSpan | null {
    const own = this.spans.get(stream);
    const all = this.overall();
    if (own && all) return { firstMs: own.firstMs, lastMs: all.lastMs };
    if ((this.logs?.streams[stream] ?? 0) > 0) return all;
    return null;
  }

  /**
   * The stream's evidence. With a collection manifest that read the log in full over some span
   * (collect gcp: entries.list on the _Required bucket, or every hour file of a sink export), that
   * span is observed, quiet hours included, less what failed. Otherwise the entries are all there
   * is: from the stream's first entry to the newest entry read, the reading of a hand-made export.
   * Failures of the manifest for this log, or for the whole export, are gaps either way.
   */
  streamEvidence(stream: JudgedStream): StreamEvidence | null {
    if (this.evidence.has(stream)) return this.evidence.get(stream) ?? null;
    const manifest = this.activity?.manifest;
    const scope = `${LOG_SCOPE_PREFIX}${stream}`;
    const negatives: NegativeProof[] = (manifest?.logs.failed ?? [])
      .filter((f) => f.scope === scope || !f.scope.startsWith(LOG_SCOPE_PREFIX))
      .map((f) => ({
        start: Date.parse(f.start),
        end: Date.parse(f.end),
        kind: 'collection-failed' as const,
        cause: `the collection could not read ${f.scope === scope ? `the ${STREAM_LABEL[stream]} log` : f.scope}: ${f.reason}`,
      }));
    const complete = (manifest?.logs.complete ?? []).filter((c) => c.scope === scope).map((c) => ({ start: Date.parse(c.start), end: Date.parse(c.end) }));
    const base = { negatives, edgeSlackMs: 0, unprovenText: `no ${STREAM_LABEL[stream]} entry or collection record covers` };
    let out: StreamEvidence | null = null;
    if (manifest && complete.length > 0) {
      // The collector reads up to a little before its read time; the evidence ends where its complete spans end.
      const readAt = Date.parse(manifest.sources['audit-logs']?.readAt ?? manifest.finishedAt);
      const end = Math.min(readAt, Math.max(...complete.map((c) => c.end)));
      out = {
        ...base,
        basis: 'collect-manifest',
        observed: clipIntervals(subtractIntervals(unionIntervals(complete), unionIntervals(negatives)), Number.NEGATIVE_INFINITY, end),
        evidenceEndMs: end,
        evidenceEndBasis: 'collect-manifest',
      };
    } else {
      const s = this.entrySpan(stream);
      if (s) {
        out = {
          ...base,
          basis: 'entries',
          observed: subtractIntervals([{ start: s.firstMs, end: s.lastMs }], unionIntervals(negatives)),
          evidenceEndMs: s.lastMs,
          evidenceEndBasis: 'newest-time-inside',
        };
      }
    }
    this.evidence.set(stream, out);
    return out;
  }

  /** Whether the stream's evidence covers the window, less its edge tolerance (or under --min-coverage). */
  claim(stream: JudgedStream): ClaimCoverage {
    const known = this.claims.get(stream);
    if (known) return known;
    const ev = this.streamEvidence(stream);
    const c: ClaimCoverage = ev
      ? claimCoverage(ev, this.window.startMs, this.window.endMs, this.minCoverage, this.window.toleranceMs)
      : {
          isCovered: false,
          gaps: [{ start: this.window.startMs, end: this.window.endMs, kind: 'before-evidence', cause: `no ${STREAM_LABEL[stream]} entry was read` }],
          acceptedGaps: [],
          coveredFraction: 0,
        };
    this.claims.set(stream, c);
    return c;
  }

  /** The part of the window the stream's evidence covers, first to last observed instant; `days` counts observed time only. */
  observed(stream: JudgedStream = 'activity'): Span | null {
    const ev = this.streamEvidence(stream);
    if (!ev) return null;
    const inside = clipIntervals(ev.observed, this.window.startMs, this.window.endMs);
    const first = inside[0];
    const last = inside.at(-1);
    if (!first || !last) return null;
    return { ...spanOf(first.start, last.end), days: Math.round((totalMs(inside) / DAY_MS) * 10) / 10 };
  }

  isWindowCovered(stream: JudgedStream = 'activity'): boolean {
    return this.claim(stream).isCovered;
  }

  /** Observed intervals inside the window, for the report. */
  intervals(stream: JudgedStream): MsInterval[] {
    return clipIntervals(this.streamEvidence(stream)?.observed ?? [], this.window.startMs, this.window.endMs);
  }

  /** What closes each kind of gap of a claim. */
  private gapHints(stream: JudgedStream, gaps: readonly Gap[]): string[] {
    const kinds = new Set(gaps.map((g) => g.kind));
    const ev = this.streamEvidence(stream);
    const isSink = ev?.basis === 'collect-manifest' && this.activity?.manifest?.logs.source === 'gcs';
    const hints: string[] = [];
    if (kinds.has('before-evidence')) {
      const first = ev?.observed.find((o) => o.end > this.window.startMs);
      const upTo = Math.min(ev?.evidenceEndMs ?? this.window.endMs, this.window.endMs);
      const days = first ? Math.floor((upTo - Math.max(first.start, this.window.startMs)) / DAY_MS) : 0;
      const why = isSink ? 'the sink export holds no file of this log before then: nothing shows the sink was exporting earlier' : RETENTION[stream];
      hints.push(`they start after the window does (${why})${days >= 1 ? `: match the window to them with --window ${days}d` : ''}`);
    }
    if (kinds.has('unobserved-tail') && ev?.evidenceEndMs !== null && ev?.evidenceEndMs !== undefined) {
      // Logs that stop early call for an earlier --as-of, not a shorter window ending at the same time.
      const end = iso(ev.evidenceEndMs);
      if (isSink) {
        hints.push(
          `the sink export's last file of this log ends at ${end}: later hours may be quiet or not exported${stream === 'activity' ? '; collect with --audit-logs api (entries.list reads the _Required bucket, which shows quiet hours)' : ''}, or pass --as-of ${end}`,
        );
      } else {
        hints.push(
          `they stop before ${iso(this.window.endMs).slice(0, 10)}: collect the logs up to --as-of, or pass --as-of ${end}, ${ev.basis === 'collect-manifest' ? 'the end of what the collection read' : 'the last entry'}`,
        );
      }
    }
    if (kinds.has('collection-failed') || kinds.has('no-proof'))
      hints.push('collect again (`permdrift collect gcp`), or accept small gaps with --min-coverage');
    return hints;
  }

  /** The report's account of one log's coverage. */
  logCoverage(stream: JudgedStream): GcpLogCoverage {
    const ev = this.streamEvidence(stream);
    const claim = this.claim(stream);
    const w = this.window;
    const gapOut = (g: Gap): CoverageGap => ({ start: iso(Math.max(g.start, w.startMs)), end: iso(Math.min(g.end, w.endMs)), kind: g.kind, cause: g.cause });
    const inside = this.intervals(stream);
    return {
      basis: ev?.basis ?? 'none',
      isWindowCovered: claim.isCovered,
      intervals: inside.slice(0, COVERAGE_LIST_LIMIT).map((i) => ({ start: iso(i.start), end: iso(i.end) })),
      intervalsTotal: inside.length,
      gaps: claim.gaps.slice(0, COVERAGE_LIST_LIMIT).map(gapOut),
      gapsTotal: claim.gaps.length,
      acceptedGaps: claim.acceptedGaps.slice(0, COVERAGE_LIST_LIMIT).map((g) => ({ ...gapOut(g), acceptedBy: g.acceptedBy })),
      coveredFraction: Math.round(claim.coveredFraction * 1000) / 1000,
      evidenceEnd: ev && ev.evidenceEndMs !== null && ev.evidenceEndBasis !== 'none' ? { time: iso(ev.evidenceEndMs), basis: ev.evidenceEndBasis } : null,
    };
  }

  private gapText(stream: JudgedStream): string {
    const gaps = this.claim(stream).gaps;
    const hints = this.gapHints(stream, gaps);
    return `${describeGaps(gaps)}${hints.length > 0 ? `; ${hints.join('; ')}` : ''}`;
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

  /** Values of the logs that JSON.parse rejected: whose use they record cannot be known. */
  private notJson(): { files: number; values: number; first?: string } {
    const rows = (this.logs?.entriesSkipped ?? []).filter((r) => r.reason === 'not-json');
    return { files: rows.length, values: rows.reduce((sum, r) => sum + r.count, 0), ...(rows[0] ? { first: rows[0].file } : {}) };
  }

  judge(permission: string, member: string, unmappedServices: ReadonlySet<string>, undated?: UndatedUse): Observability {
    const v = this.table.classify(permission);
    if (v.logType === 'unknown') {
      if (v.unknownBecause === 'checked-inside-other-calls') {
        return {
          isObservable: false,
          reason: 'checked-inside-other-calls',
          detail: `${permission} is checked inside other calls (${v.note ?? 'not as a call of its own'}${v.source ? `; ${v.source}` : ''}): whether a use was logged depends on the call that checked it, so no log proves it unused`,
        };
      }
      return {
        isObservable: false,
        reason: 'log-type-unknown',
        detail: `no cited source or documented rule says which audit log records ${permission}${v.note ? ` (${v.note})` : ''}`,
      };
    }
    if (v.logType === 'NOT_LOGGED') {
      return {
        isObservable: false,
        reason: 'not-logged-by-cloud-audit-logs',
        detail: `${permission} writes no audit log entry${v.source ? ` (${v.source})` : ''}`,
      };
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
    const broken = this.notJson();
    if (broken.values > 0) {
      return {
        isObservable: false,
        reason: 'log-files-unreadable',
        detail: `${count(broken.values, 'value')} in ${count(broken.files, 'audit log file')} of project ${this.inventory.projectId} ${broken.values === 1 ? 'is' : 'are'} not valid JSON (e.g. in ${broken.first}); a use in them would be unseen`,
      };
    }
    let stream: 'activity' | 'data_access' = 'activity';
    if (v.logType !== 'ADMIN_WRITE') {
      stream = 'data_access';
      // Every log type the use may land in must be on: for each, allServices, or every service whose
      // auditConfigs may govern it (which one does is not always established).
      const types: GcpDataAccessLogType[] = [v.logType, ...(v.alsoPossibly ?? [])];
      const typeText = types.length === 1 ? `${v.logType} (Data Access)` : `${types.join(' or ')} (Data Access; the verb rule cannot tell which)`;
      for (const lt of types) {
        if (this.dataAccess.byService.get('allServices')?.get(lt)) continue;
        const off = v.auditConfigServices.filter((s) => !this.dataAccess.byService.get(s)?.get(lt));
        if (off.length === 0) continue;
        const which =
          v.auditConfigServices.length > 1
            ? `${off.join(' and ')} (each of ${v.auditConfigServices.join(', ')} must enable it, or allServices)`
            : v.auditService;
        return {
          isObservable: false,
          reason: 'data-access-logs-disabled',
          detail:
            types.length === 1
              ? `${permission} is logged as ${typeText}, which the auditConfigs of the project, its folders and organization leave off for ${which}`
              : `${permission} is logged as ${typeText}, and the auditConfigs of the project, its folders and organization leave ${lt} off for ${which}`,
        };
      }
      for (const lt of types) {
        const all = this.dataAccess.byService.get('allServices')?.get(lt);
        const own = v.auditConfigServices.flatMap((s) => {
          const exempted = this.dataAccess.byService.get(s)?.get(lt);
          return exempted ? [{ service: s, exempted }] : [];
        });
        const exemption = this.exemptedBy(new Set([...(all ?? []), ...own.flatMap((o) => [...o.exempted])]), member);
        if (exemption) {
          return {
            isObservable: false,
            reason: 'data-access-logs-disabled',
            detail: `${permission} is logged as ${typeText}, and the auditConfig for ${own.length > 0 ? own.map((o) => o.service).join(' or ') : 'allServices'} exempts ${exemption}${types.length > 1 ? ` from ${lt}` : ''}`,
          };
        }
      }
    }
    // A log the collection read in full over the window, with no entry in it, is a log of no
    // activity; without that record, no entry means the export may have left the log out.
    if (logs.streams[stream] === 0 && this.streamEvidence(stream)?.basis !== 'collect-manifest') {
      return {
        isObservable: false,
        reason: 'log-type-not-collected',
        detail: `${permission} lands in the ${stream === 'activity' ? 'Admin Activity' : 'Data Access'} audit log, and the logs read hold no entry of it (filtered out of the export?)`,
      };
    }
    const claim = this.claim(stream);
    if (!claim.isCovered) {
      const o = this.observed(stream);
      const windowMs = this.window.endMs - this.window.startMs;
      const isEdgeOnly = claim.gaps.every((g) => g.kind === 'before-evidence' || g.kind === 'unobserved-tail');
      return {
        isObservable: false,
        reason: isEdgeOnly ? 'window-not-covered' : 'logging-gap',
        detail: `the ${STREAM_LABEL[stream]} logs read cover ${o ? `${partOfText(totalMs(this.intervals(stream)), windowMs, 'of the')} (${o.start} to ${o.end})` : `none of the ${durationText(windowMs)}`}: ${this.gapText(stream)}`,
      };
    }
    const unmapped = v.logServiceNames.find((s) => unmappedServices.has(s));
    if (unmapped !== undefined) {
      return {
        isObservable: false,
        reason: 'unmapped-events',
        detail: `the account made ${unmapped} calls whose log entries name no permission; any of them may have used ${permission}`,
      };
    }
    if (undated) {
      const checks = undated.permissions.get(permission) ?? 0;
      const undatedService = v.logServiceNames.find((s) => (undated.services.get(s) ?? 0) > 0);
      const calls = undatedService === undefined ? 0 : (undated.services.get(undatedService) ?? 0);
      if (checks > 0 || calls > 0) {
        return {
          isObservable: false,
          reason: 'event-time-unknown',
          detail:
            checks > 0
              ? `audit log entries of the account without a usable timestamp record ${count(checks, 'granted check')} of ${permission}; they may lie inside the window`
              : `${count(calls, 'audit log entry', 'audit log entries')} of the account without a usable timestamp record ${undatedService ?? v.auditService} calls that name no permission; any of them may have used ${permission} inside the window`,
        };
      }
    }
    return { isObservable: true };
  }

  /** Warnings that say what the reader could not use: nothing is dropped in silence. */
  warnings(): ReportWarning[] {
    const logs = this.logs;
    if (!logs) return [];
    const project = this.inventory.projectId;
    const out: ReportWarning[] = [];
    const skipped = logs.entriesSkipped;
    const unattributed = logs.entriesUnattributed;
    if (skipped.length > 0 || unattributed.length > 0) {
      const parts: string[] = [];
      const byReason = new Map<GcpSkippedEntryReason, { values: number; files: Set<string> }>();
      for (const r of skipped) {
        const agg = byReason.get(r.reason) ?? { values: 0, files: new Set<string>() };
        agg.values += r.count;
        agg.files.add(r.file);
        byReason.set(r.reason, agg);
      }
      for (const [reason, agg] of byReason) parts.push(`${count(agg.values, ...SKIP_TEXT[reason])} (${count(agg.files.size, 'file')})`);
      const undated = (byReason.get('time-missing')?.values ?? 0) + (byReason.get('time-invalid')?.values ?? 0);
      const noPrincipal = unattributed.reduce((sum, r) => sum + r.count, 0);
      const sentences = [
        `${count(logs.valuesRead, 'JSON value')} in ${count(logs.filesRead, 'audit log file')}: ${count(logs.entriesRead, 'dated audit entry', 'dated audit entries')} read` +
          (parts.length > 0 ? `, ${logs.recordsSkipped.toLocaleString('en-US')} skipped: ${parts.join('; ')}` : '') +
          '.',
      ];
      if (undated > 0) sentences.push('A use recorded only in an entry without a usable time is reported unverifiable (event-time-unknown), never unused.');
      if (this.notJson().values > 0) sentences.push("Values that are not valid JSON may hold anyone's use: nothing is called unused from this project's logs.");
      if (noPrincipal > 0)
        sentences.push(
          `${count(noPrincipal, 'dated entry', 'dated entries')} ${noPrincipal === 1 ? 'names' : 'name'} no principal (System Event and anonymous entries): counted for the logs' span, credited to nobody.`,
        );
      sentences.push('Per file and reason: gcpCoverage[].auditLogs.entriesSkipped and entriesUnattributed.');
      const files = new Set([...skipped, ...unattributed].map((r) => r.file));
      const only = files.size === 1 ? [...files][0] : undefined;
      out.push({
        code: 'audit-log-entries-not-used',
        message: `project ${project}: ${sentences.join(' ')}`,
        account: project,
        ...(only ? { file: only } : {}),
      });
    }
    if (logs.filesIgnored.length > 0) {
      const [first] = logs.filesIgnored;
      out.push({
        code: 'audit-log-files-ignored',
        message: `project ${project}: ${count(logs.filesIgnored.length, 'file')} under audit-logs/ ${logs.filesIgnored.length === 1 ? 'was' : 'were'} not read, as ${logs.filesIgnored.length === 1 ? 'its name is' : 'their names are'} not a log file's (.json, .jsonl, .ndjson, optionally .gz)${logs.filesIgnored.length > 1 ? `, e.g. ${first}` : ''}: rename ${logs.filesIgnored.length === 1 ? 'it' : 'them'} if ${logs.filesIgnored.length === 1 ? 'it holds' : 'they hold'} log entries.`,
        account: project,
        ...(logs.filesIgnored.length === 1 && first !== undefined ? { file: first } : {}),
      });
    }
    const ev = this.streamEvidence('activity');
    if (this.hasLogs && ev && ev.evidenceEndMs !== null && ev.evidenceEndMs < this.window.endMs - this.window.toleranceMs) {
      out.push({
        code: 'as-of-after-evidence',
        message: `project ${project}: --as-of ${iso(this.window.endMs)} is after the end of the Admin Activity evidence (${iso(ev.evidenceEndMs)}, ${ev.basis === 'collect-manifest' ? 'the end of what the collection read' : 'the newest entry read'}): nothing after it was observed, so no permission is called unused from the logs for that tail; judge with --as-of ${iso(ev.evidenceEndMs)} or collect again`,
        account: project,
      });
    }
    if (logs.zonelessTimes > 0) {
      out.push({
        code: 'audit-log-zoneless-times',
        message: `project ${project}: ${count(logs.zonelessTimes, 'audit log timestamp')} had no time zone (e.g. 2026-10-20T10:00:00); read as UTC, the zone Cloud Logging writes, never as this machine's local time.`,
        account: project,
      });
    }
    return out;
  }

  notes(): string[] {
    const notes: string[] = [];
    const logs = this.logs;
    if (!logs)
      notes.push(
        `No Cloud Audit Logs in the snapshot (audit-logs/): every permission is unverifiable; add \`gcloud logging read 'logName:"cloudaudit.googleapis.com"' --freshness=${freshnessFlag(this.window.endMs - this.window.startMs)} --format=json\` output.`,
      );
    else {
      if (logs.filesFailed.length > 0)
        notes.push(`${logs.filesFailed.length} audit log file(s) could not be read: nothing is called unused from the logs of this project.`);
      const broken = this.notJson();
      if (broken.values > 0)
        notes.push(
          `${count(broken.values, 'value')} in ${count(broken.files, 'audit log file')} ${broken.values === 1 ? 'is' : 'are'} not valid JSON: nothing is called unused from the logs of this project.`,
        );
      const undated = logs.entriesSkipped.filter((r) => r.reason === 'time-missing' || r.reason === 'time-invalid').reduce((sum, r) => sum + r.count, 0);
      if (undated > 0)
        notes.push(
          `${count(undated, 'audit log entry', 'audit log entries')} had no usable timestamp: what they record is neither use nor non-use, and the permissions they name are unverifiable (event-time-unknown).`,
        );
      if (logs.entriesTimedByReceiveTimestamp > 0)
        notes.push(
          `${count(logs.entriesTimedByReceiveTimestamp, 'entry', 'entries')} without a usable timestamp ${logs.entriesTimedByReceiveTimestamp === 1 ? 'was' : 'were'} placed at ${logs.entriesTimedByReceiveTimestamp === 1 ? 'its' : 'their'} receiveTimestamp (when Cloud Logging received ${logs.entriesTimedByReceiveTimestamp === 1 ? 'it' : 'them'}).`,
        );
      if (logs.streams.data_access === 0) notes.push('The logs read hold no Data Access entries: permissions that land there are unverifiable.');
      for (const stream of ['activity', 'data_access'] as const) {
        if (logs.streams[stream] > 0 && !this.isWindowCovered(stream)) {
          const o = this.observed(stream);
          notes.push(
            `${STREAM_LABEL[stream]} logs cover ${o ? `${o.start.slice(0, 10)} to ${o.end.slice(0, 10)}` : 'none'} of the window: ${this.gapText(stream)}.`,
          );
        }
      }
    }
    if (this.dataAccess.byService.size === 0)
      notes.push('No Data Access audit logs are enabled (auditConfigs empty on project, folders and organization): only Admin Activity is observable.');
    if (!this.activity?.activity) notes.push('No Policy Analyzer activity (activity/): dormancy and stale keys are not judged.');
    return notes;
  }
}

function groupContains(groups: Record<string, string[]>, group: string, member: string, seen = new Set<string>()): boolean {
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
