/**
 * Reads IAM v2 deny policies: `gcloud iam policies get POLICY --attachment-point=… --kind=denypolicies
 * --format=json` (one Policy) or a list / `{policies: [...]}` of them
 * (https://cloud.google.com/iam/docs/reference/rest/v2/policies). The attachment point is decoded
 * from the policy name, `policies/cloudresourcemanager.googleapis.com%2Fprojects%2FP/denypolicies/ID`.
 */

import { z } from 'zod';
import type { GcpDenyPolicy, GcpDenyRule, GcpResourceRef } from '../../model/gcp/policy.js';
import { checkShape } from './validate.js';

const conditionSchema = z.object({
  expression: z.string(),
  title: z.string().optional(),
  description: z.string().optional(),
});

const ruleSchema = z.object({
  description: z.string().optional(),
  denyRule: z
    .object({
      deniedPrincipals: z.array(z.string()).optional(),
      exceptionPrincipals: z.array(z.string()).optional(),
      deniedPermissions: z.array(z.string()).optional(),
      exceptionPermissions: z.array(z.string()).optional(),
      denialCondition: conditionSchema.optional(),
    })
    .optional(),
});

const policySchema = z.object({
  name: z.string().min(1),
  displayName: z.string().optional(),
  rules: z.array(ruleSchema).optional(),
});

const fileSchema = z.union([z.array(policySchema), z.object({ policies: z.array(policySchema) }), policySchema]);

const HINT =
  'write one file per deny policy with `gcloud iam policies get POLICY_ID --attachment-point=cloudresourcemanager.googleapis.com/projects/P --kind=denypolicies --format=json`';

const ATTACHMENT = /^policies\/([^/]+)\/denypolicies\/[^/]+$/;

/** `cloudresourcemanager.googleapis.com/projects/123` (URL-encoded in the name) → {project, 123}. */
export function attachmentPointOf(policyName: string): GcpResourceRef | undefined {
  const match = ATTACHMENT.exec(policyName);
  if (!match?.[1]) return undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(match[1]);
  } catch {
    return undefined;
  }
  const resource = /^cloudresourcemanager\.googleapis\.com\/(projects|folders|organizations)\/([^/]+)$/.exec(decoded);
  if (!resource?.[1] || !resource[2]) return undefined;
  const type = resource[1] === 'projects' ? 'project' : resource[1] === 'folders' ? 'folder' : 'organization';
  return { type, id: resource[2] };
}

export function parseDenyPolicies(raw: unknown, source: string): GcpDenyPolicy[] {
  const parsed = checkShape(fileSchema, raw, source, '`gcloud iam policies get --kind=denypolicies --format=json` output', HINT);
  const policies = Array.isArray(parsed) ? parsed : 'policies' in parsed ? parsed.policies : [parsed];
  return policies.map((p) => {
    const rules: GcpDenyRule[] = (p.rules ?? []).map((r, index) => {
      const d = r.denyRule ?? {};
      const rule: GcpDenyRule = {
        index,
        deniedPrincipals: d.deniedPrincipals ?? [],
        exceptionPrincipals: d.exceptionPrincipals ?? [],
        deniedPermissions: d.deniedPermissions ?? [],
        exceptionPermissions: d.exceptionPermissions ?? [],
      };
      if (r.description !== undefined) rule.description = r.description;
      if (d.denialCondition) {
        rule.denialCondition = { expression: d.denialCondition.expression };
        if (d.denialCondition.title !== undefined) rule.denialCondition.title = d.denialCondition.title;
        if (d.denialCondition.description !== undefined) rule.denialCondition.description = d.denialCondition.description;
      }
      return rule;
    });
    const policy: GcpDenyPolicy = { name: p.name, rules, source };
    if (p.displayName !== undefined) policy.displayName = p.displayName;
    const attachedTo = attachmentPointOf(p.name);
    if (attachedTo) policy.attachedTo = attachedTo;
    return policy;
  });
}
