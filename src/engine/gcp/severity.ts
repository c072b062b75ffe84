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
 */

import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { AccessLevel } from '../../model/grant.js';
import type { Severity } from '../../model/report.js';
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

export function gcpSeverityFor(permission: string, level: AccessLevel): Severity {
  return isGcpPrivilegeEscalation(permission) ? 'critical' : SEVERITY_BY_LEVEL[level];
}
