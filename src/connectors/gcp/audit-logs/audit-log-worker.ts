/**
 * Worker-thread entry: reads the audit log files the main thread sends, one at a time, merges each
 * file's rows into its own total once the file was read to the end, and sends the total when asked.
 * Each file's coverage figures go back with its `done` reply; the main thread commits them with the
 * rows, so a worker that dies takes nothing half-counted with it.
 */

import { parentPort } from 'node:worker_threads';
import type { AuditWindow } from './audit-log-aggregator.js';
import { AuditLogAggregator } from './audit-log-aggregator.js';
import { aggregateAuditLogFile, reportOf } from './read-audit-log-file.js';
import type { AuditWorkerReply, AuditWorkerRequest } from './worker-protocol.js';

const port = parentPort;
if (port === null) throw new Error('audit-log-worker must run in a worker thread');

let total: AuditLogAggregator | null = null;

function reply(message: AuditWorkerReply): void {
  port?.postMessage(message);
}

function totalFor(window: AuditWindow): AuditLogAggregator {
  total ??= new AuditLogAggregator(window);
  return total;
}

port.on('message', (request: AuditWorkerRequest) => {
  if (request.type === 'finish') {
    reply({ type: 'rows', rows: total?.rows() ?? { permissions: [], unmapped: [], delegations: [], permissionTypes: [] } });
    return;
  }
  void (async () => {
    const outcome = await aggregateAuditLogFile(request.file, request.window, request.tuning);
    if (outcome.isOk) totalFor(request.window).absorbRows(outcome.aggregator.rows());
    reply({ type: 'done', report: reportOf(outcome) });
  })();
});

reply({ type: 'ready' });
