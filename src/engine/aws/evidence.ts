/**
 * Evidence indexes built from Activity and Access Advisor: who used which action when, and what
 * the logs could have seen. Pure: the clock arrives as `asOf`.
 */

import type { AccountActivity, CallAggregate } from '../../model/aws/activity.js';
import type { ActionCatalogue } from '../../model/aws/catalogue.js';
import type { AccessAdvisorRecord, Principal } from '../../model/aws/inventory.js';
import { eventSourceToPrefix, mapEventToActions } from './event-map.js';
import { DAY_MS, type Window } from '../window.js';

/** How long Access Advisor and RoleLastUsed keep their data (IAM user guide, "Refining permissions using last accessed information"). */
const ACCESS_ADVISOR_TRACKING_MS = 400 * DAY_MS;

interface UseStat {
  countInWindow: number;
  lastInWindow: string | null;
  lastBeforeWindow: string | null;
}

export interface PrincipalActivity {
  /** Lower-case action → use. */
  actions: Map<string, UseStat>;
  /** Services with calls that map to no catalogue action, by service prefix. */
  unmappedServices: Set<string>;
  eventsInWindow: number;
  /** Records without a usable time (period `unknown-time`): they may lie inside the window. */
  unknownTimeEvents: number;
  deniedInWindow: number;
  /** Denied attempts per action (or eventSource:eventName when unmapped). */
  denied: Map<string, number>;
  lastSeen: string | null;
}

export interface ActivityIndex {
  byPrincipal: Map<string, PrincipalActivity>;
  /** Per log account: events that map to no catalogue action. */
  unmapped: Map<string, Map<string, number>>;
  /** Per log account: callers that are not roles or users of the inventory. */
  otherCallers: Map<string, Map<string, { callerType: string; arn: string | null; events: number }>>;
}

function emptyActivity(): PrincipalActivity {
  return { actions: new Map(), unmappedServices: new Set(), eventsInWindow: 0, unknownTimeEvents: 0, deniedInWindow: 0, denied: new Map(), lastSeen: null };
}

function later(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a > b ? a : b;
}

function bump<K>(map: Map<K, number>, key: K, by: number): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

/** Resolves a CloudTrail caller to an inventory principal: exact ARN, else account + role name. */
export class PrincipalIndex {
  private readonly byArn = new Map<string, Principal>();
  private readonly byName = new Map<string, Principal>();

  constructor(principals: Iterable<Principal>) {
    for (const p of principals) {
      this.byArn.set(p.arn, p);
      this.byName.set(`${p.account}/${p.kind}/${p.name}`, p);
    }
  }

  find(call: Pick<CallAggregate, 'callerType' | 'callerArn'>): Principal | undefined {
    if (!call.callerArn) return undefined;
    if (call.callerType !== 'IAMUser' && call.callerType !== 'AssumedRole') return undefined;
    const exact = this.byArn.get(call.callerArn);
    if (exact) return exact;
    // An ARN the reader derived (assumed-role ARN without session issuer, IAMUser event without
    // an ARN) has no path; role and user names are unique per account.
    const m = /^arn:aws[a-z-]*:iam::(\d{12}):(role|user)\/(?:.*\/)?([^/]+)$/.exec(call.callerArn);
    if (m && m[2] === (call.callerType === 'AssumedRole' ? 'role' : 'user')) return this.byName.get(`${m[1]}/${m[2]}/${m[3]}`);
    return undefined;
  }
}

export function indexActivity(activities: AccountActivity[], principals: PrincipalIndex, catalogue: ActionCatalogue): ActivityIndex {
  const index: ActivityIndex = { byPrincipal: new Map(), unmapped: new Map(), otherCallers: new Map() };
  for (const activity of activities) {
    const unmapped = new Map<string, number>();
    const others = new Map<string, { callerType: string; arn: string | null; events: number }>();
    index.unmapped.set(activity.account, unmapped);
    index.otherCallers.set(activity.account, others);
    for (const call of activity.calls) {
      // Every action the call may have exercised counts as used: a missed one would look unused.
      const actions = mapEventToActions(call.eventSource, call.eventName, catalogue);
      const action = actions[0] ?? null;
      if (action === null) bump(unmapped, `${call.eventSource}\u0000${call.eventName}`, call.count);
      const principal = principals.find(call);
      if (!principal) {
        const key = `${call.callerType}\u0000${call.callerArn ?? ''}`;
        const entry = others.get(key) ?? { callerType: call.callerType, arn: call.callerArn, events: 0 };
        entry.events += call.count;
        others.set(key, entry);
        continue;
      }
      let pa = index.byPrincipal.get(principal.arn);
      if (!pa) {
        pa = emptyActivity();
        index.byPrincipal.set(principal.arn, pa);
      }
      if (call.period === 'unknown-time') {
        pa.unknownTimeEvents += call.count;
        continue;
      }
      pa.lastSeen = later(pa.lastSeen, call.lastSeen);
      const isInWindow = call.period === 'window';
      if (isInWindow) pa.eventsInWindow += call.count;
      if (call.isDenied) {
        if (isInWindow) {
          pa.deniedInWindow += call.count;
          bump(pa.denied, action ?? `${call.eventSource}:${call.eventName}`, call.count);
        }
        continue;
      }
      if (action === null) {
        if (isInWindow) {
          const service = eventSourceToPrefix(call.eventSource);
          if (service) pa.unmappedServices.add(service);
        }
        continue;
      }
      for (const a of actions) {
        const key = a.toLowerCase();
        const stat = pa.actions.get(key) ?? { countInWindow: 0, lastInWindow: null, lastBeforeWindow: null };
        if (isInWindow) {
          stat.countInWindow += call.count;
          stat.lastInWindow = later(stat.lastInWindow, call.lastSeen);
        } else {
          stat.lastBeforeWindow = later(stat.lastBeforeWindow, call.lastSeen);
        }
        pa.actions.set(key, stat);
      }
    }
  }
  return index;
}

export interface AccessAdvisorView {
  jobCompletionDate: string;
  /** The job's answers reach back over the whole window and up to asOf. */
  isCoveringWindow: boolean;
  services: Map<string, { lastAuthenticated: string | null; actions?: Map<string, string | null> }>;
  source: string;
}

/** The newest Access Advisor record per principal, with whether it can prove non-use in the window. */
export function indexAccessAdvisor(records: AccessAdvisorRecord[], window: Window): Map<string, AccessAdvisorView> {
  const out = new Map<string, AccessAdvisorView>();
  const newest = new Map<string, AccessAdvisorRecord>();
  for (const r of records) {
    const prev = newest.get(r.principalArn);
    if (!prev || r.jobCompletionDate > prev.jobCompletionDate) newest.set(r.principalArn, r);
  }
  for (const [arn, r] of newest) {
    const completed = Date.parse(r.jobCompletionDate);
    const isCoveringWindow = completed >= window.endMs - window.toleranceMs && window.startMs >= completed - ACCESS_ADVISOR_TRACKING_MS;
    const services = new Map<string, { lastAuthenticated: string | null; actions?: Map<string, string | null> }>();
    for (const s of r.services) {
      services.set(s.serviceNamespace, {
        lastAuthenticated: s.lastAuthenticated,
        ...(s.actions ? { actions: new Map(s.actions.map((a) => [a.actionName.toLowerCase(), a.lastAccessed])) } : {}),
      });
    }
    out.set(arn, { jobCompletionDate: r.jobCompletionDate, isCoveringWindow, services, source: r.source });
  }
  return out;
}
