/**
 * The pure engine entry: inventory + activity (+ clock) → Report. No I/O here; the same inputs give
 * a byte-identical report.
 */

import picomatch from 'picomatch';
import type { ActionCatalogue } from '../model/aws/catalogue.js';
import type { Principal } from '../model/aws/inventory.js';
import { FINDING_TYPES, SCHEMA_VERSION, SEVERITIES, type Finding, type Report, type ReportWarning } from '../model/report.js';
import { analyzeAwsAccounts, type EngineAccount } from './aws/analyze-accounts.js';
import { countBy, sortFindings } from './findings.js';
import { analyzeGcpProjects, type EngineGcpProject } from './gcp/analyze-projects.js';
import type { GcpLogTypeTable } from './gcp/permission-log-type.js';
import type { GcpRoleCatalogue } from './gcp/role-catalogue.js';
import { makeWindow, spanOf } from './window.js';
import { compareText as cmp } from '../model/compare-text.js';

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

  const aws = analyzeAwsAccounts({
    accounts: input.accounts,
    catalogue: input.catalogue,
    window,
    isSelected,
    ...(input.isServiceLinkedIncluded !== undefined ? { isServiceLinkedIncluded: input.isServiceLinkedIncluded } : {}),
    ...(input.minCoverage !== undefined ? { minCoverage: input.minCoverage } : {}),
  });
  const gcpProjects = input.gcpProjects ?? [];
  if (gcpProjects.length > 0 && !input.gcp) throw new Error('buildReport: gcpProjects need the gcp role catalogue and log-type table');
  const gcp =
    gcpProjects.length > 0 && input.gcp
      ? analyzeGcpProjects({
          projects: gcpProjects,
          gcp: input.gcp,
          window,
          matchers,
          ...(input.isServiceLinkedIncluded !== undefined ? { isServiceLinkedIncluded: input.isServiceLinkedIncluded } : {}),
          ...(input.minCoverage !== undefined ? { minCoverage: input.minCoverage } : {}),
        })
      : undefined;
  // Loops, not push(...): an account can yield more findings than a call may take arguments.
  const findings: Finding[] = [];
  for (const f of aws.findings) findings.push(f);
  for (const f of gcp?.findings ?? []) findings.push(f);
  for (const w of aws.warnings) warnings.push(w);
  for (const w of gcp?.warnings ?? []) warnings.push(w);
  const coverage = aws.coverage;
  const gcpCoverage = gcp?.coverage ?? [];
  const principalsScanned = aws.principalsScanned + (gcp?.principalsScanned ?? 0);
  const skippedServiceLinked = aws.skippedServiceLinked;
  const skippedServiceAgents = gcp?.skippedServiceAgents ?? 0;
  const scope = {
    held: aws.scope.held + (gcp?.scope.held ?? 0),
    selected: aws.scope.selected + (gcp?.scope.selected ?? 0),
    createdAfterAsOf: aws.scope.createdAfterAsOf,
  };
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
      byType: countBy(
        FINDING_TYPES,
        sorted.map((f) => f.type),
      ),
      bySeverity: countBy(
        SEVERITIES,
        sorted.map((f) => f.severity),
      ),
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
function nothingJudgedMessage(s: {
  held: number;
  selected: number;
  createdAfterAsOf: number;
  skippedServiceLinked: number;
  skippedServiceAgents: number;
  globs: string[];
}): string {
  const tail = 'so no principal was audited and "no findings" proves nothing';
  if (s.held === 0) return `nothing judged: the inputs hold no principal, ${tail}`;
  const globs = s.globs.map((g) => JSON.stringify(g)).join(', ');
  if (s.selected === 0) return `nothing judged: --principal ${globs} matched none of the ${plural(s.held, 'principal')} read, ${tail}`;
  const why: string[] = [];
  if (s.skippedServiceLinked > 0) why.push(`${plural(s.skippedServiceLinked, 'service-linked role')} skipped (audit them with --include-service-linked)`);
  if (s.skippedServiceAgents > 0)
    why.push(`${plural(s.skippedServiceAgents, 'Google-managed service agent')} skipped (audit them with --include-service-linked)`);
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
