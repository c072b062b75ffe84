/**
 * Cloud Asset Inventory over an organization or a folder, in place of a projects.list +
 * folders.list walk of every folder: two paginated searches, each needing one permission at the
 * scope, so they also find projects in folders the scanner cannot list.
 *
 * - `searchAllIamPolicies` (`cloudasset.assets.searchAllIamPolicies`): the projects whose own
 *   allow policy binds at least one service account;
 * - `searchAllResources` (`cloudasset.assets.searchAllResources`) for service accounts: the
 *   projects that host one, even when the account's roles are bound only on a folder, the
 *   organization or another project.
 *
 * The policies found are not written as iam-policy.json: a search result holds only the bindings
 * that match the query, and neither `auditConfigs` nor the policy version — the audit needs the
 * whole policy (projects.getIamPolicy, requestedPolicyVersion 3), which is still read per project.
 * https://cloud.google.com/asset-inventory/docs/reference/rest/v1/TopLevel/searchAllIamPolicies
 */

import type { GcpClients } from './clients.js';

/** Bindings with a `serviceAccount:` principal (the documented `memberTypes` field, as `memberTypes:user`). */
const SERVICE_ACCOUNT_QUERY = 'memberTypes:serviceAccount';

/** Only allow policies set on projects themselves, not on buckets, topics, … inside them. */
const PROJECT_ASSET_TYPE = 'cloudresourcemanager.googleapis.com/Project';

export interface AssetProjectSearch {
  /** Project numbers whose own allow policy binds a service account, sorted. */
  projectNumbers: string[];
  pages: number;
}

function projectNumberOf(result: { project?: string | null; resource?: string | null }): string | undefined {
  return /^projects\/(\d+)$/.exec(result.project ?? '')?.[1] ?? /^\/\/cloudresourcemanager\.googleapis\.com\/projects\/(\d+)$/.exec(result.resource ?? '')?.[1];
}

/** `scope`: `organizations/O` or `folders/F`. Every page (at most 500 results each, the API's cap). */
export async function searchProjectsBindingServiceAccounts(clients: GcpClients, scope: string, pageSize = 500): Promise<AssetProjectSearch> {
  const numbers = new Set<string>();
  let pages = 0;
  let pageToken = '';
  do {
    const [results, , response] = await clients.call('cloudasset.searchAllIamPolicies', () =>
      clients
        .assets()
        .searchAllIamPolicies(
          { scope, query: SERVICE_ACCOUNT_QUERY, assetTypes: [PROJECT_ASSET_TYPE], pageSize, pageToken },
          { retry: null, autoPaginate: false },
        ),
    );
    pages++;
    for (const r of results) {
      const n = projectNumberOf(r);
      if (n) numbers.add(n);
    }
    pageToken = response?.nextPageToken ?? '';
  } while (pageToken);
  return { projectNumbers: [...numbers].sort(), pages };
}

/** Service accounts as Cloud Asset Inventory resources (listed among the searchable asset types). */
const SERVICE_ACCOUNT_ASSET_TYPE = 'iam.googleapis.com/ServiceAccount';

export interface AssetAccountSearch {
  /** Project numbers (or ids, when only the parent's name gives one) that host at least one service account, sorted. */
  projects: string[];
  /** Service accounts found (results read). */
  accounts: number;
  pages: number;
}

/** The project a resource belongs to: `project` (`projects/NUMBER`), else its parent's full resource name. */
function hostProjectOf(result: { project?: string | null; parentFullResourceName?: string | null }): string | undefined {
  return (
    /^projects\/(\d+)$/.exec(result.project ?? '')?.[1] ??
    /^\/\/cloudresourcemanager\.googleapis\.com\/projects\/([a-z0-9-]+)$/.exec(result.parentFullResourceName ?? '')?.[1]
  );
}

/**
 * `searchAllResources` over the scope for `iam.googleapis.com/ServiceAccount`: the projects that
 * host service accounts, whatever their own allow policy binds. An account may hold its roles on a
 * folder, the organization or another project's policy only; permdrift audits an account in its
 * home project, so such a project must be collected although searchAllIamPolicies does not name it.
 * Needs `cloudasset.assets.searchAllResources` at the scope. Every page (at most 500 results each).
 * https://cloud.google.com/asset-inventory/docs/reference/rest/v1/TopLevel/searchAllResources
 */
export async function searchProjectsHostingServiceAccounts(clients: GcpClients, scope: string, pageSize = 500): Promise<AssetAccountSearch> {
  const projects = new Set<string>();
  let accounts = 0;
  let pages = 0;
  let pageToken = '';
  do {
    const [results, , response] = await clients.call('cloudasset.searchAllResources', () =>
      clients.assets().searchAllResources({ scope, assetTypes: [SERVICE_ACCOUNT_ASSET_TYPE], pageSize, pageToken }, { retry: null, autoPaginate: false }),
    );
    pages++;
    for (const r of results) {
      accounts++;
      const p = hostProjectOf(r);
      if (p) projects.add(p);
    }
    pageToken = response?.nextPageToken ?? '';
  } while (pageToken);
  return { projects: [...projects].sort(), accounts, pages };
}
