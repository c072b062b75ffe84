/**
 * Reads the project's ancestry: `gcloud projects get-ancestors P --format=json` writes a list
 * `[{id, type}]` from the project up to the organization; the API's `projects.getAncestry`
 * response (`{ancestor: [{resourceId: {type, id}}]}`, as gcpdiag's test data has it) is accepted too.
 */

import { z } from 'zod';
import { InputError } from '../../model/errors.js';
import type { GcpResourceRef } from '../../model/gcp/policy.js';
import { checkShape } from './validate.js';

const typeSchema = z.enum(['project', 'folder', 'organization']);
const refSchema = z.object({ id: z.string().min(1), type: typeSchema });

const ancestrySchema = z.union([z.array(refSchema), z.object({ ancestor: z.array(z.object({ resourceId: refSchema })) })]);

export function ancestryHint(projectId: string): string {
  return `write it with \`gcloud projects get-ancestors ${projectId} --format=json > ancestry.json\``;
}

export function parseAncestry(raw: unknown, projectId: string, source: string): GcpResourceRef[] {
  const parsed = checkShape(ancestrySchema, raw, source, '`gcloud projects get-ancestors --format=json` output', ancestryHint(projectId));
  const refs = Array.isArray(parsed) ? parsed : parsed.ancestor.map((a) => a.resourceId);
  const chain = refs.map((r) => ({ type: r.type, id: r.id }));
  const first = chain[0];
  // The chain must start at the audited project, or every inherited grant would be attributed to the wrong place.
  if (first === undefined || first.type !== 'project' || first.id !== projectId) {
    throw new InputError(
      `${source}: [0]: expected the project ${projectId} first, found ${first ? `${first.type} ${first.id}` : 'an empty list'}`,
      ancestryHint(projectId),
      { file: source },
    );
  }
  return chain;
}
