/**
 * The table report's coverage section: per AWS account what CloudTrail and the other evidence
 * cover (span, gaps, events, regions, selectors, Access Advisor, credential report), per GCP
 * project what its audit logs, Data Access configuration and activity cover. A gap in coverage
 * is said in yellow, with its kind, since no use outside the covered span can be seen.
 */

import type { AccountCoverage, GcpProjectCoverage, Report } from '../model/report.js';
import { formatCount, isoDay, plural } from './text-format.js';
import { partOfText, spanMs } from '../model/duration-text.js';
import { labelled, paragraph, type Paint, spanText } from './table-format.js';
import { DAY_MS } from '../model/time.js';

function managementText(coverage: AccountCoverage['cloudTrail']['managementEvents']): string {
  if (coverage.read && coverage.write) return 'management read+write';
  if (coverage.read) return 'management read only (write calls unobservable)';
  if (coverage.write) return 'management write only (read calls unobservable)';
  return 'no management events';
}

function dataEventsText(dataEvents: AccountCoverage['cloudTrail']['dataEvents']): string {
  if (dataEvents.length === 0) return 'data events: none';
  const parts = dataEvents.map((d) => {
    const modes = [d.read ? 'read' : '', d.write ? 'write' : ''].filter((m) => m !== '').join('+');
    return `${d.resourceType} (${modes === '' ? 'none' : modes})`;
  });
  return `data events: ${parts.join(', ')}`;
}

function trailText(trail: AccountCoverage['cloudTrail']['trail']): string {
  const home = trail.homeRegion === undefined ? '' : `, home ${trail.homeRegion}`;
  if (trail.isMultiRegion && trail.isAssumed) return 'trail taken as multi-region (no trail description)';
  if (trail.isMultiRegion) return `trail multi-region${home}`;
  return `trail single-region${home}: other regions' regional calls unobservable`;
}

export function coverageLines(report: Report, width: number, paint: Paint): string[] {
  const lines = [paint.chalk.bold('Coverage')];
  const warn = (text: string): string => paint.chalk.yellow(text);
  for (const account of report.coverage) {
    const skipped = account.skippedServiceLinked > 0 ? ` · ${account.skippedServiceLinked} service-linked skipped` : '';
    lines.push(`  ${paint.chalk.bold(`Account ${account.account}`)} · ${plural(account.principals, 'principal')}${skipped}`);
    if (account.collectedBy) lines.push(...labelled('Read by', account.collectedBy, width, 4));

    lines.push(...cloudTrailLines(account.cloudTrail, report, width, warn));

    const advisor =
      account.accessAdvisor.principals > 0 ? `Access Advisor for ${plural(account.accessAdvisor.principals, 'principal')}` : 'no Access Advisor data';
    const credentials = account.credentialReport.isPresent
      ? `credential report${account.credentialReport.generatedTime === undefined ? '' : ` of ${isoDay(account.credentialReport.generatedTime)}`}`
      : 'no credential report';
    lines.push(...labelled('Other evidence', `${advisor} · ${credentials}`, width, 4));

    const denied = account.deniedAttempts.reduce((sum, d) => sum + d.count, 0);
    if (denied > 0) lines.push(...labelled('Denied calls', `${plural(denied, 'attempt')} (not counted as use)`, width, 4));
    for (const note of account.notes) lines.push(...labelled('Note', note, width, 4));
  }
  for (const project of report.gcpCoverage ?? []) lines.push(...gcpCoverageLines(project, report, width, paint));
  return lines;
}

/** An account's CloudTrail lines: the span read and its gaps, the events recorded, the regions and trail, the selectors. */
function cloudTrailLines(ct: AccountCoverage['cloudTrail'], report: Report, width: number, warn: (text: string) => string): string[] {
  const lines: string[] = [];
  if (!ct.isPresent) {
    lines.push(...labelled('CloudTrail', 'no log files: verdicts rest on Access Advisor and RoleLastUsed only', width, 4).map(warn));
  } else {
    const files = `${plural(ct.filesRead, 'file')} read${ct.filesFailed > 0 ? `, ${ct.filesFailed} failed` : ''}`;
    const span = ct.observed === null ? 'no events inside the window' : `${spanText(ct.observed)} (${partOfText(spanMs(ct.observed), spanMs(report.window))})`;
    lines.push(...labelled('CloudTrail', `${span} · ${files} · ${plural(ct.eventsRead, 'event')}`, width, 4));
    if (!ct.isWindowCovered) {
      // Say what kind of gaps: logs that start late, stop early, or stop in between call for
      // different fixes (the notes below name each gap and its fix). A report without a gap list
      // (built by hand, or by an older release) falls back on the first and last record.
      const gaps = ct.gaps;
      let since = '';
      if (gaps && gaps.length > 0) {
        since = ` (${plural(ct.gapsTotal ?? gaps.length, 'gap')}: ${[...new Set(gaps.map((g) => g.kind))].join(', ')})`;
      } else if (!gaps) {
        const toleranceMs = Math.min(DAY_MS, report.window.days * DAY_MS * 0.05);
        const ends = [
          ct.firstEvent !== null && Date.parse(ct.firstEvent) > Date.parse(report.window.start) + toleranceMs ? `logs start ${isoDay(ct.firstEvent)}` : '',
          ct.lastEvent !== null && Date.parse(ct.lastEvent) < Date.parse(report.window.end) - toleranceMs ? `logs end ${isoDay(ct.lastEvent)}` : '',
        ].filter((e) => e !== '');
        since = ends.length === 0 ? '' : ` (${ends.join(', ')})`;
      }
      const gap = `! CloudTrail covers only ${partOfText(ct.observed === null ? 0 : spanMs(ct.observed), spanMs(report.window))}${since}: no use outside that span can be seen.`;
      lines.push(...paragraph(gap, width, 4, 6).map(warn));
    }
    lines.push(...labelled('Events', `${managementText(ct.managementEvents)} · ${dataEventsText(ct.dataEvents)}`, width, 4));
    const regions = ct.regions.length === 0 ? 'no regions' : ct.regions.join(', ');
    lines.push(...labelled('Regions', `${regions} · ${trailText(ct.trail)}`, width, 4));
    const selectors =
      ct.selectorsSource === 'assumed-default' || ct.selectorsSource === ''
        ? 'no selectors file: default trail assumed (management events, no data events)'
        : ct.selectorsSource;
    lines.push(...labelled('Selectors', selectors, width, 4));
  }
  return lines;
}

function gcpCoverageLines(project: GcpProjectCoverage, report: Report, width: number, paint: Paint): string[] {
  const warn = (text: string): string => paint.chalk.yellow(text);
  const skipped = project.skippedServiceAgents > 0 ? ` · ${project.skippedServiceAgents} service agent(s) skipped` : '';
  const lines = [`  ${paint.chalk.bold(`GCP project ${project.project}`)} · ${plural(project.principals, 'service account')}${skipped}`];
  if (project.ancestors.length > 0) lines.push(...labelled('Hierarchy', project.ancestors.join(' → '), width, 4));
  if (project.collectedBy) lines.push(...labelled('Read by', project.collectedBy, width, 4));
  const logs = project.auditLogs;
  if (!logs.isPresent || logs.filesRead === 0) {
    lines.push(...labelled('Audit logs', 'none read: every permission is unverifiable', width, 4).map(warn));
  } else {
    const span =
      logs.observed === null ? 'no entries inside the window' : `${spanText(logs.observed)} (${partOfText(spanMs(logs.observed), spanMs(report.window))})`;
    const files = `${plural(logs.filesRead, 'file')} read${logs.filesFailed > 0 ? `, ${logs.filesFailed} failed` : ''}`;
    lines.push(
      ...labelled(
        'Audit logs',
        `${span} · ${files} · ${plural(logs.entriesRead, 'entry', 'entries')} (Admin Activity ${formatCount(logs.streams.activity)}, Data Access ${formatCount(logs.streams.data_access)})`,
        width,
        4,
      ),
    );
  }
  const dataAccess =
    project.dataAccessLogs.length === 0
      ? 'Data Access logs off for every service (only Admin Activity is observable)'
      : project.dataAccessLogs
          .map((d) => `${d.service} ${d.logTypes.join('+') || 'none'}${d.exemptedMembers.length > 0 ? ` (${d.exemptedMembers.length} exempted)` : ''}`)
          .join(', ');
  lines.push(...labelled('Data Access', dataAccess, width, 4));
  lines.push(
    ...labelled(
      'Activity',
      project.activity.isPresent ? `Policy Analyzer: ${project.activity.types.join(', ') || 'no rows'}` : 'no Policy Analyzer activity',
      width,
      4,
    ),
  );
  const denied = project.deniedAttempts.reduce((sum, d) => sum + d.count, 0);
  if (denied > 0) lines.push(...labelled('Denied calls', `${plural(denied, 'attempt')} (not counted as use)`, width, 4));
  if (project.impersonation.length > 0) {
    lines.push(
      ...labelled('Impersonation', project.impersonation.map((i) => `${i.delegate} → ${i.serviceAccount} (${formatCount(i.entries)})`).join(', '), width, 4),
    );
  }
  for (const note of project.notes) lines.push(...labelled('Note', note, width, 4));
  return lines;
}
