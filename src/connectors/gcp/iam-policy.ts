/**
 * Reads an allow policy as `gcloud projects|resource-manager folders|organizations get-iam-policy
 * … --format=json` writes it (the IAM v1 Policy: version, etag, bindings with optional condition,
 * auditConfigs; https://cloud.google.com/iam/docs/reference/rest/v1/Policy).
 */

import { z } from 'zod';
import { InputError } from '../../model/errors.js';
import type { GcpAuditConfig, GcpBinding, GcpDataAccessLogType, GcpIamPolicy, GcpResourceRef } from '../../model/gcp/policy.js';
import { checkShape } from './validate.js';

const conditionSchema = z.object({
  expression: z.string(),
  title: z.string().optional(),
  description: z.string().optional(),
});

const policySchema = z.object({
  version: z.number().int().optional(),
  etag: z.string().optional(),
  bindings: z
    .array(
      z.object({
        role: z.string().min(1),
        members: z.array(z.string()).optional(),
        condition: conditionSchema.optional(),
      }),
    )
    .optional(),
  auditConfigs: z
    .array(
      z.object({
        service: z.string().min(1),
        auditLogConfigs: z
          .array(
            z.object({
              logType: z.enum(['LOG_TYPE_UNSPECIFIED', 'ADMIN_READ', 'DATA_READ', 'DATA_WRITE']),
              exemptedMembers: z.array(z.string()).optional(),
            }),
          )
          .optional(),
      }),
    )
    .optional(),
});

export function iamPolicyHint(resource: GcpResourceRef): string {
  switch (resource.type) {
    case 'project':
      return `write it with \`gcloud projects get-iam-policy ${resource.id} --format=json\``;
    case 'folder':
      return `write it with \`gcloud resource-manager folders get-iam-policy ${resource.id} --format=json\``;
    case 'organization':
      return `write it with \`gcloud organizations get-iam-policy ${resource.id} --format=json\``;
  }
}

/** The fields of an IAM v1 Policy (https://cloud.google.com/iam/docs/reference/rest/v1/Policy). */
const POLICY_FIELDS = new Set(['version', 'etag', 'bindings', 'auditConfigs']);

export function parseIamPolicy(raw: unknown, resource: GcpResourceRef, source: string): GcpIamPolicy {
  const policy = checkShape(policySchema, raw, source, '`get-iam-policy --format=json` output', iamPolicyHint(resource));
  // zod drops unknown keys: without this check `{"policy": {…}}` (a Cloud Asset search result) or
  // `{"Bindings": […]}` would read as a policy that grants nothing.
  const foreign = Object.keys(raw as Record<string, unknown>).filter((k) => !POLICY_FIELDS.has(k));
  if (policy.bindings === undefined && foreign.length > 0) {
    throw new InputError(
      `${source}: not an allow policy: no \`bindings\`, and ${foreign
        .slice(0, 5)
        .map((k) => JSON.stringify(k))
        .join(
          ', ',
        )}${foreign.length > 5 ? ' …' : ''}, which an IAM Policy (version, etag, bindings, auditConfigs) does not have${foreign.includes('policy') ? ' (a Cloud Asset result? save its `policy` object)' : ''}`,
      iamPolicyHint(resource),
      { file: source },
    );
  }
  const bindings: GcpBinding[] = (policy.bindings ?? []).map((b, index) => {
    const binding: GcpBinding = { index, role: b.role, members: b.members ?? [] };
    if (b.condition) {
      binding.condition = { expression: b.condition.expression };
      if (b.condition.title !== undefined) binding.condition.title = b.condition.title;
      if (b.condition.description !== undefined) binding.condition.description = b.condition.description;
    }
    return binding;
  });
  const auditConfigs: GcpAuditConfig[] = (policy.auditConfigs ?? []).map((c) => ({
    service: c.service,
    logTypes: (c.auditLogConfigs ?? [])
      .filter((l): l is typeof l & { logType: GcpDataAccessLogType } => l.logType !== 'LOG_TYPE_UNSPECIFIED')
      .map((l) => ({ logType: l.logType, exemptedMembers: l.exemptedMembers ?? [] })),
  }));
  const out: GcpIamPolicy = { resource, source, bindings, auditConfigs };
  if (policy.version !== undefined) out.version = policy.version;
  if (policy.etag !== undefined) out.etag = policy.etag;
  return out;
}

/**
 * The warning for a policy that grants nothing, or undefined (the file goes in the warning's `file`,
 * not its text, so a report reads the same wherever the snapshot lives). Such a policy is valid: getIamPolicy
 * "returns an empty policy if the resource exists and does not have a policy set" (the wording of
 * the IAM getIamPolicy methods, e.g.
 * https://cloud.google.com/workflows/docs/reference/googleapis/ml/v1/projects.jobs/getIamPolicy),
 * and proto3 JSON leaves the empty `bindings` out (https://protobuf.dev/programming-guides/json/),
 * so gcloud prints `{"etag": "ACAB"}` for it. But for the project, "nothing granted here" must be
 * said, so that no findings is never read as "nothing to find". A file without an etag either is not what
 * get-iam-policy writes (the Policy reference: "An `etag` is returned in the response to
 * `getIamPolicy`", https://cloud.google.com/iam/docs/reference/rest/v1/Policy): say that too.
 */
export function emptyPolicyWarning(policy: GcpIamPolicy): string | undefined {
  if (policy.bindings.length > 0) return undefined;
  // A folder or organization with no policy of its own is common and harmless: said only when the
  // file does not look like get-iam-policy output. The project's own policy is always said.
  if (policy.resource.type !== 'project' && policy.etag !== undefined) return undefined;
  const what = `${policy.resource.type} ${policy.resource.id}`;
  const shape =
    policy.etag === undefined
      ? 'has no bindings and no etag (get-iam-policy always writes an etag: is this its output?)'
      : `has no bindings (an empty policy, etag ${policy.etag})`;
  return `the allow policy of ${what} ${shape}: nothing is granted on the ${policy.resource.type} itself${policy.resource.type === 'project' ? ', so only grants inherited from folders and the organization are audited' : ''} (${iamPolicyHint(policy.resource)})`;
}
