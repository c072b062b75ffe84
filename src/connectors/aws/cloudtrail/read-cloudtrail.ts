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
import { type AggregationWindow, CallStore, CallerCache, callKey, mergeInto } from './file-aggregator.js';
import { type FileReport, aggregateCloudTrailFile, describeReadError } from './read-cloudtrail-file.js';
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
  /** Called with each worker's thread id once it is ready, so tests can tell the pool ran. */
  onWorkerReady?: (threadId: number) => void;
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
    if (report.shape === 'Events') {
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

/**
 * How to start a worker running the script beside this module. The built package runs the .js
 * directly. Under vitest / tsx this module is the .ts source, so the worker is too: a small eval'd
 * bootstrap loads it through tsx's scoped `tsImport` (tsx is a devDependency; `--import tsx` in a
 * worker's execArgv does not apply to the worker's own entry on Node 20). If tsx is missing the
 * worker fails to start and the files are read in-process.
 */
function defaultWorkerStart(): () => Worker {
  const isTypeScript = import.meta.url.endsWith('.ts');
  if (!isTypeScript) {
    const url = new URL('./cloudtrail-worker.js', import.meta.url);
    return () => new Worker(url, { stdout: false, stderr: false });
  }
  const url = new URL('./cloudtrail-worker.ts', import.meta.url).href;
  const code = `import('tsx/esm/api').then((api) => api.tsImport(${JSON.stringify(url)}, ${JSON.stringify(import.meta.url)}))`;
  return () => new Worker(code, { eval: true, stdout: false, stderr: false });
}

interface PoolContext {
  queue: string[];
  attempts: Map<string, number>;
  window: AggregationWindow;
  merger: Merger;
  progress: ProgressTracker;
  startWorker: () => Worker;
  onWorkerReady: ((threadId: number) => void) | undefined;
}

type Spawned = { worker: Worker } | { error: string };

type Outcome<T> = { isDone: false } | { isDone: true; value: T };

/**
 * Waits until `onMessage` settles, or the worker errors or exits — whichever comes first — and
 * removes its listeners either way, so a pool slot never leaks handlers across files.
 */
function awaitWorker<T>(
  worker: Worker,
  on: { message: (msg: WorkerReply) => Outcome<T>; error: (err: Error) => T; exit: (code: number) => T },
  request?: WorkerRequest,
): Promise<T> {
  return new Promise((resolve) => {
    const settle = (value: T): void => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      resolve(value);
    };
    const onMessage = (msg: WorkerReply): void => {
      const outcome = on.message(msg);
      if (outcome.isDone) settle(outcome.value);
    };
    const onError = (err: Error): void => settle(on.error(err));
    const onExit = (code: number): void => settle(on.exit(code));
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    if (request) worker.postMessage(request);
  });
}

async function spawnWorker(ctx: PoolContext): Promise<Spawned> {
  let worker: Worker;
  try {
    worker = ctx.startWorker();
  } catch (err) {
    return { error: describeReadError(err) };
  }
  return awaitWorker<Spawned>(worker, {
    message: (msg) => (msg.type === 'ready' ? { isDone: true, value: { worker } } : { isDone: false }),
    error: (err) => {
      void worker.terminate();
      return { error: err.message };
    },
    exit: (code) => ({ error: `worker exited with code ${code} before starting` }),
  });
}

type WorkerRun<T> = { isCrash: false; value: T } | { isCrash: true; reason: string };

/** Sends `request` and waits for the reply `accept` picks, or for the worker to die. */
function ask<T>(worker: Worker, request: WorkerRequest, ctx: PoolContext, accept: (msg: WorkerReply) => T | undefined): Promise<WorkerRun<T>> {
  return awaitWorker<WorkerRun<T>>(
    worker,
    {
      message: (msg) => {
        if (msg.type === 'progress') {
          ctx.progress.advance(msg.bytes, msg.events);
          return { isDone: false };
        }
        const value = accept(msg);
        return value === undefined ? { isDone: false } : { isDone: true, value: { isCrash: false, value } };
      },
      error: (err) => ({ isCrash: true, reason: `worker crashed: ${err.message}` }),
      exit: (code) => ({ isCrash: true, reason: `worker exited unexpectedly (code ${code})` }),
    },
    request,
  );
}

/** A file whose worker died this many times is given up on (reported failed) instead of retried. */
const MAX_ATTEMPTS = 2;

/**
 * One pool slot: a worker taking files from the shared queue until it is empty, then handing over
 * its aggregates. Files are committed (coverage and calls) only when those arrive; if the worker
 * dies, the file it was reading is reported failed and the files it had finished are queued again.
 */
async function workerLoop(ctx: PoolContext): Promise<void> {
  for (;;) {
    const spawned = await spawnWorker(ctx);
    if ('error' in spawned) return; // what is left in the queue is read in-process afterwards
    const worker = spawned.worker;
    ctx.onWorkerReady?.(worker.threadId);
    const finished: { file: string; report: FileReport }[] = [];
    let crash: string | null = null;
    for (let file = ctx.queue.shift(); file !== undefined; file = ctx.queue.shift()) {
      const run = await ask(worker, { type: 'file', file, window: ctx.window }, ctx, (m) => (m.type === 'done' ? m.report : undefined));
      ctx.progress.fileDone();
      if (run.isCrash) {
        ctx.merger.fail(file, `${run.reason} while reading this file`);
        crash = run.reason;
        break;
      }
      if (run.value.isOk) finished.push({ file, report: run.value });
      else ctx.merger.fail(file, run.value.reason);
    }
    if (crash === null) {
      const run = await ask(worker, { type: 'finish' }, ctx, (m) => (m.type === 'calls' ? m.calls : undefined));
      if (!run.isCrash) {
        for (const f of finished) ctx.merger.addFile(f.file, f.report);
        ctx.merger.addCalls(run.value);
        await worker.terminate();
        return;
      }
      crash = run.reason;
    }
    void worker.terminate();
    ctx.progress.filesUndone(finished.length);
    for (const f of finished) {
      const attempts = (ctx.attempts.get(f.file) ?? 0) + 1;
      ctx.attempts.set(f.file, attempts);
      if (attempts >= MAX_ATTEMPTS) ctx.merger.fail(f.file, `its results were lost twice with a crashed worker (${crash})`);
      else ctx.queue.push(f.file);
    }
    // Nothing left to read (and nothing of this worker's to redo): a new worker would have no work.
    if (ctx.queue.length === 0) return;
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
    const ctx: PoolContext = {
      queue,
      attempts: new Map(),
      window,
      merger,
      progress,
      startWorker: entry !== undefined ? () => new Worker(entry, { stdout: false, stderr: false }) : defaultWorkerStart(),
      onWorkerReady: internals.onWorkerReady,
    };
    await Promise.all(Array.from({ length: workerCount }, () => workerLoop(ctx)));
  }
  // workers = 1, or no worker could start (e.g. TypeScript sources without tsx): read here.
  await readInProcess(queue.splice(0), window, merger, progress);
  return merger.result();
}
