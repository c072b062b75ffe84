/**
 * analyze-project (GCP): a project's resolved service-account entitlements + Cloud Audit Log usage +
 * Policy Analyzer activity → findings and the project's coverage. Same finding types and the same
 * rule as AWS: nothing is called unused unless its use would have been seen (coverage.ts).
 *
 * Grouping, as for AWS: per service (the permission's first segment). All unused in a service with
 * nothing used or unjudged → `unused-service`; unused permissions that reach the account only
 * through predefined or basic roles (a role is GCP's wildcard: you cannot drop one permission from
 * it) → one `overbroad-grant` per service, suggesting the narrowest predefined role for what was
 * used; a permission named in a custom role → `unused-permission`; unjudged ones → one
 * `unverifiable-permission` per (service, reason). Each account is judged in analyze-principal.ts;
 * the coverage record is built in project-coverage.ts.
 */

import type { GcpProjectActivity } from '../../model/gcp/activity.js';
import type { GcpPrincipalEntitlements, GcpProjectInventory } from '../../model/gcp/policy.js';
import type { Finding, GcpProjectCoverage, ReportWarning } from '../../model/report.js';
import { compareText as cmp } from '../../model/compare-text.js';
import { type Window, spanOf } from '../window.js';
import { analyzeGcpServiceAccount, type GcpProjectJudgingContext } from './analyze-principal.js';
import { effectiveDataAccess, GcpProjectLogCoverage } from './coverage.js';
import { type ObservedLogTypeTable, withObservedLogTypes } from './observed-log-types.js';
import type { GcpLogTypeTable } from './permission-log-type.js';
import { projectCoverage } from './project-coverage.js';
import type { GcpRoleCatalogue } from './role-catalogue.js';
import { indexUsage } from './usage-index.js';

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

export interface GcpAnalyzeResult {
  findings: Finding[];
  coverage: GcpProjectCoverage;
  /** What the evidence could not use (skipped entries, zone-less times…), for the report's warnings. */
  warnings: ReportWarning[];
}

export function analyzeGcpProject(input: GcpAnalyzeInput): GcpAnalyzeResult {
  const { inventory, activity, window } = input;
  const dataAccess = effectiveDataAccess(inventory);
  // The table overlaid with the permission types the project's own entries carry (basis `observed`).
  const logTypes = withObservedLogTypes(input.logTypes, activity?.permissionTypes);
  const cov = new GcpProjectLogCoverage(inventory, activity, dataAccess, logTypes, window, input.minCoverage);
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

  const ctx: GcpProjectJudgingContext = {
    inventory,
    activity,
    window,
    windowSpan,
    observed,
    cov,
    logTypes,
    roles: input.roles,
    usage,
    exercised,
    saActivity,
    keyActivity,
  };
  for (const pe of [...input.principals].sort((a, b) => cmp(a.serviceAccount.email, b.serviceAccount.email))) {
    const sa = pe.serviceAccount;
    if (!input.isSelected(sa.email, sa.displayName ?? sa.email)) continue;
    if (sa.isServiceAgent && !input.isServiceAgentIncluded) {
      skippedAgents += 1;
      continue;
    }
    scanned += 1;
    audited.add(sa.email.toLowerCase());
    const judged = analyzeGcpServiceAccount(ctx, pe);
    findings.push(...judged.findings);
    deniedAttempts.push(...judged.denied);
  }

  const coverage = projectCoverage({ inventory, activity, cov, dataAccess, observed, audited, scanned, skippedAgents, deniedAttempts });
  return { findings, coverage, warnings: [...cov.warnings(), ...conflictWarnings(inventory.projectId, logTypes)] };
}

/** How many conflicts the warning names; the count says how many there were. */
const CONFLICTS_NAMED = 5;

/**
 * One warning per project when the logs' permission types disagree with the table or among
 * themselves: each such permission is unknown (unverifiable), and the table may need a fix.
 */
function conflictWarnings(project: string, logTypes: ObservedLogTypeTable): ReportWarning[] {
  const conflicts = logTypes.conflicts();
  if (conflicts.length === 0) return [];
  const named = conflicts.slice(0, CONFLICTS_NAMED).map((c) => {
    const seen = c.observed.map((o) => `${o.permissionType} ×${o.count}`).join(', ');
    return `${c.permission} (${c.table ? `table: ${c.table.logType}${c.table.basis ? `, ${c.table.basis}` : ''}; ` : ''}logs: ${seen})`;
  });
  const more = conflicts.length > CONFLICTS_NAMED ? `; and ${conflicts.length - CONFLICTS_NAMED} more` : '';
  return [
    {
      code: 'gcp-permission-type-conflict',
      account: project,
      message: `project ${project}: the permissionType of ${conflicts.length} permission(s) in the audit logs read disagrees with the log-type table or with itself, so each is judged unverifiable (log-type-unknown), never unused: ${named.join('; ')}${more}`,
    },
  ];
}
