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

/** A one-line live status on stderr, redrawn in place; only created for a TTY without CI or --quiet. */
export function statusLine(stream: NodeJS.WritableStream): { update: (m: string) => void; done: () => void } {
  let isDrawn = false;
  let last = 0;
  return {
    update: (m) => {
      const t = Date.now();
      if (t - last < 100) return;
      last = t;
      stream.write(`\r\x1b[2K${visibleText(m.slice(0, 200))}`);
      isDrawn = true;
    },
    done: () => {
      if (isDrawn) stream.write('\r\x1b[2K');
    },
  };
}
