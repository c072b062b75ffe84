/**
 * The library entry: read a snapshot, run the engine, return the Report. Never exits the process
 * and never writes to stdout; the CLI is a thin layer over this.
 */

import { relative } from 'node:path';
import { loadAwsCatalogue } from './catalogue/aws-catalogue.js';
import { discoverAwsSnapshot, loadAwsAccount, type LoadAccountOptions } from './connectors/aws/snapshot.js';
import { buildReport, type EngineAccount } from './engine/build-report.js';
import type { Report, ReportWarning } from './model/report.js';
import { TOOL_VERSION } from './version.js';

export interface AuditFilesOptions {
  /** Snapshot folder holding `aws/<account-id>/…`. */
  dir: string;
  /** The clock: the end of the window. */
  asOf: Date;
  windowMs: number;
  principalGlobs?: string[];
  isServiceLinkedIncluded?: boolean;
  workers?: number;
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

export async function auditFiles(opts: AuditFilesOptions): Promise<Report> {
  const accounts = await discoverAwsSnapshot(opts.dir);
  const catalogue = await loadAwsCatalogue();
  const windowStart = new Date(opts.asOf.getTime() - opts.windowMs).toISOString();
  const loaded: EngineAccount[] = [];
  const warnings: ReportWarning[] = [];
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
  return buildReport({
    accounts: loaded,
    catalogue,
    asOf: opts.asOf,
    windowMs: opts.windowMs,
    ...(opts.principalGlobs ? { principalGlobs: opts.principalGlobs } : {}),
    ...(opts.isServiceLinkedIncluded !== undefined ? { isServiceLinkedIncluded: opts.isServiceLinkedIncluded } : {}),
    warnings,
    toolVersion: TOOL_VERSION,
  });
}
