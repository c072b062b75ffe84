/**
 * Builds the `collect-manifest.json` a live collection leaves in each account or project folder
 * (model/collect-manifest.ts), shared by `collect aws` and `collect gcp`.
 *
 * A source's `readAt` is taken just before its read starts (or is the time the provider says its
 * data is from, when that is earlier, e.g. a cached IAM credential report): the state read is at
 * least that recent, so an evidence end taken from it is never later than the truth. A source
 * that could not be read has no entry.
 *
 * Log spans are declared as attempted per scope (a region, a log) and failures are recorded as
 * they happen; `logs.complete` is what was attempted less what failed, so a span is complete only
 * when every listing page and every file inside it was read.
 *
 * The manifest is written at the start of a collection with `complete: false`, again at each
 * checkpoint (still false), and last with `complete: true`: an interrupted collection leaves a
 * manifest that says so, and claims only what was recorded before the interrupt.
 */

import { join } from 'node:path';
import { writeFileAtomic, type TempTracker } from './atomic-file.js';
import {
  COLLECT_MANIFEST_FILE,
  COLLECT_MANIFEST_VERSION,
  type CollectManifest,
  type ManifestLogFailure,
  type ManifestLogSpan,
} from '../../model/collect-manifest.js';
import { TOOL_VERSION } from '../../version.js';

interface MsSpan {
  start: number;
  end: number;
}

function merge(spans: MsSpan[]): MsSpan[] {
  const sorted = spans.filter((s) => s.end > s.start).sort((a, b) => a.start - b.start || a.end - b.end);
  const out: MsSpan[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else out.push({ ...s });
  }
  return out;
}

function subtract(from: MsSpan[], minus: MsSpan[]): MsSpan[] {
  let pieces = merge(from);
  for (const m of merge(minus)) {
    pieces = pieces.flatMap((p) => {
      if (m.end <= p.start || m.start >= p.end) return [p];
      const left = m.start > p.start ? [{ start: p.start, end: m.start }] : [];
      const right = m.end < p.end ? [{ start: m.end, end: p.end }] : [];
      return [...left, ...right];
    });
  }
  return pieces;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export class ManifestRecorder {
  private readonly startedAt: string;
  private readonly sources = new Map<string, string>();
  private readonly attempted = new Map<string, MsSpan[]>();
  private readonly failures: { scope: string; span: MsSpan; reason: string }[] = [];
  private logSource = 'none';
  private files = 0;

  constructor(
    private readonly provider: CollectManifest['provider'],
    private readonly scope: string,
    private readonly requested: { start: Date; end: Date },
    private readonly now: () => Date,
    startedAt?: Date,
  ) {
    this.startedAt = (startedAt ?? now()).toISOString();
  }

  /** Records that `stem` (a file name without extension, or a folder) was read as of `at`. */
  sourceRead(stem: string, at: Date): void {
    this.sources.set(stem, at.toISOString());
  }

  /** `s3` | `lookup-events` | `none` (AWS); `api` | `gcs` | `none` (GCP). */
  setLogSource(source: string): void {
    this.logSource = source;
  }

  addFilesWritten(n: number): void {
    this.files += n;
  }

  /** The span of `scope` the collector set out to read in full (clipped to the requested span). */
  attempt(scope: string, start: Date | number, end: Date | number): void {
    const span = this.clip(start, end);
    if (span) this.attempted.set(scope, [...(this.attempted.get(scope) ?? []), span]);
  }

  /** A span of `scope` that was not read (clipped to the requested span); it is never complete. */
  fail(scope: string, start: Date | number, end: Date | number, reason: string): void {
    const span = this.clip(start, end);
    if (span) this.failures.push({ scope, span, reason });
  }

  private clip(start: Date | number, end: Date | number): MsSpan | undefined {
    const a = Math.max(typeof start === 'number' ? start : start.getTime(), this.requested.start.getTime());
    const b = Math.min(typeof end === 'number' ? end : end.getTime(), this.requested.end.getTime());
    return b > a ? { start: a, end: b } : undefined;
  }

  /**
   * The manifest as of now (finishedAt); lists sorted so the file is byte-stable for the same run.
   * `isComplete` only at the very end, once everything it describes is on disk.
   */
  build(isComplete = true): CollectManifest {
    const failedByScope = new Map<string, MsSpan[]>();
    for (const f of this.failures) failedByScope.set(f.scope, [...(failedByScope.get(f.scope) ?? []), f.span]);
    const complete: ManifestLogSpan[] = [];
    for (const [scope, spans] of this.attempted) {
      for (const s of subtract(spans, failedByScope.get(scope) ?? [])) complete.push({ scope, start: iso(s.start), end: iso(s.end) });
    }
    // Failures alike (same scope and reason) that touch are one span: 90 denied day folders are one line.
    const byKey = new Map<string, { scope: string; reason: string; spans: MsSpan[] }>();
    for (const f of this.failures) {
      const key = `${f.scope}\u0000${f.reason}`;
      const entry = byKey.get(key) ?? { scope: f.scope, reason: f.reason, spans: [] };
      entry.spans.push(f.span);
      byKey.set(key, entry);
    }
    const failed: ManifestLogFailure[] = [];
    for (const e of byKey.values()) for (const s of merge(e.spans)) failed.push({ scope: e.scope, start: iso(s.start), end: iso(s.end), reason: e.reason });
    const order = (a: ManifestLogSpan, b: ManifestLogSpan): number =>
      a.scope < b.scope ? -1 : a.scope > b.scope ? 1 : a.start < b.start ? -1 : a.start > b.start ? 1 : 0;
    complete.sort(order);
    failed.sort((a, b) => order(a, b) || (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0));
    return {
      schemaVersion: COLLECT_MANIFEST_VERSION,
      provider: this.provider,
      scope: this.scope,
      tool: `permdrift ${TOOL_VERSION}`,
      complete: isComplete,
      startedAt: this.startedAt,
      finishedAt: this.now().toISOString(),
      sources: Object.fromEntries([...this.sources].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, readAt]) => [k, { readAt }])),
      logs: {
        source: this.logSource,
        requested: { start: this.requested.start.toISOString(), end: this.requested.end.toISOString() },
        complete,
        failed,
        filesWritten: this.files,
      },
    };
  }
}

/**
 * Writes the manifest beside the files it describes, through a temporary file and a rename, so a
 * run that dies half-way never leaves a manifest that claims what was not written.
 */
async function writeCollectManifest(dir: string, manifest: CollectManifest, trackTemp?: TempTracker): Promise<string> {
  const file = join(dir, COLLECT_MANIFEST_FILE);
  await writeFileAtomic(file, `${JSON.stringify(manifest, null, 2)}\n`, trackTemp);
  return file;
}

/**
 * The manifest file of one account or project folder: `checkpoint()` writes what the recorder
 * holds with `complete: false`, `finish()` the final one with `complete: true`. Writes are one at
 * a time (one temp name per process), in call order.
 */
export class ManifestFile {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dir: string,
    private readonly recorder: ManifestRecorder,
    private readonly trackTemp?: TempTracker,
  ) {}

  private write(isComplete: boolean): Promise<void> {
    const next = this.queue.then(() => writeCollectManifest(this.dir, this.recorder.build(isComplete), this.trackTemp));
    this.queue = next.catch(() => undefined);
    return next.then(() => undefined);
  }

  checkpoint(): Promise<void> {
    return this.write(false);
  }

  finish(): Promise<void> {
    return this.write(true);
  }
}
