/**
 * Which projects a `collect gcp` run reads: those named, then the ACTIVE ones below each folder
 * and organization, found through Cloud Asset Inventory (projects whose own allow policy binds a
 * service account, and those that host one) when both of its searches answer, else by the
 * resource-manager walk. Why Asset was not enough, and which projects it found but could not
 * audit, are run warnings; parents the walk could not list are failures.
 */

import { join } from 'node:path';
import { PermdriftError } from '../../../model/errors.js';
import { assertFreshFolder } from '../../shared/fresh-folder.js';
import { mapPool } from '../../shared/pool.js';
import { searchProjectsBindingServiceAccounts, searchProjectsHostingServiceAccounts } from './asset-inventory.js';
import type { RunContext } from './collect-context.js';
import { firstFive, problem, ROLE_HINT } from './collect-problem.js';
import { describe, gcpError, isDenied } from './errors.js';
import { getProjectInfo, isActive, listProjectsBelow, type ProjectInfo } from './resource-manager.js';

const WALK_INSTEAD = 'the projects were listed with resource manager instead (projects.list and folders.list for every folder)';

/** The projects found so far, and the projects.get answers read on the way (by project id). */
interface Found {
  ids: Set<string>;
  known: Map<string, ProjectInfo>;
}

/** The project ids to collect, sorted, each with a folder that holds no snapshot yet; and the projects.get answers already read. */
export async function discoverProjects(run: RunContext): Promise<{ projects: string[]; known: Map<string, ProjectInfo> }> {
  const { opts } = run;
  const found: Found = { ids: new Set(opts.projects), known: new Map() };
  for (const root of [...opts.folders.map((f) => `folders/${f}`), ...opts.organizations.map((o) => `organizations/${o}`)]) {
    if (await viaAsset(run, root, found)) continue;
    await walk(run, root, found.ids);
  }
  const projects = [...found.ids].sort();
  if (projects.length === 0)
    throw new PermdriftError(
      'PROVIDER',
      `no ACTIVE project below ${[...opts.folders, ...opts.organizations].join(', ')}`,
      'check the folder / organization number, or name projects with --project',
    );
  for (const p of projects) await assertFreshFolder(join(opts.outDir, 'gcp', p));
  return { projects, known: found.known };
}

/**
 * Cloud Asset Inventory: the projects whose own allow policy binds a service account
 * (searchAllIamPolicies) and those that host one (searchAllResources), each checked with
 * projects.get. true when that is the whole discovery of `root`; false when the walk must run
 * (a search refused, disabled or failed, or nothing found), with a warning saying why. Projects
 * found before a failure are kept: the walk adds to them.
 */
async function viaAsset(run: RunContext, root: string, found: Found): Promise<boolean> {
  if (run.opts.isAssetInventoryWanted === false) return false;
  run.line(`searching ${root} with Cloud Asset Inventory`);
  const search = await searchAsset(run, root);
  if (!search) return false;
  if (search.numbers.size === 0) {
    if (search.isComplete)
      run.warnings.push({
        code: 'asset-inventory-empty',
        message: `Cloud Asset Inventory found no project below ${root} whose allow policy binds a service account or which hosts one (a new organization may not be indexed yet): the projects were listed with resource manager instead`,
      });
    return false;
  }
  await checkAssetProjects(run, root, [...search.numbers].sort(), found);
  return search.isComplete;
}

/** The project numbers both searches found, and whether the second answered; undefined when the first failed. */
async function searchAsset(run: RunContext, root: string): Promise<{ numbers: Set<string>; isComplete: boolean } | undefined> {
  const { clients, opts } = run;
  const numbers = new Set<string>();
  try {
    for (const n of (await searchProjectsBindingServiceAccounts(clients, root, opts.assetPageSize)).projectNumbers) numbers.add(n);
  } catch (err) {
    run.rethrowCredentials(err);
    run.warnings.push({
      code: 'asset-inventory-unavailable',
      message: problem(`Cloud Asset Inventory searchAllIamPolicies on ${root}`, 'cloudasset.assets.searchAllIamPolicies', WALK_INSTEAD, err),
    });
    return undefined;
  }
  // A project whose policy binds no service account may still host accounts that hold roles on
  // a folder, the organization or other projects: they are audited in their home project.
  let isComplete = true;
  try {
    for (const p of (await searchProjectsHostingServiceAccounts(clients, root, opts.assetPageSize)).projects) numbers.add(p);
  } catch (err) {
    run.rethrowCredentials(err);
    run.warnings.push({
      code: 'asset-inventory-unavailable',
      message: problem(
        `Cloud Asset Inventory searchAllResources (service accounts) on ${root}`,
        'cloudasset.assets.searchAllResources',
        `projects that host service accounts but whose own policy binds none would be missed, so ${WALK_INSTEAD}, in addition to the ${numbers.size} project(s) searchAllIamPolicies found`,
        err,
      ),
    });
    isComplete = false;
  }
  return { numbers, isComplete };
}

/**
 * Resource manager names each project (Asset gives numbers) and says whether it is ACTIVE; the
 * answer is kept for the project's ancestry, so no project is read twice. Those not audited are
 * one warning per reason.
 */
async function checkAssetProjects(run: RunContext, root: string, numbers: string[], found: Found): Promise<void> {
  const skipped = new Map<string, string[]>();
  const skip = (why: string, what: string): void => void skipped.set(why, [...(skipped.get(why) ?? []), what]);
  let done = 0;
  await mapPool(numbers, run.opts.concurrency ?? 8, async (n) => {
    try {
      const info = await getProjectInfo(run.clients, n);
      const id = info.projectId ?? undefined;
      if (!id) skip('resource manager returned no project id', n);
      else if (!isActive(info.state)) skip(`resource manager reports it ${String(info.state ?? 'in no state')} (not ACTIVE)`, `${id} (${n})`);
      else {
        found.ids.add(id);
        found.known.set(id, info);
      }
    } catch (err) {
      run.rethrowCredentials(err);
      skip(problem('resource manager cannot read it (projects.get)', 'resourcemanager.projects.get', 'not audited', err), n);
    }
    run.line(`${root}: ${++done}/${numbers.length} project(s) found by Cloud Asset Inventory`);
  });
  for (const [why, list] of [...skipped].sort(([a], [b]) => (a < b ? -1 : 1))) {
    run.warnings.push({
      code: 'asset-project-skipped',
      message: `${list.length} project(s) found by Cloud Asset Inventory below ${root} but not audited: ${why}: ${firstFive(list.sort())}`,
    });
  }
}

/** The resource-manager walk below `root`: every ACTIVE project; a parent that cannot be listed is a failure, `root` itself ends the run. */
async function walk(run: RunContext, root: string, ids: Set<string>): Promise<void> {
  run.line(`listing projects below ${root}`);
  try {
    const listing = await listProjectsBelow(run.clients, root, (n) => run.line(`listing projects below ${root}: ${n} found`));
    for (const p of listing.projects) ids.add(p);
    for (const f of listing.failures) {
      run.rethrowCredentials(f.error);
      run.failed.push({
        project: f.parent,
        code: 'projects-unlisted',
        message: problem(
          `projects below ${f.parent} could not be listed`,
          'resourcemanager.projects.list, resourcemanager.folders.list',
          'they were not audited',
          f.error,
        ),
      });
    }
  } catch (err) {
    run.rethrowCredentials(err);
    throw new PermdriftError(
      isDenied(gcpError(err)) ? 'ACCESS_DENIED' : 'PROVIDER',
      `cannot list the projects below ${root}: ${describe(gcpError(err))}`,
      `${ROLE_HINT} on ${root} (resourcemanager.projects.list, resourcemanager.folders.list), or name projects with --project`,
      { cause: err },
    );
  }
}
