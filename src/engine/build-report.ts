/**
 * The pure engine entry: inventory + activity (+ clock) → Report. No I/O here; the same inputs give
 * a byte-identical report.
 */

import picomatch from 'picomatch';
import type { AccountActivity } from '../model/activity.js';
import type { ActionCatalogue } from '../model/catalogue.js';
import type { AwsAccountInventory, Principal } from '../model/inventory.js';
import {
  COVERAGE_LIST_LIMIT,
  FINDING_TYPES,
  SCHEMA_VERSION,
  SEVERITIES,
  type AccountCoverage,
  type Finding,
  type GcpProjectCoverage,
  type Report,
  type ReportWarning,
} from '../model/report.js';
import { analyzePrincipal } from './aws/analyze.js';
import { accountLogCoverage, claimCoverageOf, coverageNotes, observedSpan, selectorsSummary } from './aws/coverage.js';
import { iso } from './claim-coverage.js';
import { indexAccessAdvisor, indexActivity, PrincipalIndex } from './aws/evidence.js';
import { makeWindow, spanOf } from './window.js';
import { resolvePrincipal } from './aws/resolve.js';
import { countBy, sortFindings } from './findings.js';
import { analyzeGcpProject } from './gcp/analyze.js';
import type { GcpLogTypeTable } from './gcp/permission-log-type.js';
import { resolveGcpProject } from './gcp/resolve.js';
import type { GcpRoleCatalogue } from './gcp/role-catalogue.js';
import type { GcpProjectActivity } from '../model/gcp-activity.js';
import type { GcpProjectInventory } from '../model/gcp.js';
import { compareText as cmp } from '../model/compare-text.js';

export interface EngineAccount {
  inventory: AwsAccountInventory;
  activity: AccountActivity;
}

export interface EngineGcpProject {
  inventory: GcpProjectInventory;
  /** null when the snapshot holds neither audit logs nor activity for the project. */
  activity: GcpProjectActivity | null;
}

export interface EngineInput {
  accounts: EngineAccount[];
  /** GCP projects, audited beside the AWS accounts in the same report. */
  gcpProjects?: EngineGcpProject[];
  /** Needed with gcpProjects: predefined roles and the permission → audit log table. */
  gcp?: { roles: GcpRoleCatalogue; logTypes: GcpLogTypeTable; isServiceAgentIncluded?: boolean };
  catalogue: ActionCatalogue;
  asOf: Date;
  windowMs: number;
  /** Globs matched against the principal's name and ARN; empty = all. */
  principalGlobs?: string[];
  isServiceLinkedIncluded?: boolean;
  /** `--min-coverage` as a fraction (0..1]: accept logging gaps while this share of a claim's span is observed. */
  minCoverage?: number;
  warnings?: ReportWarning[];
  toolVersion: string;
}

export function buildReport(input: EngineInput): Report {
  const window = makeWindow(input.asOf, input.windowMs);
  const warnings: ReportWarning[] = [...(input.warnings ?? [])];
  const matchers = (input.principalGlobs ?? []).map((g) => picomatch(g, { nocase: true }));
  const isSelected = (p: Principal): boolean => matchers.length === 0 || matchers.some((m) => m(p.name) || m(p.arn));

  const allPrincipals = input.accounts.flatMap((a) => a.inventory.principals);
  const principalIndex = new PrincipalIndex(allPrincipals);
  const activityIndex = indexActivity(
    input.accounts.map((a) => a.activity),
    principalIndex,
    input.catalogue,
  );

  const findings: Finding[] = [];
  const coverage: AccountCoverage[] = [];
  let principalsScanned = 0;
  let skippedServiceLinked = 0;
  /** For a run that judged nobody: how many principals the inputs held, matched the globs, were skipped for being created after asOf. */
  const scope = { held: 0, selected: 0, createdAfterAsOf: 0 };

  for (const { inventory, activity } of [...input.accounts].sort((a, b) => cmp(a.inventory.account, b.inventory.account))) {
    const cov = accountLogCoverage(activity, input.minCoverage);
    const aa = indexAccessAdvisor(inventory.accessAdvisor, window);
    const creds = new Map((inventory.credentialReport?.entries ?? []).map((c) => [c.userArn, c]));
    let scanned = 0;
    let skipped = 0;
    let createdAfterAsOf = 0;
    const deniedAttempts: AccountCoverage['deniedAttempts'] = [];

    scope.held += inventory.principals.length;
    for (const principal of inventory.principals) {
      if (!isSelected(principal)) continue;
      scope.selected += 1;
      if (principal.isServiceLinked && !input.isServiceLinkedIncluded) {
        skipped += 1;
        continue;
      }
      // A principal that did not exist at --as-of has nothing to judge in the window.
      const created = Date.parse(principal.createDate);
      if (!Number.isNaN(created) && created > window.endMs) {
        createdAfterAsOf += 1;
        continue;
      }
      scanned += 1;
      const resolved = resolvePrincipal(principal, input.catalogue);
      for (const w of resolved.warnings) {
        warnings.push({ code: w.code, message: w.message, account: w.account });
      }
      const pa = activityIndex.byPrincipal.get(principal.arn);
      for (const [action, count] of pa?.denied ?? []) deniedAttempts.push({ principal: principal.arn, action, count });
      findings.push(
        ...analyzePrincipal(
          {
            principal,
            entitlements: resolved.entitlements,
            activity: pa,
            accessAdvisor: aa.get(principal.arn),
            credentials: creds.get(principal.arn),
            credentialReportTime: inventory.credentialReport?.generatedTime,
            inventoryReadAt: inventory.readAt,
            coverage: cov,
          },
          window,
          input.catalogue,
        ),
      );
    }
    principalsScanned += scanned;
    skippedServiceLinked += skipped;
    scope.createdAfterAsOf += createdAfterAsOf;

    const ct = activity.cloudTrail;
    const unmapped = [...(activityIndex.unmapped.get(activity.account) ?? new Map<string, number>())]
      .map(([key, count]) => {
        const [eventSource = '', eventName = ''] = key.split('\u0000');
        return { eventSource, eventName, count };
      })
      .sort((a, b) => cmp(a.eventSource, b.eventSource) || cmp(a.eventName, b.eventName));
    const otherCallers = [...(activityIndex.otherCallers.get(activity.account)?.values() ?? [])].sort(
      (a, b) => cmp(a.callerType, b.callerType) || cmp(a.arn ?? '', b.arn ?? ''),
    );
    const claim = ct !== null && cov.hasLogs ? claimCoverageOf(cov, window, window.startMs) : null;
    const inWindow = claim ? cov.delivery.observed.filter((o) => o.end > window.startMs && o.start < window.endMs) : [];
    const gapOut = (g: { start: number; end: number; kind: import('../model/report.js').CoverageGapKind; cause: string }) => ({
      start: iso(Math.max(g.start, window.startMs)),
      end: iso(Math.min(g.end, window.endMs)),
      kind: g.kind,
      cause: g.cause,
    });
    const ignored = new Set(cov.delivery.ignoredTrailChanges.map((i) => i.change));
    const evidenceEnd = cov.delivery.evidenceEndMs;
    if (ct !== null && cov.hasLogs && evidenceEnd !== null && evidenceEnd < window.endMs - window.toleranceMs) {
      warnings.push({
        code: 'as-of-after-evidence',
        message: `--as-of ${window.end} is after the end of the CloudTrail evidence of account ${inventory.account} (${iso(evidenceEnd)}, ${cov.delivery.evidenceEndBasis === 'collect-manifest' ? 'when it was collected' : 'the newest time in the snapshot'}): nothing after it was observed, so no permission is called unused from the logs for that tail; judge with --as-of ${iso(evidenceEnd)} or collect again`,
        account: inventory.account,
      });
    }
    const readAt = inventory.readAt ? Date.parse(inventory.readAt.time) : Number.NaN;
    if (!Number.isNaN(readAt) && readAt < window.endMs - window.toleranceMs && inventory.principals.some((p) => p.roleLastUsed !== undefined)) {
      warnings.push({
        code: 'as-of-after-evidence',
        message: `--as-of ${window.end} is after the inventory of account ${inventory.account} was read (${inventory.readAt?.time}, ${inventory.readAt?.basis === 'collect-manifest' ? 'per the collection manifest' : 'the newest time inside it'}): RoleLastUsed proves nothing after that, so no role is called dormant from it`,
        account: inventory.account,
      });
    }
    const credGenerated = inventory.credentialReport ? Date.parse(inventory.credentialReport.generatedTime) : Number.NaN;
    if (!Number.isNaN(credGenerated) && credGenerated < window.endMs - window.toleranceMs) {
      warnings.push({
        code: 'as-of-after-evidence',
        message: `--as-of ${window.end} is after the credential report of account ${inventory.account} was generated (${inventory.credentialReport?.generatedTime}): it proves no stale key and no dormant user for the time after it`,
        account: inventory.account,
      });
    }
    if (createdAfterAsOf > 0) {
      warnings.push({
        code: 'principals-created-after-as-of',
        message: `${createdAfterAsOf} principal(s) of account ${inventory.account} were created after --as-of ${window.end}: skipped, they did not exist in the window`,
        account: inventory.account,
      });
    }
    coverage.push({
      account: inventory.account,
      ...(inventory.collectedBy ? { collectedBy: inventory.collectedBy } : {}),
      principals: scanned,
      skippedServiceLinked: skipped,
      ...(createdAfterAsOf > 0 ? { skippedCreatedAfterAsOf: createdAfterAsOf } : {}),
      cloudTrail: {
        isPresent: ct !== null,
        filesRead: ct?.filesRead ?? 0,
        filesFailed: ct?.filesFailed.length ?? 0,
        lookupEventsFiles: ct?.lookupEventsFiles ?? 0,
        eventsRead: ct?.eventsRead ?? 0,
        firstEvent: ct?.firstEvent ?? null,
        lastEvent: ct?.lastEvent ?? null,
        observed: observedSpan(cov, window, window.startMs),
        isWindowCovered: claim?.isCovered ?? false,
        ...(ct !== null
          ? {
              intervals: inWindow.slice(0, COVERAGE_LIST_LIMIT).map((o) => ({ start: iso(Math.max(o.start, window.startMs)), end: iso(Math.min(o.end, window.endMs)) })),
              intervalsTotal: inWindow.length,
              gaps: (claim?.gaps ?? []).slice(0, COVERAGE_LIST_LIMIT).map(gapOut),
              gapsTotal: claim?.gaps.length ?? 0,
              acceptedGaps: (claim?.acceptedGaps ?? []).slice(0, COVERAGE_LIST_LIMIT).map((g) => ({ ...gapOut(g), acceptedBy: g.acceptedBy })),
              coveredFraction: Math.round((claim?.coveredFraction ?? 0) * 1000) / 1000,
              ...(input.minCoverage !== undefined ? { minCoverage: input.minCoverage } : {}),
              evidenceEnd: evidenceEnd !== null && cov.delivery.evidenceEndBasis !== 'none' ? { time: iso(evidenceEnd), basis: cov.delivery.evidenceEndBasis } : null,
              proofs: cov.delivery.proofs,
              trailChanges: ct.trailChanges.map((c) => {
                const why = cov.delivery.ignoredTrailChanges.find((i) => i.change === c)?.why;
                return { time: c.time, eventName: c.eventName, trail: c.trail, callerArn: c.callerArn, isDenied: c.isDenied, opensGap: !ignored.has(c) && c.eventName !== 'StartLogging' && c.eventName !== 'CreateTrail', ...(why ? { why } : {}) };
              }),
              recordsUnusable: ct.recordsUnusable,
              recordsTimedByFile: ct.recordsTimedByFile,
              zonelessTimes: ct.zonelessTimes,
            }
          : {}),
        regions: ct?.regions ?? [],
        trail: {
          isMultiRegion: cov.isMultiRegion,
          isAssumed: cov.isMultiRegionAssumed,
          ...(cov.homeRegion ? { homeRegion: cov.homeRegion } : {}),
          ...(cov.inferredFrom ? { inferredFrom: cov.inferredFrom } : {}),
        },
        ...selectorsSummary(activity),
      },
      accessAdvisor: {
        principals: new Set(inventory.accessAdvisor.map((r) => r.principalArn)).size,
        files: [...new Set(inventory.accessAdvisor.map((r) => r.source))].sort(),
      },
      credentialReport: {
        isPresent: inventory.credentialReport !== undefined,
        ...(inventory.credentialReport ? { generatedTime: inventory.credentialReport.generatedTime } : {}),
      },
      notes: coverageNotes(cov, window),
      unmappedEvents: unmapped,
      otherCallers,
      deniedAttempts: deniedAttempts.sort((a, b) => cmp(a.principal, b.principal) || cmp(a.action, b.action)),
    });
  }

  const gcpCoverage: GcpProjectCoverage[] = [];
  let skippedServiceAgents = 0;
  const gcpProjects = [...(input.gcpProjects ?? [])].sort((a, b) => cmp(a.inventory.projectId, b.inventory.projectId));
  if (gcpProjects.length > 0 && !input.gcp) throw new Error('buildReport: gcpProjects need the gcp role catalogue and log-type table');
  for (const { inventory, activity } of gcpProjects) {
    if (!input.gcp) break;
    for (const w of inventory.warnings) {
      warnings.push({ code: w.code, message: w.message, account: inventory.projectId, ...(w.file ? { file: w.file } : {}) });
    }
    const resolved = resolveGcpProject(inventory, input.gcp.roles);
    for (const w of resolved.warnings) warnings.push({ code: w.code, message: w.message, account: w.project });
    const result = analyzeGcpProject({
      inventory,
      activity,
      principals: resolved.principals,
      window,
      logTypes: input.gcp.logTypes,
      roles: input.gcp.roles,
      isSelected: (email, name) => matchers.length === 0 || matchers.some((m) => m(email) || m(name) || m(`serviceAccount:${email}`)),
      isServiceAgentIncluded: input.gcp.isServiceAgentIncluded ?? input.isServiceLinkedIncluded ?? false,
      ...(input.minCoverage !== undefined ? { minCoverage: input.minCoverage } : {}),
    });
    // A loop, not push(...): a project can yield more findings than a call may take arguments.
    for (const f of result.findings) findings.push(f);
    for (const w of result.warnings) warnings.push(w);
    gcpCoverage.push(result.coverage);
    principalsScanned += result.coverage.principals;
    skippedServiceAgents += result.coverage.skippedServiceAgents;
    scope.held += resolved.principals.length;
    scope.selected += result.coverage.principals + result.coverage.skippedServiceAgents;
  }
  // "No findings" over no principal is not a clean bill of health: say so, in every report.
  if (principalsScanned === 0) {
    warnings.push({
      code: 'nothing-judged',
      message: nothingJudgedMessage({ ...scope, globs: input.principalGlobs ?? [], skippedServiceLinked, skippedServiceAgents }),
    });
  }

  const sorted = sortFindings(findings);
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'permdrift', version: input.toolVersion },
    asOf: window.end,
    window: spanOf(window.startMs, window.endMs),
    catalogue: gcpProjects.length > 0 && input.gcp ? `${input.catalogue.source}; GCP roles: ${gcpRolesSource(input.gcp.roles)}` : input.catalogue.source,
    summary: {
      accounts: input.accounts.length,
      ...(gcpProjects.length > 0 ? { projects: gcpProjects.length } : {}),
      principals: principalsScanned,
      skippedServiceLinked,
      ...(gcpProjects.length > 0 ? { skippedServiceAgents } : {}),
      findings: sorted.length,
      byType: countBy(FINDING_TYPES, sorted.map((f) => f.type)),
      bySeverity: countBy(SEVERITIES, sorted.map((f) => f.severity)),
    },
    coverage,
    ...(gcpProjects.length > 0 ? { gcpCoverage } : {}),
    findings: sorted,
    warnings: dedupeWarnings(warnings),
  };
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Why a run judged no principal at all, in the terms of the flags that decide it. */
function nothingJudgedMessage(s: { held: number; selected: number; createdAfterAsOf: number; skippedServiceLinked: number; skippedServiceAgents: number; globs: string[] }): string {
  const tail = 'so no principal was audited and "no findings" proves nothing';
  if (s.held === 0) return `nothing judged: the inputs hold no principal, ${tail}`;
  const globs = s.globs.map((g) => JSON.stringify(g)).join(', ');
  if (s.selected === 0) return `nothing judged: --principal ${globs} matched none of the ${plural(s.held, 'principal')} read, ${tail}`;
  const why: string[] = [];
  if (s.skippedServiceLinked > 0) why.push(`${plural(s.skippedServiceLinked, 'service-linked role')} skipped (audit them with --include-service-linked)`);
  if (s.skippedServiceAgents > 0) why.push(`${plural(s.skippedServiceAgents, 'Google-managed service agent')} skipped (audit them with --include-service-linked)`);
  if (s.createdAfterAsOf > 0) why.push(`${plural(s.createdAfterAsOf, 'principal')} created after --as-of skipped`);
  const inScope = globs === '' ? `of the ${plural(s.held, 'principal')} read` : `of the ${plural(s.selected, 'principal')} --principal ${globs} matched`;
  return `nothing judged: ${inScope}, ${why.length > 0 ? why.join(' and ') : 'none was audited'}, ${tail}`;
}

function gcpRolesSource(roles: GcpRoleCatalogue): string {
  const merged = roles.merged;
  if (merged) {
    const n = merged.rolesFromFallback;
    return `${gcpRolesSource(merged.live)}${n > 0 ? ` (+ bundled snapshot ${gcpRolesSource(merged.fallback)} for ${n.toLocaleString('en-US')} role${n === 1 ? '' : 's'} it lacks)` : ''}`;
  }
  const from = roles.generatedFrom;
  return from ? `${from.repository}@${from.commit.slice(0, 12)} (${from.commitDate.slice(0, 10)})` : roles.source;
}

function dedupeWarnings(list: ReportWarning[]): ReportWarning[] {
  const seen = new Map<string, ReportWarning>();
  for (const w of list) {
    const clean: ReportWarning = { code: w.code, message: w.message, ...(w.account ? { account: w.account } : {}), ...(w.file ? { file: w.file } : {}) };
    seen.set(JSON.stringify(clean), clean);
  }
  return sortWarnings([...seen.values()]);
}

/** The report's order of warnings: by account (none first), code, message. */
export function sortWarnings(list: ReportWarning[]): ReportWarning[] {
  return [...list].sort((a, b) => cmp(a.account ?? '', b.account ?? '') || cmp(a.code, b.code) || cmp(a.message, b.message));
}
