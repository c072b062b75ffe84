/**
 * IAM roles: the predefined roles, read once per run (`<outDir>/gcp/predefined-roles.json`, which
 * the scan prefers to the bundled snapshot), and the custom roles one project's bindings use,
 * project roles under the project and organization roles once per run under the organization.
 * A custom role that cannot be read grants nothing in the audit, and a warning says so.
 */

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../shared/atomic-file.js';
import { mapPool } from '../../shared/pool.js';
import { PREDEFINED_ROLES_FILE, predefinedRolesText } from '../predefined-roles.js';
import type { CollectGcpResult } from './collect.js';
import type { ProjectContext, RunContext } from './collect-context.js';
import { problem } from './collect-problem.js';
import { gcpError, isNotFound } from './errors.js';
import { stringify, type Json } from './gcloud-json.js';
import { customRolesUsed, getRole, listPredefinedRoles } from './iam.js';

/** IAM roles.list (view FULL) of this run, in the shape of data/gcp/roles.json; undefined (and a run warning) when it fails. */
export async function collectPredefinedRoles(run: RunContext): Promise<CollectGcpResult['predefinedRoles']> {
  const { opts } = run;
  run.line('predefined roles (IAM roles.list)');
  try {
    const roles = await listPredefinedRoles(run.clients, opts.rolePageSize ?? 1000, (n) => run.line(`predefined roles (IAM roles.list): ${n}`));
    const collectedAt = (opts.now ?? (() => new Date()))().toISOString();
    const file = join(opts.outDir, 'gcp', PREDEFINED_ROLES_FILE);
    await mkdir(join(opts.outDir, 'gcp'), { recursive: true });
    await writeFileAtomic(file, predefinedRolesText(`IAM roles.list (view FULL) of ${collectedAt}`, collectedAt, roles), opts.trackTemp);
    return { roles: Object.keys(roles).length, file, collectedAt };
  } catch (err) {
    run.rethrowCredentials(err);
    run.warnings.push({
      code: 'predefined-roles-unreadable',
      message: problem(
        'predefined roles (IAM roles.list, view FULL)',
        'iam.roles.list',
        'the scan uses the bundled snapshot of predefined roles (data/gcp/roles.json), which may lag behind Google',
        err,
      ),
    });
    return undefined;
  }
}

/** Custom roles the bindings use: project roles under the project, organization roles once per run. */
export async function collectCustomRoles(ctx: ProjectContext, policies: Json[], progress: (m: string) => void, readAt: Date): Promise<void> {
  const { projectId } = ctx;
  const roles = customRolesUsed(policies);
  progress(`custom roles (${roles.length})`);
  let rolesWritten = 0;
  await mapPool(roles, ctx.opts.concurrency ?? 8, async (name) => {
    const [kind, owner, , roleId] = name.split('/');
    if (!owner || !roleId) return;
    let r: { error?: unknown };
    if (kind === 'organizations') {
      let pending = ctx.cache.orgRoles.get(name);
      if (!pending) {
        pending = fetchRole(ctx, name, join(ctx.root, 'organizations', owner, 'roles', `${roleId}.json`));
        ctx.cache.orgRoles.set(name, pending);
      }
      r = await pending;
    } else {
      r = await fetchRole(ctx, name, join(ctx.projectDir, 'roles', owner === projectId ? `${roleId}.json` : `${owner}.${roleId}.json`));
    }
    if (r.error === undefined) rolesWritten++;
    else {
      ctx.rethrowCredentials(r.error);
      const info = gcpError(r.error);
      if (isNotFound(info))
        ctx.warn(
          'custom-role-missing',
          `custom role ${name} is used by a binding but does not exist (deleted more than 7 days ago?): the binding grants nothing`,
        );
      else ctx.warn('custom-role-unreadable', problem(`custom role ${name}`, 'iam.roles.get', 'bindings to it count for nothing in the audit', r.error));
    }
  });
  if (rolesWritten > 0) ctx.manifest.sourceRead('roles', readAt);
}

/** iam.roles.get of `name` into `file` (its folder made first); the error, if any, as a value. */
async function fetchRole(ctx: ProjectContext, name: string, file: string): Promise<{ error?: unknown }> {
  try {
    await mkdir(join(file, '..'), { recursive: true });
    await writeFileAtomic(file, stringify(await getRole(ctx.clients, name)), ctx.opts.trackTemp);
    return {};
  } catch (error) {
    return { error };
  }
}
