/**
 * Worker-thread entry: reads the files the main thread sends, one at a time, merges each file's
 * aggregates into its own total once the file was read to the end, and sends the total when asked.
 * The caller cache lives as long as the worker, since one principal's sessions span many files.
 */

import { parentPort } from 'node:worker_threads';
import { CallerCache } from './caller-cache.js';
import { CallStore } from './call-store.js';
import { aggregateCloudTrailFile } from './read-cloudtrail-file.js';
import type { WorkerReply, WorkerRequest } from './worker-protocol.js';

const port = parentPort;
if (port === null) throw new Error('cloudtrail-worker must run in a worker thread');

const callers = new CallerCache();
const total = new CallStore();

function reply(message: WorkerReply): void {
  port?.postMessage(message);
}

port.on('message', (request: WorkerRequest) => {
  if (request.type === 'finish') {
    reply({ type: 'calls', calls: total.toCalls() });
    return;
  }
  void (async () => {
    const outcome = await aggregateCloudTrailFile(request.file, request.window, callers, (p) => {
      reply({ type: 'progress', bytes: p.bytes, events: p.events });
    });
    if (outcome.calls !== null) total.absorb(outcome.calls);
    reply({ type: 'done', report: outcome.report });
  })();
});

reply({ type: 'ready' });
