/**
 * The recommendation texts of GCP findings that need more than one line: which bindings to remove
 * or replace for an unused service, other roles that also grant a permission, and what to do about
 * each kind of unverifiable permission.
 */

import type { GcpGrantPath } from '../../model/gcp/policy.js';
import type { UnverifiableReason } from '../../model/report.js';
import type { Judged } from './judged.js';
import { describeGcpPath } from './recommend.js';

/** Other roles that grant the same permission: removing it from the custom role alone is not enough. */
export function alsoGrantedText(paths: GcpGrantPath[]): string {
  if (paths.length === 0) return '';
  return ` It is also granted by ${paths.slice(0, 3).map(describeGcpPath).join('; ')}${paths.length > 3 ? `; and ${paths.length - 3} more` : ''}: replace those roles too, or the account keeps it.`;
}

/** For each grant path of unused permissions: does the same binding also carry used permissions? */
export function usedPermissionPaths(byService: Map<string, Judged[]>, paths: GcpGrantPath[]): Set<string> {
  const keys = new Set(paths.map(pathKey));
  const out = new Set<string>();
  for (const judged of byService.values()) {
    for (const j of judged) {
      if (j.verdict.kind !== 'used') continue;
      for (const g of j.entitlement.grantedBy) if (keys.has(pathKey(g))) out.add(pathKey(g));
    }
  }
  return out;
}

function pathKey(p: GcpGrantPath): string {
  return [p.resource.type, p.resource.id, p.binding.index, p.member].join('\u0000');
}

export function recommendService(email: string, service: string, count: number, paths: GcpGrantPath[], carriesUse: Set<string>): string {
  const remove = paths.filter((p) => !carriesUse.has(pathKey(p)));
  const narrow = paths.filter((p) => carriesUse.has(pathKey(p)));
  const parts: string[] = [];
  if (remove.length > 0)
    parts.push(
      `remove ${remove.slice(0, 3).map(describeGcpPath).join('; ')}${remove.length > 3 ? `; and ${remove.length - 3} more` : ''} (nothing it grants was used)`,
    );
  if (narrow.length > 0)
    parts.push(
      `replace ${narrow.slice(0, 3).map(describeGcpPath).join('; ')}${narrow.length > 3 ? `; and ${narrow.length - 3} more` : ''} with a role without ${service} (other permissions of it were used)`,
    );
  return `Take ${service} access (${count} permission(s)) away from ${email}: ${parts.join('; ')}.`;
}

export function adviceFor(reason: UnverifiableReason): string {
  switch (reason) {
    case 'data-access-logs-disabled':
      return 'Enable Data Access audit logs for the service (auditConfigs) for a full window, or review these grants by hand.';
    case 'no-audit-logs':
    case 'log-type-not-collected':
      return 'Add the Cloud Audit Logs (Admin Activity and Data Access) of the window to the snapshot, or review by hand.';
    case 'window-not-covered':
      return 'Export audit logs with a sink (or raise the bucket retention) so they reach back over the whole window, or shorten --window.';
    default:
      return 'Review these grants by hand, or collect the missing evidence (see coverage notes).';
  }
}
