/**
 * The one rule that turns a principal's judged grants into findings, for every provider. Per
 * service (AWS service prefix, GCP service):
 *
 *   nothing used, nothing unverifiable, something unused  → one `unused-service` finding
 *   otherwise, the unused grants that are one decision     → one `overbroad-grant` finding
 *     (AWS: reached only through wildcards — narrow the wildcard; GCP: granted through roles —
 *     replace the role with a narrower one)
 *   and each unused grant named on its own                 → one `unused-permission` finding each
 *     (AWS: an action written out in a policy; GCP: a permission named in a custom role)
 *   the unverifiable grants, per reason                    → one `unverifiable-permission` finding each
 *
 * The provider wing says which grants are one decision and writes the evidence and recommendation
 * texts (its hooks); the rule, the finding ids and the order are decided here.
 */

import { compareText } from '../model/compare-text.js';
import type { Finding, FindingPermission, FindingType, Severity, UnverifiableReason } from '../model/report.js';

/** A grant with its verdict: what every wing's judged entitlement has in common. */
export interface JudgedGrant {
  verdict: { kind: 'used' } | { kind: 'unused' } | { kind: 'unverifiable'; reason: UnverifiableReason; detail: string };
}

/** The texts and extra fields one finding carries, written by the wing. */
interface FindingText {
  evidence: Finding['evidence'];
  recommendation: string;
  /** Fields placed after `permissions` (AWS: `usedThrough`). */
  extra?: Partial<Finding>;
}

export interface FindingRuleHooks<J extends JudgedGrant> {
  /** `provider`, `account` and `principal` of every finding. */
  base: Pick<Finding, 'provider' | 'account' | 'principal'>;
  /** The finding id for a type and key (service, action or `service:reason`). */
  id: (type: FindingType, key: string) => string;
  /** The action or permission a grant is for (the key of an `unused-permission` finding). */
  keyOf: (j: J) => string;
  toPermission: (j: J) => FindingPermission;
  severityOf: (perms: FindingPermission[]) => Severity;
  /** Unused grants that are one decision together (narrow the wildcard, replace the role). */
  isOneDecision: (j: J) => boolean;
  unusedService: (service: string, unused: J[]) => FindingText;
  overbroad: (service: string, unused: J[], used: J[]) => FindingText;
  unusedPermission: (service: string, j: J, used: J[]) => FindingText;
  unverifiable: (service: string, reason: UnverifiableReason, list: J[]) => FindingText;
}

function finding(
  type: FindingType,
  key: string,
  service: string,
  perms: FindingPermission[],
  severity: Severity,
  text: FindingText,
  base: FindingRuleHooks<JudgedGrant>['base'],
  id: string,
): Finding {
  return {
    id,
    type,
    severity,
    ...base,
    service,
    permissions: perms,
    ...(text.extra ?? {}),
    evidence: text.evidence,
    recommendation: text.recommendation,
  };
}

/** The findings of one service's judged grants (see the module comment). */
export function classifyService<J extends JudgedGrant>(service: string, judged: readonly J[], hooks: FindingRuleHooks<J>): Finding[] {
  const out: Finding[] = [];
  const used = judged.filter((j) => j.verdict.kind === 'used');
  const unused = judged.filter((j) => j.verdict.kind === 'unused');
  const unverifiable = judged.filter((j) => j.verdict.kind === 'unverifiable');
  const make = (type: FindingType, key: string, grants: J[], text: FindingText, severity?: Severity): Finding => {
    const perms = grants.map(hooks.toPermission);
    return finding(type, key, service, perms, severity ?? hooks.severityOf(perms), text, hooks.base, hooks.id(type, key));
  };
  if (used.length === 0 && unverifiable.length === 0 && unused.length > 0) {
    out.push(make('unused-service', service, unused, hooks.unusedService(service, unused)));
  } else {
    const together = unused.filter((j) => hooks.isOneDecision(j));
    const alone = unused.filter((j) => !hooks.isOneDecision(j));
    if (together.length > 0) out.push(make('overbroad-grant', service, together, hooks.overbroad(service, together, used)));
    for (const j of alone) out.push(make('unused-permission', hooks.keyOf(j), [j], hooks.unusedPermission(service, j, used)));
  }
  const byReason = new Map<UnverifiableReason, J[]>();
  for (const j of unverifiable) {
    if (j.verdict.kind !== 'unverifiable') continue;
    const list = byReason.get(j.verdict.reason) ?? [];
    list.push(j);
    byReason.set(j.verdict.reason, list);
  }
  for (const [reason, list] of [...byReason].sort(([a], [b]) => compareText(a, b))) {
    out.push(make('unverifiable-permission', `${service}:${reason}`, list, hooks.unverifiable(service, reason, list), 'info'));
  }
  return out;
}

/** Grants grouped by service, in service order. */
export function byServiceOrder<J>(grants: Iterable<J>, serviceOf: (j: J) => string): [string, J[]][] {
  const byService = new Map<string, J[]>();
  for (const j of grants) {
    const service = serviceOf(j);
    const list = byService.get(service) ?? [];
    list.push(j);
    byService.set(service, list);
  }
  return [...byService].sort(([a], [b]) => compareText(a, b));
}
