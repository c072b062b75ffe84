/**
 * Reads custom roles: `gcloud iam roles describe ROLE --project P --format=json` (one Role),
 * `gcloud iam roles list --project P --show-deleted --format=json` (a list of Roles; needs `--view=FULL`
 * through the API for permissions), or the API's `{roles: [...]}` response
 * (https://cloud.google.com/iam/docs/reference/rest/v1/organizations.roles).
 */

import { z } from 'zod';
import type { GcpCustomRole } from '../../model/gcp/policy.js';
import { checkShape } from './validate.js';

const roleSchema = z.object({
  name: z.string().regex(/^(projects|organizations)\/[^/]+\/roles\/[^/]+$/, 'expected projects/P/roles/X or organizations/O/roles/X'),
  title: z.string().optional(),
  description: z.string().optional(),
  stage: z.string().optional(),
  includedPermissions: z.array(z.string()).optional(),
  deleted: z.boolean().optional(),
});

const fileSchema = z.union([z.array(roleSchema), z.object({ roles: z.array(roleSchema) }), roleSchema]);

const HINT = 'write one file per custom role with `gcloud iam roles describe ROLE_ID --project P --format=json` (or --organization O)';

export function parseCustomRoles(raw: unknown, source: string): GcpCustomRole[] {
  const parsed = checkShape(fileSchema, raw, source, '`gcloud iam roles describe --format=json` output', HINT);
  const roles = Array.isArray(parsed) ? parsed : 'roles' in parsed ? parsed.roles : [parsed];
  return roles.map((r) => {
    const role: GcpCustomRole = {
      name: r.name,
      includedPermissions: [...new Set(r.includedPermissions ?? [])].sort(),
      isDeleted: r.deleted === true,
      source,
    };
    if (r.title !== undefined) role.title = r.title;
    if (r.stage !== undefined) role.stage = r.stage;
    return role;
  });
}
