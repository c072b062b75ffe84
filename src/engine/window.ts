/**
 * The window a run judges, and the spans reported inside it: provider-neutral (AWS accounts and GCP
 * projects are judged against the same window).
 */

import type { Span } from '../model/report.js';

import { DAY_MS } from '../model/time.js';

export { DAY_MS, HOUR_MS } from '../model/time.js';

export interface Window {
  start: string;
  end: string;
  startMs: number;
  endMs: number;
  /** Slack when deciding whether evidence reaches the window's edges: logs arrive in files. */
  toleranceMs: number;
}

export function makeWindow(asOf: Date, windowMs: number): Window {
  const endMs = asOf.getTime();
  const startMs = endMs - windowMs;
  return {
    start: new Date(startMs).toISOString(),
    end: new Date(endMs).toISOString(),
    startMs,
    endMs,
    toleranceMs: Math.min(DAY_MS, windowMs * 0.05),
  };
}

export function spanOf(startMs: number, endMs: number): Span {
  return {
    start: new Date(startMs).toISOString(),
    end: new Date(endMs).toISOString(),
    days: Math.round(((endMs - startMs) / DAY_MS) * 10) / 10,
  };
}
