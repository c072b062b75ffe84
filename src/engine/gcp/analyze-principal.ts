/**
 * One service account of a project, judged: stale keys, dormancy (Policy Analyzer), then every
 * permission it holds — used (audit log entry, insight, impersonation chain), unused (its use would
 * have been logged, coverage.ts), or unverifiable with the reason — grouped by the one finding rule
 * of engine/classify.ts with GCP's hooks (roles are one decision; custom-role permissions one by one).
 * The twin of engine/aws/analyze-principal.ts.
 */

import type { GcpProjectActivity } from '../../model/gcp/activity.js';
import type { GcpEntitlement, GcpPrincipalEntitlements, GcpProjectInventory } from '../../model/gcp/policy.js';
import type { EvidenceSource, Finding, GcpProjectCoverage, LastUsed, PermissionObservability, Span } from '../../model/report.js';
import { durationText } from '../../model/duration-text.js';
import { DAY_MS, type Window } from '../window.js';
import { findingId } from '../findings.js';
import { byServiceOrder, classifyService, type FindingRuleHooks } from '../classify.js';
import type { GcpProjectLogCoverage } from './coverage.js';
import { isObservableLogType, type ObservedLogTypeTable } from './observed-log-types.js';
import { adviceFor, alsoGrantedText, recommendService, usedPermissionPaths } from './finding-texts.js';
import { isNamedInCustomRole, type Judged, severityOf, toPermission } from './judged.js';
import { describeGcpPath, listText, suggestRolesText, uniqueGcpPaths } from './recommend.js';
import type { GcpRoleCatalogue } from './role-catalogue.js';
import { staleKeyFindings } from './stale-keys.js';
import { IMPERSONATION_PERMISSIONS, maxDate, type PrincipalUsage, undatedUseOf } from './usage-index.js';

/** What every account of one project is judged against, built once per project. */
export interface GcpProjectJudgingContext {
  inventory: GcpProjectInventory;
  activity: GcpProjectActivity | null;
  window: Window;
  windowSpan: Span;
  /** The Admin Activity span observed, shown on every finding. */
  observed: Span | null;
  cov: GcpProjectLogCoverage;
  /** The log types `cov` judges by (the table with the logs' permission types): each unused verdict records its basis. */
  logTypes: ObservedLogTypeTable;
  roles: GcpRoleCatalogue;
  usage: Map<string, PrincipalUsage>;
  /** Permissions exercised per account (lower-case email) in policy insights overlapping the window. */
  exercised: Map<string, Set<string>>;
  saActivity: Map<string, { lastAuthenticated: string | null; source: string; observationStart?: string; observationEnd?: string }>;
  keyActivity: Map<string, { lastAuthenticated: string | null; source: string; observationStart?: string }>;
}

/** What made an unused verdict possible: the log type its use would land in, and why that type is known. */
function observabilityOf(logTypes: ObservedLogTypeTable, permission: string): { observability?: PermissionObservability } {
  const v = logTypes.classify(permission);
  // judge() calls a permission observable only with one of the four types; a table entry without
  // a basis (none ships so) records none, and then rests on no basis for --require-basis.
  if (v.basis === undefined || !isObservableLogType(v.logType)) return {};
  return { observability: { basis: v.basis, logType: v.logType } };
}

/** Findings for one (selected, audited) service account, and the denied checks it made in the window. */
export function analyzeGcpServiceAccount(
  ctx: GcpProjectJudgingContext,
  pe: GcpPrincipalEntitlements,
): { findings: Finding[]; denied: GcpProjectCoverage['deniedAttempts'] } {
  const { inventory, activity, window, windowSpan, observed, cov, usage, exercised, saActivity, keyActivity } = ctx;
  const project = inventory.projectId;
  const sa = pe.serviceAccount;
  const email = sa.email.toLowerCase();
  const findings: Finding[] = [];
  const denied: GcpProjectCoverage['deniedAttempts'] = [];
  const isBefore = (d: string | null): boolean => d === null || Date.parse(d) < window.startMs;
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
  for (const [permission, count] of u?.denied ?? []) denied.push({ principal: email, permission, count });

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
      return { findings, denied };
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
    return { entitlement: e, lastUsed, verdict: { kind: 'unused', ...observabilityOf(ctx.logTypes, e.permission) } };
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
          `${viaRoles.length} ${service} permission(s) went unused${usedPerms.length > 0 ? `, while the account used ${listText(usedPerms, 8)}.${suggestRolesText(usedPerms, ctx.roles)}` : '.'}`,
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
  return { findings, denied };
}
