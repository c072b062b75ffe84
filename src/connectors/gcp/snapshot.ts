/**
 * Loads one GCP project from an offline snapshot directory (layout in docs/gcp.md):
 *
 *   <dir>/gcp/<project-id>/iam-policy.json               required
 *   <dir>/gcp/<project-id>/ancestry.json                 optional (without it only direct grants are known)
 *   <dir>/gcp/folders/<id>/iam-policy.json               for each folder in the ancestry
 *   <dir>/gcp/organizations/<id>/iam-policy.json         for the organization
 *   <dir>/gcp/organizations/<id>/roles/*.json            organization custom roles (also accepted under the project)
 *   <dir>/gcp/<project-id>/service-accounts.json
 *   <dir>/gcp/<project-id>/service-account-keys/*.json
 *   <dir>/gcp/<project-id>/roles/*.json                  custom roles
 *   <dir>/gcp/<project-id>/deny-policies/*.json
 *   <dir>/gcp/groups.json                                optional group membership
 *
 * A file of the wrong shape is an InputError; a missing optional file is a warning in the
 * inventory, so an incomplete snapshot is visible in the report instead of silently narrowing it.
 */

import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../model/errors.js';
import type {
  GcpCustomRole,
  GcpDenyPolicy,
  GcpIamPolicy,
  GcpInventoryWarning,
  GcpProjectInventory,
  GcpResourceRef,
  GcpServiceAccount,
  GcpServiceAccountKey,
} from '../../model/gcp/policy.js';
import { ancestryHint, parseAncestry } from './ancestry.js';
import { parseCustomRoles } from './custom-roles.js';
import { parseDenyPolicies } from './deny-policies.js';
import { parseGroups } from './groups.js';
import { emptyPolicyWarning, iamPolicyHint, parseIamPolicy } from './iam-policy.js';
import { readServiceAccountKeyFile, serviceAccountKeysHint } from './service-account-keys.js';
import { isServiceAgentEmail } from './service-agents.js';
import { parseServiceAccounts, serviceAccountsHint } from './service-accounts.js';
import { readJsonFile } from './validate.js';

/** Folders under `<dir>/gcp/` that are not projects. */
const RESERVED = new Set(['folders', 'organizations']);

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function jsonFilesIn(dir: string): string[] {
  if (!isDirectory(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(dir, f));
}

/** Project ids present in a snapshot: each folder of `<dir>/gcp/` holding an iam-policy.json. */
export function discoverGcpProjects(dir: string): string[] {
  const root = join(dir, 'gcp');
  if (!isDirectory(root)) return [];
  return readdirSync(root)
    .filter((name) => !RESERVED.has(name) && existsSync(join(root, name, 'iam-policy.json')))
    .sort();
}

function levelDir(root: string, ref: GcpResourceRef): string {
  if (ref.type === 'folder') return join(root, 'folders', ref.id);
  if (ref.type === 'organization') return join(root, 'organizations', ref.id);
  return join(root, ref.id);
}

function memberEmail(member: string, prefix: string): string | undefined {
  return member.startsWith(prefix) ? member.slice(prefix.length) : undefined;
}

export function loadGcpProject(dir: string, projectId: string): GcpProjectInventory {
  const root = join(dir, 'gcp');
  const projectDir = join(root, projectId);
  const sources: string[] = [];
  const warnings: GcpInventoryWarning[] = [];
  const project: GcpResourceRef = { type: 'project', id: projectId };

  const policyFile = join(projectDir, 'iam-policy.json');
  if (!existsSync(policyFile)) {
    throw new InputError(`${policyFile}: missing: a GCP project snapshot needs the project's allow policy`, iamPolicyHint(project), {
      file: policyFile,
    });
  }

  let ancestry: GcpResourceRef[] = [project];
  const ancestryFile = join(projectDir, 'ancestry.json');
  if (existsSync(ancestryFile)) {
    ancestry = parseAncestry(readJsonFile(ancestryFile, ancestryHint(projectId)), projectId, ancestryFile);
    sources.push(ancestryFile);
  } else {
    warnings.push({
      code: 'missing-ancestry',
      message: `no ancestry.json for ${projectId}: grants inherited from folders and the organization are not known (${ancestryHint(projectId)})`,
      file: ancestryFile,
    });
  }

  const policies: GcpIamPolicy[] = [];
  for (const ref of ancestry) {
    const file = join(levelDir(root, ref), 'iam-policy.json');
    if (!existsSync(file)) {
      warnings.push({
        code: 'missing-ancestor-policy',
        message: `no allow policy for ${ref.type} ${ref.id}: its grants are not known (${iamPolicyHint(ref)} > ${file})`,
        file,
      });
      continue;
    }
    const policy = parseIamPolicy(readJsonFile(file, iamPolicyHint(ref)), ref, file);
    const empty = emptyPolicyWarning(policy);
    if (empty !== undefined) warnings.push({ code: 'policy-without-bindings', message: empty, file });
    policies.push(policy);
    sources.push(file);
  }

  const accountsFile = join(projectDir, 'service-accounts.json');
  const serviceAccounts: GcpServiceAccount[] = [];
  if (existsSync(accountsFile)) {
    serviceAccounts.push(...parseServiceAccounts(readJsonFile(accountsFile, serviceAccountsHint(projectId)), projectId, accountsFile));
    sources.push(accountsFile);
  } else {
    warnings.push({
      code: 'missing-service-accounts',
      message: `no service-accounts.json for ${projectId}: only accounts named in the project's bindings are known, so an account without grants is missed (${serviceAccountsHint(projectId)})`,
      file: accountsFile,
    });
  }

  // Service agents are never listed, and accounts of other projects can hold roles here: every
  // serviceAccount member of the project's own policy is a principal of this project's audit.
  const known = new Set(serviceAccounts.map((a) => a.email.toLowerCase()));
  const projectPolicy = policies.find((p) => p.resource.type === 'project');
  for (const binding of projectPolicy?.bindings ?? []) {
    for (const member of binding.members) {
      if (member.startsWith('deleted:')) {
        warnings.push({
          code: 'deleted-member',
          message: `binding ${binding.index} (${binding.role}) on ${projectId} names a deleted principal ${member}; it grants nothing`,
          file: projectPolicy?.source,
        });
        continue;
      }
      const email = memberEmail(member, 'serviceAccount:');
      if (email === undefined || known.has(email.toLowerCase())) continue;
      known.add(email.toLowerCase());
      serviceAccounts.push({ email, isDisabled: false, isServiceAgent: isServiceAgentEmail(email, projectId), isListed: false });
    }
  }
  serviceAccounts.sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0));

  // A key file that cannot be read is a warning, not the end of the audit (like a key list
  // `collect gcp` could not fetch): that account's keys are unknown, which the report says — never
  // "no keys".
  const keys: GcpServiceAccountKey[] = [];
  const unreadableKeyFiles: NonNullable<GcpProjectInventory['unreadableKeyFiles']> = [];
  for (const file of jsonFilesIn(join(projectDir, 'service-account-keys'))) {
    const read = readServiceAccountKeyFile(file);
    if (read.isOk) {
      keys.push(...read.keys);
      sources.push(file);
      continue;
    }
    unreadableKeyFiles.push({ file, serviceAccount: read.serviceAccount, reason: read.reason });
    warnings.push({
      code: 'service-account-keys-unreadable',
      message: `not read as a key list (${read.reason}): the keys of ${read.serviceAccount ?? 'the account it was written for (its name does not say which)'} are unknown, so key age and use are not judged for ${read.serviceAccount === null ? 'any account' : 'it'} (${serviceAccountKeysHint})`,
      file,
    });
  }
  for (const key of keys) {
    if (!known.has(key.serviceAccountEmail.toLowerCase())) {
      warnings.push({
        code: 'keys-for-unlisted-account',
        message: `key ${key.keyId} belongs to ${key.serviceAccountEmail}, which service-accounts.json does not list`,
        file: key.source,
      });
    }
  }
  keys.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const customRoles: GcpCustomRole[] = [];
  const roleDirs = [join(projectDir, 'roles'), ...ancestry.filter((r) => r.type === 'organization').map((r) => join(levelDir(root, r), 'roles'))];
  for (const roleDir of roleDirs) {
    for (const file of jsonFilesIn(roleDir)) {
      customRoles.push(...parseCustomRoles(readJsonFile(file, 'see docs/gcp.md'), file));
      sources.push(file);
    }
  }

  const denyPolicies: GcpDenyPolicy[] = [];
  for (const file of jsonFilesIn(join(projectDir, 'deny-policies'))) {
    denyPolicies.push(...parseDenyPolicies(readJsonFile(file, 'see docs/gcp.md'), file));
    sources.push(file);
  }

  const inventory: GcpProjectInventory = {
    provider: 'gcp',
    projectId,
    ancestry,
    policies,
    serviceAccounts,
    keys,
    ...(unreadableKeyFiles.length > 0 ? { unreadableKeyFiles } : {}),
    customRoles,
    denyPolicies,
    warnings,
    sources,
  };
  const groupsFile = join(root, 'groups.json');
  if (existsSync(groupsFile)) {
    inventory.groups = parseGroups(readJsonFile(groupsFile, 'see docs/gcp.md'), groupsFile);
    sources.push(groupsFile);
  }
  return inventory;
}
