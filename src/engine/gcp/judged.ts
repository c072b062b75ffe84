/**
 * A GCP permission as judged for one service account (used, unused, unverifiable with its reason),
 * and how it becomes a finding's permission row and severity.
 */

import type { GcpEntitlement, GcpGrantPath } from '../../model/gcp/policy.js';
import type { FindingPermission, LastUsed, PermissionObservability, Severity, UnverifiableReason } from '../../model/report.js';
import { maxSeverity } from '../findings.js';
import { gcpAccessLevel, gcpVerdictSeverity } from './severity.js';

type Verdict =
  | { kind: 'used' }
  /** `observability`: the log type that made the non-use observable, and its basis. */
  | { kind: 'unused'; observability?: PermissionObservability }
  | { kind: 'unverifiable'; reason: UnverifiableReason; detail: string };

export interface Judged {
  entitlement: GcpEntitlement;
  verdict: Verdict;
  lastUsed: LastUsed | null;
}

/** One `resources` list per grant-path list: a basic role's thousands of permissions share one. */
const resourcesOfPaths = new WeakMap<readonly GcpGrantPath[], string[]>();

function resourcesOf(paths: readonly GcpGrantPath[]): string[] {
  let list = resourcesOfPaths.get(paths);
  if (!list) {
    list = [...new Set(paths.map((g) => `${g.resource.type}s/${g.resource.id}`))].sort();
    resourcesOfPaths.set(paths, list);
  }
  return list;
}

export function toPermission(j: Judged): FindingPermission {
  const e = j.entitlement;
  return {
    action: e.permission,
    accessLevel: gcpAccessLevel(e.permission),
    provenance: e.provenance,
    grantedBy: e.grantedBy,
    isConditional: e.isConditional,
    resources: resourcesOf(e.grantedBy),
    lastUsed: j.lastUsed,
    ...(j.verdict.kind === 'unverifiable' ? { unverifiable: { reason: j.verdict.reason, detail: j.verdict.detail } } : {}),
    ...(j.verdict.kind === 'unused' && j.verdict.observability ? { observability: { ...j.verdict.observability } } : {}),
  };
}

/** The highest of the permissions' severities, each rule-based verdict's capped (severity.ts). */
export function severityOf(perms: FindingPermission[]): Severity {
  return maxSeverity(perms.map((p) => gcpVerdictSeverity(p.action, p.accessLevel, p.observability?.basis)));
}

export function isNamedInCustomRole(e: GcpEntitlement): boolean {
  return e.grantedBy.some((g) => g.roleKind === 'custom');
}
