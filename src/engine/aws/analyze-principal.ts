/**
 * analyze-principal (AWS): one principal's entitlements + evidence → findings (the twin of
 * engine/gcp/analyze-principal.ts). Every verdict says which evidence made it, and no
 * permission is called unused unless its use would have been seen (see coverage.ts).
 */

import type { ActionCatalogue, CatalogueAction } from '../../model/aws/catalogue.js';
import type { Entitlement } from '../../model/aws/entitlement.js';
import type { CredentialReportEntry, Principal } from '../../model/aws/inventory.js';
import type { EvidenceSource, Finding, FindingPermission, LastUsed, Severity, Span, UnverifiableReason, UsedThrough } from '../../model/report.js';
import { type AccountLogCoverage, claimCoverageOf, cloudTrailObservability, gapHints, observedSpan } from './coverage.js';
import { type ClaimCoverage, describeGaps } from '../claim-coverage.js';
import { creditDependencies, describeCredited, type DependencyCredit, loadDependentActionTable } from './dependent-actions.js';
import type { AccessAdvisorView, PrincipalActivity } from './evidence.js';
import { type Window, spanOf } from '../window.js';
import { callsExercising, isPermissionOnly } from './observability.js';
import { durationText, partOfText, spanMs } from '../../model/duration-text.js';
import {
  describeGrants,
  isWildcardPattern,
  recommendDormant,
  recommendOverbroad,
  recommendStaleCredential,
  recommendUnusedPermission,
  recommendUnusedService,
} from './recommend.js';
import { severityFor } from './severity-data.js';
import { findingId, maxSeverity } from '../findings.js';
import { byServiceOrder, classifyService, type FindingRuleHooks } from '../classify.js';

export interface PrincipalEvidence {
  principal: Principal;
  entitlements: Entitlement[];
  activity: PrincipalActivity | undefined;
  accessAdvisor: AccessAdvisorView | undefined;
  credentials: CredentialReportEntry | undefined;
  credentialReportTime: string | undefined;
  /** When the inventory (RoleLastUsed) was read; RoleLastUsed proves nothing after it. */
  inventoryReadAt?: { time: string; basis: 'collect-manifest' | 'newest-time-inside' } | undefined;
  coverage: AccountLogCoverage;
}

type Verdict =
  /** `through`: used only through the actions that depend on it (dependent-actions.ts). */
  | { kind: 'used'; through?: DependencyCredit }
  | { kind: 'unused'; sources: EvidenceSource[]; why: string }
  | { kind: 'unverifiable'; reason: UnverifiableReason; detail: string };

interface Judged {
  entitlement: Entitlement;
  verdict: Verdict;
  lastUsed: LastUsed | null;
}

function later(a: LastUsed | null, b: LastUsed | null): LastUsed | null {
  if (!a) return b;
  if (!b) return a;
  return b.date > a.date ? b : a;
}

class PrincipalJudge {
  private readonly fromMs: number;
  private readonly claim: ClaimCoverage | null;
  readonly observed: Span | null;
  readonly windowSpan: Span;
  private credits: Map<string, DependencyCredit> | undefined;

  constructor(
    private readonly ev: PrincipalEvidence,
    private readonly window: Window,
    private readonly catalogue: ActionCatalogue,
  ) {
    const created = Date.parse(ev.principal.createDate);
    this.fromMs = Number.isNaN(created) ? window.startMs : Math.max(window.startMs, created);
    this.claim = ev.coverage.hasLogs ? claimCoverageOf(ev.coverage, window, this.fromMs) : null;
    this.observed = observedSpan(ev.coverage, window, this.fromMs);
    this.windowSpan = spanOf(window.startMs, window.endMs);
  }

  get isCreatedInsideWindow(): boolean {
    return this.fromMs > this.window.startMs;
  }

  lastUsed(action: string): LastUsed | null {
    const key = action.toLowerCase();
    let best: LastUsed | null = null;
    const stat = this.ev.activity?.actions.get(key);
    const ct = stat?.lastInWindow ?? stat?.lastBeforeWindow ?? null;
    if (ct) best = { date: ct, source: 'cloudtrail' };
    const [service] = key.split(':');
    const aa = this.ev.accessAdvisor?.services.get(service ?? '')?.actions?.get(key.slice((service?.length ?? 0) + 1));
    if (aa) best = later(best, { date: aa, source: 'access-advisor' });
    return best;
  }

  isUsedInWindow(action: string, lastUsed: LastUsed | null): boolean {
    if ((this.ev.activity?.actions.get(action.toLowerCase())?.countInWindow ?? 0) > 0) return true;
    return lastUsed !== null && Date.parse(lastUsed.date) >= this.window.startMs;
  }

  /** Access Advisor proves non-use inside the window (never for permission-only actions it does not track). */
  private accessAdvisorProof(action: CatalogueAction): string | null {
    const aa = this.ev.accessAdvisor;
    if (!aa || !aa.isCoveringWindow || isPermissionOnly(action.action)) return null;
    const svc = aa.services.get(action.service);
    if (!svc) return null;
    const isBefore = (d: string | null): boolean => d === null || Date.parse(d) < this.window.startMs;
    if (isBefore(svc.lastAuthenticated)) {
      return svc.lastAuthenticated === null
        ? `Access Advisor (job of ${aa.jobCompletionDate}) reports no ${action.service} access within its 400-day tracking period`
        : `Access Advisor (job of ${aa.jobCompletionDate}) reports the last ${action.service} access on ${svc.lastAuthenticated}, before the window`;
    }
    const tracked = svc.actions?.get(action.name.toLowerCase());
    if (svc.actions?.has(action.name.toLowerCase()) && isBefore(tracked ?? null)) {
      return `Access Advisor action-level data (job of ${aa.jobCompletionDate}) reports no use of ${action.action} inside the window`;
    }
    return null;
  }

  private logObservability(action: CatalogueAction): { isObservable: true } | { isObservable: false; reason: UnverifiableReason; detail: string } {
    const base = cloudTrailObservability(action, this.ev.coverage);
    if (!base.isObservable) return base;
    const unknownTime = this.ev.activity?.unknownTimeEvents ?? 0;
    if (unknownTime > 0) {
      return {
        isObservable: false,
        reason: 'event-time-unknown',
        detail: `${unknownTime} record(s) of this principal have no usable time (and no log file name dates them); any of them may be a use inside the window`,
      };
    }
    const claim = this.claim;
    if (claim && !claim.isCovered) {
      const span = this.observed;
      const needMs = this.window.endMs - this.fromMs;
      const isEdgeOnly = claim.gaps.every((g) => g.kind === 'before-evidence' || g.kind === 'unobserved-tail');
      const hints = gapHints(claim.gaps, this.ev.coverage, this.window);
      const hint = hints.length > 0 ? `; to judge it, ${hints.join('; ')}` : '';
      const covered = span
        ? `CloudTrail evidence covers ${partOfText(spanMs(span), needMs, 'of the')} to judge`
        : `the CloudTrail evidence does not overlap the ${durationText(needMs)} to judge`;
      return {
        isObservable: false,
        reason: isEdgeOnly ? 'window-not-covered' : 'logging-gap',
        detail: `${covered}: ${describeGaps(claim.gaps)}${hint}`,
      };
    }
    const service = action.service;
    if (this.ev.activity?.unmappedServices.has(service)) {
      return {
        isObservable: false,
        reason: 'unmapped-events',
        detail: `the principal made ${service} calls that map to no catalogue action; any of them may have used ${action.action}`,
      };
    }
    return { isObservable: true };
  }

  judge(e: Entitlement): Judged {
    const action = this.catalogue.lookup(e.action);
    const lastUsed = this.lastUsed(e.action);
    if (!action) {
      return {
        entitlement: e,
        lastUsed,
        verdict: { kind: 'unverifiable', reason: 'not-logged-by-cloudtrail', detail: `${e.action} is not in the action catalogue` },
      };
    }
    if (this.isUsedInWindow(e.action, lastUsed)) return { entitlement: e, lastUsed, verdict: { kind: 'used' } };
    const credit = this.creditFor(e.action);
    if (credit) return { entitlement: e, lastUsed: later(lastUsed, credit.lastUsed), verdict: { kind: 'used', through: credit } };

    if (isPermissionOnly(action.action)) {
      return this.judgeThroughCalls(e, action, lastUsed);
    }

    const aaProof = this.accessAdvisorProof(action);
    if (aaProof) return { entitlement: e, lastUsed, verdict: { kind: 'unused', sources: ['access-advisor'], why: aaProof } };

    const tagOnCreate = this.tagOnCreateWrites(action);
    if (tagOnCreate > 0) {
      return {
        entitlement: e,
        lastUsed,
        verdict: {
          kind: 'unverifiable',
          reason: 'dependent-action-unobservable',
          detail: `${action.action} is also authorized inside create calls that tag on creation, which CloudTrail records under the create call only, and this principal made ${tagOnCreate} ${action.service} write call(s)`,
        },
      };
    }

    const obs = this.logObservability(action);
    if (!obs.isObservable) return { entitlement: e, lastUsed, verdict: { kind: 'unverifiable', reason: obs.reason, detail: obs.detail } };
    return { entitlement: e, lastUsed, verdict: { kind: 'unused', sources: ['cloudtrail'], why: this.cloudTrailWhy() } };
  }

  /** The credit a used action gives `action` when it is authorized through it (dependent-actions.ts). */
  creditFor(action: string): DependencyCredit | undefined {
    this.credits ??= creditDependencies({
      entitlements: this.ev.entitlements,
      usedActions: this.ev.activity?.actions.keys() ?? [],
      isUsedInWindow: (a) => this.isUsedInWindow(a, this.lastUsed(a)),
      lastUsed: (a) => this.lastUsed(a),
      catalogue: this.catalogue,
      table: loadDependentActionTable(),
    });
    return this.credits.get(action.toLowerCase());
  }

  /**
   * Tagging actions (ec2:CreateTags, …:TagResource) are also checked inside create calls that tag
   * resources on creation, and CloudTrail records only the create call
   * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/supported-iam-actions-tagging.html). So a
   * tagging permission cannot be called unused while the principal made write calls to its service.
   * Returns how many such calls there were.
   */
  private tagOnCreateWrites(action: CatalogueAction): number {
    if (action.accessLevel !== 'Tagging') return 0;
    let writes = 0;
    for (const [key, stat] of this.ev.activity?.actions ?? []) {
      if (stat.countInWindow === 0) continue;
      const used = this.catalogue.lookup(key);
      if (used && used.service === action.service && used.accessLevel === 'Write') writes += stat.countInWindow;
    }
    return writes;
  }

  /**
   * A permission that is never logged on its own (iam:PassRole) is judged through the calls that
   * exercise it: any of them used → used; none used and all observable → unused.
   */
  private judgeThroughCalls(e: Entitlement, action: CatalogueAction, lastUsed: LastUsed | null): Judged {
    const calls = callsExercising(action.action, this.catalogue);
    let latest = lastUsed;
    for (const c of calls) {
      const lu = this.lastUsed(c);
      latest = later(latest, lu);
      if (this.isUsedInWindow(c, lu)) return { entitlement: e, lastUsed: latest, verdict: { kind: 'used' } };
    }
    // The calls that take a role span hundreds of APIs, and that list cannot be complete (a new
    // API that takes a role would be missing). So for iam:PassRole, any write call to a service
    // that has such calls may have exercised it too: treat it as possible use, the cheap direction
    // of error. Other permission-only actions (s3:GetObjectVersion…) have exact calls.
    const services = new Set(calls.map((c) => c.split(':')[0]?.toLowerCase()));
    for (const [key, stat] of this.ev.activity?.actions ?? []) {
      if (action.action !== 'iam:PassRole' || stat.countInWindow === 0) continue;
      const used = this.catalogue.lookup(key);
      if (used && services.has(used.service) && used.accessLevel !== 'Read' && used.accessLevel !== 'List') {
        return {
          entitlement: e,
          lastUsed: latest,
          verdict: { kind: 'used' },
        };
      }
    }
    if (calls.length === 0) {
      return {
        entitlement: e,
        lastUsed: latest,
        verdict: {
          kind: 'unverifiable',
          reason: 'dependent-action-unobservable',
          detail: `${action.action} is checked inside other calls, and none are known that exercise it`,
        },
      };
    }
    const blind: string[] = [];
    for (const c of calls) {
      const ca = this.catalogue.lookup(c);
      if (!ca) continue;
      const obs = this.logObservability(ca);
      if (!obs.isObservable) blind.push(c);
    }
    if (blind.length > 0) {
      return {
        entitlement: e,
        lastUsed: latest,
        verdict: {
          kind: 'unverifiable',
          reason: 'dependent-action-unobservable',
          detail: `${action.action} is exercised only inside other calls, and ${blind.length} of the ${calls.length} that exercise it are not observable (e.g. ${blind.slice(0, 3).join(', ')})`,
        },
      };
    }
    return {
      entitlement: e,
      lastUsed: latest,
      verdict: {
        kind: 'unused',
        sources: ['cloudtrail'],
        why: `none of the ${calls.length} calls that exercise ${action.action} (e.g. ${calls.slice(0, 3).join(', ')}) was made in the window, and all are observable; ${this.cloudTrailWhy()}`,
      },
    };
  }

  cloudTrailWhy(): string {
    const o = this.observed;
    const created = this.isCreatedInsideWindow
      ? ` (the principal was created ${this.ev.principal.createDate}, inside the window: observed for its lifetime only)`
      : '';
    return o ? `not called in ${durationText(spanMs(o))} of CloudTrail evidence (${o.start} to ${o.end})${created}` : 'no CloudTrail evidence';
  }

  /** Dormant: no activity at all in the window, proven by a source that sees every kind of use. */
  dormancy(): { isDormant: boolean; why: string; sources: EvidenceSource[]; lastActivity: LastUsed | null } {
    const p = this.ev.principal;
    const no = { isDormant: false, why: '', sources: [] as EvidenceSource[], lastActivity: null };
    if (this.isCreatedInsideWindow) return no;
    if ((this.ev.activity?.eventsInWindow ?? 0) > 0) return no;
    // A record without a usable time may be activity inside the window.
    if ((this.ev.activity?.unknownTimeEvents ?? 0) > 0) return no;
    let lastActivity: LastUsed | null = null;
    if (this.ev.activity?.lastSeen) lastActivity = { date: this.ev.activity.lastSeen, source: 'cloudtrail' };
    const before = (d: string): boolean => Date.parse(d) < this.window.startMs;
    const proofs: string[] = [];
    const sources: EvidenceSource[] = [];

    // RoleLastUsed says nothing about the time after the inventory was read.
    const readAt = this.ev.inventoryReadAt ? Date.parse(this.ev.inventoryReadAt.time) : Number.NaN;
    const isRoleLastUsedCurrent = readAt >= this.window.endMs - this.window.toleranceMs;
    if (p.roleLastUsed !== undefined && !isRoleLastUsedCurrent && p.roleLastUsed !== null) {
      lastActivity = later(lastActivity, { date: p.roleLastUsed.lastUsedDate, source: 'role-last-used' });
      if (!before(p.roleLastUsed.lastUsedDate)) return no;
    }
    if (p.roleLastUsed !== undefined && isRoleLastUsedCurrent) {
      if (p.roleLastUsed === null) {
        proofs.push('IAM reports no use of the role within its 400-day tracking period (RoleLastUsed empty)');
      } else {
        lastActivity = later(lastActivity, { date: p.roleLastUsed.lastUsedDate, source: 'role-last-used' });
        if (!before(p.roleLastUsed.lastUsedDate)) return no;
        proofs.push(`IAM reports the role last used on ${p.roleLastUsed.lastUsedDate}`);
      }
      sources.push('role-last-used');
    }
    const aa = this.ev.accessAdvisor;
    if (aa) {
      let aaLast: string | null = null;
      for (const s of aa.services.values()) if (s.lastAuthenticated && (!aaLast || s.lastAuthenticated > aaLast)) aaLast = s.lastAuthenticated;
      if (aaLast) lastActivity = later(lastActivity, { date: aaLast, source: 'access-advisor' });
      if (aaLast && !before(aaLast)) return no;
      if (aa.isCoveringWindow) {
        proofs.push(
          aaLast ? `Access Advisor reports the last service access on ${aaLast}` : 'Access Advisor reports no service access within its tracking period',
        );
        sources.push('access-advisor');
      }
    }
    const cred = this.ev.credentials;
    if (cred) {
      const uses = [cred.passwordLastUsed, ...cred.accessKeys.map((k) => k.lastUsedDate)].filter((d): d is string => d !== null);
      const credLast = uses.sort().at(-1) ?? null;
      if (credLast) lastActivity = later(lastActivity, { date: credLast, source: 'credential-report' });
      if (credLast && !before(credLast)) return no;
      const generated = this.ev.credentialReportTime ? Date.parse(this.ev.credentialReportTime) : Number.NaN;
      if (generated >= this.window.endMs - this.window.toleranceMs) {
        proofs.push(credLast ? `the credential report shows the last sign-in or key use on ${credLast}` : 'the credential report shows no sign-in or key use');
        sources.push('credential-report');
      }
    }
    if (proofs.length === 0) return no;
    if (this.ev.coverage.hasLogs && this.observed) sources.push('cloudtrail');
    return { isDormant: true, why: proofs.join('; '), sources, lastActivity };
  }
}

function toPermission(j: Judged): FindingPermission {
  const e = j.entitlement;
  return {
    action: e.action,
    accessLevel: e.accessLevel,
    provenance: e.provenance,
    grantedBy: e.grantedBy,
    isConditional: e.isConditional,
    resources: e.resources,
    lastUsed: j.lastUsed,
    ...(j.verdict.kind === 'unverifiable' ? { unverifiable: { reason: j.verdict.reason, detail: j.verdict.detail } } : {}),
  };
}

/** The report field naming the used actions of a service credited only through other calls; absent when none. */
function usedThroughOf(used: Judged[]): { usedThrough?: UsedThrough[] } {
  const list = used.flatMap((j) =>
    j.verdict.kind === 'used' && j.verdict.through ? [{ action: j.entitlement.action, through: j.verdict.through.through, lastUsed: j.lastUsed }] : [],
  );
  return list.length > 0 ? { usedThrough: list } : {};
}

function principalRef(p: Principal): Finding['principal'] {
  return { id: p.arn, name: p.name, kind: p.kind };
}

function severityOf(perms: FindingPermission[]): Severity {
  return maxSeverity(perms.map((p) => severityFor(p.action, p.accessLevel)));
}

export function analyzePrincipal(ev: PrincipalEvidence, window: Window, catalogue: ActionCatalogue): Finding[] {
  const judge = new PrincipalJudge(ev, window, catalogue);
  const p = ev.principal;
  const findings: Finding[] = [];
  const base = { provider: 'aws' as const, account: p.account, principal: principalRef(p) };
  const evidence = (sources: EvidenceSource[], reason: string, denied?: number): Finding['evidence'] => ({
    window: judge.windowSpan,
    observed: judge.observed,
    sources: [...new Set(sources)].sort(),
    reason,
    ...(denied ? { deniedAttempts: denied } : {}),
  });
  const denied = ev.activity?.deniedInWindow ?? 0;

  findings.push(...staleCredentialFindings(ev, window, judge.windowSpan, judge.observed));

  const dormancy = judge.dormancy();
  if (dormancy.isDormant && ev.entitlements.length > 0) {
    const perms = ev.entitlements.map((e) =>
      toPermission({ entitlement: e, verdict: { kind: 'unused', sources: dormancy.sources, why: '' }, lastUsed: judge.lastUsed(e.action) }),
    );
    findings.push({
      id: findingId('aws', p.account, p.arn, 'dormant-principal', ''),
      type: 'dormant-principal',
      severity: severityOf(perms),
      ...base,
      permissions: [],
      evidence: evidence(dormancy.sources, `${dormancy.why}${dormancy.lastActivity ? '' : '; no evidence of any use at all'}.`, denied),
      recommendation: recommendDormant(p, ev.entitlements.length, dormancy.lastActivity),
    });
    return findings;
  }

  const unusedWhy = (list: Judged[]): { sources: EvidenceSource[]; why: string } => {
    const first = list[0]?.verdict;
    return { sources: list.flatMap((j) => (j.verdict.kind === 'unused' ? j.verdict.sources : [])), why: first && first.kind === 'unused' ? first.why : '' };
  };
  // What a recommendation keeps: every used action, those used only through another call named so.
  const kept = (used: Judged[]) => {
    const credited = usedThroughOf(used);
    return {
      keep: used.map((u) => describeCredited(u.entitlement.action, u.verdict.kind === 'used' ? u.verdict.through : undefined)),
      credited,
      creditNote: credited.usedThrough ? `, ${credited.usedThrough.length} of them only through actions that need them` : '',
    };
  };
  const hooks: FindingRuleHooks<Judged> = {
    base,
    id: (type, key) => findingId('aws', p.account, p.arn, type, key),
    keyOf: (j) => j.entitlement.action,
    toPermission,
    severityOf,
    // Unused actions reached only through wildcards are one decision — narrow the wildcard —
    // explicitly named ones are removed one by one.
    isOneDecision: (j) => j.entitlement.grantedBy.every((g) => isWildcardPattern(g.matchedBy)),
    unusedService: (service, unused) => {
      const { sources, why } = unusedWhy(unused);
      return {
        evidence: evidence(sources, `No ${service} action was used: ${why}.`, denied),
        recommendation: recommendUnusedService(
          p,
          service,
          unused.map((j) => j.entitlement),
        ),
      };
    },
    overbroad: (service, unused, used) => {
      const { sources, why } = unusedWhy(unused);
      const { keep, credited, creditNote } = kept(used);
      return {
        extra: credited,
        evidence: evidence(
          sources,
          `${unused.length} ${service} action(s) granted through wildcards were not used (${why}); ${used.length} ${service} action(s) were used${creditNote}.`,
          denied,
        ),
        recommendation: recommendOverbroad(
          p,
          service,
          unused.map((j) => j.entitlement),
          keep,
        ),
      };
    },
    unusedPermission: (service, j, used) => {
      const { keep, credited, creditNote } = kept(used);
      const v = j.verdict.kind === 'unused' ? j.verdict : { sources: [], why: '' };
      return {
        extra: credited,
        evidence: evidence(v.sources, `${j.entitlement.action}: ${v.why}; ${used.length} other ${service} action(s) were used${creditNote}.`, denied),
        recommendation: recommendUnusedPermission(p, j.entitlement, keep),
      };
    },
    unverifiable: (service, _reason, list) => {
      const first = list[0]?.verdict;
      const detail = first && first.kind === 'unverifiable' ? first.detail : '';
      return {
        evidence: evidence([], `${list.length} ${service} permission(s) cannot be judged: ${detail}.`, denied),
        recommendation: `Not judged: ${detail}. ${describeGrants(list.map((j) => j.entitlement))} Collect the missing evidence (see coverage notes) or review these grants by hand.`,
      };
    },
  };
  for (const [service, judged] of byServiceOrder(
    ev.entitlements.map((e) => judge.judge(e)),
    (j) => j.entitlement.service,
  )) {
    findings.push(...classifyService(service, judged, hooks));
  }
  return findings;
}

function staleCredentialFindings(ev: PrincipalEvidence, window: Window, windowSpan: Span, observed: Span | null): Finding[] {
  const cred = ev.credentials;
  const p = ev.principal;
  if (!cred || !ev.credentialReportTime) return [];
  // A report generated before --as-of says nothing about the keys' use or rotation since.
  if (!(Date.parse(ev.credentialReportTime) >= window.endMs - window.toleranceMs)) return [];
  const out: Finding[] = [];
  const before = (d: string | null): boolean => d === null || Date.parse(d) < window.startMs;
  for (const key of cred.accessKeys) {
    if (!key.isActive) continue;
    // A key created inside the window has not had the whole window to be used.
    if (key.lastRotated && !before(key.lastRotated) && key.lastUsedDate === null) continue;
    const isUnused = before(key.lastUsedDate) && before(key.lastRotated);
    const isUnrotated = before(key.lastRotated);
    if (!isUnused && !isUnrotated) continue;
    const what = `access-key-${key.slot}`;
    out.push({
      id: findingId('aws', p.account, p.arn, 'stale-credential', what),
      type: 'stale-credential',
      severity: isUnused ? 'high' : 'medium',
      provider: 'aws',
      account: p.account,
      principal: principalRef(p),
      permissions: [],
      evidence: {
        window: windowSpan,
        observed,
        sources: ['credential-report'],
        reason: isUnused
          ? `Active access key ${key.slot} ${key.lastUsedDate ? `last used ${key.lastUsedDate}` : 'never used'}; created or rotated ${key.lastRotated ?? 'at an unknown time'} (credential report of ${ev.credentialReportTime}).`
          : `Active access key ${key.slot} was last rotated ${key.lastRotated}, before the window, and is still in use (last used ${key.lastUsedDate}).`,
      },
      recommendation: recommendStaleCredential(p, key.slot, isUnused),
    });
  }
  return out;
}
