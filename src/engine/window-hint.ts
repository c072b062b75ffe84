/**
 * What to pass so the window matches the logs read. Logs that stop before `--as-of` call for an
 * earlier `--as-of` (the time of the last evidence), not a shorter window: a shorter window ending
 * at the same `--as-of` would still reach past the logs. Logs that start late call for `--window`.
 */

import { DAY_MS, HOUR_MS, type Window } from './window.js';

/** The longest `--window` value, in whole days (or whole hours under a day), that fits in `ms`. */
function windowFlagFor(ms: number): string | null {
  if (ms >= DAY_MS) return `${Math.floor(ms / DAY_MS)}d`;
  if (ms >= HOUR_MS) return `${Math.floor(ms / HOUR_MS)}h`;
  return null;
}

/** `evidence` names what was read ("the logs"); the sentence is empty when nothing needs to change. */
export function windowMatchHint(firstMs: number, lastMs: number, window: Window, evidence = 'the logs'): string {
  const isEndMissing = lastMs < window.endMs - window.toleranceMs;
  const endMs = isEndMissing ? lastMs : window.endMs;
  const windowMs = window.endMs - window.startMs;
  const isStartMissing = firstMs > endMs - windowMs + window.toleranceMs;
  const fit = isStartMissing ? windowFlagFor(endMs - firstMs) : null;
  const last = new Date(lastMs).toISOString();
  const first = new Date(firstMs).toISOString();
  if (isEndMissing && fit) return `Use --as-of ${last} and --window ${fit} to match ${evidence} (${first} to ${last}).`;
  if (isEndMissing) return `Use --as-of ${last} to end the window where ${evidence} end.`;
  if (fit) return `Use --window ${fit} to match ${evidence}, which start ${first}.`;
  return '';
}
