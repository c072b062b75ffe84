/**
 * A pool of worker threads reading independent log files, shared by the CloudTrail and the Cloud
 * Audit Logs readers.
 *
 * Protocol (each reader's worker-protocol.ts names its own payloads): the pool sends
 * `{ type: 'file', file, … }` for each file and `{ type: 'finish' }` once the queue is empty; a
 * worker answers `{ type: 'ready' }` when it starts, `{ type: 'progress', … }` any number of times,
 * `{ type: 'done', report }` for each file, and one message with its aggregates after `finish`.
 * Aggregates stay in the worker until then, so the main thread merges once per worker instead of
 * once per file.
 *
 * A file is committed (its report and the worker's aggregates) only when that worker's aggregates
 * arrive. If a worker dies, the file it was reading is reported failed and the files it had
 * finished are queued again (given up on, reported failed, after their results were lost twice).
 * A worker that cannot start leaves the queue to the caller, who reads what is left in-process.
 */

import { Worker } from 'node:worker_threads';

/** What every worker reply has; the rest is the reader's. */
export interface PoolReply {
  type: string;
}

/** A per-file report: plain data, so it can cross a worker boundary. */
export type PoolFileReport = { isOk: true } | { isOk: false; reason: string };

export interface FileWorkerPoolOptions<Rep extends PoolReply, Report extends PoolFileReport, Total> {
  /** The files still to read, in the order to start them. Emptied by the pool; what is left when no worker could start is the caller's. */
  queue: string[];
  /** Pool slots (worker threads running at once). */
  workers: number;
  startWorker: () => Worker;
  /** The request asking a worker to read one file. */
  fileRequest: (file: string) => unknown;
  /** The report in a `done` reply (the reply of a file request), or undefined for another reply. */
  doneReport: (msg: Rep) => Report | undefined;
  /** The aggregates in the reply to `finish`, or undefined for another reply. */
  finishTotal: (msg: Rep) => Total | undefined;
  /** A `progress` reply. */
  onProgress?: (msg: Rep) => void;
  /** A file read (successfully or not) by a worker. */
  onFileDone?: () => void;
  /** Files whose results were lost with a crashed worker and went back to the queue. */
  onFilesUndone?: (n: number) => void;
  onWorkerReady?: (threadId: number) => void;
  /** A worker's finished files and its aggregates, committed together. */
  commit: (finished: { file: string; report: Report }[], total: Total) => void;
  /** A file that failed (read error, worker death, results lost twice). */
  fail: (file: string, reason: string) => void;
  /** A short reason for an error thrown while starting a worker. */
  describeError: (err: unknown) => string;
}

/** A file whose worker died this many times is given up on (reported failed) instead of retried. */
const MAX_ATTEMPTS = 2;

/**
 * How to start a worker running `script` (a path relative to `fromUrl` without extension, e.g.
 * `./cloudtrail-worker`). The built package runs the .js directly. Under vitest / tsx the calling
 * module is the .ts source, so the worker is too: a small eval'd bootstrap loads it through tsx's
 * scoped `tsImport` (tsx is a devDependency; `--import tsx` in a worker's execArgv does not apply to
 * the worker's own entry on Node 20). If tsx is missing the worker fails to start and the files are
 * read in-process.
 */
export function workerStarter(fromUrl: string, script: string): () => Worker {
  const isTypeScript = fromUrl.endsWith('.ts');
  if (!isTypeScript) {
    const url = new URL(`${script}.js`, fromUrl);
    return () => new Worker(url, { stdout: false, stderr: false });
  }
  const url = new URL(`${script}.ts`, fromUrl).href;
  const code = `import('tsx/esm/api').then((api) => api.tsImport(${JSON.stringify(url)}, ${JSON.stringify(fromUrl)}))`;
  return () => new Worker(code, { eval: true, stdout: false, stderr: false });
}

type Spawned = { worker: Worker } | { error: string };

type Outcome<T> = { isDone: false } | { isDone: true; value: T };

/**
 * Waits until `onMessage` settles, or the worker errors or exits — whichever comes first — and
 * removes its listeners either way, so a pool slot never leaks handlers across files.
 */
function awaitWorker<Rep, T>(
  worker: Worker,
  on: { message: (msg: Rep) => Outcome<T>; error: (err: Error) => T; exit: (code: number) => T },
  request?: unknown,
): Promise<T> {
  return new Promise((resolve) => {
    const settle = (value: T): void => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      resolve(value);
    };
    const onMessage = (msg: Rep): void => {
      const outcome = on.message(msg);
      if (outcome.isDone) settle(outcome.value);
    };
    const onError = (err: Error): void => settle(on.error(err));
    const onExit = (code: number): void => settle(on.exit(code));
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    if (request !== undefined) worker.postMessage(request);
  });
}

type WorkerRun<T> = { isCrash: false; value: T } | { isCrash: true; reason: string };

class Pool<Rep extends PoolReply, Report extends PoolFileReport, Total> {
  private readonly attempts = new Map<string, number>();

  constructor(private readonly o: FileWorkerPoolOptions<Rep, Report, Total>) {}

  private async spawn(): Promise<Spawned> {
    let worker: Worker;
    try {
      worker = this.o.startWorker();
    } catch (err) {
      return { error: this.o.describeError(err) };
    }
    return awaitWorker<Rep, Spawned>(worker, {
      message: (msg) => (msg.type === 'ready' ? { isDone: true, value: { worker } } : { isDone: false }),
      error: (err) => {
        void worker.terminate();
        return { error: err.message };
      },
      exit: (code) => ({ error: `worker exited with code ${code} before starting` }),
    });
  }

  /** Sends `request` and waits for the reply `accept` picks, or for the worker to die. */
  private ask<T>(worker: Worker, request: unknown, accept: (msg: Rep) => T | undefined): Promise<WorkerRun<T>> {
    return awaitWorker<Rep, WorkerRun<T>>(
      worker,
      {
        message: (msg) => {
          if (msg.type === 'progress') {
            this.o.onProgress?.(msg);
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

  /** One pool slot: a worker taking files from the shared queue until it is empty, then handing over its aggregates. */
  async slot(): Promise<void> {
    const o = this.o;
    for (;;) {
      const spawned = await this.spawn();
      if ('error' in spawned) return; // what is left in the queue is read in-process afterwards
      const worker = spawned.worker;
      o.onWorkerReady?.(worker.threadId);
      const finished: { file: string; report: Report }[] = [];
      let crash: string | null = null;
      for (let file = o.queue.shift(); file !== undefined; file = o.queue.shift()) {
        const run = await this.ask(worker, o.fileRequest(file), o.doneReport);
        o.onFileDone?.();
        if (run.isCrash) {
          o.fail(file, `${run.reason} while reading this file`);
          crash = run.reason;
          break;
        }
        const report = run.value;
        if (report.isOk) finished.push({ file, report });
        else o.fail(file, report.reason);
      }
      if (crash === null) {
        const run = await this.ask(worker, { type: 'finish' }, o.finishTotal);
        if (!run.isCrash) {
          o.commit(finished, run.value);
          await worker.terminate();
          return;
        }
        crash = run.reason;
      }
      void worker.terminate();
      o.onFilesUndone?.(finished.length);
      for (const f of finished) {
        const attempts = (this.attempts.get(f.file) ?? 0) + 1;
        this.attempts.set(f.file, attempts);
        if (attempts >= MAX_ATTEMPTS) o.fail(f.file, `its results were lost twice with a crashed worker (${crash})`);
        else o.queue.push(f.file);
      }
      // Nothing left to read (and nothing of this worker's to redo): a new worker would have no work.
      if (o.queue.length === 0) return;
    }
  }
}

/**
 * Reads the queue on `workers` worker threads. Resolves when every slot has stopped: the queue is
 * then empty, unless workers could not start — the caller reads what is left.
 */
export async function runFileWorkerPool<Rep extends PoolReply, Report extends PoolFileReport, Total>(
  options: FileWorkerPoolOptions<Rep, Report, Total>,
): Promise<void> {
  const pool = new Pool(options);
  await Promise.all(Array.from({ length: options.workers }, () => pool.slot()));
}
