/**
 * Cloud Asset Inventory `searchAllIamPolicies` over an organization or a folder: which projects'
 * own allow policies bind at least one service account, in one paginated call instead of a
 * projects.list + folders.list walk of every folder. The search needs one permission at the scope
 * (`cloudasset.assets.searchAllIamPolicies`), so it also finds projects in folders the scanner
 * cannot list.
 *
 * Its policies are not written as iam-policy.json: a search result holds only the bindings that
 * match the query, and neither `auditConfigs` nor the policy version — the audit needs the whole
 * policy (projects.getIamPolicy, requestedPolicyVersion 3), which is still read per project.
 * https://cloud.google.com/asset-inventory/docs/reference/rest/v1/TopLevel/searchAllIamPolicies
 */

import type { GcpClients } from './clients.js';

/** Bindings with a `serviceAccount:` principal (the documented `memberTypes` field, as `memberTypes:user`). */
export const SERVICE_ACCOUNT_QUERY = 'memberTypes:serviceAccount';

/** Only allow policies set on projects themselves, not on buckets, topics, … inside them. */
export const PROJECT_ASSET_TYPE = 'cloudresourcemanager.googleapis.com/Project';

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
      clients.assets().searchAllIamPolicies(
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
