/**
 * The AWS wing of the engine: every account's principals resolved and judged against its
 * CloudTrail, Access Advisor and credential-report evidence, with each account's coverage. The
 * provider-neutral pipeline (../build-report.ts) merges it with the other wings.
 */

import type { AccountActivity } from '../../model/aws/activity.js';
import type { ActionCatalogue } from '../../model/aws/catalogue.js';
import { compareText as cmp } from '../../model/compare-text.js';
import type { AwsAccountInventory, Principal } from '../../model/aws/inventory.js';
import { COVERAGE_LIST_LIMIT, type AccountCoverage, type Finding, type ReportWarning } from '../../model/report.js';
import { iso } from '../claim-coverage.js';
import type { Window } from '../window.js';
import { analyzePrincipal } from './analyze-principal.js';
import { accountLogCoverage, claimCoverageOf, coverageNotes, observedSpan, selectorsSummary } from './coverage.js';
import { indexAccessAdvisor, indexActivity, PrincipalIndex } from './evidence.js';
import { resolvePrincipal } from './resolve.js';

export interface EngineAccount {
  inventory: AwsAccountInventory;
  activity: AccountActivity;
}

export interface AwsWingInput {
  accounts: EngineAccount[];
  catalogue: ActionCatalogue;
  window: Window;
  /** The `--principal` globs, matched against a principal's name and ARN. */
  isSelected: (p: Principal) => boolean;
  isServiceLinkedIncluded?: boolean;
  minCoverage?: number;
}

export interface AwsWingResult {
  findings: Finding[];
  coverage: AccountCoverage[];
  warnings: ReportWarning[];
  principalsScanned: number;
  skippedServiceLinked: number;
  /** How many principals the inputs held, matched the globs, were created after asOf. */
  scope: { held: number; selected: number; createdAfterAsOf: number };
}

export function analyzeAwsAccounts(input: AwsWingInput): AwsWingResult {
  const { window, isSelected } = input;
  const warnings: ReportWarning[] = [];
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
    const gapOut = (g: { start: number; end: number; kind: import('../../model/report.js').CoverageGapKind; cause: string }) => ({
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
              intervals: inWindow
                .slice(0, COVERAGE_LIST_LIMIT)
                .map((o) => ({ start: iso(Math.max(o.start, window.startMs)), end: iso(Math.min(o.end, window.endMs)) })),
              intervalsTotal: inWindow.length,
              gaps: (claim?.gaps ?? []).slice(0, COVERAGE_LIST_LIMIT).map(gapOut),
              gapsTotal: claim?.gaps.length ?? 0,
              acceptedGaps: (claim?.acceptedGaps ?? []).slice(0, COVERAGE_LIST_LIMIT).map((g) => ({ ...gapOut(g), acceptedBy: g.acceptedBy })),
              coveredFraction: Math.round((claim?.coveredFraction ?? 0) * 1000) / 1000,
              ...(input.minCoverage !== undefined ? { minCoverage: input.minCoverage } : {}),
              evidenceEnd:
                evidenceEnd !== null && cov.delivery.evidenceEndBasis !== 'none' ? { time: iso(evidenceEnd), basis: cov.delivery.evidenceEndBasis } : null,
              proofs: cov.delivery.proofs,
              trailChanges: ct.trailChanges.map((c) => {
                const why = cov.delivery.ignoredTrailChanges.find((i) => i.change === c)?.why;
                return {
                  time: c.time,
                  eventName: c.eventName,
                  trail: c.trail,
                  callerArn: c.callerArn,
                  isDenied: c.isDenied,
                  opensGap: !ignored.has(c) && c.eventName !== 'StartLogging' && c.eventName !== 'CreateTrail',
                  ...(why ? { why } : {}),
                };
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

  return { findings, coverage, warnings, principalsScanned, skippedServiceLinked, scope };
}
