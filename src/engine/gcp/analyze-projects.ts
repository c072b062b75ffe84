/**
 * The GCP wing of the engine: every project's service accounts resolved from their bindings and
 * judged against Cloud Audit Logs, Policy Analyzer activity and policy insights, with each
 * project's coverage. The provider-neutral pipeline (../build-report.ts) merges it with the others.
 */

import { compareText as cmp } from '../../model/compare-text.js';
import type { GcpProjectActivity } from '../../model/gcp/activity.js';
import type { GcpProjectInventory } from '../../model/gcp/policy.js';
import type { Finding, GcpProjectCoverage, ReportWarning } from '../../model/report.js';
import type { Window } from '../window.js';
import { analyzeGcpProject } from './analyze-project.js';
import type { GcpLogTypeTable } from './permission-log-type.js';
import { resolveGcpProject } from './resolve.js';
import type { GcpRoleCatalogue } from './role-catalogue.js';

export interface EngineGcpProject {
  inventory: GcpProjectInventory;
  /** null when the snapshot holds neither audit logs nor activity for the project. */
  activity: GcpProjectActivity | null;
}

export interface GcpWingInput {
  projects: EngineGcpProject[];
  /** Predefined roles and the permission → audit log table. */
  gcp: { roles: GcpRoleCatalogue; logTypes: GcpLogTypeTable; isServiceAgentIncluded?: boolean };
  window: Window;
  /** The `--principal` globs, matched against an account's email, display name and member string. */
  matchers: ((text: string) => boolean)[];
  isServiceLinkedIncluded?: boolean;
  minCoverage?: number;
}

export interface GcpWingResult {
  findings: Finding[];
  coverage: GcpProjectCoverage[];
  warnings: ReportWarning[];
  principalsScanned: number;
  skippedServiceAgents: number;
  scope: { held: number; selected: number };
}

export function analyzeGcpProjects(input: GcpWingInput): GcpWingResult {
  const { window } = input;
  const warnings: ReportWarning[] = [];
  const findings: Finding[] = [];
  let principalsScanned = 0;
  const scope = { held: 0, selected: 0 };
  const gcpCoverage: GcpProjectCoverage[] = [];
  let skippedServiceAgents = 0;
  const gcpProjects = [...input.projects].sort((a, b) => cmp(a.inventory.projectId, b.inventory.projectId));
  for (const { inventory, activity } of gcpProjects) {
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
      isSelected: (email, name) => input.matchers.length === 0 || input.matchers.some((m) => m(email) || m(name) || m(`serviceAccount:${email}`)),
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

  return { findings, coverage: gcpCoverage, warnings, principalsScanned, skippedServiceAgents, scope };
}
