/**
 * Streams a set of CloudTrail log files into call aggregates plus coverage.
 *
 * Files are spread over a small pool of worker threads (largest first, so one big file does not
 * finish last alone); each worker streams its file (gunzip runs in libuv's threadpool, overlapping
 * the worker's own parsing) and returns a per-file aggregate which this thread merges. A file that
 * fails, or whose worker dies, becomes a `filesFailed` entry; the other files still count.
 */

import { availableParallelism } from 'node:os';
import { stat } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import type { CallAggregate, CloudTrailCoverage, LogFileProblem } from '../../../model/activity.js';
import { normaliseBound } from './event-time.js';
import { type AggregationWindow, CallerCache, type FileAggregate } from './file-aggregator.js';
import { type FileOutcome, aggregateCloudTrailFile, describeReadError } from './read-cloudtrail-file.js';
import type { WorkerReply, WorkerRequest } from './worker-protocol.js';

export interface ReadCloudTrailProgress {
  filesDone: number;
  filesTotal: number;
  bytesRead: number;
  bytesTotal: number;
  events: number;
}

export interface ReadCloudTrailOptions {
  /** Absolute paths, `.json` or `.json.gz` (gzip is recognised by its magic bytes). */
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
  workerExecArgv?: string[];
}

function compareNullable(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
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

function callKey(c: CallAggregate): string {
  return `${c.callerType}\u0001${c.callerArn ?? ''}\u0001${c.account}\u0001${c.eventSource}\u0001${c.eventName}\u0001${c.region}\u0001${c.isDenied ? 'd' : 'a'}${c.period}`;
}

class Merger {
  private readonly calls = new Map<string, CallAggregate>();
  private readonly regions = new Set<string>();
  private readonly failed: LogFileProblem[] = [];
  private filesRead = 0;
  private bytesRead = 0;
  private eventsRead = 0;
  private eventsAfterAsOf = 0;
  private recordsSkipped = 0;
  private firstEvent: string | null = null;
  private lastEvent: string | null = null;

  add(file: string, outcome: FileOutcome): void {
    if (!outcome.isOk) {
      this.fail(file, outcome.reason);
      return;
    }
    const a: FileAggregate = outcome.aggregate;
    this.filesRead++;
    this.bytesRead += outcome.bytesRead;
    this.eventsRead += a.eventsRead;
    this.eventsAfterAsOf += a.eventsAfterAsOf;
    this.recordsSkipped += a.recordsSkipped;
    if (a.firstEvent !== null && (this.firstEvent === null || a.firstEvent < this.firstEvent)) this.firstEvent = a.firstEvent;
    if (a.lastEvent !== null && (this.lastEvent === null || a.lastEvent > this.lastEvent)) this.lastEvent = a.lastEvent;
    for (const r of a.regions) this.regions.add(r);
    for (const c of a.calls) {
      const key = callKey(c);
      const prev = this.calls.get(key);
      if (prev === undefined) {
        this.calls.set(key, { ...c });
      } else {
        prev.count += c.count;
        if (c.firstSeen < prev.firstSeen) prev.firstSeen = c.firstSeen;
        if (c.lastSeen > prev.lastSeen) prev.lastSeen = c.lastSeen;
      }
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
        recordsSkipped: this.recordsSkipped,
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

/**
 * The worker script beside this module. Under vitest / tsx this module is the .ts source, so the
 * worker is too and needs tsx's loader (a devDependency); the built package runs the .js directly.
 */
function defaultWorkerEntry(): { url: URL; execArgv: string[] } {
  const isTypeScript = import.meta.url.endsWith('.ts');
  return {
    url: new URL(isTypeScript ? './cloudtrail-worker.ts' : './cloudtrail-worker.js', import.meta.url),
    execArgv: isTypeScript ? ['--import', 'tsx'] : [],
  };
}

interface PoolContext {
  queue: string[];
  window: AggregationWindow;
  merger: Merger;
  progress: ProgressTracker;
  entry: URL;
  execArgv: string[];
}

type Spawned = { worker: Worker } | { error: string };

function spawnWorker(ctx: PoolContext): Promise<Spawned> {
  return new Promise((resolve) => {
    let worker: Worker;
    try {
      worker = new Worker(ctx.entry, { execArgv: ctx.execArgv, stdout: false, stderr: false });
    } catch (err) {
      resolve({ error: describeReadError(err) });
      return;
    }
    const onMessage = (msg: WorkerReply): void => {
      if (msg.type !== 'ready') return;
      cleanup();
      resolve({ worker });
    };
    const onError = (err: Error): void => {
      cleanup();
      void worker.terminate();
      resolve({ error: err.message });
    };
    const onExit = (code: number): void => {
      cleanup();
      resolve({ error: `worker exited with code ${code} before starting` });
    };
    const cleanup = (): void => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

type WorkerRun = { isCrash: false; outcome: FileOutcome } | { isCrash: true; reason: string };

function runOnWorker(worker: Worker, file: string, ctx: PoolContext): Promise<WorkerRun> {
  return new Promise((resolve) => {
    const onMessage = (msg: WorkerReply): void => {
      if (msg.type === 'progress') {
        ctx.progress.advance(msg.bytes, msg.events);
      } else if (msg.type === 'done') {
        cleanup();
        resolve({ isCrash: false, outcome: msg.outcome });
      }
    };
    const onError = (err: Error): void => {
      cleanup();
      resolve({ isCrash: true, reason: `worker crashed while reading this file: ${err.message}` });
    };
    const onExit = (code: number): void => {
      cleanup();
      resolve({ isCrash: true, reason: `worker exited (code ${code}) while reading this file` });
    };
    const cleanup = (): void => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    const request: WorkerRequest = { file, window: ctx.window };
    worker.postMessage(request);
  });
}

/** One pool slot: a worker taking files from the shared queue until it is empty. */
async function workerLoop(ctx: PoolContext): Promise<void> {
  let spawned = await spawnWorker(ctx);
  if ('error' in spawned) return; // the files left in the queue are read in-process afterwards
  let worker = spawned.worker;
  for (let file = ctx.queue.shift(); file !== undefined; file = ctx.queue.shift()) {
    const run = await runOnWorker(worker, file, ctx);
    if (run.isCrash) {
      ctx.merger.fail(file, run.reason);
      ctx.progress.fileDone();
      void worker.terminate();
      spawned = await spawnWorker(ctx);
      if ('error' in spawned) return;
      worker = spawned.worker;
    } else {
      ctx.merger.add(file, run.outcome);
      ctx.progress.fileDone();
    }
  }
  await worker.terminate();
}

async function readInProcess(files: string[], window: AggregationWindow, merger: Merger, progress: ProgressTracker): Promise<void> {
  const callers = new CallerCache();
  for (const file of files) {
    const outcome = await aggregateCloudTrailFile(file, window, callers, (p) => progress.advance(p.bytes, p.events));
    merger.add(file, outcome);
    progress.fileDone();
  }
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
    const entry = defaultWorkerEntry();
    const ctx: PoolContext = {
      queue,
      window,
      merger,
      progress,
      entry: internals.workerEntry ?? entry.url,
      execArgv: internals.workerExecArgv ?? (internals.workerEntry !== undefined ? [] : entry.execArgv),
    };
    await Promise.all(Array.from({ length: workerCount }, () => workerLoop(ctx)));
  }
  // workers = 1, or no worker could start (e.g. TypeScript sources without tsx): read here.
  await readInProcess(queue.splice(0), window, merger, progress);
  return merger.result();
}
