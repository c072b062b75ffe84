/**
 * Resource Manager v3 through its client library: allow policies (version 3, so conditional
 * bindings and auditConfigs come back whole), the project's ancestry, and the projects below a
 * folder or an organization.
 */

import type { GcpResourceRef } from '../../../model/gcp/policy.js';
import type { GcpClients } from './clients.js';
import { toGcloudJson, type Json } from './gcloud-json.js';

/** gax: no retries of its own; the collection's policy (clients.call) applies to every attempt. */
const NO_GAX_RETRY = { retry: null } as const;

export function resourceName(ref: GcpResourceRef): string {
  return `${ref.type === 'project' ? 'projects' : ref.type === 'folder' ? 'folders' : 'organizations'}/${ref.id}`;
}

/** `get-iam-policy --format=json` of a project, folder or organization, policy version 3. */
export async function getIamPolicy(clients: GcpClients, ref: GcpResourceRef): Promise<Json> {
  const request = { resource: resourceName(ref), options: { requestedPolicyVersion: 3 } };
  let policy: unknown;
  if (ref.type === 'project') {
    [policy] = await clients.call('cloudresourcemanager.projects.getIamPolicy', () => clients.projects().getIamPolicy(request, NO_GAX_RETRY));
  } else if (ref.type === 'folder') {
    [policy] = await clients.call('cloudresourcemanager.folders.getIamPolicy', () => clients.folders().getIamPolicy(request, NO_GAX_RETRY));
  } else {
    [policy] = await clients.call('cloudresourcemanager.organizations.getIamPolicy', () => clients.organizations().getIamPolicy(request, NO_GAX_RETRY));
  }
  // An empty policy still has an etag; `{}` is what gcloud prints for none at all.
  return toGcloudJson(policy) ?? {};
}

function parseParent(parent: string | null | undefined): GcpResourceRef | undefined {
  const m = /^(folders|organizations)\/(\d+)$/.exec(parent ?? '');
  if (!m || !m[2]) return undefined;
  return { type: m[1] === 'folders' ? 'folder' : 'organization', id: m[2] };
}

/** What projects.get says of a project: `name` is `projects/<number>`. */
export interface ProjectInfo {
  name?: string | null;
  projectId?: string | null;
  parent?: string | null;
  state?: string | number | null;
}

/** `projects.get` by id or by number (`GET /v3/projects/{id-or-number}`). */
export async function getProjectInfo(clients: GcpClients, idOrNumber: string): Promise<ProjectInfo> {
  const [project] = await clients.call('cloudresourcemanager.projects.get', () =>
    clients.projects().getProject({ name: `projects/${idOrNumber}` }, NO_GAX_RETRY),
  );
  return project;
}

/** ACTIVE in either encoding gax may decode the enum to. */
export function isActive(state: ProjectInfo['state']): boolean {
  return state === 'ACTIVE' || state === 1;
}

export interface Ancestry {
  /** Project (by id, as `gcloud projects get-ancestors` prints it), then folders, then the organization. */
  chain: GcpResourceRef[];
  projectNumber?: string;
  /** Set when a folder could not be read: the chain stops below it. */
  incompleteAt?: { folder: string; error: unknown };
}

/**
 * `getProject`, then `getFolder` up the chain: the same list `gcloud projects get-ancestors` prints
 * (project id first, then folder numbers, then the organization number).
 */
export async function getAncestry(
  clients: GcpClients,
  projectId: string,
  folderCache: Map<string, string | undefined>,
  known?: ProjectInfo,
): Promise<Ancestry> {
  // A project found through Cloud Asset was already read with projects.get: not read twice.
  const project = known ?? (await getProjectInfo(clients, projectId));
  const chain: GcpResourceRef[] = [{ type: 'project', id: project.projectId ?? projectId }];
  const number = /^projects\/(\d+)$/.exec(project.name ?? '')?.[1];
  let next = parseParent(project.parent);
  for (let guard = 0; next && guard < 20; guard++) {
    chain.push(next);
    if (next.type === 'organization') break;
    const folderId = next.id;
    if (!folderCache.has(folderId)) {
      try {
        const [folder] = await clients.call('cloudresourcemanager.folders.get', () =>
          clients.folders().getFolder({ name: `folders/${folderId}` }, NO_GAX_RETRY),
        );
        folderCache.set(folderId, folder.parent ?? undefined);
      } catch (error) {
        return { chain, ...(number ? { projectNumber: number } : {}), incompleteAt: { folder: folderId, error } };
      }
    }
    next = parseParent(folderCache.get(folderId));
  }
  return { chain, ...(number ? { projectNumber: number } : {}) };
}

export interface ProjectListing {
  projects: string[];
  /** Folders below the root whose children could not be listed. */
  failures: { parent: string; error: unknown }[];
}

/**
 * Every ACTIVE project below a folder or organization: `listProjects` and `listFolders` per level,
 * every page, depth first. A subtree that cannot be listed is reported, not fatal; the root failing
 * is the caller's to decide.
 */
export async function listProjectsBelow(clients: GcpClients, root: string, onProgress?: (found: number) => void): Promise<ProjectListing> {
  const projects: string[] = [];
  const failures: ProjectListing['failures'] = [];
  const walk = async (parent: string, isRoot: boolean): Promise<void> => {
    let children: string[] = [];
    try {
      let pageToken = '';
      do {
        const [list, , response] = await clients.call('cloudresourcemanager.projects.list', () =>
          clients.projects().listProjects({ parent, pageToken, pageSize: 500 }, { ...NO_GAX_RETRY, autoPaginate: false }),
        );
        for (const p of list) if (p.projectId && isActive(p.state)) projects.push(p.projectId);
        pageToken = response?.nextPageToken ?? '';
        onProgress?.(projects.length);
      } while (pageToken);
      pageToken = '';
      do {
        const [list, , response] = await clients.call('cloudresourcemanager.folders.list', () =>
          clients.folders().listFolders({ parent, pageToken, pageSize: 500 }, { ...NO_GAX_RETRY, autoPaginate: false }),
        );
        for (const f of list) if (f.name && (f.state === 'ACTIVE' || f.state === 1)) children.push(f.name);
        pageToken = response?.nextPageToken ?? '';
      } while (pageToken);
    } catch (error) {
      if (isRoot) throw error;
      failures.push({ parent, error });
      children = [];
    }
    for (const child of children) await walk(child, false);
  };
  await walk(root, true);
  return { projects: [...new Set(projects)].sort(), failures };
}
