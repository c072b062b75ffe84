/**
 * The project's coverage record in the report: what was read (audit logs, Policy Analyzer,
 * insights), who else called, unmapped entries, denied attempts and impersonation, and the notes.
 */

import type { GcpProjectActivity } from '../../model/gcp/activity.js';
import type { GcpProjectInventory } from '../../model/gcp/policy.js';
import type { GcpProjectCoverage, Span } from '../../model/report.js';
import { compareText as cmp } from '../../model/compare-text.js';
import { dataAccessSummary, type effectiveDataAccess, type GcpProjectLogCoverage } from './coverage.js';

export interface ProjectCoverageInput {
  inventory: GcpProjectInventory;
  activity: GcpProjectActivity | null;
  cov: GcpProjectLogCoverage;
  dataAccess: ReturnType<typeof effectiveDataAccess>;
  observed: Span | null;
  /** Service accounts audited (lower-case emails). */
  audited: ReadonlySet<string>;
  scanned: number;
  skippedAgents: number;
  deniedAttempts: GcpProjectCoverage['deniedAttempts'];
}

export function projectCoverage(input: ProjectCoverageInput): GcpProjectCoverage {
  const { inventory, activity, cov, dataAccess, observed, audited, scanned, skippedAgents, deniedAttempts } = input;
  const project = inventory.projectId;
  const logs = activity?.auditLogs ?? null;
  const otherCallers = new Map<string, number>();
  for (const a of activity?.permissions ?? []) {
    const e = a.principalEmail.toLowerCase();
    if (!audited.has(e) && a.period === 'window') otherCallers.set(e, (otherCallers.get(e) ?? 0) + a.count);
  }
  const unmapped = new Map<string, number>();
  for (const m of activity?.unmapped ?? []) {
    if (m.period !== 'window' || !audited.has(m.principalEmail.toLowerCase())) continue;
    const key = `${m.serviceName}\u0000${m.methodName}`;
    unmapped.set(key, (unmapped.get(key) ?? 0) + m.count);
  }
  const impersonation = new Map<string, number>();
  for (const d of activity?.delegations ?? []) {
    if (d.period !== 'window') continue;
    const key = `${d.serviceAccount.toLowerCase()}\u0000${d.delegate.toLowerCase()}`;
    impersonation.set(key, (impersonation.get(key) ?? 0) + d.count);
  }
  const coverage: GcpProjectCoverage = {
    project,
    ancestors: inventory.ancestry.filter((r) => r.type !== 'project').map((r) => `${r.type === 'folder' ? 'folders' : 'organizations'}/${r.id}`),
    principals: scanned,
    skippedServiceAgents: skippedAgents,
    auditLogs: {
      isPresent: logs !== null,
      filesRead: logs?.filesRead ?? 0,
      filesFailed: logs?.filesFailed.length ?? 0,
      entriesRead: logs?.entriesRead ?? 0,
      firstEntry: logs?.firstEntry ?? null,
      lastEntry: logs?.lastEntry ?? null,
      streams: logs?.streams ?? { activity: 0, data_access: 0, system_event: 0, policy: 0, other: 0 },
      observed,
      isWindowCovered: cov.hasLogs && cov.isWindowCovered('activity'),
      valuesRead: logs?.valuesRead ?? 0,
      entriesAfterAsOf: logs?.entriesAfterAsOf ?? 0,
      entriesSkipped: logs?.entriesSkipped.map((r) => ({ ...r })) ?? [],
      entriesUnattributed: logs?.entriesUnattributed.map((r) => ({ ...r })) ?? [],
      entriesTimedByReceiveTimestamp: logs?.entriesTimedByReceiveTimestamp ?? 0,
      zonelessTimes: logs?.zonelessTimes ?? 0,
      ...(logs?.entriesStreamFromPermissionType ? { entriesStreamFromPermissionType: { ...logs.entriesStreamFromPermissionType } } : {}),
      ...(logs !== null ? { logCoverage: { activity: cov.logCoverage('activity'), data_access: cov.logCoverage('data_access') } } : {}),
    },
    dataAccessLogs: dataAccessSummary(dataAccess),
    activity: {
      isPresent: (activity?.activity ?? null) !== null,
      files: activity?.activity?.files ?? [],
      types: activity?.activity?.types ?? [],
    },
    ...(inventory.unreadableKeyFiles ? { unreadableKeyFiles: inventory.unreadableKeyFiles.map((k) => ({ ...k })) } : {}),
    ...(activity?.insights ? { recommender: { files: activity.insights.files, insights: activity.insights.insights.length } } : {}),
    notes: [...cov.notes(), ...unreadableKeyNotes(inventory)],
    unmappedEntries: [...unmapped]
      .map(([k, count]) => {
        const [serviceName = '', methodName = ''] = k.split('\u0000');
        return { serviceName, methodName, count };
      })
      .sort((a, b) => cmp(a.serviceName, b.serviceName) || cmp(a.methodName, b.methodName)),
    otherCallers: [...otherCallers].map(([principal, entries]) => ({ principal, entries })).sort((a, b) => cmp(a.principal, b.principal)),
    deniedAttempts: mergeDenied(deniedAttempts),
    impersonation: [...impersonation]
      .map(([k, entries]) => {
        const [serviceAccount = '', delegate = ''] = k.split('\u0000');
        return { serviceAccount, delegate, entries };
      })
      .sort((a, b) => cmp(a.serviceAccount, b.serviceAccount) || cmp(a.delegate, b.delegate)),
  };
  if (inventory.collectedBy) coverage.collectedBy = inventory.collectedBy;
  return coverage;
}

/** Key lists that could not be read: their accounts' keys are unknown, not absent. */
function unreadableKeyNotes(inventory: GcpProjectInventory): string[] {
  return (inventory.unreadableKeyFiles ?? []).map((k) =>
    k.serviceAccount === null
      ? `Key file ${k.file} could not be read and does not say whose keys it lists: any account's key list may be incomplete, so a missing stale-key finding proves nothing.`
      : `The keys of ${k.serviceAccount} are unknown (${k.file} could not be read as a key list): no stale-key verdict is made for it, which is not "no keys".`,
  );
}

function mergeDenied(list: GcpProjectCoverage['deniedAttempts']): GcpProjectCoverage['deniedAttempts'] {
  const m = new Map<string, number>();
  for (const d of list) m.set(`${d.principal}\u0000${d.permission}`, (m.get(`${d.principal}\u0000${d.permission}`) ?? 0) + d.count);
  return [...m]
    .map(([k, count]) => {
      const [principal = '', permission = ''] = k.split('\u0000');
      return { principal, permission, count };
    })
    .sort((a, b) => cmp(a.principal, b.principal) || cmp(a.permission, b.permission));
}
