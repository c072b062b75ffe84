/**
 * Lengths of time in prose, shared by the engine's notes and the reporters. A window may be as
 * short as one hour, and spans' `days` are rounded to one decimal, so under a day a length is
 * taken from the times themselves and shown in hours (or minutes): `--window 1h` is "1 hour",
 * never "0 days".
 */

import { DAY_MS, HOUR_MS } from './time.js';

const MINUTE_MS = 60_000;

/**
 * A span's length: its `days` as the report states them (so prose and JSON agree), or from its
 * times under a day, where one decimal of days says too little.
 */
export function spanMs(span: { start: string; end: string; days: number }): number {
  if (span.days >= 1) return span.days * DAY_MS;
  return Math.max(0, Date.parse(span.end) - Date.parse(span.start));
}

type Amount = { n: number; unit: 'day' | 'hour' | 'minute' };

function amount(ms: number): Amount {
  if (ms >= DAY_MS) return { n: round1(ms / DAY_MS), unit: 'day' };
  if (ms >= HOUR_MS) return { n: round1(ms / HOUR_MS), unit: 'hour' };
  return { n: Math.round(ms / MINUTE_MS), unit: 'minute' };
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

function numberText(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/** "90 days", "1 day", "1.5 days", "12 hours", "1 hour", "20 minutes". */
export function durationText(ms: number): string {
  const a = amount(ms);
  return `${numberText(a.n)} ${a.unit}${a.n === 1 ? '' : 's'}`;
}

/** As an adjective: "90-day", "12-hour" (a 90-day window). */
export function durationAdjective(ms: number): string {
  const a = amount(ms);
  return `${numberText(a.n)}-${a.unit}`;
}

/**
 * "12 of 90 days" when both are days (as reports have always said), else each with its unit:
 * "20 minutes of 1 hour", "12 hours of 90 days"; `of` may also be "of the" or "vs".
 */
export function partOfText(partMs: number, wholeMs: number, of: 'of' | 'of the' | 'vs' = 'of'): string {
  const part = amount(partMs);
  const whole = amount(wholeMs);
  if (part.unit === whole.unit) return `${numberText(part.n)} ${of} ${durationText(wholeMs)}`;
  return `${durationText(partMs)} ${of} ${durationText(wholeMs)}`;
}

/** A length as `gcloud logging read --freshness` takes it: whole days, else hours (rounded up). */
export function freshnessFlag(ms: number): string {
  return ms % DAY_MS === 0 ? `${ms / DAY_MS}d` : `${Math.ceil(ms / HOUR_MS)}h`;
}
