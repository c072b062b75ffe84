/**
 * What the projects of one `collect gcp` run share: the answers read once per run (projects found
 * through Cloud Asset Inventory, folder parents, ancestors' allow policies, organization roles,
 * deny policies of folders and the organization), so that no level is read twice.
 */

import type { Json } from './gcloud-json.js';
import type { ProjectInfo } from './resource-manager.js';

/** Shared across the projects of one run: each folder / organization is read once. */
export interface RunCache {
  /** projects.get answers already read (projects found through Cloud Asset Inventory), by project id. */
  projects: Map<string, ProjectInfo>;
  folderParents: Map<string, string | undefined>;
  /** resource name → policy, or the failure message. */
  policies: Map<string, Promise<{ policy?: Json; error?: unknown }>>;
  orgRoles: Map<string, Promise<{ error?: unknown }>>;
  denies: Map<string, Promise<{ policies?: [string, Json][]; error?: unknown }>>;
}
