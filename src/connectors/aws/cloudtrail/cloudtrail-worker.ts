/**
 * Worker-thread entry: reads the files the main thread sends, one at a time, and answers with each
 * file's aggregate. The caller cache lives as long as the worker, since one principal's sessions
 * span many 5-minute files.
 */

import { parentPort } from 'node:worker_threads';
import { CallerCache } from './file-aggregator.js';
import { aggregateCloudTrailFile } from './read-cloudtrail-file.js';
import type { WorkerReply, WorkerRequest } from './worker-protocol.js';

const port = parentPort;
if (port === null) throw new Error('cloudtrail-worker must run in a worker thread');

const callers = new CallerCache();

port.on('message', (request: WorkerRequest) => {
  void (async () => {
    const outcome = await aggregateCloudTrailFile(request.file, request.window, callers, (p) => {
      const progress: WorkerReply = { type: 'progress', bytes: p.bytes, events: p.events };
      port.postMessage(progress);
    });
    const reply: WorkerReply = { type: 'done', outcome };
    port.postMessage(reply);
  })();
});

const ready: WorkerReply = { type: 'ready' };
port.postMessage(ready);
