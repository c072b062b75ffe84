/**
 * analyze (GCP): a project's resolved service-account entitlements + Cloud Audit Log usage +
 * Policy Analyzer activity → findings and the project's coverage. Same finding types and the same
 * rule as AWS: nothing is called unused unless its use would have been seen (coverage.ts).
 *
 * Grouping, as for AWS: per service (the permission's first segment). All unused in a service with
 * nothing used or unjudged → `unused-service`; unused permissions that reach the account only
 * through predefined or basic roles (a role is GCP's wildcard: you cannot drop one permission from
 * it) → one `overbroad-grant` per service, suggesting the narrowest predefined role for what was
 * used; a permission named in a custom role → `unused-permission`; unjudged ones → one
 * `unverifiable-permission` per (service, reason).
 */

import type { GcpProjectActivity } from '../../model/gcp/activity.js';
import type { GcpEntitlement, GcpGrantPath, GcpPrincipalEntitlements, GcpProjectInventory, GcpServiceAccountKey } from '../../model/gcp/policy.js';
import type {
  EvidenceSource,
  Finding,
  FindingPermission,
  GcpProjectCoverage,
  LastUsed,
  ReportWarning,
  Severity,
  Span,
  UnverifiableReason,
} from '../../model/report.js';
import { durationText } from '../../model/duration-text.js';
import { DAY_MS, type Window, spanOf } from '../window.js';
import { findingId, maxSeverity } from '../findings.js';
import { dataAccessSummary, effectiveDataAccess, GcpProjectLogCoverage, type UndatedUse } from './coverage.js';
import type { GcpLogTypeTable } from './permission-log-type.js';
import { describeGcpPath, listText, suggestRolesText, uniqueGcpPaths } from './recommend.js';
import type { GcpRoleCatalogue } from './role-catalogue.js';
import { gcpAccessLevel, gcpSeverityFor } from './severity.js';
import { compareText as cmp } from '../../model/compare-text.js';
import { byServiceOrder, classifyService, type FindingRuleHooks } from '../classify.js';

/** Permissions exercised when a service account is impersonated (https://cloud.google.com/iam/docs/service-account-impersonation). */
const IMPERSONATION_PERMISSIONS = new Set([
  'iam.serviceAccounts.getAccessToken',
  'iam.serviceAccounts.getOpenIdToken',
  'iam.serviceAccounts.implicitDelegation',
  'iam.serviceAccounts.signBlob',
  'iam.serviceAccounts.signJwt',
]);

export interface GcpAnalyzeInput {
  inventory: GcpProjectInventory;
  activity: GcpProjectActivity | null;
  principals: GcpPrincipalEntitlements[];
  window: Window;
  logTypes: GcpLogTypeTable;
  roles: GcpRoleCatalogue;
  isSelected: (email: string, name: string) => boolean;
  isServiceAgentIncluded: boolean;
  /** `--min-coverage` as a fraction: interior gaps are accepted while this much of the window is observed. */
  minCoverage?: number;
}

interface PermissionUse {
  lastInWindow: string | null;
  lastBefore: string | null;
}

interface PrincipalUsage {
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

function maxDate(a: string | null, b: string | null): string | null {
  if (!a) return b;
  if (!b) return a;
  return b > a ? b : a;
}

function indexUsage(activity: GcpProjectActivity | null): Map<string, PrincipalUsage> {
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

type Verdict = { kind: 'used' } | { kind: 'unused' } | { kind: 'unverifiable'; reason: UnverifiableReason; detail: string };

interface Judged {
  entitlement: GcpEntitlement;
  verdict: Verdict;
  lastUsed: LastUsed | null;
}

/** One `resources` list per grant-path list: a basic role's thousands of permissions share one. */
const resourcesOfPaths = new WeakMap<readonly GcpGrantPath[], string[]>();

function resourcesOf(paths: readonly GcpGrantPath[]): string[] {
  let list = resourcesOfPaths.get(paths);
  if (!list) {
    list = [...new Set(paths.map((g) => `${g.resource.type}s/${g.resource.id}`))].sort();
    resourcesOfPaths.set(paths, list);
  }
  return list;
}

function toPermission(j: Judged): FindingPermission {
  const e = j.entitlement;
  return {
    action: e.permission,
    accessLevel: gcpAccessLevel(e.permission),
    provenance: e.provenance,
    grantedBy: e.grantedBy,
    isConditional: e.isConditional,
    resources: resourcesOf(e.grantedBy),
    lastUsed: j.lastUsed,
    ...(j.verdict.kind === 'unverifiable' ? { unverifiable: { reason: j.verdict.reason, detail: j.verdict.detail } } : {}),
  };
}

function severityOf(perms: FindingPermission[]): Severity {
  return maxSeverity(perms.map((p) => gcpSeverityFor(p.action, p.accessLevel)));
}

function isNamedInCustomRole(e: GcpEntitlement): boolean {
  return e.grantedBy.some((g) => g.roleKind === 'custom');
}

export interface GcpAnalyzeResult {
  findings: Finding[];
  coverage: GcpProjectCoverage;
  /** What the evidence could not use (skipped entries, zone-less times…), for the report's warnings. */
  warnings: ReportWarning[];
}

export function analyzeGcpProject(input: GcpAnalyzeInput): GcpAnalyzeResult {
  const { inventory, activity, window } = input;
  const project = inventory.projectId;
  const dataAccess = effectiveDataAccess(inventory);
  const cov = new GcpProjectLogCoverage(inventory, activity, dataAccess, input.logTypes, window, input.minCoverage);
  const usage = indexUsage(activity);
  const windowSpan = spanOf(window.startMs, window.endMs);
  const observed = cov.observed('activity');
  const findings: Finding[] = [];
  const audited = new Set<string>();
  let scanned = 0;
  let skippedAgents = 0;
  const deniedAttempts: GcpProjectCoverage['deniedAttempts'] = [];

  // IAM policy insights: permissions exercised through a binding of the account in an observation
  // period that overlaps the window count as used (never the other way: an insight's period does
  // not line up with the window, so its silence proves nothing here).
  const exercised = new Map<string, Set<string>>();
  for (const insight of activity?.insights?.insights ?? []) {
    if (!insight.member.toLowerCase().startsWith('serviceaccount:')) continue;
    if (Date.parse(insight.lastRefreshTime) < window.startMs || Date.parse(insight.observationStart) > window.endMs) continue;
    const email = insight.member.slice('serviceAccount:'.length).toLowerCase();
    const set = exercised.get(email) ?? new Set<string>();
    for (const p of insight.exercisedPermissions) set.add(p);
    exercised.set(email, set);
  }

  const saActivity = new Map((activity?.activity?.serviceAccounts ?? []).map((r) => [r.serviceAccount.toLowerCase(), r]));
  const keyActivity = new Map((activity?.activity?.keys ?? []).map((r) => [`${r.serviceAccount.toLowerCase()}\u0000${r.keyId}`, r]));
  const isBefore = (d: string | null): boolean => d === null || Date.parse(d) < window.startMs;

  for (const pe of [...input.principals].sort((a, b) => cmp(a.serviceAccount.email, b.serviceAccount.email))) {
    const sa = pe.serviceAccount;
    const email = sa.email.toLowerCase();
    if (!input.isSelected(sa.email, sa.displayName ?? sa.email)) continue;
    if (sa.isServiceAgent && !input.isServiceAgentIncluded) {
      skippedAgents += 1;
      continue;
    }
    scanned += 1;
    audited.add(email);
    const member = `serviceAccount:${email}`;
    const u = usage.get(email);
    const base = {
      provider: 'gcp' as const,
      account: project,
      // The IAM member string: what bindings, exceptions and gcloud commands name.
      principal: { id: member, name: email, kind: 'service-account' as const },
    };
    const evidence = (sources: EvidenceSource[], reason: string): Finding['evidence'] => ({
      window: windowSpan,
      observed,
      sources: [...new Set(sources)].sort(),
      reason,
      ...(u && u.deniedInWindow > 0 ? { deniedAttempts: u.deniedInWindow } : {}),
    });
    for (const [permission, count] of u?.denied ?? []) deniedAttempts.push({ principal: email, permission, count });

    // Stale keys: user-managed, enabled, older than the window, and Policy Analyzer saw no use in it.
    findings.push(
      ...staleKeyFindings(
        inventory.keys.filter((k) => k.serviceAccountEmail.toLowerCase() === email),
        keyActivity,
        window,
        windowSpan,
        observed,
        base,
        isBefore,
        !!activity?.activity?.types.includes('serviceAccountKeyLastAuthentication'),
      ),
    );

    // Dormant: Policy Analyzer's row for the account says its last authentication is before the window.
    const row = saActivity.get(email);
    const hasAuthTypes = activity?.activity?.types.includes('serviceAccountLastAuthentication') ?? false;
    const insightUse = exercised.get(email);
    // Entries without a usable time may lie in the window: an account with any is never dormant.
    const hasUndated = (u?.undated.entries ?? 0) > 0;
    if (
      hasAuthTypes &&
      row &&
      isBefore(row.lastAuthenticated) &&
      (u?.entriesInWindow ?? 0) === 0 &&
      !hasUndated &&
      (insightUse?.size ?? 0) === 0 &&
      pe.entitlements.length > 0
    ) {
      const observationOk = !row.observationEnd || Date.parse(row.observationEnd) >= window.endMs - Math.max(window.toleranceMs, 2 * 86_400_000);
      if (observationOk) {
        const last = maxDate(row.lastAuthenticated, u?.lastSeen ?? null);
        const perms = pe.entitlements.map((e) => toPermission({ entitlement: e, verdict: { kind: 'unused' }, lastUsed: null }));
        findings.push({
          id: findingId('gcp', project, base.principal.id, 'dormant-principal', ''),
          type: 'dormant-principal',
          severity: severityOf(perms),
          ...base,
          permissions: [],
          evidence: evidence(
            ['policy-analyzer', ...(cov.hasLogs ? (['cloud-audit-logs'] as const) : [])],
            `Policy Analyzer (${row.source}) reports ${row.lastAuthenticated ? `the last authentication on ${row.lastAuthenticated}` : 'no authentication'}${row.observationStart ? ` in its observation period from ${row.observationStart}` : ''}, before the window${cov.hasLogs ? ', and the audit logs read show no entry by the account in the window' : ''}. Requests made with API keys bound to the account are not counted by Policy Analyzer.`,
          ),
          recommendation: `Disable the service account (\`gcloud iam service-accounts disable ${email}\`), and delete it after a grace period: it holds ${pe.entitlements.length} permission(s) and did not authenticate in the window (last: ${last ?? 'never'}). If it serves a rare job, record an exception with an owner.`,
        });
        continue;
      }
    }

    const lastUsedOf = (permission: string): LastUsed | null => {
      const p = u?.permissions.get(permission);
      let date = p ? maxDate(p.lastInWindow, p.lastBefore) : null;
      if (IMPERSONATION_PERMISSIONS.has(permission)) date = maxDate(date, maxDate(u?.lastDelegation.inWindow ?? null, u?.lastDelegation.before ?? null));
      return date ? { date, source: 'cloud-audit-logs' } : null;
    };
    const undatedUse = u && u.undated.entries > 0 ? undatedUseOf(u.undated) : undefined;
    const judge = (e: GcpEntitlement): Judged => {
      const lastUsed = lastUsedOf(e.permission);
      const p = u?.permissions.get(e.permission);
      if (p?.lastInWindow) return { entitlement: e, lastUsed, verdict: { kind: 'used' } };
      if (insightUse?.has(e.permission)) return { entitlement: e, lastUsed, verdict: { kind: 'used' } };
      // An account that appears in another account's delegation chain impersonated it: the
      // impersonation permissions count as used (which one cannot be told from the chain).
      if (IMPERSONATION_PERMISSIONS.has(e.permission) && u?.lastDelegation.inWindow) return { entitlement: e, lastUsed, verdict: { kind: 'used' } };
      const obs = cov.judge(e.permission, member, u?.unmappedServices ?? new Set(), undatedUse);
      if (!obs.isObservable) return { entitlement: e, lastUsed, verdict: { kind: 'unverifiable', reason: obs.reason, detail: obs.detail } };
      return { entitlement: e, lastUsed, verdict: { kind: 'unused' } };
    };

    const judged = pe.entitlements.map(judge);
    const byService = new Map(byServiceOrder(judged, (j) => j.entitlement.service));
    const why = (): string => {
      const o = cov.observed('activity');
      const d = cov.observed('data_access');
      // `days` counts observed time only: gaps accepted under --min-coverage are not claimed.
      return `not used in ${o ? `${durationText(o.days * DAY_MS)} of Admin Activity logs (${o.start} to ${o.end})` : 'the Admin Activity logs'}${d ? ` and ${durationText(d.days * DAY_MS)} of Data Access logs` : ''}, and every one of them would have been logged`;
    };
    const usedPermsOf = (used: Judged[]): string[] => used.map((j) => j.entitlement.permission).sort();
    const hooks: FindingRuleHooks<Judged> = {
      base,
      id: (type, key) => findingId('gcp', project, base.principal.id, type, key),
      keyOf: (j) => j.entitlement.permission,
      toPermission,
      severityOf,
      // Unused permissions granted through roles are one decision (a narrower role); those named
      // in a custom role are removed from it one by one.
      isOneDecision: (j) => !isNamedInCustomRole(j.entitlement),
      unusedService: (service, unused) => {
        const paths = uniqueGcpPaths(unused.map((j) => j.entitlement.grantedBy));
        return {
          evidence: evidence(['cloud-audit-logs'], `No ${service} permission was used: ${why()}.`),
          recommendation: recommendService(email, service, unused.length, paths, usedPermissionPaths(byService, paths)),
        };
      },
      overbroad: (service, viaRoles, used) => {
        const paths = uniqueGcpPaths(viaRoles.map((j) => j.entitlement.grantedBy));
        const usedPerms = usedPermsOf(used);
        return {
          evidence: evidence(
            ['cloud-audit-logs'],
            `${viaRoles.length} ${service} permission(s) granted through roles went unused (${why()}); ${used.length} ${service} permission(s) were used.`,
          ),
          recommendation:
            `Replace ${paths.slice(0, 3).map(describeGcpPath).join('; ')}${paths.length > 3 ? `; and ${paths.length - 3} more` : ''} with a narrower role: ` +
            `${viaRoles.length} ${service} permission(s) went unused${usedPerms.length > 0 ? `, while the account used ${listText(usedPerms, 8)}.${suggestRolesText(usedPerms, input.roles)}` : '.'}`,
        };
      },
      unusedPermission: (service, j, used) => {
        const custom = j.entitlement.grantedBy.filter((g) => g.roleKind === 'custom');
        return {
          evidence: evidence(['cloud-audit-logs'], `${j.entitlement.permission}: ${why()}; ${used.length} other ${service} permission(s) were used.`),
          recommendation: `Remove ${j.entitlement.permission} from custom role ${[...new Set(custom.map((g) => g.binding.role))].join(', ')} (${custom.map(describeGcpPath).slice(0, 2).join('; ')}); other holders of the role lose it too.${alsoGrantedText(j.entitlement.grantedBy.filter((g) => g.roleKind !== 'custom'))}`,
        };
      },
      unverifiable: (service, reason, list) => {
        const first = list[0]?.verdict;
        const detail = first && first.kind === 'unverifiable' ? first.detail : '';
        const paths = uniqueGcpPaths(list.map((j) => j.entitlement.grantedBy));
        return {
          evidence: evidence([], `${list.length} ${service} permission(s) cannot be judged: ${detail}.`),
          recommendation: `Not judged: ${detail}. Granted by ${paths.slice(0, 3).map(describeGcpPath).join('; ')}${paths.length > 3 ? `; and ${paths.length - 3} more` : ''}. ${adviceFor(reason)}`,
        };
      },
    };
    for (const [service, list] of byService) for (const f of classifyService(service, list, hooks)) findings.push(f);
  }

  const logs = activity?.auditLogs ?? null;
  const otherCallers = new Map<string, number>();
  for (const a of activity?.permissions ?? []) {
    const e = a.principalEmail.toLowerCase();
    if (!audited.has(e) && a.period === 'window') otherCallers.set(e, (otherCallers.get(e) ?? 0) + a.count);
  }
  const unmapped = new Map<string, number>();
  for (const m of activity?.unmapped ?? []) {
    if (m.period !== 'window' || !audited.has(m.principalEmail.toLowerCase())) continue;
    const key = `${m.serviceName}\u0000${m.methodName}`;
    unmapped.set(key, (unmapped.get(key) ?? 0) + m.count);
  }
  const impersonation = new Map<string, number>();
  for (const d of activity?.delegations ?? []) {
    if (d.period !== 'window') continue;
    const key = `${d.serviceAccount.toLowerCase()}\u0000${d.delegate.toLowerCase()}`;
    impersonation.set(key, (impersonation.get(key) ?? 0) + d.count);
  }
  const coverage: GcpProjectCoverage = {
    project,
    ancestors: inventory.ancestry.filter((r) => r.type !== 'project').map((r) => `${r.type === 'folder' ? 'folders' : 'organizations'}/${r.id}`),
    principals: scanned,
    skippedServiceAgents: skippedAgents,
    auditLogs: {
      isPresent: logs !== null,
      filesRead: logs?.filesRead ?? 0,
      filesFailed: logs?.filesFailed.length ?? 0,
      entriesRead: logs?.entriesRead ?? 0,
      firstEntry: logs?.firstEntry ?? null,
      lastEntry: logs?.lastEntry ?? null,
      streams: logs?.streams ?? { activity: 0, data_access: 0, system_event: 0, policy: 0, other: 0 },
      observed,
      isWindowCovered: cov.hasLogs && cov.isWindowCovered('activity'),
      valuesRead: logs?.valuesRead ?? 0,
      entriesAfterAsOf: logs?.entriesAfterAsOf ?? 0,
      entriesSkipped: logs?.entriesSkipped.map((r) => ({ ...r })) ?? [],
      entriesUnattributed: logs?.entriesUnattributed.map((r) => ({ ...r })) ?? [],
      entriesTimedByReceiveTimestamp: logs?.entriesTimedByReceiveTimestamp ?? 0,
      zonelessTimes: logs?.zonelessTimes ?? 0,
      ...(logs !== null ? { logCoverage: { activity: cov.logCoverage('activity'), data_access: cov.logCoverage('data_access') } } : {}),
    },
    dataAccessLogs: dataAccessSummary(dataAccess),
    activity: {
      isPresent: (activity?.activity ?? null) !== null,
      files: activity?.activity?.files ?? [],
      types: activity?.activity?.types ?? [],
    },
    ...(inventory.unreadableKeyFiles ? { unreadableKeyFiles: inventory.unreadableKeyFiles.map((k) => ({ ...k })) } : {}),
    ...(activity?.insights ? { recommender: { files: activity.insights.files, insights: activity.insights.insights.length } } : {}),
    notes: [...cov.notes(), ...unreadableKeyNotes(inventory)],
    unmappedEntries: [...unmapped]
      .map(([k, count]) => {
        const [serviceName = '', methodName = ''] = k.split('\u0000');
        return { serviceName, methodName, count };
      })
      .sort((a, b) => cmp(a.serviceName, b.serviceName) || cmp(a.methodName, b.methodName)),
    otherCallers: [...otherCallers].map(([principal, entries]) => ({ principal, entries })).sort((a, b) => cmp(a.principal, b.principal)),
    deniedAttempts: mergeDenied(deniedAttempts),
    impersonation: [...impersonation]
      .map(([k, entries]) => {
        const [serviceAccount = '', delegate = ''] = k.split('\u0000');
        return { serviceAccount, delegate, entries };
      })
      .sort((a, b) => cmp(a.serviceAccount, b.serviceAccount) || cmp(a.delegate, b.delegate)),
  };
  if (inventory.collectedBy) coverage.collectedBy = inventory.collectedBy;
  return { findings, coverage, warnings: cov.warnings() };
}

/**
 * What a principal's undated entries leave undecided. An impersonation at an unknown time may have
 * used any impersonation permission (the chain does not say which), so each counts as recorded.
 */
function undatedUseOf(undated: PrincipalUsage['undated']): UndatedUse {
  const permissions = new Map(undated.permissions);
  if (undated.delegations > 0) {
    for (const p of IMPERSONATION_PERMISSIONS) permissions.set(p, (permissions.get(p) ?? 0) + undated.delegations);
  }
  return { permissions, services: undated.services, delegations: undated.delegations };
}

/** Key lists that could not be read: their accounts' keys are unknown, not absent. */
function unreadableKeyNotes(inventory: GcpProjectInventory): string[] {
  return (inventory.unreadableKeyFiles ?? []).map((k) =>
    k.serviceAccount === null
      ? `Key file ${k.file} could not be read and does not say whose keys it lists: any account's key list may be incomplete, so a missing stale-key finding proves nothing.`
      : `The keys of ${k.serviceAccount} are unknown (${k.file} could not be read as a key list): no stale-key verdict is made for it, which is not "no keys".`,
  );
}

/** Other roles that grant the same permission: removing it from the custom role alone is not enough. */
function alsoGrantedText(paths: GcpGrantPath[]): string {
  if (paths.length === 0) return '';
  return ` It is also granted by ${paths.slice(0, 3).map(describeGcpPath).join('; ')}${paths.length > 3 ? `; and ${paths.length - 3} more` : ''}: replace those roles too, or the account keeps it.`;
}

function mergeDenied(list: GcpProjectCoverage['deniedAttempts']): GcpProjectCoverage['deniedAttempts'] {
  const m = new Map<string, number>();
  for (const d of list) m.set(`${d.principal}\u0000${d.permission}`, (m.get(`${d.principal}\u0000${d.permission}`) ?? 0) + d.count);
  return [...m]
    .map(([k, count]) => {
      const [principal = '', permission = ''] = k.split('\u0000');
      return { principal, permission, count };
    })
    .sort((a, b) => cmp(a.principal, b.principal) || cmp(a.permission, b.permission));
}

/** For each grant path of unused permissions: does the same binding also carry used permissions? */
function usedPermissionPaths(byService: Map<string, Judged[]>, paths: GcpGrantPath[]): Set<string> {
  const keys = new Set(paths.map(pathKey));
  const out = new Set<string>();
  for (const judged of byService.values()) {
    for (const j of judged) {
      if (j.verdict.kind !== 'used') continue;
      for (const g of j.entitlement.grantedBy) if (keys.has(pathKey(g))) out.add(pathKey(g));
    }
  }
  return out;
}

function pathKey(p: GcpGrantPath): string {
  return [p.resource.type, p.resource.id, p.binding.index, p.member].join('\u0000');
}

function recommendService(email: string, service: string, count: number, paths: GcpGrantPath[], carriesUse: Set<string>): string {
  const remove = paths.filter((p) => !carriesUse.has(pathKey(p)));
  const narrow = paths.filter((p) => carriesUse.has(pathKey(p)));
  const parts: string[] = [];
  if (remove.length > 0)
    parts.push(
      `remove ${remove.slice(0, 3).map(describeGcpPath).join('; ')}${remove.length > 3 ? `; and ${remove.length - 3} more` : ''} (nothing it grants was used)`,
    );
  if (narrow.length > 0)
    parts.push(
      `replace ${narrow.slice(0, 3).map(describeGcpPath).join('; ')}${narrow.length > 3 ? `; and ${narrow.length - 3} more` : ''} with a role without ${service} (other permissions of it were used)`,
    );
  return `Take ${service} access (${count} permission(s)) away from ${email}: ${parts.join('; ')}.`;
}

function adviceFor(reason: UnverifiableReason): string {
  switch (reason) {
    case 'data-access-logs-disabled':
      return 'Enable Data Access audit logs for the service (auditConfigs) for a full window, or review these grants by hand.';
    case 'no-audit-logs':
    case 'log-type-not-collected':
      return 'Add the Cloud Audit Logs (Admin Activity and Data Access) of the window to the snapshot, or review by hand.';
    case 'window-not-covered':
      return 'Export audit logs with a sink (or raise the bucket retention) so they reach back over the whole window, or shorten --window.';
    default:
      return 'Review these grants by hand, or collect the missing evidence (see coverage notes).';
  }
}

function staleKeyFindings(
  keys: GcpServiceAccountKey[],
  keyActivity: Map<string, { lastAuthenticated: string | null; source: string; observationStart?: string }>,
  window: Window,
  windowSpan: Span,
  observed: Span | null,
  base: Pick<Finding, 'provider' | 'account' | 'principal'>,
  isBefore: (d: string | null) => boolean,
  hasKeyActivity: boolean,
): Finding[] {
  const out: Finding[] = [];
  if (!hasKeyActivity) return out;
  for (const key of keys) {
    if (key.keyType !== 'USER_MANAGED' || key.isDisabled) continue;
    // A key created inside the window has not had the whole window to be used.
    if (!key.validAfter || !isBefore(key.validAfter)) continue;
    if (key.validBefore && Date.parse(key.validBefore) < window.endMs) continue;
    const row = keyActivity.get(`${key.serviceAccountEmail.toLowerCase()}\u0000${key.keyId}`);
    // No row: no evidence either way (the query may have been cut at its limit).
    if (!row) continue;
    const isUnused = isBefore(row.lastAuthenticated);
    if (!isUnused) {
      out.push({
        id: findingId('gcp', base.account, base.principal.id, 'stale-credential', `key-${key.keyId}`),
        type: 'stale-credential',
        severity: 'medium',
        ...base,
        permissions: [],
        evidence: {
          window: windowSpan,
          observed,
          sources: ['policy-analyzer'],
          reason: `User-managed key ${key.keyId} was created ${key.validAfter}, before the window, and is still in use (last authentication ${row.lastAuthenticated}).`,
        },
        recommendation: `Rotate key ${key.keyId} of ${key.serviceAccountEmail} (create a new key, switch the workload, then \`gcloud iam service-accounts keys delete ${key.keyId} --iam-account ${key.serviceAccountEmail}\`), or replace it with an attached service account or workload identity federation.`,
      });
      continue;
    }
    out.push({
      id: findingId('gcp', base.account, base.principal.id, 'stale-credential', `key-${key.keyId}`),
      type: 'stale-credential',
      severity: 'high',
      ...base,
      permissions: [],
      evidence: {
        window: windowSpan,
        observed,
        sources: ['policy-analyzer'],
        reason: `User-managed key ${key.keyId} (created ${key.validAfter}) ${row.lastAuthenticated ? `last authenticated ${row.lastAuthenticated}` : 'has no recorded authentication'}${row.observationStart ? ` since ${row.observationStart}` : ''} (Policy Analyzer, ${row.source}).`,
      },
      recommendation: `Disable, then delete, key ${key.keyId} of ${key.serviceAccountEmail} (\`gcloud iam service-accounts keys disable ${key.keyId} --iam-account ${key.serviceAccountEmail}\`); prefer an attached service account or workload identity federation over keys.`,
    });
  }
  return out;
}
