import { Chalk, type ChalkInstance } from 'chalk';
import Table from 'cli-table3';
import {
  type ReportPrincipalKind as PrincipalKind,
  FINDING_TYPES,
  SEVERITIES,
  type AccountCoverage,
  type Finding,
  type GcpProjectCoverage,
  type FindingType,
  type Report,
  type Severity,
  type Span,
  type UnverifiableReason,
} from '../model/report.js';
import { UNVERIFIABLE_REASON_LABELS } from './unverifiable-reasons.js';
import { isInheritedPath } from './grant-path-text.js';
import { compareText } from '../model/compare-text.js';
import { formatCount, isExcepted, isoDay, isoMinute, plural, spanRangeText } from './text-format.js';
import { durationText, partOfText, spanMs } from '../model/duration-text.js';
import { visibleStrings } from './visible-text.js';

export interface TableOptions {
  isColor: boolean;
  /** Terminal width in columns; 100 when unknown (a pipe, a file). */
  width?: number;
}

const DEFAULT_WIDTH = 100;
/** Below this the table cannot hold its fixed columns; lines may then exceed the width. */
const MIN_WIDTH = 72;
const DAY_MS = 86_400_000;
const MAX_NEXT_STEPS = 5;
const MAX_WARNINGS_SHOWN = 3;
const MAX_DETAILS_PER_REASON = 2;
/** The label column of the header blocks ("Coverage", "Window" …). */
const LABEL_WIDTH = 16;

interface Paint {
  chalk: ChalkInstance;
  severity(severity: Severity, text: string): string;
}

function makePaint(isColor: boolean): Paint {
  // A private instance: the caller decides colour (NO_COLOR, --no-color, TTY), never chalk's own detection.
  const chalk = new Chalk({ level: isColor ? 1 : 0 });
  const bySeverity: Record<Severity, (text: string) => string> = {
    critical: (t) => chalk.bold.red(t),
    high: (t) => chalk.red(t),
    medium: (t) => chalk.yellow(t),
    low: (t) => chalk.cyan(t),
    info: (t) => chalk.gray(t),
  };
  return { chalk, severity: (severity, text) => bySeverity[severity](text) };
}

// ---------------------------------------------------------------------------------------------
// Text helpers. Every one of them is deterministic: no locale, no time zone but UTC.

function spanText(span: Span): string {
  return spanRangeText(span);
}

/** Breaks a word that cannot fit on any line into width-sized pieces. */
function hardSplit(word: string, width: number): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < word.length; i += width) pieces.push(word.slice(i, i + width));
  return pieces;
}

/**
 * Greedy word wrap. In table cells hyphens are break points too, because finding types and names
 * are hyphenated and must fit narrow columns without being cut mid-word; prose breaks at spaces only.
 */
function wrap(text: string, width: number, isHyphenBreak = false): string[] {
  const safeWidth = Math.max(1, width);
  const lines: string[] = [];
  const boundary = isHyphenBreak ? /(?<=-)|(?= )/ : /(?= )/;
  for (const paragraph of text.split('\n')) {
    const tokens = paragraph.split(boundary).flatMap((t) => (t.length > safeWidth ? hardSplit(t, safeWidth) : [t]));
    let line = '';
    for (const token of tokens) {
      if ((line + token).length <= safeWidth) {
        line += token;
        continue;
      }
      if (line.trim() !== '') lines.push(line.trimEnd());
      line = token.trimStart();
    }
    lines.push(line.trimEnd());
  }
  return lines;
}

function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

/** `label  text`, the text wrapped under itself so the labels stay aligned. */
function labelled(label: string, text: string, width: number, indent = 2): string[] {
  const head = ' '.repeat(indent) + label.padEnd(LABEL_WIDTH);
  const body = wrap(text, width - head.length);
  return body.map((line, i) => (i === 0 ? head : ' '.repeat(head.length)) + line);
}

/** A paragraph with a hanging indent. */
function paragraph(text: string, width: number, indent: number, hang = indent): string[] {
  const lines = wrap(text, width - hang);
  return lines.map((line, i) => ' '.repeat(i === 0 ? indent : hang) + line);
}

// ---------------------------------------------------------------------------------------------
// Header and coverage.

function headerLines(report: Report, width: number, paint: Paint): string[] {
  const { summary } = report;
  const lines = [paint.chalk.bold(`permdrift ${report.tool.version} · entitlement drift report`)];
  lines.push(...labelled('As of', isoMinute(report.asOf), width, 0));
  lines.push(...labelled('Window', `${durationText(spanMs(report.window))}, ${spanText(report.window)}`, width, 0));
  const isGcp = summary.projects !== undefined;
  const scope = [
    ...(summary.accounts > 0 || !isGcp ? [plural(summary.accounts, 'account')] : []),
    ...(isGcp ? [plural(summary.projects ?? 0, 'GCP project')] : []),
    `${plural(summary.principals, 'principal')} audited`,
    ...(summary.accounts > 0 || !isGcp
      ? [
          summary.skippedServiceLinked > 0
            ? `${plural(summary.skippedServiceLinked, 'service-linked role')} skipped (not editable)`
            : 'no service-linked roles skipped',
        ]
      : []),
    ...(isGcp && (summary.skippedServiceAgents ?? 0) > 0 ? [`${plural(summary.skippedServiceAgents ?? 0, 'service agent')} skipped (Google-managed)`] : []),
  ].join(' · ');
  lines.push(...labelled('Scope', scope, width, 0));
  lines.push(...labelled('Catalogue', report.catalogue, width, 0));
  const { baseline, exceptions } = report;
  if (baseline !== undefined) {
    const { counts } = baseline;
    const text = `${baseline.source} of ${isoDay(baseline.asOf)} · ${formatCount(counts.new)} new · ${formatCount(counts.existing)} existing · ${formatCount(counts.resolved)} resolved`;
    lines.push(...labelled('Baseline', text, width, 0));
  }
  if (exceptions !== undefined) {
    const text = [
      exceptions.source,
      `${formatCount(exceptions.inForce)} in force`,
      `${formatCount(exceptions.expiringSoon)} expiring within 14 days`,
      `${formatCount(exceptions.expired)} expired`,
      `${formatCount(exceptions.stale)} stale`,
      // Entries that match every principal are accepted risk on a large scale: never folded away.
      ...((exceptions.wildcard ?? 0) > 0 ? [`${formatCount(exceptions.wildcard ?? 0)} wildcard (every principal)`] : []),
    ].join(' · ');
    lines.push(...labelled('Exceptions', text, width, 0));
  }
  return lines;
}

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

function coverageLines(report: Report, width: number, paint: Paint): string[] {
  const lines = [paint.chalk.bold('Coverage')];
  const warn = (text: string): string => paint.chalk.yellow(text);
  for (const account of report.coverage) {
    const ct = account.cloudTrail;
    const skipped = account.skippedServiceLinked > 0 ? ` · ${account.skippedServiceLinked} service-linked skipped` : '';
    lines.push(`  ${paint.chalk.bold(`Account ${account.account}`)} · ${plural(account.principals, 'principal')}${skipped}`);
    if (account.collectedBy) lines.push(...labelled('Read by', account.collectedBy, width, 4));

    if (!ct.isPresent) {
      lines.push(...labelled('CloudTrail', 'no log files: verdicts rest on Access Advisor and RoleLastUsed only', width, 4).map(warn));
    } else {
      const files = `${plural(ct.filesRead, 'file')} read${ct.filesFailed > 0 ? `, ${ct.filesFailed} failed` : ''}`;
      const span =
        ct.observed === null ? 'no events inside the window' : `${spanText(ct.observed)} (${partOfText(spanMs(ct.observed), spanMs(report.window))})`;
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

function countLines(report: Report, width: number, paint: Paint): string[] {
  const { summary } = report;
  // At most five short parts: this line always fits, so it is coloured without wrapping.
  const severities = SEVERITIES.filter((s) => summary.bySeverity[s] > 0).map((s) => paint.severity(s, `${s} ${summary.bySeverity[s]}`));
  const types = FINDING_TYPES.filter((t) => summary.byType[t] > 0).map((t) => `${t} ${summary.byType[t]}`);
  return [
    `${'Findings'.padEnd(LABEL_WIDTH)}${[formatCount(summary.findings), ...severities].join(' · ')}`,
    ...labelled('By type', types.join(' · '), width, 0),
  ];
}

// ---------------------------------------------------------------------------------------------
// The findings table: one row per principal × service × finding type.

/**
 * A principal whose unverifiable grants span more services than this gets one row per severity
 * for them: with no logs, an admin user alone would otherwise fill hundreds of rows that all say
 * the same thing. Unused findings are never folded: each one is something to remove.
 */
const FOLD_UNVERIFIABLE_ABOVE = 5;

interface Row {
  severity: Severity;
  account: string;
  principal: { id: string; name: string; kind: PrincipalKind };
  services: Set<string>;
  type: FindingType;
  actions: Set<string>;
  hasPermissions: boolean;
  lastUsed: string | null;
  hasDirect: boolean;
  hasInherited: boolean;
  /** Against a baseline: some finding of the row is new. */
  hasNew: boolean;
  /** Every finding of the row is excepted by an exception in force. */
  isAllExcepted: boolean;
}

interface Rows {
  rows: Row[];
  /** Principals whose unverifiable rows were folded. */
  foldedPrincipals: number;
}

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };
const TYPE_RANK = new Map<FindingType, number>(FINDING_TYPES.map((t, i) => [t, i]));

function severityOrder(a: Severity, b: Severity): number {
  return SEVERITY_RANK[a] - SEVERITY_RANK[b];
}

function laterDate(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return Date.parse(b) > Date.parse(a) ? b : a;
}

function serviceLabel(row: Row): string {
  if (row.services.size === 0) return '—';
  if (row.services.size === 1) return [...row.services][0] ?? '—';
  return `${row.services.size} services`;
}

function principalKey(finding: Finding): string {
  return `${finding.account}\u0000${finding.principal.id}`;
}

function buildRows(findings: readonly Finding[]): Rows {
  const unverifiableServices = new Map<string, Set<string>>();
  for (const finding of findings) {
    if (finding.type !== 'unverifiable-permission' || finding.service === undefined) continue;
    const services = unverifiableServices.get(principalKey(finding)) ?? new Set<string>();
    services.add(finding.service);
    unverifiableServices.set(principalKey(finding), services);
  }
  const folded = new Set([...unverifiableServices].filter(([, services]) => services.size > FOLD_UNVERIFIABLE_ABOVE).map(([key]) => key));

  const rows = new Map<string, Row>();
  for (const finding of findings) {
    const isFolded = finding.type === 'unverifiable-permission' && folded.has(principalKey(finding));
    // Service-less findings (dormant principal, stale credential) each keep their own row.
    const key = isFolded
      ? ['fold', principalKey(finding), finding.severity].join('\u0000')
      : finding.service === undefined
        ? `id\u0000${finding.id}`
        : ['svc', principalKey(finding), finding.type, finding.service].join('\u0000');
    let row = rows.get(key);
    if (row === undefined) {
      row = {
        severity: finding.severity,
        account: finding.account,
        principal: finding.principal,
        services: new Set(),
        type: finding.type,
        actions: new Set(),
        hasPermissions: false,
        lastUsed: null,
        hasDirect: false,
        hasInherited: false,
        hasNew: false,
        isAllExcepted: true,
      };
      rows.set(key, row);
    }
    if (finding.baselineStatus === 'new') row.hasNew = true;
    if (!isExcepted(finding)) row.isAllExcepted = false;
    if (finding.service !== undefined) row.services.add(finding.service);
    if (severityOrder(finding.severity, row.severity) < 0) row.severity = finding.severity;
    for (const permission of finding.permissions) {
      row.hasPermissions = true;
      row.actions.add(permission.action);
      row.lastUsed = laterDate(row.lastUsed, permission.lastUsed?.date ?? null);
      // Provenance per path, not per permission: a grant reaching the principal both ways is "both".
      if (permission.grantedBy.length === 0) {
        if (permission.provenance === 'direct') row.hasDirect = true;
        else row.hasInherited = true;
      }
      for (const path of permission.grantedBy) {
        if (isInheritedPath(path)) row.hasInherited = true;
        else row.hasDirect = true;
      }
    }
  }
  const sorted = [...rows.values()].sort(
    (a, b) =>
      severityOrder(a.severity, b.severity) ||
      compareText(a.account, b.account) ||
      compareText(a.principal.name, b.principal.name) ||
      compareText(a.principal.id, b.principal.id) ||
      (TYPE_RANK.get(a.type) ?? 0) - (TYPE_RANK.get(b.type) ?? 0) ||
      a.services.size - b.services.size ||
      compareText(serviceLabel(a), serviceLabel(b)),
  );
  return { rows: sorted, foldedPrincipals: folded.size };
}

function grantText(row: Row): string {
  if (row.hasDirect && row.hasInherited) return 'both';
  if (row.hasDirect) return 'direct';
  if (row.hasInherited) return 'inherited';
  return '—';
}

interface Columns {
  principal: number;
  service: number;
  finding: number;
  perms: number;
  severity: number;
  lastUsed: number;
  grant: number;
}

/** Content widths (padding excluded). The fixed columns fit their longest value or wrap at a hyphen. */
function columnWidths(width: number): Columns {
  const fixed = { service: 14, finding: 13, perms: 5, severity: 8, lastUsed: 10, grant: 9 };
  const columnCount = 7;
  const chrome = columnCount + 1 + columnCount * 2; // borders + one space of padding each side
  const fixedTotal = Object.values(fixed).reduce((sum, w) => sum + w, 0);
  let spare = width - chrome - fixedTotal;
  // Extra room goes first to the principal, then lets finding types and services stay on one line.
  const principal = Math.max(12, Math.min(spare, 40));
  spare -= principal;
  // Narrower than the layout: the service column gives way first (names wrap), never the principal.
  if (spare < 0) return { ...fixed, principal, service: Math.max(8, fixed.service + spare) };
  const finding = fixed.finding + Math.max(0, Math.min(spare, 23 - fixed.finding));
  spare -= finding - fixed.finding;
  const service = fixed.service + Math.max(0, Math.min(spare, 20 - fixed.service));
  return { ...fixed, principal, finding, service };
}

/** The status under a row's severity, when the report has a baseline or exceptions. */
function statusText(row: Row): string {
  if (row.isAllExcepted) return 'excepted';
  return row.hasNew ? 'new' : '';
}

function findingsTable(rows: readonly Row[], width: number, paint: Paint, hasStatus: boolean): string {
  const cols = columnWidths(width);
  const { chalk } = paint;
  // The status shares the severity column (8 wide fits "excepted"): a column of its own would take
  // the room the principal name needs at 100 columns.
  const severityHead = hasStatus ? 'Severity\nStatus' : 'Severity';
  const table = new Table({
    head: ['Principal', 'Service', 'Finding', 'Perms', severityHead, 'Last used', 'Grant'].map((h) =>
      h
        .split('\n')
        .map((part) => chalk.bold(part))
        .join('\n'),
    ),
    colWidths: [cols.principal, cols.service, cols.finding, cols.perms, cols.severity, cols.lastUsed, cols.grant].map((w) => w + 2),
    colAligns: ['left', 'left', 'left', 'right', 'left', 'left', 'left'],
    // Cells are wrapped here, so cli-table3 never has to truncate or re-wrap (it would cut ARNs anywhere).
    wordWrap: false,
    style: { head: [], border: [], 'padding-left': 1, 'padding-right': 1 },
  });
  for (const row of rows) {
    const nameLines = wrap(row.principal.name, cols.principal, true);
    const name = nameLines.length > 2 ? [nameLines[0] ?? '', truncate(nameLines.slice(1).join(''), cols.principal)] : nameLines;
    const principal = [...name, chalk.dim(truncate(`${row.principal.kind} · ${row.account}`, cols.principal))].join('\n');
    const lastUsed = !row.hasPermissions ? '—' : row.lastUsed === null ? 'not seen' : isoDay(row.lastUsed);
    table.push([
      principal,
      wrap(serviceLabel(row), cols.service, true).join('\n'),
      wrap(row.type, cols.finding, true).join('\n'),
      row.hasPermissions ? String(row.actions.size) : '—',
      hasStatus && statusText(row) !== ''
        ? `${paint.severity(row.severity, row.severity)}\n${row.hasNew && !row.isAllExcepted ? chalk.bold(statusText(row)) : chalk.dim(statusText(row))}`
        : paint.severity(row.severity, row.severity),
      row.lastUsed === null ? chalk.dim(lastUsed) : lastUsed,
      grantText(row),
    ]);
  }
  return table.toString();
}

// ---------------------------------------------------------------------------------------------
// After the table: what to do, what could not be judged, what went wrong.

function nextStepLines(findings: readonly Finding[], width: number, paint: Paint): string[] {
  // Info findings ("not judged", with the evidence to collect) make the list only when nothing
  // weightier exists: their advice is already grouped in the unverifiable section.
  const hasAboveInfo = findings.some((f) => f.severity !== 'info');
  const ordered = findings
    .map((finding, index) => ({ finding, index }))
    .filter(({ finding }) => !hasAboveInfo || finding.severity !== 'info')
    .sort((a, b) => severityOrder(a.finding.severity, b.finding.severity) || a.index - b.index);
  const seen = new Set<string>();
  const steps: { severity: Severity; text: string }[] = [];
  for (const { finding } of ordered) {
    if (seen.has(finding.recommendation)) continue;
    seen.add(finding.recommendation);
    steps.push({ severity: finding.severity, text: finding.recommendation });
  }
  if (steps.length === 0) return [];
  const shown = steps.slice(0, MAX_NEXT_STEPS);
  const lines = [paint.chalk.bold('Next steps')];
  shown.forEach((step, i) => {
    const label = `${i + 1}. ${step.severity.padEnd(8)} `;
    const body = paragraph(step.text, width, 2 + label.length);
    const first = body[0] ?? '';
    lines.push(`  ${i + 1}. ${paint.severity(step.severity, step.severity.padEnd(8))} ${first.trimStart()}`, ...body.slice(1));
  });
  if (steps.length > shown.length) {
    lines.push(...paragraph(`… ${plural(steps.length - shown.length, 'more recommendation')} in the JSON report.`, width, 2));
  }
  return lines;
}

function unverifiableLines(findings: readonly Finding[], width: number, paint: Paint): string[] {
  const byReason = new Map<UnverifiableReason, { count: number; details: string[] }>();
  for (const finding of findings) {
    for (const permission of finding.permissions) {
      if (permission.unverifiable === undefined) continue;
      const entry = byReason.get(permission.unverifiable.reason) ?? { count: 0, details: [] };
      entry.count += 1;
      if (!entry.details.includes(permission.unverifiable.detail)) entry.details.push(permission.unverifiable.detail);
      byReason.set(permission.unverifiable.reason, entry);
    }
  }
  if (byReason.size === 0) return [];
  const total = [...byReason.values()].reduce((sum, e) => sum + e.count, 0);
  const lines = [paint.chalk.bold(`Unverifiable: ${plural(total, 'permission')} cannot be judged from the evidence, so none is called unused`)];
  const reasons = [...byReason.entries()].sort((a, b) => b[1].count - a[1].count || compareText(a[0], b[0]));
  for (const [reason, entry] of reasons) {
    lines.push(`  ${paint.chalk.yellow(reason)} (${entry.count}): ${UNVERIFIABLE_REASON_LABELS[reason]}`);
    for (const detail of entry.details.slice(0, MAX_DETAILS_PER_REASON)) lines.push(...paragraph(detail, width, 4));
    const hidden = entry.details.length - MAX_DETAILS_PER_REASON;
    if (hidden > 0) lines.push(`    … ${plural(hidden, 'other detail')}`);
  }
  return lines;
}

/**
 * Text from a hand-written file (exception reasons, owners), made one line. Control characters are
 * already escapes here (renderTable made every string visible); this squashes the whitespace.
 */
function plainText(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}

const MAX_RESOLVED_SHOWN = 5;
const MAX_EXCEPTIONS_SHOWN = 5;

function resolvedLines(report: Report, width: number, paint: Paint): string[] {
  const resolved = report.baseline?.resolved ?? [];
  if (resolved.length === 0) return [];
  const lines = [paint.chalk.bold(`Resolved since the baseline (${formatCount(resolved.length)})`)];
  for (const r of resolved.slice(0, MAX_RESOLVED_SHOWN)) {
    const service = r.service === undefined ? '' : ` ${r.service}`;
    const days = Math.round((Date.parse(r.resolvedAt) - Date.parse(r.firstSeen)) / DAY_MS);
    const age = Number.isNaN(days) ? '' : `, after ${plural(days, 'day')}`;
    const text = `${r.severity} ${r.type}${service} · ${r.principal.name} (${r.principal.kind} · ${r.account}) · first seen ${isoDay(r.firstSeen)}${age}`;
    lines.push(...paragraph(text, width, 2, 4));
  }
  if (resolved.length > MAX_RESOLVED_SHOWN) lines.push(`  … ${formatCount(resolved.length - MAX_RESOLVED_SHOWN)} more in the JSON report`);
  return lines;
}

/** Entries that need their owner: expiring soon, expired, or matching nothing (stale). */
function exceptionReviewLines(report: Report, width: number, paint: Paint): string[] {
  const entries = (report.exceptions?.entries ?? []).filter((e) => e.state !== 'active' || e.matches === 0);
  if (entries.length === 0) return [];
  const lines = [paint.chalk.bold(`Exceptions to review (${formatCount(entries.length)})`)];
  for (const entry of entries.slice(0, MAX_EXCEPTIONS_SHOWN)) {
    const state =
      entry.state === 'expired'
        ? `expired ${entry.expires ?? ''}, no longer applies`
        : entry.matches === 0
          ? 'stale: matches no finding'
          : `expires ${entry.expires ?? ''}`;
    const text = `#${entry.entry} ${state} · owner ${plainText(entry.owner)} · ${plural(entry.matches, 'finding')} · ${plainText(entry.reason)}`;
    lines.push(...paragraph(text, width, 2, 4).map((line) => (entry.state === 'expired' ? paint.chalk.yellow(line) : line)));
  }
  if (entries.length > MAX_EXCEPTIONS_SHOWN) lines.push(`  … ${formatCount(entries.length - MAX_EXCEPTIONS_SHOWN)} more in the JSON report`);
  return lines;
}

function warningLines(report: Report, width: number, paint: Paint): string[] {
  const { warnings } = report;
  if (warnings.length === 0) return [];
  const lines = [paint.chalk.bold.yellow(`Warnings (${warnings.length})`)];
  for (const warning of warnings.slice(0, MAX_WARNINGS_SHOWN)) {
    const account = warning.account === undefined || warning.account === '' ? '' : ` [${warning.account}]`;
    lines.push(...paragraph(`${warning.code}${account}: ${warning.message}`, width, 2, 4));
    // A path on its own line: wrapped inside prose it would break at every hyphen of a region name.
    if (warning.file !== undefined && warning.file !== '') {
      lines.push(...hardSplit(`file ${warning.file}`, width - 4).map((line) => `    ${line}`));
    }
  }
  if (warnings.length > MAX_WARNINGS_SHOWN) {
    lines.push(`  … ${warnings.length - MAX_WARNINGS_SHOWN} more in the JSON report`);
  }
  return lines;
}

function unmappedLines(report: Report, width: number): string[] {
  const all = report.coverage.flatMap((c) => c.unmappedEvents);
  if (all.length === 0) return [];
  const total = all.reduce((sum, e) => sum + e.count, 0);
  const top = [...all].sort((a, b) => b.count - a.count || compareText(a.eventSource, b.eventSource) || compareText(a.eventName, b.eventName))[0];
  const example = top === undefined ? '' : ` (most often ${top.eventSource} ${top.eventName} ×${formatCount(top.count)})`;
  const text = `Unmapped events: ${plural(total, 'event')} of ${plural(all.length, 'kind')} match no catalogue action${example}; each is listed in the JSON report.`;
  return paragraph(text, width, 0, 2);
}

// ---------------------------------------------------------------------------------------------

export function renderTable(input: Report, opts: TableOptions): string {
  // Every string from the inputs shown as text, never run by the terminal (colour is added after).
  const report = visibleStrings(input);
  const width = Math.max(MIN_WIDTH, Math.floor(opts.width ?? DEFAULT_WIDTH));
  const paint = makePaint(opts.isColor);
  const sections: string[][] = [headerLines(report, width, paint), coverageLines(report, width, paint)];

  if (report.summary.principals === 0) {
    // Zero findings over zero principals is not a pass: never word it as "No findings".
    sections.push(
      paragraph(
        'Nothing judged: no principal was audited, so the absence of findings says nothing. The warning below says why (the --principal globs, skipped service-linked roles, or inputs without principals).',
        width,
        0,
      ),
    );
  } else if (report.findings.length === 0) {
    sections.push(
      paragraph(
        `No findings: across ${plural(report.summary.principals, 'audited principal')}, nothing granted went unused or unjudged in the window, as far as the coverage above reaches.` +
          // "No findings" must never hide "could not read": point at what the inputs lacked.
          (report.warnings.length > 0
            ? ` Read the ${plural(report.warnings.length, 'warning')} below first: ${report.warnings.length === 1 ? 'it says' : 'they say'} what the inputs lacked.`
            : ''),
        width,
        0,
      ),
    );
  } else {
    sections.push(countLines(report, width, paint));
    const { rows, foldedPrincipals } = buildRows(report.findings);
    const hasStatus = report.baseline !== undefined || report.exceptions !== undefined;
    const table = [findingsTable(rows, width, paint, hasStatus)];
    if (foldedPrincipals > 0) {
      const note = `${plural(foldedPrincipals, 'principal')} with unverifiable grants in more than ${FOLD_UNVERIFIABLE_ABOVE} services: one row per severity ("N services"); the JSON report lists each service.`;
      table.push(...paragraph(note, width, 0).map((line) => paint.chalk.dim(line)));
    }
    sections.push(table);
    // Excepted findings are accepted risk: repeating their fix as a next step would be noise.
    sections.push(
      nextStepLines(
        report.findings.filter((f) => !isExcepted(f)),
        width,
        paint,
      ),
    );
    sections.push(unverifiableLines(report.findings, width, paint));
  }
  sections.push(resolvedLines(report, width, paint));
  sections.push(exceptionReviewLines(report, width, paint));
  sections.push(warningLines(report, width, paint));
  sections.push(unmappedLines(report, width));
  const hint = 'Run with --format json for every grant path, resource and piece of evidence behind each finding.';
  sections.push(paragraph(hint, width, 0).map((line) => paint.chalk.dim(line)));
  return `${sections
    .filter((s) => s.length > 0)
    .map((s) => s.join('\n'))
    .join('\n\n')}\n`;
}
