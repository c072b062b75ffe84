/**
 * Would CloudTrail have seen a use of this action? The one rule of the tool lives here: an action
 * is called unused only when its use would have been recorded by the evidence collected.
 */

import type { AccountActivity } from '../../model/activity.js';
import type { CatalogueAction } from '../../model/catalogue.js';
import type { AccountCoverage, Span, UnverifiableReason } from '../../model/report.js';
import { DAY_MS, type Window } from './evidence.js';
import { partOfText, spanMs } from '../duration-text.js';
import { windowMatchHint } from '../window-hint.js';
import { dataEventResourceType, isGlobalService, notLoggedReason } from './observability.js';

export interface AccountLogCoverage {
  account: string;
  hasLogs: boolean;
  firstEventMs: number | null;
  lastEventMs: number | null;
  activity: AccountActivity;
  isMultiRegion: boolean;
  isMultiRegionAssumed: boolean;
  homeRegion?: string;
  /**
   * Set when every log file read is `lookup-events` output: LookupEvents answers for one region at
   * a time, so only the regions those files came from are covered, whatever the trail is.
   */
  lookupOnlyRegions?: string[];
}

export function accountLogCoverage(activity: AccountActivity): AccountLogCoverage {
  const ct = activity.cloudTrail;
  const hasLogs = ct !== null && ct.eventsRead > 0;
  const isLookupOnly = ct !== null && ct.filesRead > 0 && ct.lookupEventsFiles === ct.filesRead;
  return {
    account: activity.account,
    hasLogs,
    firstEventMs: ct?.firstEvent ? Date.parse(ct.firstEvent) : null,
    lastEventMs: ct?.lastEvent ? Date.parse(ct.lastEvent) : null,
    activity,
    isMultiRegion: activity.trail.isMultiRegion ?? true,
    isMultiRegionAssumed: activity.trail.isMultiRegion === undefined,
    ...(activity.trail.homeRegion ? { homeRegion: activity.trail.homeRegion } : {}),
    ...(isLookupOnly && ct ? { lookupOnlyRegions: ct.lookupEventsRegions } : {}),
  };
}

export function spanOf(startMs: number, endMs: number): Span {
  return {
    start: new Date(startMs).toISOString(),
    end: new Date(endMs).toISOString(),
    days: Math.round(((endMs - startMs) / DAY_MS) * 10) / 10,
  };
}

/**
 * The part of [from, window end] the logs cover, where `from` is the window start or, for a
 * principal created inside the window, its creation.
 */
export function observedSpan(cov: AccountLogCoverage, window: Window, fromMs: number): Span | null {
  if (!cov.hasLogs || cov.firstEventMs === null || cov.lastEventMs === null) return null;
  const start = Math.max(fromMs, cov.firstEventMs);
  const end = Math.min(window.endMs, cov.lastEventMs);
  if (end < start) return null;
  return spanOf(start, end);
}

export function isSpanCovered(cov: AccountLogCoverage, window: Window, fromMs: number): boolean {
  if (!cov.hasLogs || cov.firstEventMs === null || cov.lastEventMs === null) return false;
  return cov.firstEventMs <= fromMs + window.toleranceMs && cov.lastEventMs >= window.endMs - window.toleranceMs;
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

export function coverageNotes(cov: AccountLogCoverage, window: Window): string[] {
  const notes: string[] = [];
  const a = cov.activity;
  if (!cov.hasLogs) notes.push('No CloudTrail logs: no permission can be called unused from logs; only Access Advisor evidence can prove non-use.');
  if (a.selectors.kind === 'assumed-default') {
    notes.push('No event selectors file: assumed a default trail (management events, read and write; no data events).');
  }
  if (cov.lookupOnlyRegions) {
    notes.push(
      `Every log file is lookup-events output (management events only, one region each: ${cov.lookupOnlyRegions.join(', ')}): regional actions cannot be called unused; global ones only if us-east-1 is among them.`,
    );
  } else if (cov.hasLogs && cov.isMultiRegionAssumed) {
    notes.push('No trail description (cloudtrail-describe-trails.json): assumed a multi-region trail, the console default.');
  }
  if (cov.hasLogs && !isSpanCovered(cov, window, window.startMs)) {
    const observed = observedSpan(cov, window, window.startMs);
    const hint = cov.firstEventMs !== null && cov.lastEventMs !== null ? windowMatchHint(cov.firstEventMs, cov.lastEventMs, window) : '';
    const text = observed
      ? `CloudTrail covers only ${partOfText(spanMs(observed), window.endMs - window.startMs)} (${observed.start} to ${observed.end}): grants without other evidence are unverifiable, not unused.`
      : `The CloudTrail logs do not overlap the window (${window.start} to ${window.end}).`;
    notes.push(hint === '' ? text : `${text} ${hint}`);
  }
  const failed = a.cloudTrail?.filesFailed.length ?? 0;
  if (failed > 0) {
    notes.push(`${failed} CloudTrail file(s) could not be read: the events in them are a gap in the evidence, so no grant is called unused from the logs until they are read (Access Advisor proofs still apply).`);
  }
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
