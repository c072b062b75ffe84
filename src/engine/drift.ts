/**
 * `permdrift diff`: what changed between two reports, per principal. Pure: two reports in, one
 * ReportDiff out, ordered deterministically. Findings are matched by their `id` (a fingerprint of
 * what the finding is about), never by their position in either report.
 */

import type { Finding, Report } from '../model/report.js';
import { severityRank } from './findings.js';
import { findingActions, isUnusedType, sortFindingRefs } from './drift-common.js';
import { compareText } from '../model/compare-text.js';
import { partOfText, spanMs } from '../model/duration-text.js';
import {
  DIFF_SCHEMA_VERSION,
  DiffFinding,
  DiffAction,
  DiffException,
  DiffSeverityChange,
  PrincipalDiff,
  DiffSide,
  ReportDiff,
  DiffLabels,
  ActionSite,
} from '../model/drift.js';

function toDiffFinding(f: Finding): DiffFinding {
  return {
    id: f.id,
    type: f.type,
    severity: f.severity,
    ...(f.service !== undefined ? { service: f.service } : {}),
    actions: findingActions(f),
    ...(f.firstSeen !== undefined ? { firstSeen: f.firstSeen } : {}),
  };
}

function principalKey(f: Finding): string {
  // ARNs carry the account, but a hand-made report may not: key on both.
  return `${f.account}\u0000${f.principal.id}`;
}

/** Every action a principal's findings name, with the most severe finding naming it. */
function actionSites(findings: Finding[]): Map<string, ActionSite> {
  const out = new Map<string, ActionSite>();
  for (const f of sortFindingRefs(findings)) {
    for (const p of f.permissions) {
      if (!out.has(p.action)) out.set(p.action, { finding: f, lastUsed: p.lastUsed });
    }
  }
  return out;
}

function toDiffAction(action: string, site: ActionSite): DiffAction {
  return { action, findingId: site.finding.id, type: site.finding.type, severity: site.finding.severity, lastUsed: site.lastUsed };
}

function isActive(f: Finding | undefined): boolean {
  return f?.exception?.state === 'active';
}

function exceptionOf(f: Finding, lapse?: 'expired' | 'removed'): DiffException | undefined {
  const e = f.exception;
  if (e === undefined) return undefined;
  return {
    finding: toDiffFinding(f),
    reason: e.reason,
    owner: e.owner,
    ...(e.expires !== undefined ? { expires: e.expires } : {}),
    ...(e.ticket !== undefined ? { ticket: e.ticket } : {}),
    ...(lapse !== undefined ? { lapse } : {}),
  };
}

function byFindingOrder(a: { finding: DiffFinding }, b: { finding: DiffFinding }): number {
  return compareDiffFindings(a.finding, b.finding);
}

function compareDiffFindings(a: DiffFinding, b: DiffFinding): number {
  return (
    severityRank(a.severity) - severityRank(b.severity) ||
    compareText(a.type, b.type) ||
    compareText(a.service ?? '', b.service ?? '') ||
    compareText(a.actions[0] ?? '', b.actions[0] ?? '') ||
    compareText(a.id, b.id)
  );
}

function side(report: Report, source: string | undefined): DiffSide {
  return {
    ...(source !== undefined ? { source } : {}),
    asOf: report.asOf,
    window: report.window,
    findings: report.findings.length,
    principals: report.summary.principals,
  };
}

function groupByPrincipal(findings: Finding[]): Map<string, Finding[]> {
  const out = new Map<string, Finding[]>();
  for (const f of findings) {
    const key = principalKey(f);
    const list = out.get(key);
    if (list) list.push(f);
    else out.set(key, [f]);
  }
  return out;
}

function isEmpty(d: PrincipalDiff): boolean {
  return (
    d.granted.length +
      d.heldBefore.length +
      d.cleared.length +
      d.becameUnused.length +
      d.newlyFlagged.length +
      d.resolved.length +
      d.regrouped.length +
      d.excepted.length +
      d.exceptionLapsed.length +
      d.severityChanged.length ===
    0
  );
}

/** Evidence of use at or after the start of the old window: the grant was held and in use then. */
function isUsedSince(site: ActionSite, since: string): boolean {
  return site.lastUsed !== null && Date.parse(site.lastUsed.date) >= Date.parse(since);
}

function diffPrincipal(oldFindings: Finding[], newFindings: Finding[], oldWindowStart: string): PrincipalDiff {
  const sample = newFindings[0] ?? oldFindings[0];
  if (sample === undefined) throw new Error('diffPrincipal needs at least one finding');
  const oldById = new Map(oldFindings.map((f) => [f.id, f]));
  const newById = new Map(newFindings.map((f) => [f.id, f]));
  const oldActions = actionSites(oldFindings);
  const newActions = actionSites(newFindings);

  const appeared = [...newActions].filter(([a]) => !oldActions.has(a));
  const granted = appeared.filter(([, site]) => !isUsedSince(site, oldWindowStart)).map(([a, site]) => toDiffAction(a, site));
  const heldBefore = appeared.filter(([, site]) => isUsedSince(site, oldWindowStart)).map(([a, site]) => toDiffAction(a, site));
  const cleared = [...oldActions].filter(([a]) => !newActions.has(a)).map(([a, site]) => toDiffAction(a, site));

  const becameUnused: DiffFinding[] = [];
  const newlyFlagged: DiffFinding[] = [];
  const excepted: DiffException[] = [];
  const exceptionLapsed: DiffException[] = [];
  const severityChanged: DiffSeverityChange[] = [];
  for (const f of newFindings) {
    const before = oldById.get(f.id);
    if (before === undefined) (isUnusedType(f.type) ? becameUnused : newlyFlagged).push(toDiffFinding(f));
    if (isActive(f) && !isActive(before)) {
      const e = exceptionOf(f);
      if (e) excepted.push(e);
    }
    if (before !== undefined && isActive(before) && !isActive(f)) {
      const lapse = f.exception?.state === 'expired' ? 'expired' : 'removed';
      const e = exceptionOf(before, lapse);
      // Name the finding as it is now; the exception as it was.
      if (e) exceptionLapsed.push({ ...e, finding: toDiffFinding(f) });
    }
    if (before !== undefined && before.severity !== f.severity) {
      severityChanged.push({
        finding: toDiffFinding(f),
        from: before.severity,
        to: f.severity,
        direction: severityRank(f.severity) < severityRank(before.severity) ? 'raised' : 'lowered',
      });
    }
  }

  const resolved: DiffFinding[] = [];
  const regrouped: DiffFinding[] = [];
  for (const f of oldFindings) {
    if (newById.has(f.id)) continue;
    const actions = findingActions(f);
    const isStillFlagged = actions.length > 0 && actions.every((a) => newActions.has(a));
    (isStillFlagged ? regrouped : resolved).push(toDiffFinding(f));
  }

  return {
    account: sample.account,
    principal: { id: sample.principal.id, name: sample.principal.name, kind: sample.principal.kind },
    granted: granted.sort((a, b) => compareText(a.action, b.action)),
    heldBefore: heldBefore.sort((a, b) => compareText(a.action, b.action)),
    cleared: cleared.sort((a, b) => compareText(a.action, b.action)),
    becameUnused: becameUnused.sort(compareDiffFindings),
    newlyFlagged: newlyFlagged.sort(compareDiffFindings),
    resolved: resolved.sort(compareDiffFindings),
    regrouped: regrouped.sort(compareDiffFindings),
    excepted: excepted.sort(byFindingOrder),
    exceptionLapsed: exceptionLapsed.sort(byFindingOrder),
    severityChanged: severityChanged.sort(byFindingOrder),
  };
}

/** What changed from `oldReport` to `newReport`, per principal. */
export function diffReports(oldReport: Report, newReport: Report, labels: DiffLabels = {}): ReportDiff {
  const oldGroups = groupByPrincipal(oldReport.findings);
  const newGroups = groupByPrincipal(newReport.findings);
  const keys = [...new Set([...oldGroups.keys(), ...newGroups.keys()])];
  const principals = keys
    .map((k) => diffPrincipal(oldGroups.get(k) ?? [], newGroups.get(k) ?? [], oldReport.window.start))
    .filter((d) => !isEmpty(d))
    .sort((a, b) => compareText(a.account, b.account) || compareText(a.principal.id, b.principal.id));

  const oldIds = new Map(oldReport.findings.map((f) => [f.id, f]));
  let unchanged = 0;
  for (const f of newReport.findings) {
    const before = oldIds.get(f.id);
    if (before !== undefined && before.severity === f.severity && isActive(before) === isActive(f)) unchanged += 1;
  }
  const total = (pick: (d: PrincipalDiff) => unknown[]): number => principals.reduce((n, d) => n + pick(d).length, 0);

  const notes: string[] = [];
  if (Date.parse(newReport.asOf) < Date.parse(oldReport.asOf)) {
    notes.push(`The new report (as of ${newReport.asOf}) is older than the old one (as of ${oldReport.asOf}): were the files given in reverse order?`);
  }
  // From the times, not the rounded `days`: a 1h and a 2h window both have days 0.
  const oldMs = spanMs(oldReport.window);
  const newMs = spanMs(newReport.window);
  if (oldMs !== newMs) {
    notes.push(`The windows differ (${partOfText(oldMs, newMs, 'vs')}): some changes may come from the window, not from IAM or usage.`);
  }

  return {
    kind: 'permdrift-diff',
    schemaVersion: DIFF_SCHEMA_VERSION,
    old: side(oldReport, labels.oldSource),
    new: side(newReport, labels.newSource),
    summary: {
      principalsChanged: principals.length,
      granted: total((d) => d.granted),
      heldBefore: total((d) => d.heldBefore),
      cleared: total((d) => d.cleared),
      becameUnused: total((d) => d.becameUnused),
      newlyFlagged: total((d) => d.newlyFlagged),
      resolved: total((d) => d.resolved),
      regrouped: total((d) => d.regrouped),
      excepted: total((d) => d.excepted),
      exceptionLapsed: total((d) => d.exceptionLapsed),
      severityChanged: total((d) => d.severityChanged),
      unchanged,
    },
    principals,
    notes,
  };
}
