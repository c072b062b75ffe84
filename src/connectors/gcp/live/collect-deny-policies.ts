/**
 * The deny policies of one project: those attached at every level of its ancestry (the project,
 * each folder, the organization), all written into the project's `deny-policies/` where the
 * reader takes them from. A level's list is read once per run; the source is recorded as read
 * only when every level answered, since a partial list proves no absence of a deny.
 */

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { GcpResourceRef } from '../../../model/gcp/policy.js';
import { writeFileAtomic } from '../../shared/atomic-file.js';
import type { ProjectContext } from './collect-context.js';
import { problem } from './collect-problem.js';
import { stringify } from './gcloud-json.js';
import { listDenyPolicies } from './iam.js';
import { resourceName } from './resource-manager.js';

export async function collectDenyPolicies(ctx: ProjectContext, ancestry: GcpResourceRef[], progress: (m: string) => void, readAt: Date): Promise<void> {
  // Deny policies at every attachment point of the ancestry; the reader takes them all from the project folder.
  progress('deny policies');
  let isDenyComplete = true;
  const denyDir = join(ctx.projectDir, 'deny-policies');
  for (const ref of ancestry) {
    const key = resourceName(ref);
    let pending = ctx.cache.denies.get(key);
    if (!pending || ref.type === 'project') {
      pending = listDenyPolicies(ctx.clients, ref).then(
        (policies) => ({ policies }),
        (error: unknown) => ({ error }),
      );
      ctx.cache.denies.set(key, pending);
    }
    const r = await pending;
    if (r.policies) {
      if (r.policies.length > 0) await mkdir(denyDir, { recursive: true });
      for (const [id, policy] of r.policies) {
        const prefix = ref.type === 'project' ? '' : `${ref.type}-${ref.id}-`;
        await writeFileAtomic(join(denyDir, `${prefix}${id}.json`), stringify(policy), ctx.opts.trackTemp);
      }
    } else {
      ctx.rethrowCredentials(r.error);
      isDenyComplete = false;
      ctx.warn(
        'deny-policies-unreadable',
        problem(`deny policies attached to ${key}`, 'iam.denypolicies.list, iam.denypolicies.get', 'permissions they deny may be reported as granted', r.error),
      );
    }
  }
  // Read as of then only when every attachment point answered: a partial list proves no absence.
  if (isDenyComplete) ctx.manifest.sourceRead('deny-policies', readAt);
}
