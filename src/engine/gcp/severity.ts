/**
 * GCP severity and access level. GCP roles carry no per-permission access level, so one is derived
 * from the permission's verb (`service.resource.verb`), the way the AWS catalogue's levels read:
 *
 *   IAM policy and credential permissions (`*.setIamPolicy`, service account impersonation and
 *   keys, custom role changes)                                     → Permissions management
 *   verb `list`                                                      → List
 *   verb `get`, `getIamPolicy`, or starting with get/list/read/search/query/view/lookup → Read
 *   anything else (create, update, delete, use, act…)                → Write
 *
 * Severity then follows the rule AWS uses (src/engine/severity.ts, aws/severity-data.ts): a cited
 * privilege-escalation permission (data/gcp/privilege-escalation.json) → critical, Permissions
 * management → high, Write → medium, Read/List → low.
 *
 * Severity never rises on a rule-based verdict alone: an unused permission whose log type comes only
 * from the documented verb rule (basis `rule`: no Google page and no entry of the logs read says
 * it) contributes at most RULE_BASIS_SEVERITY_CAP (`low`) to its finding. The rule is a guess — against
 * the write-verb permissions the table cites it is wrong about one time in five, every time on a
 * data-plane write — so such a claim is a lead worth checking, not an alarm: `low` keeps it in
 * every default gate (`--fail-on new` fails from low up) while `--fail-on medium|high|critical`
 * fire only on claims a cited page or the logs back. A finding with a cited or observed permission
 * keeps that permission's severity.
 */

import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { AccessLevel } from '../../model/grant.js';
import type { Severity, VerdictBasis } from '../../model/report.js';
import { severityRank } from '../findings.js';
import { SEVERITY_BY_LEVEL } from '../severity.js';

const fileSchema = z.object({
  source: z.array(z.string()).min(1),
  permissions: z.array(z.object({ permission: z.string(), why: z.string() })),
});

let escalation: Set<string> | undefined;

function isGcpPrivilegeEscalation(permission: string): boolean {
  escalation ??= new Set(
    fileSchema
      .parse(JSON.parse(readFileSync(new URL('../../../data/gcp/privilege-escalation.json', import.meta.url), 'utf8')) as unknown)
      .permissions.map((p) => p.permission),
  );
  return escalation.has(permission);
}

const PERMISSIONS_MANAGEMENT = [
  /\.setIamPolicy$/,
  /^iam\.serviceAccounts\.(actAs|getAccessToken|getOpenIdToken|implicitDelegation|signBlob|signJwt)$/,
  /^iam\.serviceAccountKeys\.(create|delete|disable|enable)$/,
  /^iam\.roles\.(create|update|delete|undelete)$/,
  /^iam\.denypolicies\.(create|update|delete)$/,
];

export function gcpAccessLevel(permission: string): AccessLevel {
  if (PERMISSIONS_MANAGEMENT.some((re) => re.test(permission))) return 'Permissions management';
  const verb = permission.split('.').at(-1) ?? '';
  if (verb === 'list') return 'List';
  if (/^(get|list|read|search|query|view|lookup)/.test(verb)) return 'Read';
  return 'Write';
}

function gcpSeverityFor(permission: string, level: AccessLevel): Severity {
  return isGcpPrivilegeEscalation(permission) ? 'critical' : SEVERITY_BY_LEVEL[level];
}

/** The most a permission whose verdict rests on the verb rule alone adds to its finding's severity. */
export const RULE_BASIS_SEVERITY_CAP: Severity = 'low';

/** A permission's severity within its finding: gcpSeverityFor, capped when its verdict's basis is `rule`. */
export function gcpVerdictSeverity(permission: string, level: AccessLevel, basis: VerdictBasis | undefined): Severity {
  const s = gcpSeverityFor(permission, level);
  return basis === 'rule' && severityRank(s) < severityRank(RULE_BASIS_SEVERITY_CAP) ? RULE_BASIS_SEVERITY_CAP : s;
}
