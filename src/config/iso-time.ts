/**
 * A strict reading of an ISO 8601 time given by the user (`--as-of`, the config key `as-of`).
 * `Date.parse` rolls `2026-02-30` over to March 2 and reads a zone-less time in the machine's zone,
 * so the components are checked here and a time without a zone is UTC, as CloudTrail and Cloud
 * Audit Logs times are: the same command gives the same report whatever `TZ` is.
 */

import { durationAdjective } from '../model/duration-text.js';

export type IsoTimeResult = { ok: true; date: Date; isZoneless: boolean } | { ok: false; problem: string };

const FORM = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** `2026-11-20`, `2026-11-20T10:00`, `2026-11-20T10:00:00.5Z`, `…+02:00`; zone-less = UTC. */
export function readIsoTime(text: string): IsoTimeResult {
  const m = FORM.exec(text.trim());
  if (!m) return { ok: false, problem: 'not an ISO 8601 date or time' };
  const [, ys, mos, ds, hs, mis, ss, frac, zone] = m;
  const year = Number(ys);
  const month = Number(mos);
  const day = Number(ds);
  const hour = Number(hs ?? 0);
  const minute = Number(mis ?? 0);
  const second = Number(ss ?? 0);
  if (month < 1 || month > 12) return { ok: false, problem: `month ${mos} does not exist (01-12)` };
  const monthDays = daysInMonth(year, month);
  if (day < 1 || day > monthDays) {
    return { ok: false, problem: `day ${ds} does not exist: ${MONTHS[month - 1]} ${year} has ${monthDays} days` };
  }
  if (hour > 23) return { ok: false, problem: `hour ${hs} does not exist (00-23)` };
  if (minute > 59) return { ok: false, problem: `minute ${mis} does not exist (00-59)` };
  if (second > 59) return { ok: false, problem: `second ${ss} does not exist (00-59)` };
  let offsetMinutes = 0;
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2) || '0');
    if (oh > 23 || om > 59) return { ok: false, problem: `zone offset ${zone} does not exist` };
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (oh * 60 + om);
  }
  const ms = Number((frac ?? '').padEnd(3, '0').slice(0, 3));
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0-99 as 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute - offsetMinutes, second, ms);
  if (Number.isNaN(date.getTime())) return { ok: false, problem: 'out of the range of representable times' };
  return { ok: true, date, isZoneless: zone === undefined };
}

/** No cloud audit log is older than the Unix epoch; times before it are typos (`0000-01-01`). */
const EARLIEST_TIME_MS = 0;
/** Report times are RFC 3339 with four-digit years. */
const LATEST_TIME_MS = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * Why `asOf`, with a window of `windowMs` before it, cannot be audited; undefined when it can. The
 * window must lie between 1970-01-01 and 9999-12-31 (UTC): outside, times cannot be written in the
 * report, and nothing could have been logged anyway.
 */
export function asOfRangeProblem(asOf: Date, windowMs: number): string | undefined {
  const t = asOf.getTime();
  if (t < EARLIEST_TIME_MS) return 'it is before 1970-01-01: no cloud audit log is that old';
  if (t > LATEST_TIME_MS) return 'it is after 9999-12-31 (UTC): report times have four-digit years';
  if (t - windowMs < EARLIEST_TIME_MS)
    return `the ${durationAdjective(windowMs)} window before it would start before 1970-01-01: no cloud audit log is that old`;
  return undefined;
}
