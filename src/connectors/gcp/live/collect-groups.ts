/**
 * `<dir>/gcp/groups.json` for a collection: the members of every group that holds a binding in
 * the allow policies written (projects, folders, organizations), read from the Cloud Identity
 * Groups API (cloud-identity.ts), nested groups followed. Without it, service accounts that get a
 * role through a group are not credited with it. A group that cannot be read is a run warning
 * naming it: its members are then not known, and the grants it holds are not credited to them.
 */

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compareText } from '../../../model/compare-text.js';
import { expandGroups } from './cloud-identity.js';
import { writeJson, type RunContext } from './collect-context.js';
import { describe, gcpError } from './errors.js';

/** Every `group:` member of the bindings in the `iam-policy.json` files under `gcpDir`. */
async function groupsInPolicies(gcpDir: string): Promise<string[]> {
  const groups = new Set<string>();
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.name === 'iam-policy.json') {
        const policy = JSON.parse(await readFile(path, 'utf8')) as { bindings?: { members?: unknown[] }[] };
        for (const b of policy.bindings ?? [])
          for (const m of b.members ?? [])
            if (typeof m === 'string' && m.toLowerCase().startsWith('group:')) groups.add(m.slice('group:'.length).toLowerCase());
      }
    }
  };
  await walk(gcpDir);
  return [...groups].sort(compareText);
}

/** Expands the groups the collected policies bind and writes groups.json; returns how many groups it holds. */
export async function collectGroups(run: RunContext): Promise<number> {
  const gcpDir = join(run.opts.outDir, 'gcp');
  const groups = await groupsInPolicies(gcpDir);
  if (groups.length === 0) return 0;
  const expansion = await expandGroups(run.clients, groups, run.rethrowCredentials);
  for (const f of expansion.failed) {
    run.warnings.push({
      code: 'group-membership-unreadable',
      message: `the members of group:${f.group} could not be read from the Cloud Identity Groups API (${describe(gcpError(f.error))}): service accounts in it are not credited with the grants it holds; let the collecting identity view the group's members (a Groups Reader admin role, or the group's "who can view members" setting)`,
    });
  }
  const count = Object.keys(expansion.groups).length;
  if (count > 0) await writeJson(join(gcpDir, 'groups.json'), expansion.groups, run.opts.trackTemp);
  return count;
}
