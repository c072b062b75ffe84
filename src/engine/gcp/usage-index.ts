/**
 * What the Cloud Audit Log aggregates say about each service account of a project: per permission
 * the last use in and before the window, denied checks, impersonation as a delegate, and what
 * entries without a usable time leave undecided. Built once per project, read per account.
 */

import type { GcpProjectActivity } from '../../model/gcp/activity.js';
import type { UndatedUse } from './coverage.js';

/** Permissions exercised when a service account is impersonated (https://cloud.google.com/iam/docs/service-account-impersonation). */
export const IMPERSONATION_PERMISSIONS = new Set([
  'iam.serviceAccounts.getAccessToken',
  'iam.serviceAccounts.getOpenIdToken',
  'iam.serviceAccounts.implicitDelegation',
  'iam.serviceAccounts.signBlob',
  'iam.serviceAccounts.signJwt',
]);

interface PermissionUse {
  lastInWindow: string | null;
  lastBefore: string | null;
}

export interface PrincipalUsage {
  permissions: Map<string, PermissionUse>;
  /** Services (serviceName) with entries that name no permission, in the window. */
  unmappedServices: Set<string>;
  /** Any entry in the window (used, denied, unmapped, or as a delegate). */
  entriesInWindow: number;
  deniedInWindow: number;
  /** Denied checks in the window, per permission. */
  denied: Map<string, number>;
  /** Last time it acted as a delegate (impersonated another account). */
  lastDelegation: { inWindow: string | null; before: string | null };
  lastSeen: string | null;
  /** What entries without a usable time record (period `unknown-time`): never use, never non-use. */
  undated: { permissions: Map<string, number>; services: Map<string, number>; delegations: number; entries: number };
}

export function maxDate(a: string | null, b: string | null): string | null {
  if (!a) return b;
  if (!b) return a;
  return b > a ? b : a;
}

export function indexUsage(activity: GcpProjectActivity | null): Map<string, PrincipalUsage> {
  const out = new Map<string, PrincipalUsage>();
  const get = (email: string): PrincipalUsage => {
    const key = email.toLowerCase();
    let u = out.get(key);
    if (!u) {
      u = {
        permissions: new Map(),
        unmappedServices: new Set(),
        entriesInWindow: 0,
        deniedInWindow: 0,
        denied: new Map(),
        lastDelegation: { inWindow: null, before: null },
        lastSeen: null,
        undated: { permissions: new Map(), services: new Map(), delegations: 0, entries: 0 },
      };
      out.set(key, u);
    }
    return u;
  };
  for (const a of activity?.permissions ?? []) {
    const u = get(a.principalEmail);
    if (a.period === 'unknown-time') {
      // Denied checks too: the account acted at some unknown time, so it cannot be called dormant.
      u.undated.entries += a.count;
      if (!a.isDenied) u.undated.permissions.set(a.permission, (u.undated.permissions.get(a.permission) ?? 0) + a.count);
      continue;
    }
    u.lastSeen = maxDate(u.lastSeen, a.lastSeen);
    if (a.period === 'window') u.entriesInWindow += a.count;
    if (a.isDenied) {
      if (a.period === 'window') {
        u.deniedInWindow += a.count;
        u.denied.set(a.permission, (u.denied.get(a.permission) ?? 0) + a.count);
      }
      continue;
    }
    const p = u.permissions.get(a.permission) ?? { lastInWindow: null, lastBefore: null };
    if (a.period === 'window') p.lastInWindow = maxDate(p.lastInWindow, a.lastSeen);
    else p.lastBefore = maxDate(p.lastBefore, a.lastSeen);
    u.permissions.set(a.permission, p);
  }
  for (const m of activity?.unmapped ?? []) {
    const u = get(m.principalEmail);
    if (m.period === 'unknown-time') {
      u.undated.entries += m.count;
      u.undated.services.set(m.serviceName, (u.undated.services.get(m.serviceName) ?? 0) + m.count);
      continue;
    }
    u.lastSeen = maxDate(u.lastSeen, m.lastSeen);
    if (m.period === 'window') {
      u.entriesInWindow += m.count;
      u.unmappedServices.add(m.serviceName);
    }
  }
  for (const d of activity?.delegations ?? []) {
    const u = get(d.delegate);
    if (d.period === 'unknown-time') {
      u.undated.entries += d.count;
      u.undated.delegations += d.count;
      continue;
    }
    u.lastSeen = maxDate(u.lastSeen, d.lastSeen);
    if (d.period === 'window') {
      u.entriesInWindow += d.count;
      u.lastDelegation.inWindow = maxDate(u.lastDelegation.inWindow, d.lastSeen);
    } else u.lastDelegation.before = maxDate(u.lastDelegation.before, d.lastSeen);
  }
  return out;
}

/**
 * What a principal's undated entries leave undecided. An impersonation at an unknown time may have
 * used any impersonation permission (the chain does not say which), so each counts as recorded.
 */
export function undatedUseOf(undated: PrincipalUsage['undated']): UndatedUse {
  const permissions = new Map(undated.permissions);
  if (undated.delegations > 0) {
    for (const p of IMPERSONATION_PERMISSIONS) permissions.set(p, (permissions.get(p) ?? 0) + undated.delegations);
  }
  return { permissions, services: undated.services, delegations: undated.delegations };
}
