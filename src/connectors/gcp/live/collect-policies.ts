/**
 * The allow policies one project is audited under: its own (`iam-policy.json`, the one required
 * file: without it the project fails), its ancestry (`ancestry.json`: folders up to the
 * organization), and the allow policy of each ancestor, written once per run under
 * `<outDir>/gcp/folders/` and `organizations/`. A level that cannot be read is a warning that
 * the grants inherited from it are not known.
 */

import { join } from 'node:path';
import type { GcpResourceRef } from '../../../model/gcp/policy.js';
import { writeJson, type ProjectContext } from './collect-context.js';
import { problem } from './collect-problem.js';
import type { Json } from './gcloud-json.js';
import { getAncestry, getIamPolicy, resourceName } from './resource-manager.js';

export interface AllowPolicies {
  /** The project first, then its folders and its organization, as far as they were read. */
  ancestry: GcpResourceRef[];
  /** The project's policy first, then each ancestor's that could be read. */
  policies: Json[];
}

function levelDir(root: string, ref: GcpResourceRef): string {
  if (ref.type === 'folder') return join(root, 'folders', ref.id);
  if (ref.type === 'organization') return join(root, 'organizations', ref.id);
  return join(root, ref.id);
}

export async function collectAllowPolicies(ctx: ProjectContext, progress: (m: string) => void): Promise<AllowPolicies> {
  // The project's own allow policy: the one required file. Its failure fails the project.
  progress('allow policy');
  const projectRef: GcpResourceRef = { type: 'project', id: ctx.projectId };
  const policyAt = ctx.now();
  const projectPolicy = await getIamPolicy(ctx.clients, projectRef);
  await writeJson(join(ctx.projectDir, 'iam-policy.json'), projectPolicy, ctx.opts.trackTemp);
  ctx.manifest.sourceRead('iam-policy', policyAt);

  // Ancestry, and the allow policy of each folder and the organization (each read once per run).
  progress('ancestry');
  const ancestry = await collectAncestry(ctx, projectRef);
  return { ancestry, policies: [projectPolicy, ...(await collectAncestorPolicies(ctx, ancestry.slice(1)))] };
}

/** The project's chain of levels; just the project when its ancestry cannot be read. */
async function collectAncestry(ctx: ProjectContext, projectRef: GcpResourceRef): Promise<GcpResourceRef[]> {
  const { projectId } = ctx;
  let ancestry: GcpResourceRef[] = [projectRef];
  try {
    const at = ctx.now();
    const a = await getAncestry(ctx.clients, projectId, ctx.cache.folderParents, ctx.cache.projects.get(projectId));
    ancestry = a.chain;
    await writeJson(
      join(ctx.projectDir, 'ancestry.json'),
      a.chain.map((r) => ({ id: r.id, type: r.type })),
      ctx.opts.trackTemp,
    );
    ctx.manifest.sourceRead('ancestry', at);
    if (a.incompleteAt) {
      ctx.rethrowCredentials(a.incompleteAt.error);
      ctx.warn(
        'ancestry-incomplete',
        problem(
          `folder ${a.incompleteAt.folder} (a parent of ${projectId})`,
          'resourcemanager.folders.get',
          'the ancestry stops there: grants on the levels above it are not known',
          a.incompleteAt.error,
        ),
      );
    }
  } catch (err) {
    ctx.rethrowCredentials(err);
    ctx.warn(
      'ancestry-unreadable',
      problem(`ancestry of ${projectId}`, 'resourcemanager.projects.get', 'grants inherited from folders and the organization are not known', err),
    );
  }
  return ancestry;
}

/** The allow policies of the ancestors that could be read, in the ancestry's order. */
async function collectAncestorPolicies(ctx: ProjectContext, ancestors: GcpResourceRef[]): Promise<Json[]> {
  const policies: Json[] = [];
  for (const ref of ancestors) {
    const name = resourceName(ref);
    let pending = ctx.cache.policies.get(name);
    if (!pending) {
      pending = getIamPolicy(ctx.clients, ref).then(
        async (policy) => {
          await writeJson(join(levelDir(ctx.root, ref), 'iam-policy.json'), policy, ctx.opts.trackTemp);
          return { policy };
        },
        (error: unknown) => ({ error }),
      );
      ctx.cache.policies.set(name, pending);
    }
    const r = await pending;
    if (r.policy !== undefined) policies.push(r.policy);
    else {
      ctx.rethrowCredentials(r.error);
      ctx.warn(
        'ancestor-policy-unreadable',
        problem(
          `allow policy of ${ref.type} ${ref.id}`,
          `resourcemanager.${ref.type === 'folder' ? 'folders' : 'organizations'}.getIamPolicy`,
          `grants inherited from it are not known to the audit of ${ctx.projectId}`,
          r.error,
        ),
      );
    }
  }
  return policies;
}
