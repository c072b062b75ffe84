/**
 * `collect gcp`: reads projects through the Google Cloud APIs and writes them in the offline
 * snapshot layout of docs/gcp.md, so a live scan is a collection followed by the same `scan files`
 * code path and the snapshot can be replayed. Every call is a read (docs/gcp-readonly-role.json).
 *
 * Partial failure is data: a project that cannot be read, an API that is disabled, a permission
 * that is missing become warnings in `collect-warnings.json` (the shape `collect aws` writes), and
 * unread audit logs carry codes that mark a coverage gap, so missing logs never read as no usage.
 *
 * Each project folder has `collect-manifest.json` (../../shared/collect-manifest-recorder.ts): when each
 * file was read, and per audit log which span was read in full and which was not. Admin Activity
 * is always written, yet a listing or an export proves only the span that was read; the offline
 * reader takes each log's coverage from it (engine/gcp/coverage.ts). It is written first with
 * `complete: false` and last with `complete: true`; every other file takes its final name only
 * when whole (../../shared/atomic-file.ts), so an interrupted collection leaves whole files and a
 * manifest that says it did not finish.
 */

import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PermdriftError, UsageError } from '../../../model/errors.js';
import type { GcpResourceRef } from '../../../model/gcp/policy.js';
import type { ReportWarning } from '../../../model/report.js';
import { mapPool } from '../../shared/pool.js';
import { PREDEFINED_ROLES_FILE, predefinedRolesText } from '../predefined-roles.js';
import { GcpClients, type GcpCaller, type GcpClientOptions } from './clients.js';
import { credentialsError, describe, gcpError, isCredentialsError, isDenied } from './errors.js';
import { stringify, type Json } from './gcloud-json.js';
import { listPredefinedRoles } from './iam.js';
import { getAncestry, getIamPolicy, getProjectInfo, isActive, listProjectsBelow, resourceName, type ProjectInfo } from './resource-manager.js';
import { searchProjectsBindingServiceAccounts, searchProjectsHostingServiceAccounts } from './asset-inventory.js';
import { parseGcsUrl, type GcsLocation } from './sink-export.js';
import { ManifestFile, ManifestRecorder } from '../../shared/collect-manifest-recorder.js';
import { writeFileAtomic, type TempTracker } from '../../shared/atomic-file.js';
import { isCallTimeout, TIMEOUT_HINT, type CallTimeouts } from '../../shared/call-timeouts.js';
import { collectActivity } from './collect-activity.js';
import { collectAuditLogs } from './collect-audit-logs.js';
import type { RunCache } from './collect-context.js';
import { collectInventory } from './collect-inventory.js';
import { problem, ROLE_HINT } from './collect-problem.js';

const COLLECT_WARNINGS_FILE = 'collect-warnings.json';

export interface CollectGcpOptions {
  /** The snapshot folder; each project lands in `<outDir>/gcp/<project-id>/`. */
  outDir: string;
  projects: string[];
  /**
   * Folder numbers: the ACTIVE projects below each whose own allow policy binds a service account
   * or which host one (Cloud Asset Inventory), or every ACTIVE project (the resource-manager walk)
   * when either Asset search is refused, disabled or fails, or Asset is not wanted.
   */
  folders: string[];
  /** Organization numbers: as folders. */
  organizations: string[];
  /** false: list the projects below folders and organizations with resource manager only. */
  isAssetInventoryWanted?: boolean;
  assetPageSize?: number;
  impersonateServiceAccount?: string;
  windowStart: Date;
  asOf: Date;
  /** `api` = Logging entries.list; `none`; or `gs://bucket/prefix` of a sink export. */
  auditLogs: string;
  isActivityWanted?: boolean;
  endpoint?: string;
  maxAttempts?: number;
  backoff?: { initialMs: number; maxMs: number };
  loggingReadsPerMinute?: number;
  logPageSize?: number;
  serviceAccountPageSize?: number;
  /** Requests in flight for per-account and per-object work. */
  concurrency?: number;
  sleep?: (ms: number) => Promise<void>;
  onProgress?: (message: string) => void;
  /** The clock, for the time recorded with the predefined roles (default: the system clock). */
  now?: () => Date;
  /** Page size of IAM roles.list (the API's maximum, 1,000, by default). */
  rolePageSize?: number;
  /** Connection, request and retry-budget limits of every call (default DEFAULT_CALL_TIMEOUTS). */
  timeouts?: CallTimeouts;
  /** Registers each temp file (and nothing else) for removal on an interrupt. */
  trackTemp?: TempTracker;
}

interface CollectGcpProjectResult {
  projectId: string;
  projectDir: string;
  serviceAccounts: number;
  /** `logging entries.list (N entries, P pages at R reads/min)`, `gs://…`, `none`. */
  usageSource: string;
  warnings: ReportWarning[];
}

export interface CollectGcpResult {
  caller: GcpCaller;
  collected: CollectGcpProjectResult[];
  /** Projects that could not be read; their warnings also travel in the first collected project's collect-warnings.json. */
  failed: { project: string; code: string; message: string }[];
  /** Warnings about the run rather than one project (predefined roles, project discovery); also in the first collected project's collect-warnings.json. */
  warnings: { code: string; message: string }[];
  /** Predefined roles read live (IAM roles.list), when the call succeeded. */
  predefinedRoles?: { roles: number; file: string; collectedAt: string };
  requests: number;
  retries: number;
  requestsByOperation: Record<string, number>;
  elapsedMs: number;
}

async function isEmptyOrMissing(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch {
    return true;
  }
}

function levelDir(root: string, ref: GcpResourceRef): string {
  if (ref.type === 'folder') return join(root, 'folders', ref.id);
  if (ref.type === 'organization') return join(root, 'organizations', ref.id);
  return join(root, ref.id);
}

export async function collectGcp(opts: CollectGcpOptions): Promise<CollectGcpResult> {
  const started = Date.now();
  const emit = opts.onProgress ?? (() => undefined);
  let sink: GcsLocation | undefined;
  if (opts.auditLogs !== 'api' && opts.auditLogs !== 'none') {
    sink = parseGcsUrl(opts.auditLogs);
    if (!sink)
      throw new UsageError(
        `invalid --audit-logs "${opts.auditLogs}"`,
        'use gs://<bucket>/<prefix>, the folder that holds cloudaudit.googleapis.com/ of a Logging sink export',
      );
  }
  for (const p of opts.projects)
    if (!/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/.test(p))
      throw new UsageError(`invalid project id "${p}"`, 'pass the project id (6–30 lower-case letters, digits, hyphens), e.g. --project my-project');
  for (const f of [...opts.folders, ...opts.organizations])
    if (!/^\d+$/.test(f))
      throw new UsageError(`invalid folder or organization id "${f}"`, 'pass the number, e.g. --folder 123456789012 (`gcloud resource-manager folders list`)');
  if (opts.projects.length + opts.folders.length + opts.organizations.length === 0) {
    throw new UsageError('no project to collect', 'pass --project <id> (repeatable), --folder <id> or --organization <id>');
  }

  const clientOptions: GcpClientOptions = {
    ...(opts.projects[0] ? { defaultProject: opts.projects[0] } : {}),
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    ...(opts.impersonateServiceAccount ? { impersonateServiceAccount: opts.impersonateServiceAccount } : {}),
    ...(opts.maxAttempts ? { maxAttempts: opts.maxAttempts } : {}),
    ...(opts.backoff ? { backoff: opts.backoff } : {}),
    ...(opts.loggingReadsPerMinute ? { loggingReadsPerMinute: opts.loggingReadsPerMinute } : {}),
    ...(opts.sleep ? { sleep: opts.sleep } : {}),
    ...(opts.timeouts ? { timeouts: opts.timeouts } : {}),
  };
  const clients = new GcpClients(clientOptions);
  // While someone watches: drawn again when a retry starts or ends, and each second, so a stalled call still shows its wait.
  let lastLine: string | undefined;
  const redraw = (): void => {
    if (lastLine !== undefined) emit(`${lastLine} · ${clients.activity.text()}`);
  };
  const unsubscribe = opts.onProgress ? clients.activity.subscribe(redraw) : () => undefined;
  const ticker = opts.onProgress ? setInterval(redraw, 1000) : undefined;
  ticker?.unref();
  const line = (m: string): void => {
    lastLine = m;
    redraw();
  };
  try {
    const caller = await clients.init();
    const rethrowCredentials = (err: unknown): void => {
      if (isCredentialsError(err)) throw credentialsError(err, opts.impersonateServiceAccount);
    };

    // Which projects: named ones, then those below the folders and organizations (Cloud Asset
    // Inventory when both its searches answer, else the resource-manager walk).
    const failed: CollectGcpResult['failed'] = [];
    const runWarnings: CollectGcpResult['warnings'] = [];
    const ids = new Set(opts.projects);
    const known = new Map<string, ProjectInfo>();
    const concurrency = opts.concurrency ?? 8;
    const walkInstead = 'the projects were listed with resource manager instead (projects.list and folders.list for every folder)';
    /**
     * Cloud Asset Inventory: the projects whose own allow policy binds a service account
     * (searchAllIamPolicies) and those that host one (searchAllResources), each checked with
     * projects.get. true when that is the whole discovery of `root`; false when the walk must run
     * (a search refused, disabled or failed, or nothing found), with a warning saying why. Projects
     * found before a failure are kept: the walk adds to them.
     */
    const viaAsset = async (root: string): Promise<boolean> => {
      if (opts.isAssetInventoryWanted === false) return false;
      line(`searching ${root} with Cloud Asset Inventory`);
      const found = new Set<string>();
      try {
        for (const n of (await searchProjectsBindingServiceAccounts(clients, root, opts.assetPageSize)).projectNumbers) found.add(n);
      } catch (err) {
        rethrowCredentials(err);
        runWarnings.push({
          code: 'asset-inventory-unavailable',
          message: problem(`Cloud Asset Inventory searchAllIamPolicies on ${root}`, 'cloudasset.assets.searchAllIamPolicies', walkInstead, err),
        });
        return false;
      }
      // A project whose policy binds no service account may still host accounts that hold roles on
      // a folder, the organization or other projects: they are audited in their home project.
      let isComplete = true;
      try {
        for (const p of (await searchProjectsHostingServiceAccounts(clients, root, opts.assetPageSize)).projects) found.add(p);
      } catch (err) {
        rethrowCredentials(err);
        runWarnings.push({
          code: 'asset-inventory-unavailable',
          message: problem(
            `Cloud Asset Inventory searchAllResources (service accounts) on ${root}`,
            'cloudasset.assets.searchAllResources',
            `projects that host service accounts but whose own policy binds none would be missed, so ${walkInstead}, in addition to the ${found.size} project(s) searchAllIamPolicies found`,
            err,
          ),
        });
        isComplete = false;
      }
      if (found.size === 0) {
        if (isComplete)
          runWarnings.push({
            code: 'asset-inventory-empty',
            message: `Cloud Asset Inventory found no project below ${root} whose allow policy binds a service account or which hosts one (a new organization may not be indexed yet): the projects were listed with resource manager instead`,
          });
        return false;
      }
      const numbers = [...found].sort();
      // Resource manager names each project (Asset gives numbers) and says whether it is ACTIVE; the
      // answer is kept for the project's ancestry, so no project is read twice.
      const skipped = new Map<string, string[]>();
      const skip = (why: string, what: string): void => void skipped.set(why, [...(skipped.get(why) ?? []), what]);
      let done = 0;
      await mapPool(numbers, concurrency, async (n) => {
        try {
          const info = await getProjectInfo(clients, n);
          const id = info.projectId ?? undefined;
          if (!id) skip('resource manager returned no project id', n);
          else if (!isActive(info.state)) skip(`resource manager reports it ${String(info.state ?? 'in no state')} (not ACTIVE)`, `${id} (${n})`);
          else {
            ids.add(id);
            known.set(id, info);
          }
        } catch (err) {
          rethrowCredentials(err);
          skip(problem('resource manager cannot read it (projects.get)', 'resourcemanager.projects.get', 'not audited', err), n);
        }
        line(`${root}: ${++done}/${numbers.length} project(s) found by Cloud Asset Inventory`);
      });
      for (const [why, list] of [...skipped].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const shown = list.sort().slice(0, 5).join(', ');
        runWarnings.push({
          code: 'asset-project-skipped',
          message: `${list.length} project(s) found by Cloud Asset Inventory below ${root} but not audited: ${why}: ${shown}${list.length > 5 ? ` and ${list.length - 5} more` : ''}`,
        });
      }
      return isComplete;
    };
    for (const root of [...opts.folders.map((f) => `folders/${f}`), ...opts.organizations.map((o) => `organizations/${o}`)]) {
      if (await viaAsset(root)) continue;
      line(`listing projects below ${root}`);
      try {
        const listing = await listProjectsBelow(clients, root, (n) => line(`listing projects below ${root}: ${n} found`));
        for (const p of listing.projects) ids.add(p);
        for (const f of listing.failures) {
          rethrowCredentials(f.error);
          failed.push({
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
        rethrowCredentials(err);
        throw new PermdriftError(
          isDenied(gcpError(err)) ? 'ACCESS_DENIED' : 'PROVIDER',
          `cannot list the projects below ${root}: ${describe(gcpError(err))}`,
          `${ROLE_HINT} on ${root} (resourcemanager.projects.list, resourcemanager.folders.list), or name projects with --project`,
          { cause: err },
        );
      }
    }
    const projects = [...ids].sort();
    if (projects.length === 0)
      throw new PermdriftError(
        'PROVIDER',
        `no ACTIVE project below ${[...opts.folders, ...opts.organizations].join(', ')}`,
        'check the folder / organization number, or name projects with --project',
      );
    for (const p of projects) {
      const dir = join(opts.outDir, 'gcp', p);
      if (!(await isEmptyOrMissing(dir)))
        throw new UsageError(
          `${dir} already holds a snapshot`,
          'collect into a new folder (e.g. a dated one) or delete the old one first; mixing two collections would mix their logs',
        );
    }

    // Predefined roles, once per run: the scan prefers them to the bundled snapshot. They land in
    // `<outDir>/gcp/predefined-roles.json`, IAM roles.list (view FULL) in the shape of data/gcp/roles.json.
    let predefinedRoles: CollectGcpResult['predefinedRoles'];
    line('predefined roles (IAM roles.list)');
    try {
      const roles = await listPredefinedRoles(clients, opts.rolePageSize ?? 1000, (n) => line(`predefined roles (IAM roles.list): ${n}`));
      const collectedAt = (opts.now ?? (() => new Date()))().toISOString();
      const file = join(opts.outDir, 'gcp', PREDEFINED_ROLES_FILE);
      await mkdir(join(opts.outDir, 'gcp'), { recursive: true });
      await writeFileAtomic(file, predefinedRolesText(`IAM roles.list (view FULL) of ${collectedAt}`, collectedAt, roles), opts.trackTemp);
      predefinedRoles = { roles: Object.keys(roles).length, file, collectedAt };
    } catch (err) {
      rethrowCredentials(err);
      runWarnings.push({
        code: 'predefined-roles-unreadable',
        message: problem(
          'predefined roles (IAM roles.list, view FULL)',
          'iam.roles.list',
          'the scan uses the bundled snapshot of predefined roles (data/gcp/roles.json), which may lag behind Google',
          err,
        ),
      });
    }

    const cache: RunCache = { projects: known, folderParents: new Map(), policies: new Map(), orgRoles: new Map(), denies: new Map() };
    const collected: CollectGcpProjectResult[] = [];
    let timedOut = 0;
    for (const [i, projectId] of projects.entries()) {
      const label = projects.length > 1 ? `${projectId} (${i + 1}/${projects.length})` : projectId;
      try {
        collected.push(await collectProject(clients, opts, projectId, cache, caller, sink, (m) => line(`${label}: ${m}`)));
      } catch (err) {
        if (err instanceof UsageError || (err instanceof PermdriftError && err.code === 'CREDENTIALS')) throw err;
        rethrowCredentials(err);
        if (isCallTimeout(err)) timedOut++;
        const message =
          err instanceof PermdriftError ? err.message : problem(`project ${projectId}`, 'resourcemanager.projects.getIamPolicy', 'it was not audited', err);
        failed.push({ project: projectId, code: 'project-failed', message });
        await rm(join(opts.outDir, 'gcp', projectId), { recursive: true, force: true });
      }
    }
    const first = collected[0];
    if (!first) {
      throw new PermdriftError(
        timedOut === projects.length ? 'TIMEOUT' : 'PROVIDER',
        `none of the ${projects.length} project(s) could be read (first: ${failed[0]?.message ?? 'none'})`,
        timedOut === projects.length ? TIMEOUT_HINT : ROLE_HINT,
      );
    }
    if (failed.length + runWarnings.length > 0) {
      // The report reads warnings per project folder; projects that failed have none, so their
      // warnings travel in the first collected project's file (as collect aws does for accounts),
      // and so do the run's own (predefined roles, project discovery).
      const file = join(first.projectDir, COLLECT_WARNINGS_FILE);
      const onDisk = JSON.parse(await readFile(file, 'utf8')) as { warnings: { code: string; message: string }[] };
      for (const f of [...runWarnings, ...failed]) {
        onDisk.warnings.push({ code: f.code, message: f.message });
        first.warnings.push({ code: f.code, message: f.message, account: first.projectId });
      }
      await writeFileAtomic(file, stringify(onDisk), opts.trackTemp);
    }
    return {
      caller,
      collected,
      failed,
      warnings: runWarnings,
      ...(predefinedRoles ? { predefinedRoles } : {}),
      requests: clients.stats.total,
      retries: clients.stats.retries,
      requestsByOperation: Object.fromEntries([...clients.stats.byOperation].sort(([a], [b]) => (a < b ? -1 : 1))),
      elapsedMs: Date.now() - started,
    };
  } finally {
    unsubscribe();
    clearInterval(ticker);
    await clients.close();
  }
}

async function collectProject(
  clients: GcpClients,
  opts: CollectGcpOptions,
  projectId: string,
  cache: RunCache,
  caller: GcpCaller,
  sink: GcsLocation | undefined,
  emit: (m: string) => void,
): Promise<CollectGcpProjectResult> {
  const root = join(opts.outDir, 'gcp');
  const projectDir = join(root, projectId);
  const now = opts.now ?? (() => new Date());
  const manifest = new ManifestRecorder('gcp', projectId, { start: opts.windowStart, end: opts.asOf }, now);
  const manifestFile = new ManifestFile(projectDir, manifest, opts.trackTemp);
  // First: until the end says otherwise, this folder is an unfinished collection.
  await mkdir(projectDir, { recursive: true });
  await manifestFile.checkpoint();
  const warnings: ReportWarning[] = [];
  const warn = (code: string, message: string): void => {
    warnings.push({ code, message, account: projectId });
  };
  const rethrowCredentials = (err: unknown): void => {
    if (isCredentialsError(err)) throw credentialsError(err, opts.impersonateServiceAccount);
  };
  const parts = new Map<string, string>();
  const board = (step: string, text: string): void => {
    parts.set(step, text);
    emit([...parts.values()].join(' · '));
  };
  const writeJson = async (file: string, value: unknown): Promise<void> => {
    await mkdir(join(file, '..'), { recursive: true });
    await writeFileAtomic(file, stringify(value), opts.trackTemp);
  };

  // The project's own allow policy: the one required file. Its failure fails the project.
  board('main', 'allow policy');
  const projectRef: GcpResourceRef = { type: 'project', id: projectId };
  const policyAt = now();
  const projectPolicy = await getIamPolicy(clients, projectRef);
  await writeJson(join(projectDir, 'iam-policy.json'), projectPolicy);
  manifest.sourceRead('iam-policy', policyAt);

  // Ancestry, and the allow policy of each folder and the organization (each read once per run).
  board('main', 'ancestry');
  let ancestry: GcpResourceRef[] = [projectRef];
  try {
    const at = now();
    const a = await getAncestry(clients, projectId, cache.folderParents, cache.projects.get(projectId));
    ancestry = a.chain;
    await writeJson(
      join(projectDir, 'ancestry.json'),
      a.chain.map((r) => ({ id: r.id, type: r.type })),
    );
    manifest.sourceRead('ancestry', at);
    if (a.incompleteAt) {
      rethrowCredentials(a.incompleteAt.error);
      warn(
        'ancestry-incomplete',
        problem(
          `folder ${a.incompleteAt.folder} (a parent of ${projectId})`,
          'resourcemanager.folders.get',
          'the ancestry stops there: grants on the levels above it are not known',
          a.incompleteAt.error,
        ),
      );
    }
  } catch (err) {
    rethrowCredentials(err);
    warn(
      'ancestry-unreadable',
      problem(`ancestry of ${projectId}`, 'resourcemanager.projects.get', 'grants inherited from folders and the organization are not known', err),
    );
  }
  const policies: Json[] = [projectPolicy];
  for (const ref of ancestry.slice(1)) {
    const name = resourceName(ref);
    let pending = cache.policies.get(name);
    if (!pending) {
      pending = getIamPolicy(clients, ref).then(
        async (policy) => {
          await writeJson(join(levelDir(root, ref), 'iam-policy.json'), policy);
          return { policy };
        },
        (error: unknown) => ({ error }),
      );
      cache.policies.set(name, pending);
    }
    const r = await pending;
    if (r.policy !== undefined) policies.push(r.policy);
    else {
      rethrowCredentials(r.error);
      warn(
        'ancestor-policy-unreadable',
        problem(
          `allow policy of ${ref.type} ${ref.id}`,
          `resourcemanager.${ref.type === 'folder' ? 'folders' : 'organizations'}.getIamPolicy`,
          `grants inherited from it are not known to the audit of ${projectId}`,
          r.error,
        ),
      );
    }
  }

  // Side by side: the inventory (accounts, keys, roles, deny policies), the audit logs, the activity.
  // The steps that run side by side record one time, taken before any of them starts: each source
  // is read after it, and the clock is not read while the logs measure their pace with it.
  const sideBySideAt = now();
  const inventory = collectInventory(
    clients,
    opts,
    projectId,
    projectDir,
    root,
    ancestry,
    policies,
    cache,
    warn,
    rethrowCredentials,
    (m) => board('main', m),
    manifest,
    sideBySideAt,
  );
  const logs = collectAuditLogs(clients, opts, projectId, projectDir, sink, warn, rethrowCredentials, (m) => board('logs', m), manifest, now).then(
    async (source) => {
      // The logs' spans are recorded: an interrupt from here on keeps them.
      await manifestFile.checkpoint();
      return source;
    },
  );
  const activity =
    opts.isActivityWanted === false
      ? Promise.resolve()
      : collectActivity(clients, projectId, projectDir, warn, rethrowCredentials, manifest, sideBySideAt, opts.trackTemp);
  const [serviceAccounts, usageSource] = await Promise.all([inventory, logs, activity]);

  warnings.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : a.message < b.message ? -1 : 1));
  await writeJson(join(projectDir, COLLECT_WARNINGS_FILE), {
    caller: { ...caller },
    warnings: warnings.map(({ code, message }) => ({ code, message })),
  });
  // Last, once everything it describes is on disk.
  await manifestFile.finish();
  return { projectId, projectDir, serviceAccounts, usageSource, warnings };
}
