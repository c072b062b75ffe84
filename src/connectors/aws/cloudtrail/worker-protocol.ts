/** Messages between readCloudTrail and its worker threads. */

import type { AggregationWindow } from './file-aggregator.js';
import type { FileOutcome } from './read-cloudtrail-file.js';

export interface WorkerRequest {
  file: string;
  window: AggregationWindow;
}

export type WorkerReply =
  | { type: 'ready' }
  | { type: 'progress'; bytes: number; events: number }
  | { type: 'done'; outcome: FileOutcome };
