/**
 * The table report's opening sections: what the report is of (version, as-of, window, scope,
 * catalogue, baseline, exceptions) and the finding counts by severity and by type.
 */

import { FINDING_TYPES, SEVERITIES, type Report } from '../model/report.js';
import { formatCount, isoDay, isoMinute, plural } from './text-format.js';
import { durationText, spanMs } from '../model/duration-text.js';
import { labelled, LABEL_WIDTH, type Paint, spanText } from './table-format.js';

export function headerLines(report: Report, width: number, paint: Paint): string[] {
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

export function countLines(report: Report, width: number, paint: Paint): string[] {
  const { summary } = report;
  // At most five short parts: this line always fits, so it is coloured without wrapping.
  const severities = SEVERITIES.filter((s) => summary.bySeverity[s] > 0).map((s) => paint.severity(s, `${s} ${summary.bySeverity[s]}`));
  const types = FINDING_TYPES.filter((t) => summary.byType[t] > 0).map((t) => `${t} ${summary.byType[t]}`);
  return [
    `${'Findings'.padEnd(LABEL_WIDTH)}${[formatCount(summary.findings), ...severities].join(' · ')}`,
    ...labelled('By type', types.join(' · '), width, 0),
  ];
}
