/**
 * Would CloudTrail have seen a use of this action? The one rule of the tool lives here: an action
 * is called unused only when its use would have been recorded by the evidence collected.
 */

import type { AccountActivity } from '../../model/aws/activity.js';
import type { CatalogueAction } from '../../model/aws/catalogue.js';
import type { AccountCoverage, Span, UnverifiableReason } from '../../model/report.js';
import { type AccountDelivery, accountDelivery } from './delivery.js';
import { type ClaimCoverage, type Gap, claimCoverage, describeGap, iso } from '../claim-coverage.js';
import { DAY_MS, type Window, spanOf } from '../window.js';
import { clipIntervals, totalMs } from '../intervals.js';
import { durationText, partOfText, spanMs } from '../../model/duration-text.js';
import { dataEventResourceType, isGlobalService, notLoggedReason } from './observability.js';

export interface AccountLogCoverage {
  account: string;
  hasLogs: boolean;
  firstEventMs: number | null;
  lastEventMs: number | null;
  activity: AccountActivity;
  isMultiRegion: boolean;
  /** No trail description: the trail's reach was inferred (`inferredFrom` says how). */
  isMultiRegionAssumed: boolean;
  inferredFrom?: string;
  homeRegion?: string;
  /**
   * Set when every log file is `lookup-events` output: LookupEvents answers for one region at
   * a time, so only the regions those files came from are covered, whatever the trail is.
   */
  lookupOnlyRegions?: string[];
  /** Observed intervals from proof of delivery (delivery.ts). */
  delivery: AccountDelivery;
  /** `--min-coverage` as a fraction: gaps are accepted while this much of a claim's span is observed. */
  minCoverage?: number;
}

/**
 * Without a trail description the trail's reach is inferred from where its files came from:
 * events from two or more regions mean the trail records several (taken as multi-region, said in
 * a note); events from one region only are taken as a single-region trail there, the cautious
 * reading (a region with no files is then not covered, instead of counted as observed).
 */
function trailReach(activity: AccountActivity): Pick<AccountLogCoverage, 'isMultiRegion' | 'isMultiRegionAssumed' | 'inferredFrom' | 'homeRegion'> {
  const t = activity.trail;
  if (t.isMultiRegion !== undefined) {
    return { isMultiRegion: t.isMultiRegion, isMultiRegionAssumed: false, ...(t.homeRegion ? { homeRegion: t.homeRegion } : {}) };
  }
  const regions = activity.cloudTrail?.regions ?? [];
  if (regions.length >= 2) {
    return { isMultiRegion: true, isMultiRegionAssumed: true, inferredFrom: `events from ${regions.length} regions (${regions.join(', ')})` };
  }
  if (regions.length === 1) {
    return { isMultiRegion: false, isMultiRegionAssumed: true, inferredFrom: `events from ${regions[0]} only`, homeRegion: regions[0] as string };
  }
  return { isMultiRegion: true, isMultiRegionAssumed: true, inferredFrom: 'no events' };
}

export function accountLogCoverage(activity: AccountActivity, minCoverage?: number): AccountLogCoverage {
  const ct = activity.cloudTrail;
  const hasLogs = ct !== null && ct.eventsRead > 0;
  const isLookupOnly = ct !== null && ct.filesRead > 0 && ct.lookupEventsFiles === ct.filesRead;
  return {
    account: activity.account,
    hasLogs,
    firstEventMs: ct?.firstEvent ? Date.parse(ct.firstEvent) : null,
    lastEventMs: ct?.lastEvent ? Date.parse(ct.lastEvent) : null,
    activity,
    ...trailReach(activity),
    ...(isLookupOnly && ct ? { lookupOnlyRegions: ct.lookupEventsRegions } : {}),
    delivery: accountDelivery(activity),
    ...(minCoverage !== undefined ? { minCoverage } : {}),
  };
}

/** The evidence's verdict on [from, window end] for one claim (see delivery.ts claimCoverage). */
export function claimCoverageOf(cov: AccountLogCoverage, window: Window, fromMs: number): ClaimCoverage {
  return claimCoverage(cov.delivery, fromMs, window.endMs, cov.minCoverage, window.toleranceMs);
}

/**
 * The part of [from, window end] the logs cover, where `from` is the window start or, for a
 * principal created inside the window, its creation: from the first to the last observed instant,
 * with `days` the time actually observed (gaps excluded).
 */
export function observedSpan(cov: AccountLogCoverage, window: Window, fromMs: number): Span | null {
  if (!cov.hasLogs) return null;
  const inside = clipIntervals(cov.delivery.observed, fromMs, window.endMs);
  const first = inside[0];
  const last = inside.at(-1);
  if (!first || !last) return null;
  return { ...spanOf(first.start, last.end), days: Math.round((totalMs(inside) / DAY_MS) * 10) / 10 };
}

/** Read-only calls per CloudTrail's `readOnly`, approximated from the catalogue's access level. */
function isReadAction(action: CatalogueAction): boolean {
  return action.accessLevel === 'Read' || action.accessLevel === 'List';
}

function sourceMatchesService(eventSource: string, service: string): boolean {
  const prefix = eventSource.replace(/\.amazonaws\.com$/, '').replace(/-/g, '');
  return prefix === service.replace(/-/g, '');
}

export type Observability = { isObservable: true } | { isObservable: false; reason: UnverifiableReason; detail: string };

/**
 * Whether a call of `action` in this account inside the span would be in the logs. The window
 * itself (log span) is checked by the caller, since it depends on the principal.
 */
export function cloudTrailObservability(action: CatalogueAction, cov: AccountLogCoverage): Observability {
  if (!cov.hasLogs) {
    return { isObservable: false, reason: 'no-cloudtrail-logs', detail: `no CloudTrail logs were read for account ${cov.account}` };
  }
  const failed = cov.activity.cloudTrail?.filesFailed ?? [];
  if (failed.length > 0) {
    return {
      isObservable: false,
      reason: 'log-files-unreadable',
      detail: `${failed.length} log file(s) of account ${cov.account} could not be read (first: ${failed[0]?.file ?? ''}: ${failed[0]?.reason ?? ''}); a use recorded in them would not be seen`,
    };
  }
  const notLogged = notLoggedReason(action.action);
  if (notLogged) return { isObservable: false, reason: 'not-logged-by-cloudtrail', detail: notLogged };

  const selectors = cov.activity.selectors;
  const isRead = isReadAction(action);
  const direction = isRead ? 'read' : 'write';
  const dataType = dataEventResourceType(action.action);
  if (dataType) {
    if (selectors.kind === 'assumed-default') {
      return {
        isObservable: false,
        reason: 'data-events-not-logged',
        detail: `${action.action} is recorded only as a ${dataType} data event, and no event selectors were provided (a default trail logs management events only)`,
      };
    }
    const selected = selectors.dataEvents.find((d) => d.resourceType === dataType);
    if (!selected || !selected[direction]) {
      return {
        isObservable: false,
        reason: 'data-events-not-logged',
        detail: `${action.action} is recorded only as a ${dataType} ${direction} data event, which the trail's selectors do not log`,
      };
    }
    if (selected.isPartial) {
      return {
        isObservable: false,
        reason: 'data-events-not-logged',
        detail: `the trail logs ${dataType} data events only for some resources; a use of ${action.action} elsewhere would not be recorded`,
      };
    }
  } else if (selectors.kind === 'selectors') {
    if (!selectors.management[direction]) {
      return {
        isObservable: false,
        reason: 'management-events-not-logged',
        detail: `the trail's selectors do not log ${direction} management events`,
      };
    }
    const excluded = selectors.management.excludedSources.find((s) => sourceMatchesService(s, action.service));
    if (excluded) {
      return { isObservable: false, reason: 'source-excluded', detail: `the trail excludes management events from ${excluded}` };
    }
  }

  if (cov.lookupOnlyRegions) {
    const regions = cov.lookupOnlyRegions;
    if (isGlobalService(action.service)) {
      if (regions.includes('us-east-1')) return { isObservable: true };
      return {
        isObservable: false,
        reason: 'region-not-covered',
        detail: `${action.service} is a global service that logs in us-east-1, and the lookup-events output read covers only ${regions.join(', ')}`,
      };
    }
    return {
      isObservable: false,
      reason: 'region-not-covered',
      detail: `the logs are lookup-events output for ${regions.join(', ')} only (LookupEvents answers one region at a time); a use of ${action.action} in another region would not be seen — read the trail's S3 archive instead`,
    };
  }

  if (!cov.isMultiRegion) {
    const isGlobal = isGlobalService(action.service);
    if (!isGlobal) {
      return {
        isObservable: false,
        reason: 'region-not-covered',
        detail: `the trail is single-region (${cov.homeRegion ?? 'home region unknown'}); a use of ${action.action} in another region would not be recorded`,
      };
    }
    if (cov.homeRegion !== undefined && cov.homeRegion !== 'us-east-1') {
      return {
        isObservable: false,
        reason: 'region-not-covered',
        detail: `${action.service} is a global service that logs in us-east-1, which this single-region trail (${cov.homeRegion}) does not cover`,
      };
    }
  }
  return { isObservable: true };
}

/** What to do about the gaps of a claim: the hint names the flag or the evidence that closes each kind. */
export function gapHints(gaps: readonly Gap[], cov: AccountLogCoverage, window: Window): string[] {
  const hints: string[] = [];
  const kinds = new Set(gaps.map((g) => g.kind));
  const end = cov.delivery.evidenceEndMs;
  if (kinds.has('unobserved-tail') && end !== null) {
    hints.push(`judge up to the end of the evidence with --as-of ${iso(end)}, or collect again`);
  }
  if (kinds.has('before-evidence')) {
    const first = cov.delivery.observed.find((o) => o.end > window.startMs);
    const upTo = Math.min(end ?? window.endMs, window.endMs);
    if (first) hints.push(`match the window to the logs with --window ${Math.max(1, Math.floor((upTo - Math.max(first.start, window.startMs)) / DAY_MS))}d`);
  }
  if (kinds.has('no-proof')) {
    hints.push(
      "add the trail's digest files (CloudTrail-Digest/) or collect with `permdrift collect aws` (its manifest and trail status prove quiet hours), or accept small gaps with --min-coverage",
    );
  }
  return hints;
}

export function coverageNotes(cov: AccountLogCoverage, window: Window): string[] {
  const notes: string[] = [];
  const a = cov.activity;
  const ct = a.cloudTrail;
  if (!cov.hasLogs) notes.push('No CloudTrail logs: no permission can be called unused from logs; only Access Advisor evidence can prove non-use.');
  if (a.selectors.kind === 'assumed-default') {
    notes.push('No event selectors file: assumed a default trail (management events, read and write; no data events).');
  }
  if (cov.lookupOnlyRegions) {
    notes.push(
      `Every log file is lookup-events output (management events only, one region each: ${cov.lookupOnlyRegions.join(', ')}): regional actions cannot be called unused; global ones only if us-east-1 is among them.`,
    );
  } else if (cov.hasLogs && cov.isMultiRegionAssumed) {
    notes.push(
      cov.isMultiRegion
        ? `No trail description (cloudtrail-describe-trails.json): the trail is taken as multi-region from ${cov.inferredFrom ?? 'the logs'}; add the description to be sure.`
        : `No trail description (cloudtrail-describe-trails.json) and ${cov.inferredFrom ?? 'events from one region'}: taken as a single-region trail, so a regional action used elsewhere is unverifiable; add the description if the trail is multi-region.`,
    );
  }
  if (cov.hasLogs) {
    const claim = claimCoverageOf(cov, window, window.startMs);
    const observed = observedSpan(cov, window, window.startMs);
    if (!claim.isCovered) {
      const shown = claim.gaps.slice(0, 3).map(describeGap);
      const more = claim.gaps.length > 3 ? `; and ${claim.gaps.length - 3} more` : '';
      const hints = gapHints(claim.gaps, cov, window);
      notes.push(
        `${observed ? `CloudTrail evidence covers ${partOfText(spanMs(observed), window.endMs - window.startMs)}` : `The CloudTrail evidence does not overlap the window (${window.start} to ${window.end})`}; ${claim.gaps.length} gap(s): ${shown.join('; ')}${more}. Grants without other evidence there are unverifiable, not unused.${hints.length ? ` To judge them: ${hints.join('; ')}.` : ''}`,
      );
    }
    const accepted = claim.acceptedGaps;
    if (accepted.length > 0) {
      const byTolerance = accepted.filter((g) => g.acceptedBy === 'edge-tolerance');
      const byMin = accepted.filter((g) => g.acceptedBy === 'min-coverage');
      if (byTolerance.length)
        notes.push(`Accepted within the window's edge tolerance (${durationText(window.toleranceMs)}): ${byTolerance.map(describeGap).join('; ')}.`);
      if (byMin.length) {
        notes.push(
          `Accepted under --min-coverage ${Math.round((cov.minCoverage ?? 0) * 1000) / 10}% (${Math.round(claim.coveredFraction * 1000) / 10}% observed): ${byMin.slice(0, 5).map(describeGap).join('; ')}${byMin.length > 5 ? `; and ${byMin.length - 5} more` : ''}. A use inside an accepted gap would not be seen.`,
        );
      }
    }
  }
  for (const n of cov.delivery.notes) notes.push(n);
  if (cov.delivery.ignoredTrailChanges.length > 0) {
    const list = cov.delivery.ignoredTrailChanges.slice(0, 3).map((i) => `${i.change.eventName} at ${i.change.time} (${i.why})`);
    notes.push(`Trail changes that open no gap: ${list.join('; ')}${cov.delivery.ignoredTrailChanges.length > 3 ? '; …' : ''}.`);
  }
  const failed = ct?.filesFailed.length ?? 0;
  if (failed > 0) {
    notes.push(
      `${failed} CloudTrail file(s) could not be read: the events in them are a gap in the evidence, so no grant is called unused from the logs until they are read (Access Advisor proofs still apply).`,
    );
  }
  const unusable = ct?.recordsUnusable ?? [];
  if (unusable.length > 0) {
    const byReason = new Map<string, number>();
    for (const u of unusable) byReason.set(u.reason, (byReason.get(u.reason) ?? 0) + u.count);
    const total = [...byReason.values()].reduce((x, y) => x + y, 0);
    const files = new Set(unusable.map((u) => u.file)).size;
    notes.push(
      `${total} record(s) in ${files} file(s) could not be used as they stand (${[...byReason].map(([r, n]) => `${r}: ${n}`).join(', ')}); records without a usable time make their caller's claims unverifiable (see coverage.cloudTrail.recordsUnusable).`,
    );
  }
  if ((ct?.recordsTimedByFile ?? 0) > 0) {
    notes.push(`${ct?.recordsTimedByFile} record(s) without a usable time were placed at their log file's delivery time (from the file name).`);
  }
  if ((ct?.zonelessTimes ?? 0) > 0) notes.push(`${ct?.zonelessTimes} record time(s) had no time zone: read as UTC, as CloudTrail writes them.`);
  return notes;
}

export function selectorsSummary(a: AccountActivity): Pick<AccountCoverage['cloudTrail'], 'managementEvents' | 'dataEvents' | 'selectorsSource'> {
  if (a.selectors.kind === 'assumed-default') {
    return { managementEvents: { read: true, write: true }, dataEvents: [], selectorsSource: 'assumed-default' };
  }
  return {
    managementEvents: { read: a.selectors.management.read, write: a.selectors.management.write },
    dataEvents: a.selectors.dataEvents.map((d) => ({ resourceType: d.resourceType, read: d.read, write: d.write })),
    selectorsSource: a.selectors.source,
  };
}
