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
import { ACTIVITY_TYPES, queryActivity } from './activity.js';
import { listAuditLogEntries } from './audit-logs.js';
import { loggingProgressText } from './logging-progress.js';
import { GcpClients, type GcpCaller, type GcpClientOptions } from './clients.js';
import { credentialsError, describe, gcpError, isCredentialsError, isDenied, isNotFound, isServiceDisabled } from './errors.js';
import { stringify, type Json } from './gcloud-json.js';
import { customRolesUsed, getRole, listDenyPolicies, listKeys, listPredefinedRoles, listServiceAccounts } from './iam.js';
import { getAncestry, getIamPolicy, getProjectInfo, isActive, listProjectsBelow, resourceName, type ProjectInfo } from './resource-manager.js';
import { searchProjectsBindingServiceAccounts, searchProjectsHostingServiceAccounts } from './asset-inventory.js';
import { downloadSinkExport, parseGcsUrl, type GcsLocation } from './sink-export.js';
import { ManifestFile, ManifestRecorder } from '../../shared/collect-manifest-recorder.js';
import { writeFileAtomic, type TempTracker } from '../../shared/atomic-file.js';
import { isCallTimeout, TIMEOUT_HINT, type CallTimeouts } from '../../shared/call-timeouts.js';

const COLLECT_WARNINGS_FILE = 'collect-warnings.json';

/** The audit logs Logging keeps in the `_Required` bucket: always written, 400 days, no exclusions. */
const REQUIRED_AUDIT_LOGS = ['activity', 'system_event', 'policy'] as const;
/** https://cloud.google.com/logging/docs/routing/overview#required-bucket */
const REQUIRED_RETENTION_MS = 400 * 86_400_000;
/** How long after its timestamp an entry may still be on its way to entries.list (a margin, not a documented bound). */
const LOGGING_API_LAG_MS = 15 * 60_000;
/**
 * Sinks write to Cloud Storage in hourly batches (https://cloud.google.com/logging/docs/export/storage):
 * an hour's file may appear a while after the hour ends, so the last two hours are never claimed read.
 */
const SINK_EXPORT_LAG_MS = 2 * 3_600_000;

const logScope = (log: string): string => `cloudaudit.googleapis.com/${log}`;

/** `<outDir>/gcp/predefined-roles.json`: IAM roles.list (view FULL) of this run, in the shape of data/gcp/roles.json. */
/**
 * Warning codes that mean audit-log evidence is missing for (part of) the window: the snapshot
 * reader (../collect-warnings.ts) turns them into unread log files, so nothing is called unused.
 */
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

const ROLE_HINT = 'grant the read-only role `permdrift policy gcp` prints (docs/gcp-readonly-role.json)';

/** `what: 403 PERMISSION_DENIED: …; effect; what to do`, with the API to enable when it is disabled. */
function problem(what: string, permission: string, effect: string, err: unknown): string {
  const info = gcpError(err);
  let fix: string;
  if (isServiceDisabled(info)) {
    const api = info.service ?? 'the API';
    const project = /^projects\/(.+)$/.exec(info.consumer ?? '')?.[1];
    fix = `enable ${api} (\`gcloud services enable ${api}${project ? ` --project ${project}` : ''}\`)`;
  } else if (isDenied(info)) {
    fix = `${ROLE_HINT}; needs ${permission}`;
  } else if (isCallTimeout(err)) {
    fix = 'check the network, or raise --request-timeout / --retry-budget';
  } else {
    fix = 'quota and 5xx errors were retried; try again later';
  }
  return `${what}: ${describe(info)}; ${effect}; ${fix}`;
}

async function isEmptyOrMissing(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch {
    return true;
  }
}

function eta(startMs: number, fraction: number): string {
  if (!(fraction > 0) || fraction >= 1) return '';
  const left = ((Date.now() - startMs) / fraction) * (1 - fraction);
  return ` ~${Math.ceil(left / 1000)}s left`;
}

function levelDir(root: string, ref: GcpResourceRef): string {
  if (ref.type === 'folder') return join(root, 'folders', ref.id);
  if (ref.type === 'organization') return join(root, 'organizations', ref.id);
  return join(root, ref.id);
}

/** Shared across the projects of one run: each folder / organization is read once. */
interface RunCache {
  /** projects.get answers already read (projects found through Cloud Asset Inventory), by project id. */
  projects: Map<string, ProjectInfo>;
  folderParents: Map<string, string | undefined>;
  /** resource name → policy, or the failure message. */
  policies: Map<string, Promise<{ policy?: Json; error?: unknown }>>;
  orgRoles: Map<string, Promise<{ error?: unknown }>>;
  denies: Map<string, Promise<{ policies?: [string, Json][]; error?: unknown }>>;
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

    // Predefined roles, once per run: the scan prefers them to the bundled snapshot.
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

async function collectInventory(
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

async function collectAuditLogs(
  clients: GcpClients,
  opts: CollectGcpOptions,
  projectId: string,
  projectDir: string,
  sink: GcsLocation | undefined,
  warn: (code: string, message: string) => void,
  rethrowCredentials: (err: unknown) => void,
  progress: (m: string) => void,
  manifest: ManifestRecorder,
  now: () => Date,
): Promise<string> {
  if (opts.auditLogs === 'none') return 'none';
  const dir = join(projectDir, 'audit-logs');
  const window = { start: opts.windowStart, end: opts.asOf };
  const started = Date.now();
  if (sink) {
    const url = `gs://${sink.bucket}${sink.prefix ? `/${sink.prefix}` : ''}`;
    manifest.setLogSource('gcs');
    const readAt = now();
    try {
      const r = await downloadSinkExport(clients, sink, window, dir, {
        ...(opts.concurrency ? { concurrency: opts.concurrency * 2 } : {}),
        ...(opts.trackTemp ? { trackTemp: opts.trackTemp } : {}),
        onProgress: (phase, done, total, bytes) =>
          progress(
            phase === 'list'
              ? `${url}: day folders ${done}/${total}${eta(started, done / total)}`
              : `${url}: hour files ${done}/${total}, ${(bytes / 1_048_576).toFixed(1)} MB${eta(started, done / total)}`,
          ),
      });
      manifest.sourceRead('audit-logs', readAt);
      manifest.addFilesWritten(r.objects);
      // Each log's day folders listed to the end and every hour file read: between its first and
      // last hour file the export is all there is. Outside them nothing shows the sink was
      // exporting (created later, deleted or disabled earlier), so quiet there is not claimed.
      const readUntil = Math.min(opts.asOf.getTime(), readAt.getTime() - SINK_EXPORT_LAG_MS);
      for (const w of r.written) manifest.attempt(logScope(w.log), Math.max(opts.windowStart.getTime(), w.start), Math.min(readUntil, w.end));
      for (const g of r.gaps) manifest.fail(logScope(g.log), g.start, g.end, g.reason);
      if (r.logs.length === 0) {
        warn(
          'audit-logs-sink-empty',
          `${url} holds no cloudaudit.googleapis.com/ folder: no audit log was read for ${projectId}, so no grant is called unused from logs (expected <prefix>/cloudaudit.googleapis.com/activity/YYYY/MM/DD/…json)`,
        );
        manifest.fail(url, opts.windowStart, opts.asOf, `${url} holds no cloudaudit.googleapis.com/ folder`);
      }
      if (r.failures.length > 0) {
        const shown = r.failures
          .slice(0, 3)
          .map((f) => `${f.name} (${f.message})`)
          .join(', ');
        warn(
          'audit-log-object-unreadable',
          `${r.failures.length} object(s) of ${url} could not be read: ${shown}${r.failures.length > 3 ? ', …' : ''}; their entries are a coverage gap (needs storage.objects.get)`,
        );
      }
      if (r.folderFailures.length > 0) {
        const shown = r.folderFailures
          .slice(0, 3)
          .map((f) => `${f.name} (${f.message})`)
          .join(', ');
        warn(
          'audit-logs-incomplete',
          `${r.folderFailures.length} day folder(s) of ${url} could not be listed: ${shown}${r.folderFailures.length > 3 ? ', …' : ''}; their entries are a coverage gap (needs storage.objects.list)`,
        );
      }
      return `${url} (${r.objects} files${r.logs.length ? `: ${r.logs.join(', ')}` : ''})`;
    } catch (err) {
      rethrowCredentials(err);
      await rm(dir, { recursive: true, force: true });
      warn(
        'audit-logs-unreadable',
        problem(`${url} could not be listed`, 'storage.objects.list', `no audit log was read for ${projectId}: no grant is called unused from logs`, err),
      );
      manifest.fail(url, opts.windowStart, opts.asOf, `${url} could not be listed (${describe(gcpError(err))})`);
      return 'none';
    }
  }
  await mkdir(dir, { recursive: true });
  manifest.setLogSource('api');
  const readAt = now();
  const logStart = readAt.getTime();
  const readsPerMinute = opts.loggingReadsPerMinute ?? 60;
  progress(loggingProgressText({ pages: 0, entries: 0, lastTimestamp: null, windowStart: opts.windowStart, asOf: opts.asOf, readsPerMinute, elapsedMs: 0 }));
  const r = await listAuditLogEntries(clients, projectId, window, join(dir, 'entries.json'), {
    ...(opts.logPageSize ? { pageSize: opts.logPageSize } : {}),
    ...(opts.trackTemp ? { trackTemp: opts.trackTemp } : {}),
    onPage: (entries, lastTimestamp, pages, isLast) =>
      progress(
        loggingProgressText({
          pages,
          entries,
          lastTimestamp,
          windowStart: opts.windowStart,
          asOf: opts.asOf,
          readsPerMinute,
          elapsedMs: now().getTime() - logStart,
          isDone: isLast,
        }),
      ),
  });
  // One listing covers every audit log of the project, but only the _Required bucket's logs are
  // known to be there for the whole span: Data Access logs may be off, excluded from the _Default
  // bucket or kept for as little as a day, so reading them proves nothing about their absence.
  const readUntil = Math.min(opts.asOf.getTime(), readAt.getTime() - LOGGING_API_LAG_MS);
  const retainedFrom = readAt.getTime() - REQUIRED_RETENTION_MS;
  if (r.failure !== undefined) {
    rethrowCredentials(r.failure);
    // Oldest first: everything before the last entry read is in the file, minus entries that share its timestamp.
    const last = r.lastTimestamp !== null ? Date.parse(r.lastTimestamp) : Number.NaN;
    const readThrough = Number.isNaN(last) ? opts.windowStart.getTime() : last - 1;
    // The listing reads every audit log at once: Data Access entries after the stop are lost too.
    for (const log of [...REQUIRED_AUDIT_LOGS, 'data_access'])
      manifest.fail(logScope(log), readThrough, opts.asOf, `logging entries.list stopped after ${r.entries} entries (${describe(gcpError(r.failure))})`);
  }
  manifest.addFilesWritten(r.pages);
  for (const log of REQUIRED_AUDIT_LOGS) {
    manifest.attempt(logScope(log), Math.max(opts.windowStart.getTime(), retainedFrom), readUntil);
    if (retainedFrom > opts.windowStart.getTime()) manifest.fail(logScope(log), opts.windowStart, retainedFrom, 'Logging keeps the _Required bucket 400 days');
  }
  if (r.failure !== undefined) {
    if (r.entries === 0 && r.pages === 0) {
      // Nothing read at all: no audit-logs/ folder, so the scan sees no log evidence rather than an empty log.
      await rm(dir, { recursive: true, force: true });
      warn(
        'audit-logs-unreadable',
        problem(
          `audit logs of ${projectId} (logging entries.list)`,
          'logging.logEntries.list (and logging.privateLogEntries.list for Data Access logs)',
          'no audit log was read: no grant is called unused from logs',
          r.failure,
        ),
      );
      return 'none';
    }
    warn(
      'audit-logs-incomplete',
      problem(
        `audit logs of ${projectId} (logging entries.list)`,
        'logging.logEntries.list',
        `the listing stopped after ${r.entries} entries${r.lastTimestamp ? ` (up to ${r.lastTimestamp})` : ''}: entries after that, up to ${opts.asOf.toISOString()}, are a coverage gap`,
        r.failure,
      ),
    );
  }
  manifest.sourceRead('audit-logs', readAt);
  return `logging entries.list (${r.entries} entries, ${r.pages} page${r.pages === 1 ? '' : 's'} at ${readsPerMinute.toLocaleString('en-US')} reads/min)`;
}

async function collectActivity(
  clients: GcpClients,
  projectId: string,
  projectDir: string,
  warn: (code: string, message: string) => void,
  rethrowCredentials: (err: unknown) => void,
  manifest: ManifestRecorder,
  readAt: Date,
  trackTemp: TempTracker | undefined,
): Promise<void> {
  for (const type of ACTIVITY_TYPES) {
    try {
      const activities = await queryActivity(clients, projectId, type);
      await mkdir(join(projectDir, 'activity'), { recursive: true });
      await writeFileAtomic(join(projectDir, 'activity', `${type}.json`), stringify(activities), trackTemp);
      manifest.sourceRead(`activity/${type}`, readAt);
    } catch (err) {
      rethrowCredentials(err);
      const permission =
        type === 'serviceAccountLastAuthentication'
          ? 'policyanalyzer.serviceAccountLastAuthenticationActivities.query'
          : 'policyanalyzer.serviceAccountKeyLastAuthenticationActivities.query';
      warn('activity-unreadable', problem(`Policy Analyzer ${type} of ${projectId}`, permission, 'last-authentication evidence is missing for it', err));
    }
  }
}
