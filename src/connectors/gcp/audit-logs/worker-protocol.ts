/** Messages between readGcpAuditLogs and its worker threads (the pool: ../../shared/file-worker-pool.ts). */

import type { AuditRows, AuditWindow } from './audit-log-aggregator.js';
import type { AuditFileReport, AuditFileTuning } from './read-audit-log-file.js';

/**
 * `file`: read one file and keep its rows. `finish`: send every row kept so far. Rows stay in the
 * worker until then, so the main thread merges once per worker instead of once per file; if the
 * worker dies first, the files it had read are read again. The rows carry each permission's
 * `permissionType` counts too (`AuditRows.permissionTypes`), merged by adding.
 */
export type AuditWorkerRequest = { type: 'file'; file: string; window: AuditWindow; tuning: AuditFileTuning } | { type: 'finish' };

export type AuditWorkerReply = { type: 'ready' } | { type: 'done'; report: AuditFileReport } | { type: 'rows'; rows: AuditRows };
