/**
 * Severity of an unused (or unverifiable) grant, from one published list and the catalogue's
 * access level. Kept deliberately simple so a reviewer can predict every severity:
 *
 *   privilege-escalation action (data/aws/privilege-escalation.json)  → critical
 *   Permissions management                                            → high
 *   Write                                                             → medium
 *   Unknown (level not in the catalogue)                              → medium
 *   Tagging, Read, List                                               → low
 *
 * Escalation comes first because those grants let a holder give itself everything else. Unknown
 * ranks with Write: without the level we cannot show the grant is harmless.
 */

import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { AccessLevel } from '../../model/grant.js';
import type { Severity } from '../../model/report.js';
import { SEVERITY_BY_LEVEL } from '../severity.js';

const fileSchema = z.object({
  source: z.array(z.string()).min(1),
  actions: z.array(z.object({ action: z.string(), source: z.array(z.string()).min(1), why: z.string() })),
});

let escalation: Set<string> | undefined;

function escalationActions(): Set<string> {
  if (escalation) return escalation;
  const raw: unknown = JSON.parse(readFileSync(new URL('../../../data/aws/privilege-escalation.json', import.meta.url), 'utf8'));
  escalation = new Set(fileSchema.parse(raw).actions.map((a) => a.action.toLowerCase()));
  return escalation;
}

/** True for actions on the cited privilege-escalation list (case-insensitive). */
export function isPrivilegeEscalation(action: string): boolean {
  return escalationActions().has(action.trim().toLowerCase());
}

export function severityFor(action: string, accessLevel: AccessLevel): Severity {
  return isPrivilegeEscalation(action) ? 'critical' : SEVERITY_BY_LEVEL[accessLevel];
}
