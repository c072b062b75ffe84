/**
 * The progress line of a Logging `entries.list` read: pages, entries, how far into the window the
 * entries reach, and how long the rest should take. Entries come oldest first, so the last entry's
 * timestamp over the window is the fraction read; assuming the entries spread over the window as
 * they did so far, the pages left are pages × (1 − f) / f, each taking the longer of the pacing
 * (60 / reads-per-minute seconds) and the time a page has taken so far.
 *
 * `logs: 12 pages · 11,400 entries · 2026-09-14 of 90 days (27 %) · ~5 min left at 60 reads/min`
 */

export interface LoggingProgress {
  pages: number;
  entries: number;
  /** Timestamp of the last entry read (RFC 3339), null before the first entry. */
  lastTimestamp: string | null;
  windowStart: Date;
  asOf: Date;
  readsPerMinute: number;
  /** Time spent reading so far. */
  elapsedMs: number;
  /** True once the last page has been read. */
  isDone?: boolean;
}

const DAY_MS = 86_400_000;

function windowText(spanMs: number): string {
  if (spanMs >= 2 * DAY_MS) return `${Math.round(spanMs / DAY_MS)} days`;
  const hours = Math.round(spanMs / 3_600_000);
  return `${hours} hour${hours === 1 ? '' : 's'}`;
}

/** `~40 s`, `~5 min`, `~2 h 10 min`. */
export function durationText(ms: number): string {
  const s = Math.max(1, Math.ceil(ms / 1000));
  if (s < 60) return `~${s} s`;
  const min = Math.ceil(s / 60);
  if (min < 60) return `~${min} min`;
  return `~${Math.floor(min / 60)} h${min % 60 ? ` ${min % 60} min` : ''}`;
}

/** The fraction of the window the entries read so far reach (0 … 1). */
function windowFraction(lastTimestamp: string | null, windowStart: Date, asOf: Date): number {
  if (!lastTimestamp) return 0;
  const span = asOf.getTime() - windowStart.getTime();
  const t = Date.parse(lastTimestamp);
  if (!(span > 0) || Number.isNaN(t)) return 0;
  return Math.min(1, Math.max(0, (t - windowStart.getTime()) / span));
}

/** Estimated milliseconds left, or undefined while nothing says how far the read has got. */
export function loggingTimeLeftMs(p: LoggingProgress): number | undefined {
  const f = windowFraction(p.lastTimestamp, p.windowStart, p.asOf);
  if (p.isDone || !(f > 0) || p.pages === 0) return undefined;
  const pagesLeft = Math.ceil((p.pages * (1 - f)) / f);
  const perPageMs = Math.max(60_000 / p.readsPerMinute, p.elapsedMs / p.pages);
  return pagesLeft * perPageMs;
}

export function loggingProgressText(p: LoggingProgress): string {
  const parts = [`logs: ${p.pages.toLocaleString('en-US')} page${p.pages === 1 ? '' : 's'}`, `${p.entries.toLocaleString('en-US')} entries`];
  const span = p.asOf.getTime() - p.windowStart.getTime();
  if (p.lastTimestamp) {
    const pct = Math.floor(windowFraction(p.lastTimestamp, p.windowStart, p.asOf) * 100);
    parts.push(`${p.lastTimestamp.slice(0, 10)} of ${windowText(span)} (${pct} %)`);
  }
  const rate = `${p.readsPerMinute.toLocaleString('en-US')} reads/min`;
  if (p.isDone) parts.push('done');
  else {
    const left = loggingTimeLeftMs(p);
    parts.push(left === undefined ? `at ${rate}` : `${durationText(left)} left at ${rate}`);
  }
  return parts.join(' · ');
}
