/** A one-line progress display on stderr (TTY only; the caller decides whether to create it). */

import type { ScanProgress } from '../audit.js';
import { visibleText } from '../reporters/visible-text.js';

function mb(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}

export class ProgressLine {
  private readonly startMs: number;
  private lastDrawMs = 0;
  private isDrawn = false;

  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly now: () => Date,
  ) {
    this.startMs = now().getTime();
  }

  update(p: ScanProgress): void {
    const t = this.now().getTime();
    if (t - this.lastDrawMs < 100 && p.filesDone < p.filesTotal) return;
    this.lastDrawMs = t;
    const seconds = Math.max((t - this.startMs) / 1000, 0.001);
    const rate = p.events / seconds;
    const left = p.bytesRead > 0 ? ((p.bytesTotal - p.bytesRead) / p.bytesRead) * seconds : Number.NaN;
    const eta = Number.isFinite(left) ? `, ~${Math.ceil(left)}s left` : '';
    this.stream.write(
      `\r\x1b[2K${visibleText(p.account)}: ${p.filesDone}/${p.filesTotal} log files, ${mb(p.bytesRead)}/${mb(p.bytesTotal)}, ${Math.round(rate)} events/s${eta}`,
    );
    this.isDrawn = true;
  }

  done(): void {
    if (this.isDrawn) this.stream.write('\r\x1b[2K');
  }
}

/**
 * A one-line live status on stderr, redrawn in place; only created for a TTY without CI or --quiet.
 * At most ten redraws a second; an update that comes sooner is drawn when the tenth of a second is
 * up (unless a newer one replaces it), so the last state — a retry in force — is always shown.
 */
export function statusLine(stream: NodeJS.WritableStream): { update: (m: string) => void; done: () => void } {
  let isDrawn = false;
  let isDone = false;
  let last = 0;
  let pending: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  const draw = (m: string): void => {
    last = Date.now();
    pending = undefined;
    stream.write(`\r\x1b[2K${visibleText(m.slice(0, 200))}`);
    isDrawn = true;
  };
  return {
    update: (m) => {
      if (isDone) return;
      const wait = 100 - (Date.now() - last);
      if (wait <= 0) {
        draw(m);
        return;
      }
      pending = m;
      timer ??= setTimeout(() => {
        timer = undefined;
        if (pending !== undefined && !isDone) draw(pending);
      }, wait);
      timer.unref();
    },
    done: () => {
      isDone = true;
      clearTimeout(timer);
      if (isDrawn) stream.write('\r\x1b[2K');
    },
  };
}
