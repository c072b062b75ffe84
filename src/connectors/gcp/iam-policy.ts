/**
 * Reads an allow policy as `gcloud projects|resource-manager folders|organizations get-iam-policy
 * … --format=json` writes it (the IAM v1 Policy: version, etag, bindings with optional condition,
 * auditConfigs; https://cloud.google.com/iam/docs/reference/rest/v1/Policy).
 */

import { z } from 'zod';
import type { GcpAuditConfig, GcpBinding, GcpDataAccessLogType, GcpIamPolicy, GcpResourceRef } from '../../model/gcp.js';
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

export function parseIamPolicy(raw: unknown, resource: GcpResourceRef, source: string): GcpIamPolicy {
  const policy = checkShape(policySchema, raw, source, '`get-iam-policy --format=json` output', iamPolicyHint(resource));
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
