/**
 * compare: a fresh report against a baseline report and an exceptions file. Pure: the clock is
 * the report's asOf. Findings are matched on meaning — their id is a fingerprint of provider,
 * account, principal, type and subject — never on position.
 */

import type { ExceptionEntry, ExceptionsFile } from '../config/exceptions-file.js';
import { exceptionGlobMatcher } from '../config/principal-glob.js';
import type { ExceptionEntrySummary, Finding, FindingException, FindingType, Report, ReportWarning, ResolvedFinding, VerdictBasis } from '../model/report.js';
import { sortWarnings } from './build-report.js';
import { DAY_MS } from './window.js';
import { compareText as cmp } from '../model/compare-text.js';

/** Exceptions expiring within this many days are flagged so owners renew or fix in time. */
const EXPIRING_SOON_DAYS = 14;

function actionKey(f: Finding, action: string): string {
  return `${f.provider}\u0000${f.account}\u0000${f.principal.id}\u0000${action}`;
}

/** Per principal and action: the earliest first-seen among the findings that name it. */
function flaggedActions(findings: Finding[], fallbackFirstSeen: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of findings) {
    const first = f.firstSeen ?? fallbackFirstSeen;
    for (const p of f.permissions) {
      const key = actionKey(f, p.action);
      const prev = out.get(key);
      if (prev === undefined || first < prev) out.set(key, first);
    }
  }
  return out;
}

/**
 * Marks findings new/existing, carries firstSeen over, and lists the baseline findings now gone.
 * Findings regroup between runs (unused permissions fold into an unused-service finding when the
 * last used action of a service goes quiet): a finding whose actions were all flagged for the same
 * principal in the baseline is not new — the gate is about new privileges — and a baseline finding
 * whose actions are all still flagged is not resolved.
 */
/** Whether the baseline was taken after `asOf` (a replay of an older snapshot against a newer baseline). */
export function isBaselineAfter(baseline: Report, asOf: Date): boolean {
  return Date.parse(baseline.asOf) > asOf.getTime();
}

export function applyBaseline(report: Report, baseline: Report, source: string): Report {
  const before = new Map(baseline.findings.map((f) => [f.id, f]));
  const beforeActions = flaggedActions(baseline.findings, baseline.asOf);
  const nowActions = flaggedActions(report.findings, report.asOf);
  const now = new Set(report.findings.map((f) => f.id));
  let isNew = 0;
  const findings = report.findings.map((f): Finding => {
    const old = before.get(f.id);
    if (old) return { ...f, firstSeen: old.firstSeen ?? baseline.asOf, baselineStatus: 'existing' };
    const earlier = f.permissions.map((p) => beforeActions.get(actionKey(f, p.action)));
    if (earlier.length > 0 && earlier.every((d) => d !== undefined)) {
      const first = (earlier as string[]).reduce((a, b) => (b < a ? b : a));
      return { ...f, firstSeen: first, baselineStatus: 'existing' };
    }
    isNew += 1;
    return { ...f, firstSeen: f.firstSeen ?? report.asOf, baselineStatus: 'new' };
  });
  const isRegrouped = (f: Finding): boolean => f.permissions.length > 0 && f.permissions.every((p) => nowActions.has(actionKey(f, p.action)));
  const resolved: ResolvedFinding[] = baseline.findings
    .filter((f) => !now.has(f.id) && !isRegrouped(f))
    .map((f) => ({
      id: f.id,
      type: f.type,
      severity: f.severity,
      provider: f.provider,
      account: f.account,
      principal: f.principal,
      ...(f.service !== undefined ? { service: f.service } : {}),
      actions: f.permissions.map((p) => p.action),
      firstSeen: f.firstSeen ?? baseline.asOf,
      resolvedAt: report.asOf,
    }))
    .sort((a, b) => cmp(a.account, b.account) || cmp(a.principal.id, b.principal.id) || cmp(a.type, b.type) || cmp(a.id, b.id));
  const isFuture = isBaselineAfter(baseline, new Date(report.asOf));
  const warnings: ReportWarning[] = isFuture
    ? sortWarnings([
        ...report.warnings,
        {
          code: 'baseline-after-as-of',
          message: `baseline ${source} is dated ${baseline.asOf}, after this report's asOf ${report.asOf}: first-seen dates carried over from it may lie after asOf, and a finding it lists counts as existing though the baseline saw it later`,
        },
      ])
    : report.warnings;
  return {
    ...report,
    findings,
    warnings,
    baseline: {
      source,
      asOf: baseline.asOf,
      counts: { new: isNew, existing: findings.length - isNew, resolved: resolved.length },
      resolved,
    },
  };
}

function expiryState(entry: ExceptionEntry, asOfMs: number): ExceptionEntrySummary['state'] {
  if (entry.expires === undefined) return 'active';
  // The entry applies through the whole expiry day (UTC).
  const endMs = Date.parse(`${entry.expires}T00:00:00Z`) + DAY_MS;
  if (asOfMs >= endMs) return 'expired';
  return endMs - asOfMs <= EXPIRING_SOON_DAYS * DAY_MS ? 'expiring-soon' : 'active';
}

/** The finding types whose permissions are all unused claims. */
const UNUSED_CLAIMS: ReadonlySet<FindingType> = new Set<FindingType>(['unused-service', 'overbroad-grant', 'unused-permission']);

/**
 * Whether every unused claim of a finding rests on one of `bases` (the basis each GCP unused
 * permission records in `observability`). `undefined` when the finding makes no claim that carries
 * a basis: AWS findings, dormant principals, stale credentials, unverifiable permissions — a basis
 * requirement neither passes nor fails those by itself. A finding with one claim outside `bases`
 * (or one without a basis beside others that have one) does not rest on them.
 */
export function restsOnBases(f: Finding, bases: readonly VerdictBasis[]): boolean | undefined {
  if (!UNUSED_CLAIMS.has(f.type) || !f.permissions.some((p) => p.observability !== undefined)) return undefined;
  return f.permissions.every((p) => p.observability !== undefined && bases.includes(p.observability.basis));
}

function matcher(glob: string | undefined): ((s: string) => boolean) | undefined {
  return glob === undefined ? undefined : exceptionGlobMatcher(glob);
}

/**
 * An entry matches a finding when every selector it gives matches. The permission glob must match
 * every action of the finding, so an exception never hides more than it names; findings without
 * actions (dormant principal, stale credential) match only entries without a permission. An entry
 * with `requireBasis` matches only findings whose unused claims all rest on those bases (so an
 * exception for rule-based verdicts stops applying once a Google page or the logs back the
 * verdict, and the finding counts again); findings whose claims carry no basis never match it.
 */
function entryMatcher(entry: ExceptionEntry): (f: Finding) => boolean {
  const principal = matcher(entry.principal);
  const permission = matcher(entry.permission);
  return (f) => {
    if (entry.type !== undefined && f.type !== entry.type) return false;
    if (entry.account !== undefined && f.account !== entry.account) return false;
    if (principal && !principal(f.principal.name) && !principal(f.principal.id)) return false;
    if (permission) {
      if (f.permissions.length === 0) return false;
      if (!f.permissions.every((p) => permission(p.action))) return false;
    }
    if (entry.requireBasis !== undefined && restsOnBases(f, entry.requireBasis) !== true) return false;
    return true;
  };
}

export function applyExceptions(report: Report, file: ExceptionsFile): Report {
  const asOfMs = Date.parse(report.asOf);
  const entries = file.entries.map((e) => ({ entry: e, state: expiryState(e, asOfMs), matches: entryMatcher(e), count: 0 }));
  const findings = report.findings.map((f): Finding => {
    let chosen: (typeof entries)[number] | undefined;
    for (const e of entries) {
      if (!e.matches(f)) continue;
      e.count += 1;
      // An entry in force wins over an expired one; among equals, the first in the file.
      if (!chosen || (chosen.state === 'expired' && e.state !== 'expired')) chosen = e;
    }
    if (!chosen) return f;
    const exception: FindingException = {
      entry: chosen.entry.entry,
      reason: chosen.entry.reason,
      owner: chosen.entry.owner,
      ...(chosen.entry.expires ? { expires: chosen.entry.expires } : {}),
      ...(chosen.entry.ticket ? { ticket: chosen.entry.ticket } : {}),
      state: chosen.state === 'expired' ? 'expired' : 'active',
    };
    return { ...f, exception };
  });
  const summaries: ExceptionEntrySummary[] = entries.map((e) => ({
    entry: e.entry.entry,
    reason: e.entry.reason,
    owner: e.entry.owner,
    ...(e.entry.expires ? { expires: e.entry.expires } : {}),
    ...(e.entry.ticket ? { ticket: e.entry.ticket } : {}),
    state: e.state,
    matches: e.count,
    ...(e.entry.isWildcard ? { isWildcard: true as const } : {}),
    ...(e.entry.requireBasis ? { requireBasis: [...e.entry.requireBasis] } : {}),
  }));
  return {
    ...report,
    findings,
    exceptions: {
      source: file.source,
      inForce: summaries.filter((s) => s.state !== 'expired').length,
      expiringSoon: summaries.filter((s) => s.state === 'expiring-soon').length,
      expired: summaries.filter((s) => s.state === 'expired').length,
      stale: summaries.filter((s) => s.matches === 0).length,
      wildcard: summaries.filter((s) => s.isWildcard === true).length,
      entries: summaries,
    },
  };
}

/** Whether a finding is accepted by an exception in force. */
export function isExcepted(f: Finding): boolean {
  return f.exception?.state === 'active';
}
