/** Messages between readCloudTrail and its worker threads. */

import type { CallAggregate } from '../../../model/aws/activity.js';
import type { AggregationWindow } from './file-aggregator.js';
import type { FileReport } from './read-cloudtrail-file.js';

/**
 * `file`: read one file and keep its aggregates. `finish`: send every aggregate kept so far.
 * Aggregates stay in the worker until then, so the main thread merges once per worker instead of
 * once per file; if the worker dies first, the files it had read are read again.
 */
export type WorkerRequest = { type: 'file'; file: string; window: AggregationWindow } | { type: 'finish' };

export type WorkerReply =
  { type: 'ready' } | { type: 'progress'; bytes: number; events: number } | { type: 'done'; report: FileReport } | { type: 'calls'; calls: CallAggregate[] };
