/**
 * IAM: service accounts and their keys and custom roles through the IAM v1 REST API (no Node 20
 * client library covers it), deny policies through the IAM v2 client library. Each result is
 * written in the shape the matching gcloud command prints.
 */

import type { GcpResourceRef } from '../../../model/gcp/policy.js';
import type { GcpClients } from './clients.js';
import { toGcloudJson, type Json } from './gcloud-json.js';
import { resourceName } from './resource-manager.js';
import { nullRecord } from '../../../model/own-keys.js';

interface ServiceAccountPage {
  accounts?: Json[];
  nextPageToken?: string;
}

/** `gcloud iam service-accounts list --project P --format=json`: every page, one list. */
export async function listServiceAccounts(clients: GcpClients, projectId: string, pageSize = 100): Promise<Json[]> {
  const accounts: Json[] = [];
  let pageToken: string | undefined;
  do {
    const page: ServiceAccountPage = await clients.rest<ServiceAccountPage>(
      'iam.projects.serviceAccounts.list',
      'iam',
      `/v1/projects/${encodeURIComponent(projectId)}/serviceAccounts`,
      {
        query: { pageSize: String(pageSize), pageToken },
      },
    );
    accounts.push(...(page.accounts ?? []));
    pageToken = page.nextPageToken || undefined;
  } while (pageToken);
  return accounts;
}

/** `gcloud iam service-accounts keys list --iam-account EMAIL --format=json`: user- and system-managed keys. */
export async function listKeys(clients: GcpClients, projectId: string, email: string): Promise<Json[]> {
  const r = await clients.rest<{ keys?: Json[] }>(
    'iam.projects.serviceAccounts.keys.list',
    'iam',
    `/v1/projects/${encodeURIComponent(projectId)}/serviceAccounts/${encodeURIComponent(email)}/keys`,
  );
  return r.keys ?? [];
}

/** `gcloud iam roles describe`: `name` is `projects/P/roles/R` or `organizations/O/roles/R`. */
export async function getRole(clients: GcpClients, name: string): Promise<Json> {
  const operation = name.startsWith('organizations/') ? 'iam.organizations.roles.get' : 'iam.projects.roles.get';
  const path = name.split('/').map(encodeURIComponent).join('/');
  return clients.rest<Json>(operation, 'iam', `/v1/${path}`);
}

/** The custom roles a set of policies uses, by full name. */
export function customRolesUsed(policies: Json[]): string[] {
  const names = new Set<string>();
  for (const p of policies) {
    if (typeof p !== 'object' || p === null || Array.isArray(p)) continue;
    const bindings = p['bindings'];
    if (!Array.isArray(bindings)) continue;
    for (const b of bindings) {
      if (typeof b !== 'object' || b === null || Array.isArray(b)) continue;
      const role = b['role'];
      if (typeof role === 'string' && /^(projects|organizations)\/[^/]+\/roles\/[^/]+$/.test(role)) names.add(role);
    }
  }
  return [...names].sort();
}

/** `policies/cloudresourcemanager.googleapis.com%2Fprojects%2FP/denypolicies`, as the IAM v2 API names an attachment point. */
function denyPoliciesParent(ref: GcpResourceRef): string {
  return `policies/${encodeURIComponent(`cloudresourcemanager.googleapis.com/${resourceName(ref)}`)}/denypolicies`;
}

/**
 * `gcloud iam policies list` then `get` for each: the list omits rules, so every policy is read once
 * more. Returns `[id, policy]` pairs.
 */
export async function listDenyPolicies(clients: GcpClients, ref: GcpResourceRef): Promise<[string, Json][]> {
  const parent = denyPoliciesParent(ref);
  const names: string[] = [];
  let pageToken = '';
  do {
    const [list, , response] = await clients.call('iam.policies.listPolicies', () =>
      clients.policies().listPolicies({ parent, pageToken, pageSize: 1000 }, { retry: null, autoPaginate: false }),
    );
    for (const p of list) if (p.name) names.push(p.name);
    pageToken = response?.nextPageToken ?? '';
  } while (pageToken);
  const out: [string, Json][] = [];
  for (const name of names) {
    const [policy] = await clients.call('iam.policies.get', () => clients.policies().getPolicy({ name }, { retry: null }));
    out.push([name.split('/').pop() ?? name, toGcloudJson(policy) ?? {}]);
  }
  return out;
}

interface RolePage {
  roles?: Json[];
  nextPageToken?: string;
}

/**
 * Every predefined (and basic) role with its permissions: IAM v1 `roles.list` with no parent and
 * `view=FULL` (the BASIC view omits `includedPermissions`), every page of at most 1,000.
 * https://cloud.google.com/iam/docs/reference/rest/v1/roles/list
 */
export async function listPredefinedRoles(clients: GcpClients, pageSize = 1000, onPage?: (roles: number) => void): Promise<Record<string, string[]>> {
  const roles = nullRecord<string[]>();
  let pageToken: string | undefined;
  do {
    const page: RolePage = await clients.rest<RolePage>('iam.roles.list', 'iam', '/v1/roles', {
      query: { view: 'FULL', pageSize: String(pageSize), pageToken },
    });
    for (const r of page.roles ?? []) {
      if (typeof r !== 'object' || r === null || Array.isArray(r)) continue;
      const name = r['name'];
      if (typeof name !== 'string' || !name.startsWith('roles/')) continue;
      const perms = r['includedPermissions'];
      roles[name] = Array.isArray(perms) ? [...new Set(perms.filter((p): p is string => typeof p === 'string'))].sort() : [];
    }
    onPage?.(Object.keys(roles).length);
    pageToken = page.nextPageToken || undefined;
  } while (pageToken);
  return roles;
}
