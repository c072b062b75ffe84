/**
 * The library entry: read a snapshot, run the engine, return the Report. Never exits the process
 * and never writes to stdout; the CLI is a thin layer over this.
 */

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadAwsCatalogue } from './catalogue/aws-catalogue.js';
import { discoverAwsSnapshot, loadAwsAccount, type LoadAccountOptions } from './connectors/aws/snapshot.js';
import { buildReport } from './engine/build-report.js';
import type { EngineAccount } from './engine/aws/analyze-accounts.js';
import type { EngineGcpProject } from './engine/gcp/analyze-projects.js';
import { readGcpProjectActivity } from './connectors/gcp/audit-logs/read-project-activity.js';
import { discoverGcpProjects, loadGcpProject } from './connectors/gcp/snapshot.js';
import { readGcpCollectWarnings } from './connectors/gcp/collect-warnings.js';
import { readGcpCollectManifest } from './connectors/gcp/collect-manifest.js';
import { readGcpPolicyInsights } from './connectors/gcp/recommender.js';
import { bundledLogTypeTable } from './engine/gcp/permission-log-type.js';
import { bundledRoleCatalogue, mergeRoleCatalogues, roleCatalogueFrom } from './engine/gcp/role-catalogue.js';
import { readPredefinedRoles } from './connectors/gcp/predefined-roles.js';
import { MAX_WINDOW_DAYS, MAX_WINDOW_MS } from './config/window-length.js';
import { InputError, UsageError } from './model/errors.js';
import { COLLECT_MANIFEST_FILE } from './model/collect-manifest.js';
import { isIncompleteManifestJson } from './connectors/shared/collect-manifest-file.js';
import type { GcpAuditLogCoverage } from './model/gcp/activity.js';
import type { Report, ReportWarning } from './model/report.js';
import { TOOL_VERSION } from './version.js';

export interface AuditFilesOptions {
  /** Snapshot folder holding `aws/<account-id>/…` and/or `gcp/<project-id>/…`. */
  dir: string;
  /** The clock: the end of the window. */
  asOf: Date;
  windowMs: number;
  principalGlobs?: string[];
  isServiceLinkedIncluded?: boolean;
  /** `--min-coverage` as a fraction. */
  minCoverage?: number;
  workers?: number;
  /**
   * Scan folders whose collection did not finish (collect-manifest.json says `complete: false`);
   * without it such a snapshot is refused. What they had not read in full is reported as gaps.
   */
  isIncompleteAllowed?: boolean;
  onProgress?: (p: ScanProgress) => void;
}

export interface ScanProgress {
  account: string;
  filesDone: number;
  filesTotal: number;
  bytesRead: number;
  bytesTotal: number;
  events: number;
}

function emptyAuditLogCoverage(): GcpAuditLogCoverage {
  return {
    filesRead: 0,
    bytesRead: 0,
    valuesRead: 0,
    entriesRead: 0,
    filesFailed: [],
    filesIgnored: [],
    firstEntry: null,
    lastEntry: null,
    streams: { activity: 0, data_access: 0, system_event: 0, policy: 0, other: 0 },
    entriesAfterAsOf: 0,
    recordsSkipped: 0,
    entriesSkipped: [],
    entriesWithoutPrincipal: 0,
    entriesUnattributed: [],
    entriesTimedByReceiveTimestamp: 0,
    zonelessTimes: 0,
  };
}

/** An account or project folder whose collection manifest says it did not finish. */
interface IncompleteFolder {
  /** `aws/111122223333`, `gcp/my-project`: relative to the snapshot. */
  folder: string;
  scope: string;
  /** The manifest's last recorded progress. */
  finishedAt: string | undefined;
}

/** Every `aws/<id>/` and `gcp/<id>/` folder whose manifest says `complete: false` (a quick look, before any long reading). */
function incompleteFolders(dir: string): IncompleteFolder[] {
  const out: IncompleteFolder[] = [];
  for (const provider of ['aws', 'gcp'] as const) {
    let names: string[];
    try {
      names = readdirSync(join(dir, provider)).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      const file = join(dir, provider, name, COLLECT_MANIFEST_FILE);
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(file, 'utf8'));
      } catch {
        // No manifest, or one that cannot be read: the readers say so in their own words.
        continue;
      }
      if (!isIncompleteManifestJson(json)) continue;
      const finishedAt = (json as { finishedAt?: unknown }).finishedAt;
      out.push({ folder: `${provider}/${name}`, scope: name, finishedAt: typeof finishedAt === 'string' ? finishedAt : undefined });
    }
  }
  return out;
}

export async function auditFiles(opts: AuditFilesOptions): Promise<Report> {
  // The library takes milliseconds, not `90d`: the same limits as --window, checked here too.
  if (!Number.isFinite(opts.windowMs) || opts.windowMs <= 0 || opts.windowMs > MAX_WINDOW_MS) {
    throw new UsageError(
      `windowMs ${opts.windowMs} is outside (0, ${MAX_WINDOW_MS}]: at most the ${MAX_WINDOW_DAYS}-day cap`,
      `pass at most ${MAX_WINDOW_DAYS} days in milliseconds`,
    );
  }
  if (Number.isNaN(opts.asOf.getTime())) throw new UsageError('asOf is an invalid Date', 'pass a valid Date as asOf');
  // An interrupted collection first: before a long scan, and before the readers complain about the files it did not write.
  const incomplete = incompleteFolders(opts.dir);
  const first = incomplete[0];
  if (first && opts.isIncompleteAllowed !== true) {
    throw new InputError(
      `${join(opts.dir, first.folder)} holds an incomplete collection (collect-manifest.json says complete: false: the collection was interrupted, or failed, before it finished)${incomplete.length > 1 ? `; so do ${incomplete.length - 1} more folder(s)` : ''}`,
      'collect it again, or pass --allow-incomplete (PERMDRIFT_ALLOW_INCOMPLETE=1, allow-incomplete: true) to scan what it holds: what it had not read in full is reported as coverage gaps',
      { file: join(opts.dir, first.folder, COLLECT_MANIFEST_FILE) },
    );
  }
  // A snapshot may hold AWS accounts, GCP projects, or both; with neither, the AWS discovery's
  // errors say what is missing.
  const gcpProjectIds = discoverGcpProjects(opts.dir);
  const accounts = gcpProjectIds.length === 0 || existsSync(join(opts.dir, 'aws')) ? await discoverAwsSnapshot(opts.dir) : [];
  const catalogue = await loadAwsCatalogue();
  const windowStart = new Date(opts.asOf.getTime() - opts.windowMs).toISOString();
  const loaded: EngineAccount[] = [];
  const warnings: ReportWarning[] = [];
  for (const f of incomplete) {
    warnings.push({
      code: 'snapshot-incomplete',
      message: `${f.folder}: the collection did not finish (collect-manifest.json says complete: false${f.finishedAt ? `, last progress ${f.finishedAt}` : ''}); scanned as asked (--allow-incomplete): logs it had not read in full are coverage gaps, and files it had not written are missing`,
      account: f.scope,
      file: `${f.folder}/${COLLECT_MANIFEST_FILE}`,
    });
  }
  for (const files of accounts) {
    const loadOpts: LoadAccountOptions = {
      windowStart,
      asOf: opts.asOf.toISOString(),
      ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
      ...(opts.onProgress ? { onProgress: (p) => opts.onProgress?.({ account: files.account, ...p }) } : {}),
    };
    const account = await loadAwsAccount(files, loadOpts);
    loaded.push({ inventory: account.inventory, activity: account.activity });
    // Paths relative to the snapshot, so the report is the same wherever the snapshot lives.
    for (const w of account.warnings) warnings.push(w.file ? { ...w, file: relative(opts.dir, w.file) } : w);
  }
  const gcpProjects: EngineGcpProject[] = [];
  const rel = (file: string): string => relative(opts.dir, file);
  for (const projectId of gcpProjectIds) {
    const inventory = loadGcpProject(opts.dir, projectId);
    inventory.warnings = inventory.warnings.map((w) => (w.file ? { ...w, file: rel(w.file) } : w));
    inventory.sources = inventory.sources.map(rel);
    if (inventory.unreadableKeyFiles) inventory.unreadableKeyFiles = inventory.unreadableKeyFiles.map((k) => ({ ...k, file: rel(k.file) }));
    const activity = await readGcpProjectActivity(opts.dir, projectId, {
      asOf: opts.asOf,
      windowStart: new Date(windowStart),
      ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
    });
    const insights = readGcpPolicyInsights(opts.dir, projectId);
    if (insights) {
      activity.insights = {
        files: insights.files.map(rel),
        insights: insights.insights.map((i) => ({ ...i, source: rel(i.source) })),
      };
    }
    const manifestRead = readGcpCollectManifest(opts.dir, projectId);
    if (manifestRead && 'manifest' in manifestRead) activity.manifest = manifestRead.manifest;
    else if (manifestRead)
      warnings.push({
        code: 'collect-manifest-unreadable',
        message: `${manifestRead.problem}; it proves nothing`,
        account: projectId,
        file: rel(manifestRead.file),
      });
    const manifestSpans = activity.manifest ? activity.manifest.logs.complete.length + activity.manifest.logs.failed.length : 0;
    const collected = readGcpCollectWarnings(opts.dir, projectId);
    if (collected) {
      if (collected.collectedBy) inventory.collectedBy = collected.collectedBy;
      for (const w of collected.warnings) warnings.push({ code: w.code, message: w.message, account: projectId, file: rel(collected.file) });
      // Logs the collector could not read are unread log files: the engine then calls nothing unused
      // from them. With a manifest, its failed spans say which hours of which log were lost instead.
      if (collected.logGaps.length > 0 && manifestSpans === 0) {
        activity.auditLogs ??= emptyAuditLogCoverage();
        activity.auditLogs.filesFailed.push(...collected.logGaps);
      }
    }
    if (activity.auditLogs) {
      const logs = activity.auditLogs;
      logs.filesFailed = logs.filesFailed.map((f) => ({ ...f, file: rel(f.file) }));
      logs.filesIgnored = logs.filesIgnored.map(rel);
      logs.entriesSkipped = logs.entriesSkipped.map((r) => ({ ...r, file: rel(r.file) }));
      logs.entriesUnattributed = logs.entriesUnattributed.map((r) => ({ ...r, file: rel(r.file) }));
    }
    if (activity.activity) {
      activity.activity.files = activity.activity.files.map(rel);
      for (const r of [...activity.activity.serviceAccounts, ...activity.activity.keys]) r.source = rel(r.source);
    }
    gcpProjects.push({ inventory, activity });
  }
  return buildReport({
    accounts: loaded,
    ...(gcpProjects.length > 0 ? { gcpProjects, gcp: { roles: gcpRoleCatalogue(opts.dir), logTypes: bundledLogTypeTable() } } : {}),
    catalogue,
    asOf: opts.asOf,
    windowMs: opts.windowMs,
    ...(opts.principalGlobs ? { principalGlobs: opts.principalGlobs } : {}),
    ...(opts.isServiceLinkedIncluded !== undefined ? { isServiceLinkedIncluded: opts.isServiceLinkedIncluded } : {}),
    ...(opts.minCoverage !== undefined ? { minCoverage: opts.minCoverage } : {}),
    warnings,
    toolVersion: TOOL_VERSION,
  });
}

/** Predefined roles: those `collect gcp` read live (gcp/predefined-roles.json) when present, the bundled snapshot for the rest. */
function gcpRoleCatalogue(dir: string): ReturnType<typeof bundledRoleCatalogue> {
  const live = readPredefinedRoles(dir);
  return live ? mergeRoleCatalogues(roleCatalogueFrom(live), bundledRoleCatalogue()) : bundledRoleCatalogue();
}
