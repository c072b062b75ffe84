/**
 * Streams a set of CloudTrail log files into call aggregates plus coverage.
 *
 * Files are spread over a small pool of worker threads (../../shared/file-worker-pool.ts; largest first,
 * so one big file does not finish last alone); each worker streams its file (gunzip runs in libuv's
 * threadpool, overlapping the worker's own parsing) and returns a per-file aggregate which this thread merges. A file that
 * fails, or whose worker dies, becomes a `filesFailed` entry; the other files still count.
 */

import { availableParallelism } from 'node:os';
import { stat } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import type { CallAggregate, CloudTrailCoverage, TrailChange, UnusableRecords } from '../../../model/aws/activity.js';
import type { LogFileProblem } from '../../../model/log-file-problem.js';
import { runFileWorkerPool, workerStarter } from '../../shared/file-worker-pool.js';
import { DeliveryHours } from './delivery-hours.js';
import { normaliseBound } from './event-time.js';
import { type AggregationWindow } from './file-aggregator.js';
import { CallerCache } from './caller-cache.js';
import { CallStore, callKey, mergeInto } from './call-store.js';
import { type FileReport, aggregateCloudTrailFile, describeReadError } from './read-cloudtrail-file.js';
import { compareTrailChanges } from './trail-change.js';
import type { WorkerReply, WorkerRequest } from './worker-protocol.js';
import { compareText as compareStrings } from '../../../model/compare-text.js';

export interface ReadCloudTrailProgress {
  filesDone: number;
  filesTotal: number;
  bytesRead: number;
  bytesTotal: number;
  events: number;
}

export interface ReadCloudTrailOptions {
  /**
   * Absolute paths, `.json` or `.json.gz` (gzip is recognised by its magic bytes): `{"Records":[…]}`,
   * lookup-events output, a bare array of records or JSON lines, told apart by content.
   */
  files: string[];
  /** The account folder being read: the account of events without `recipientAccountId`. */
  account: string;
  /** ISO time; older events are aggregated with period `before-window`. */
  windowStart: string;
  /** ISO time; later events are counted in `coverage.eventsAfterAsOf` and not aggregated. */
  asOf: string;
  /** Worker threads; default min(available parallelism, files). 1 = read in this thread. */
  workers?: number;
  onProgress?: (p: ReadCloudTrailProgress) => void;
}

export interface ReadCloudTrailResult {
  calls: CallAggregate[];
  coverage: CloudTrailCoverage;
}

/** Not part of the public options: lets tests substitute the worker entry (e.g. one that crashes). */
export interface ReadCloudTrailInternals {
  workerEntry?: URL;
  /** Called with each worker's thread id once it is ready, so tests can tell the pool ran. */
  onWorkerReady?: (threadId: number) => void;
}

function compareNullable(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

/** Code-unit order, not locale order, so the output is the same on every machine. */
export function compareCalls(a: CallAggregate, b: CallAggregate): number {
  return (
    compareStrings(a.account, b.account) ||
    compareStrings(a.callerType, b.callerType) ||
    compareNullable(a.callerArn, b.callerArn) ||
    compareStrings(a.eventSource, b.eventSource) ||
    compareStrings(a.eventName, b.eventName) ||
    compareStrings(a.region, b.region) ||
    compareStrings(a.period, b.period) ||
    Number(a.isDenied) - Number(b.isDenied)
  );
}

class Merger {
  private readonly calls = new Map<string, CallAggregate>();
  private readonly regions = new Set<string>();
  private readonly lookupRegions = new Set<string>();
  private lookupFiles = 0;
  private readonly failed: LogFileProblem[] = [];
  private filesRead = 0;
  private bytesRead = 0;
  private eventsRead = 0;
  private eventsAfterAsOf = 0;
  private recordsSkipped = 0;
  private firstEvent: string | null = null;
  private lastEvent: string | null = null;
  private readonly unusable: UnusableRecords[] = [];
  private recordsTimedByFile = 0;
  private zonelessTimes = 0;
  private readonly hours = new DeliveryHours();
  private readonly trailChanges: TrailChange[] = [];

  /** Coverage of a file read to the end; its calls arrive with `addCalls`. */
  addFile(file: string, report: FileReport): void {
    if (!report.isOk) {
      this.fail(file, report.reason);
      return;
    }
    const a = report.stats;
    this.filesRead++;
    this.bytesRead += report.bytesRead;
    this.eventsRead += a.eventsRead;
    this.eventsAfterAsOf += a.eventsAfterAsOf;
    this.recordsSkipped += a.recordsSkipped;
    if (a.firstEvent !== null && (this.firstEvent === null || a.firstEvent < this.firstEvent)) this.firstEvent = a.firstEvent;
    if (a.lastEvent !== null && (this.lastEvent === null || a.lastEvent > this.lastEvent)) this.lastEvent = a.lastEvent;
    for (const r of a.regions) this.regions.add(r);
    for (const u of a.unusable) this.unusable.push({ file, reason: u.reason, count: u.count });
    this.recordsTimedByFile += a.recordsTimedByFile;
    this.zonelessTimes += a.zonelessTimes;
    this.hours.absorb(a.deliveryHours);
    this.trailChanges.push(...a.trailChanges);
    // LookupEvents answers for one region and management events only, in whatever shape it was saved.
    if (report.shape === 'Events' || a.lookupEvents > 0) {
      this.lookupFiles++;
      for (const r of a.regions) this.lookupRegions.add(r);
    }
  }

  addCalls(calls: CallAggregate[]): void {
    for (const c of calls) {
      const key = callKey(c);
      const prev = this.calls.get(key);
      if (prev === undefined) this.calls.set(key, { ...c });
      else mergeInto(prev, c);
    }
  }

  fail(file: string, reason: string): void {
    this.failed.push({ file, reason });
  }

  result(): ReadCloudTrailResult {
    return {
      calls: [...this.calls.values()].sort(compareCalls),
      coverage: {
        filesRead: this.filesRead,
        bytesRead: this.bytesRead,
        eventsRead: this.eventsRead,
        filesFailed: [...this.failed].sort((x, y) => compareStrings(x.file, y.file) || compareStrings(x.reason, y.reason)),
        firstEvent: this.firstEvent,
        lastEvent: this.lastEvent,
        regions: [...this.regions].sort(),
        eventsAfterAsOf: this.eventsAfterAsOf,
        lookupEventsFiles: this.lookupFiles,
        lookupEventsRegions: [...this.lookupRegions].sort(),
        recordsSkipped: this.recordsSkipped,
        recordsUnusable: [...this.unusable].sort((x, y) => compareStrings(x.file, y.file) || compareStrings(x.reason, y.reason)),
        recordsTimedByFile: this.recordsTimedByFile,
        zonelessTimes: this.zonelessTimes,
        deliveryIntervals: this.hours.intervals(),
        trailChanges: [...this.trailChanges].sort(compareTrailChanges),
      },
    };
  }
}

class ProgressTracker {
  private filesDone = 0;
  private bytesRead = 0;
  private events = 0;

  constructor(
    private readonly filesTotal: number,
    private readonly bytesTotal: number,
    private readonly listener: ((p: ReadCloudTrailProgress) => void) | undefined,
  ) {}

  advance(bytes: number, events: number): void {
    this.bytesRead += bytes;
    this.events += events;
    this.emit();
  }

  fileDone(): void {
    this.filesDone++;
    this.emit();
  }

  /** Files whose results were lost with a crashed worker go back to the queue. */
  filesUndone(n: number): void {
    this.filesDone -= n;
  }

  private emit(): void {
    this.listener?.({
      filesDone: this.filesDone,
      filesTotal: this.filesTotal,
      bytesRead: Math.min(this.bytesRead, this.bytesTotal),
      bytesTotal: this.bytesTotal,
      events: this.events,
    });
  }
}

async function readInProcess(files: string[], window: AggregationWindow, merger: Merger, progress: ProgressTracker): Promise<void> {
  const callers = new CallerCache();
  const total = new CallStore();
  for (const file of files) {
    const outcome = await aggregateCloudTrailFile(file, window, callers, (p) => progress.advance(p.bytes, p.events));
    if (outcome.calls !== null) total.absorb(outcome.calls);
    merger.addFile(file, outcome.report);
    progress.fileDone();
  }
  merger.addCalls(total.toCalls());
}

export async function readCloudTrail(opts: ReadCloudTrailOptions, internals: ReadCloudTrailInternals = {}): Promise<ReadCloudTrailResult> {
  const window: AggregationWindow = {
    account: opts.account,
    windowStart: normaliseBound('windowStart', opts.windowStart),
    asOf: normaliseBound('asOf', opts.asOf),
  };
  const merger = new Merger();
  const sized = await Promise.all(
    opts.files.map(async (file) => {
      try {
        return { file, size: (await stat(file)).size };
      } catch {
        // The read itself will report why; size only orders the queue and scales progress.
        return { file, size: 0 };
      }
    }),
  );
  const bytesTotal = sized.reduce((sum, f) => sum + f.size, 0);
  const progress = new ProgressTracker(opts.files.length, bytesTotal, opts.onProgress);
  // Largest first: the long files start early and the small ones fill the gaps at the end.
  const queue = sized.sort((a, b) => b.size - a.size || compareStrings(a.file, b.file)).map((f) => f.file);
  const workerCount = Math.max(1, Math.min(opts.workers ?? availableParallelism(), queue.length));

  if (workerCount > 1) {
    const entry = internals.workerEntry;
    await runFileWorkerPool<WorkerReply, FileReport, CallAggregate[]>({
      queue,
      workers: workerCount,
      startWorker: entry !== undefined ? () => new Worker(entry, { stdout: false, stderr: false }) : workerStarter(import.meta.url, './cloudtrail-worker'),
      fileRequest: (file): WorkerRequest => ({ type: 'file', file, window }),
      doneReport: (m) => (m.type === 'done' ? m.report : undefined),
      finishTotal: (m) => (m.type === 'calls' ? m.calls : undefined),
      onProgress: (m) => {
        if (m.type === 'progress') progress.advance(m.bytes, m.events);
      },
      onFileDone: () => progress.fileDone(),
      onFilesUndone: (n) => progress.filesUndone(n),
      onWorkerReady: internals.onWorkerReady,
      commit: (finished, calls) => {
        for (const f of finished) merger.addFile(f.file, f.report);
        merger.addCalls(calls);
      },
      fail: (file, reason) => merger.fail(file, reason),
      describeError: describeReadError,
    });
  }
  // workers = 1, or no worker could start (e.g. TypeScript sources without tsx): read here.
  await readInProcess(queue.splice(0), window, merger, progress);
  return merger.result();
}
