/**
 * `permdrift trend`: metrics over a series of reports. Pure: reports in (any order), one
 * ReportTrend out, with the reports ordered by `asOf`.
 *
 * - entitlement drift: unused grants (distinct principal × action named by unused-permission,
 *   unused-service and overbroad-grant findings), total, mean per audited principal, and growth;
 * - revocation speed: days from a finding's first appearance to its resolution;
 * - exception volume: findings under an active exception;
 * - findings by severity.
 */

import { SEVERITIES, type Finding, type Report } from '../model/report.js';
import { countBy } from './findings.js';
import { durationText, spanMs } from '../model/duration-text.js';
import { findingActions, isUnusedGrantType, median, round1 } from './drift-common.js';
import { compareText } from '../model/compare-text.js';
import { DAY_MS } from './window.js';
import type { PrincipalRef } from '../model/drift.js';
import { TREND_SCHEMA_VERSION, type TrendPoint, type Resolution, type ReportTrend, type TrendInput } from '../model/drift-trend.js';

function principalKey(account: string, principalId: string): string {
  return `${account}\u0000${principalId}`;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

function earlier(a: string, b: string): string {
  return Date.parse(b) < Date.parse(a) ? b : a;
}

function driftOf(report: Report): Omit<TrendPoint['drift'], 'change' | 'growth'> {
  const byPrincipal = new Map<string, { account: string; principal: PrincipalRef; actions: Set<string> }>();
  for (const f of report.findings) {
    if (!isUnusedGrantType(f.type)) continue;
    const key = principalKey(f.account, f.principal.id);
    let entry = byPrincipal.get(key);
    if (!entry) {
      entry = { account: f.account, principal: { id: f.principal.id, name: f.principal.name, kind: f.principal.kind }, actions: new Set() };
      byPrincipal.set(key, entry);
    }
    for (const p of f.permissions) entry.actions.add(p.action);
  }
  const perPrincipal = [...byPrincipal.values()]
    .map((e) => ({ account: e.account, principal: e.principal, unusedGrants: e.actions.size }))
    .filter((e) => e.unusedGrants > 0)
    .sort((a, b) => b.unusedGrants - a.unusedGrants || compareText(a.account, b.account) || compareText(a.principal.id, b.principal.id));
  const unusedGrants = perPrincipal.reduce((n, e) => n + e.unusedGrants, 0);
  // A hand-edited report may under-count principals; never divide by fewer than those with drift.
  const audited = Math.max(report.summary.principals, perPrincipal.length);
  return {
    unusedGrants,
    principalsWithUnused: perPrincipal.length,
    meanPerPrincipal: audited === 0 ? 0 : round2(unusedGrants / audited),
    perPrincipal,
  };
}

function daysBetween(from: string, to: string): number {
  // A firstSeen after the resolution can only come from a hand-edited report: count it as immediate.
  return round1(Math.max(0, Date.parse(to) - Date.parse(from)) / DAY_MS);
}

function resolutionOf(f: Finding, firstAppeared: string, resolvedAt: string, from: Resolution['from']): Resolution {
  return {
    id: f.id,
    type: f.type,
    account: f.account,
    principal: { id: f.principal.id, name: f.principal.name, kind: f.principal.kind },
    ...(f.service !== undefined ? { service: f.service } : {}),
    actions: findingActions(f),
    firstAppeared,
    resolvedAt,
    days: daysBetween(firstAppeared, resolvedAt),
    from,
  };
}

/** Reports ordered by asOf; equal times keep the order of their sources, then of the input. */
function ordered(inputs: TrendInput[]): TrendInput[] {
  return inputs
    .map((input, index) => ({ input, index }))
    .sort(
      (a, b) =>
        Date.parse(a.input.report.asOf) - Date.parse(b.input.report.asOf) || compareText(a.input.source ?? '', b.input.source ?? '') || a.index - b.index,
    )
    .map((x) => x.input);
}

export function trendReports(inputs: TrendInput[]): ReportTrend {
  const series = ordered(inputs);
  const notes: string[] = [];
  const points: TrendPoint[] = [];
  const resolutions: Resolution[] = [];
  /** id → when the finding's current run of appearances began. */
  const openSince = new Map<string, string>();
  /** Resolved in the series and not seen since: a report's baseline may list them again. */
  const resolvedIds = new Set<string>();
  let previous: Report | undefined;

  for (const { report, source } of series) {
    const current = new Map(report.findings.map((f) => [f.id, f]));
    const before = new Map((previous?.findings ?? []).map((f) => [f.id, f]));
    const appeared = report.findings.filter((f) => !before.has(f.id));
    for (const f of appeared) {
      openSince.set(f.id, f.firstSeen ?? report.asOf);
      resolvedIds.delete(f.id);
    }

    const actionsNow = new Map<string, Set<string>>();
    for (const f of report.findings) {
      const key = principalKey(f.account, f.principal.id);
      const set = actionsNow.get(key) ?? new Set<string>();
      for (const p of f.permissions) set.add(p.action);
      actionsNow.set(key, set);
    }

    const resolvedHere: Resolution[] = [];
    let regrouped = 0;
    for (const gone of previous?.findings ?? []) {
      if (current.has(gone.id)) continue;
      const since = openSince.get(gone.id) ?? gone.firstSeen ?? (previous as Report).asOf;
      openSince.delete(gone.id);
      const actions = findingActions(gone);
      const now = actionsNow.get(principalKey(gone.account, gone.principal.id));
      if (actions.length > 0 && now !== undefined && actions.every((a) => now.has(a))) {
        // Still flagged under another finding: its age carries over to the findings that took its actions.
        regrouped += 1;
        for (const f of appeared) {
          if (principalKey(f.account, f.principal.id) !== principalKey(gone.account, gone.principal.id)) continue;
          if (!f.permissions.some((p) => actions.includes(p.action))) continue;
          openSince.set(f.id, earlier(openSince.get(f.id) ?? report.asOf, since));
        }
        continue;
      }
      resolvedHere.push(resolutionOf(gone, since, report.asOf, 'series'));
      resolvedIds.add(gone.id);
    }
    // A report compared with a baseline lists what it resolved; use it for findings the series cannot see.
    for (const r of report.baseline?.resolved ?? []) {
      if (before.has(r.id) || resolvedIds.has(r.id) || current.has(r.id)) continue;
      // The baseline comparison matches ids only: a finding folded into another is not resolved.
      const now = actionsNow.get(principalKey(r.account, r.principal.id));
      if (r.actions.length > 0 && now !== undefined && r.actions.every((a) => now.has(a))) {
        regrouped += 1;
        continue;
      }
      resolvedHere.push({
        id: r.id,
        type: r.type,
        account: r.account,
        principal: { id: r.principal.id, name: r.principal.name, kind: r.principal.kind },
        ...(r.service !== undefined ? { service: r.service } : {}),
        actions: [...r.actions].sort(compareText),
        firstAppeared: r.firstSeen,
        resolvedAt: r.resolvedAt,
        days: daysBetween(r.firstSeen, r.resolvedAt),
        from: 'baseline',
      });
      resolvedIds.add(r.id);
    }
    resolvedHere.sort((a, b) => compareText(a.account, b.account) || compareText(a.principal.id, b.principal.id) || compareText(a.id, b.id));
    resolutions.push(...resolvedHere);

    const drift = driftOf(report);
    const prevPoint = points[points.length - 1];
    const change = prevPoint === undefined ? null : drift.unusedGrants - prevPoint.drift.unusedGrants;
    const growth = prevPoint === undefined || change === null || prevPoint.drift.unusedGrants === 0 ? null : round2(change / prevPoint.drift.unusedGrants);
    points.push({
      ...(source !== undefined ? { source } : {}),
      asOf: report.asOf,
      windowDays: report.window.days,
      principals: report.summary.principals,
      findings: report.findings.length,
      bySeverity: countBy(
        SEVERITIES,
        report.findings.map((f) => f.severity),
      ),
      drift: {
        unusedGrants: drift.unusedGrants,
        principalsWithUnused: drift.principalsWithUnused,
        meanPerPrincipal: drift.meanPerPrincipal,
        change,
        growth,
        perPrincipal: drift.perPrincipal,
      },
      revocation: { resolved: resolvedHere.length, regrouped, medianDays: median(resolvedHere.map((r) => r.days)) },
      exceptions: {
        active: report.findings.filter((f) => f.exception?.state === 'active').length,
        expired: report.findings.filter((f) => f.exception?.state === 'expired').length,
      },
    });
    if (previous !== undefined && previous.asOf === report.asOf) {
      notes.push(`Two reports have the same asOf (${report.asOf}): ${source ?? 'a report'} is compared with one taken at the same moment.`);
    }
    previous = report;
  }

  // From the times, not the rounded `windowDays`: a 1h and a 2h window both have 0 days.
  const windows = [...new Set(series.map((i) => spanMs(i.report.window)))];
  if (windows.length > 1) {
    const allDays = windows.every((ms) => ms >= DAY_MS);
    const list = allDays ? `${windows.map((ms) => durationText(ms).replace(/ days?$/, '')).join(', ')} days` : windows.map(durationText).join(', ');
    notes.push(`The reports use different windows (${list}): part of the change may come from the window, not from IAM or usage.`);
  }
  const first = points[0];
  const last = points[points.length - 1];
  return {
    kind: 'permdrift-trend',
    schemaVersion: TREND_SCHEMA_VERSION,
    reports: points.length,
    points,
    summary: {
      unusedGrants: {
        first: first?.drift.unusedGrants ?? 0,
        last: last?.drift.unusedGrants ?? 0,
        change: (last?.drift.unusedGrants ?? 0) - (first?.drift.unusedGrants ?? 0),
      },
      revocation: { resolved: resolutions.length, medianDays: median(resolutions.map((r) => r.days)) },
      exceptions: {
        first: first?.exceptions.active ?? 0,
        last: last?.exceptions.active ?? 0,
        change: (last?.exceptions.active ?? 0) - (first?.exceptions.active ?? 0),
      },
    },
    resolutions,
    notes,
  };
}
