/** Text helpers shared by the renderers: UTC only, no locale, so output is byte-stable. */

import { spanMs } from '../model/duration-text.js';
import type { Finding, Span } from '../model/report.js';

/** 1234567 → "1,234,567", the same on every machine. */
export function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function plural(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${formatCount(n)} ${n === 1 ? singular : pluralForm}`;
}

export function isoDay(value: string): string {
  const time = Date.parse(value);
  return Number.isNaN(time) ? value : new Date(time).toISOString().slice(0, 10);
}

export function isoMinute(value: string): string {
  const time = Date.parse(value);
  return Number.isNaN(time) ? value : `${new Date(time).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** `2026-08-22 → 2026-11-20`; to the minute for a span under a day, where days would say nothing. */
export function spanRangeText(span: Span): string {
  if (spanMs(span) < 86_400_000) return `${isoMinute(span.start).replace(/ UTC$/, '')} → ${isoMinute(span.end)}`;
  return `${isoDay(span.start)} → ${isoDay(span.end)}`;
}

/** A number with fixed decimals, or an em dash when there is none. */
export function fixed(n: number | null, digits: number): string {
  return n === null ? '—' : n.toFixed(digits);
}

/** Accepted by an exception in force: it fails no gate and needs no next step. */
export function isExcepted(finding: Finding): boolean {
  return finding.exception?.state === 'active';
}
