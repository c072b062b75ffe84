/**
 * The inventory of one project: its service accounts and their keys, the custom roles its
 * bindings use, and the deny policies attached at every level of its ancestry. Each source is
 * recorded as read only when it was read whole; a failure is a warning that says what it costs.
 */

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { GcpResourceRef } from '../../../model/gcp/policy.js';
import { mapPool } from '../../shared/pool.js';
import type { GcpClients } from './clients.js';
import { gcpError, isNotFound } from './errors.js';
import { stringify, type Json } from './gcloud-json.js';
import { customRolesUsed, getRole, listDenyPolicies, listKeys, listServiceAccounts } from './iam.js';
import { resourceName } from './resource-manager.js';
import type { ManifestRecorder } from '../../shared/collect-manifest-recorder.js';
import { writeFileAtomic } from '../../shared/atomic-file.js';
import type { CollectGcpOptions } from './collect.js';
import type { RunCache } from './collect-context.js';
import { problem } from './collect-problem.js';

export async function collectInventory(
  clients: GcpClients,
  opts: CollectGcpOptions,
  projectId: string,
  projectDir: string,
  root: string,
  ancestry: GcpResourceRef[],
  policies: Json[],
  cache: RunCache,
  warn: (code: string, message: string) => void,
  rethrowCredentials: (err: unknown) => void,
  progress: (m: string) => void,
  manifest: ManifestRecorder,
  readAt: Date,
): Promise<number> {
  const concurrency = opts.concurrency ?? 8;
  progress('service accounts');
  let emails: string[] = [];
  try {
    const accounts = await listServiceAccounts(clients, projectId, opts.serviceAccountPageSize ?? 100);
    await writeFileAtomic(join(projectDir, 'service-accounts.json'), stringify(accounts), opts.trackTemp);
    manifest.sourceRead('service-accounts', readAt);
    emails = accounts.flatMap((a) => (typeof a === 'object' && a !== null && !Array.isArray(a) && typeof a['email'] === 'string' ? [a['email']] : [])).sort();
  } catch (err) {
    rethrowCredentials(err);
    warn(
      'service-accounts-unreadable',
      problem(`service accounts of ${projectId}`, 'iam.serviceAccounts.list', 'only accounts named in bindings are audited, and their keys are not read', err),
    );
  }

  const keysDir = join(projectDir, 'service-account-keys');
  if (emails.length > 0) await mkdir(keysDir, { recursive: true });
  let keysDone = 0;
  let keysWritten = 0;
  const keyFailures = new Map<string, string[]>();
  await mapPool(emails, concurrency, async (email) => {
    try {
      const keys = await listKeys(clients, projectId, email);
      await writeFileAtomic(join(keysDir, `${email}.json`), stringify(keys), opts.trackTemp);
      keysWritten++;
    } catch (err) {
      rethrowCredentials(err);
      const key = problem('keys', 'iam.serviceAccountKeys.list', 'key age and use are not judged for these accounts', err);
      keyFailures.set(key, [...(keyFailures.get(key) ?? []), email]);
    }
    progress(`keys ${++keysDone}/${emails.length} accounts`);
  });
  if (keysWritten > 0) manifest.sourceRead('service-account-keys', readAt);
  // One warning per kind of failure, not one per account.
  for (const [message, list] of keyFailures) {
    warn(
      'service-account-keys-unreadable',
      `${message} (${list.length} account(s): ${list.slice(0, 5).join(', ')}${list.length > 5 ? ` and ${list.length - 5} more` : ''})`,
    );
  }

  // Custom roles the bindings use: project roles under the project, organization roles once per run.
  const roles = customRolesUsed(policies);
  progress(`custom roles (${roles.length})`);
  let rolesWritten = 0;
  await mapPool(roles, concurrency, async (name) => {
    const [kind, owner, , roleId] = name.split('/');
    if (!owner || !roleId) return;
    const fetchInto = async (file: string): Promise<{ error?: unknown }> => {
      try {
        await mkdir(join(file, '..'), { recursive: true });
        await writeFileAtomic(file, stringify(await getRole(clients, name)), opts.trackTemp);
        return {};
      } catch (error) {
        return { error };
      }
    };
    let r: { error?: unknown };
    if (kind === 'organizations') {
      let pending = cache.orgRoles.get(name);
      if (!pending) {
        pending = fetchInto(join(root, 'organizations', owner, 'roles', `${roleId}.json`));
        cache.orgRoles.set(name, pending);
      }
      r = await pending;
    } else {
      r = await fetchInto(join(projectDir, 'roles', owner === projectId ? `${roleId}.json` : `${owner}.${roleId}.json`));
    }
    if (r.error === undefined) rolesWritten++;
    else {
      rethrowCredentials(r.error);
      const info = gcpError(r.error);
      if (isNotFound(info))
        warn('custom-role-missing', `custom role ${name} is used by a binding but does not exist (deleted more than 7 days ago?): the binding grants nothing`);
      else warn('custom-role-unreadable', problem(`custom role ${name}`, 'iam.roles.get', 'bindings to it count for nothing in the audit', r.error));
    }
  });

  if (rolesWritten > 0) manifest.sourceRead('roles', readAt);
  // Deny policies at every attachment point of the ancestry; the reader takes them all from the project folder.
  progress('deny policies');
  let isDenyComplete = true;
  const denyDir = join(projectDir, 'deny-policies');
  for (const ref of ancestry) {
    const key = resourceName(ref);
    let pending = cache.denies.get(key);
    if (!pending || ref.type === 'project') {
      pending = listDenyPolicies(clients, ref).then(
        (policies) => ({ policies }),
        (error: unknown) => ({ error }),
      );
      cache.denies.set(key, pending);
    }
    const r = await pending;
    if (r.policies) {
      if (r.policies.length > 0) await mkdir(denyDir, { recursive: true });
      for (const [id, policy] of r.policies) {
        const prefix = ref.type === 'project' ? '' : `${ref.type}-${ref.id}-`;
        await writeFileAtomic(join(denyDir, `${prefix}${id}.json`), stringify(policy), opts.trackTemp);
      }
    } else {
      rethrowCredentials(r.error);
      isDenyComplete = false;
      warn(
        'deny-policies-unreadable',
        problem(`deny policies attached to ${key}`, 'iam.denypolicies.list, iam.denypolicies.get', 'permissions they deny may be reported as granted', r.error),
      );
    }
  }
  // Read as of then only when every attachment point answered: a partial list proves no absence.
  if (isDenyComplete) manifest.sourceRead('deny-policies', readAt);
  return emails.length;
}
