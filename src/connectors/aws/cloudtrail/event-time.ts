/**
 * Times are compared as strings (no Date per event), so every time is put in one fixed-width form:
 * `YYYY-MM-DDTHH:MM:SS.sssZ`, the form of `Date.prototype.toISOString`. CloudTrail writes
 * `2023-07-10T11:42:36Z` (second precision, UTC), which the fast path checks and rewrites without
 * parsing.
 *
 * Nothing here reads the machine's time zone: a time without a zone is UTC (CloudTrail and Cloud
 * Audit Logs times are UTC; an export that dropped the `Z` did not move the instant), and only ISO
 * 8601 forms and epoch numbers are times, since `Date.parse` reads every other form (and zone-less
 * ISO date-times) in local time. An impossible calendar date (`2026-02-30`) is not a time, where
 * `Date.parse` would roll it over into March.
 */

/** A time read from a record: its normalised form and whether it had no zone. */
export interface ParsedTime {
  time: string;
  isZoneless: boolean;
}

/**
 * Epoch values below this are not read as times: 10^9 seconds is 2001-09-09, long before
 * CloudTrail (2013); a smaller number is a placeholder (0, -1) or a counter, and reading it as
 * 1970 would turn a use into an old one.
 */
const MIN_EPOCH_SECONDS = 1e9;
/** Numbers from here on are milliseconds (10^11 seconds would be the year 5138). */
const MILLIS_FROM = 1e11;
/** 9999-12-31T23:59:59.999Z: later instants need a 6-digit year, which would break string order. */
const MAX_MS = 253402300799999;

function digit(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -100;
}

function twoDigits(s: string, i: number): number {
  return digit(s, i) * 10 + digit(s, i + 1);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function isValidDate(year: number, month: number, day: number): boolean {
  return year >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

function isValidClock(hour: number, minute: number, second: number): boolean {
  return hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 59;
}

/** `YYYY-MM-DDTHH:MM:SS` at the start of `s`, every digit and field range checked. */
function isIsoSeconds(s: string): boolean {
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return false;
  const year = twoDigits(s, 0) * 100 + twoDigits(s, 2);
  return isValidDate(year, twoDigits(s, 5), twoDigits(s, 8)) && isValidClock(twoDigits(s, 11), twoDigits(s, 14), twoDigits(s, 17));
}

/** The two UTC forms CloudTrail writes, checked and normalised without a regular expression; else null. */
export function fastUtc(s: string): string | null {
  if (s.length === 20) return s.charCodeAt(19) === 90 && isIsoSeconds(s) ? `${s.slice(0, 19)}.000Z` : null;
  if (s.length === 24 && s.charCodeAt(19) === 46 && s.charCodeAt(23) === 90 && digit(s, 20) >= 0 && digit(s, 21) >= 0 && digit(s, 22) >= 0 && isIsoSeconds(s))
    return s;
  return null;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;
const EPOCH_TEXT = /^-?\d+(?:\.\d+)?$/;

function fromMs(ms: number): string | null {
  return Number.isFinite(ms) && ms >= 0 && ms <= MAX_MS ? new Date(ms).toISOString() : null;
}

/** Epoch seconds or milliseconds (told apart by size), or null when not a plausible time. */
export function epochToTime(n: number): string | null {
  if (!Number.isFinite(n) || n < MIN_EPOCH_SECONDS) return null;
  return fromMs(n >= MILLIS_FROM ? Math.trunc(n) : Math.round(n * 1000));
}

function parseIso(s: string): ParsedTime | null {
  const m = ISO.exec(s);
  if (m === null) return null;
  const [, y, mo, d, hh, mi, ss, frac, z, sign, oh, om] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = hh === undefined ? 0 : Number(hh);
  const minute = mi === undefined ? 0 : Number(mi);
  const second = ss === undefined ? 0 : Number(ss);
  if (!isValidDate(year, month, day) || !isValidClock(hour, minute, second)) return null;
  let offsetMinutes = 0;
  if (sign !== undefined) {
    const offH = Number(oh);
    const offM = om === undefined ? 0 : Number(om);
    if (offH > 23 || offM > 59) return null;
    offsetMinutes = (sign === '-' ? -1 : 1) * (offH * 60 + offM);
  }
  // Fractions beyond milliseconds are cut, as Date.parse does.
  const millis = frac === undefined ? 0 : Number(frac.slice(0, 3).padEnd(3, '0'));
  // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear does not.
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, millis));
  date.setUTCFullYear(year);
  const time = fromMs(date.getTime() - offsetMinutes * 60_000);
  return time === null ? null : { time, isZoneless: z === undefined && sign === undefined };
}

/** A time given as a JSON string: ISO 8601 (zone-less = UTC) or a string of epoch digits. */
export function parseTimeText(raw: string): ParsedTime | null {
  const fast = fastUtc(raw);
  if (fast !== null) return { time: fast, isZoneless: false };
  const s = raw.trim();
  if (EPOCH_TEXT.test(s)) {
    const time = epochToTime(Number(s));
    return time === null ? null : { time, isZoneless: false };
  }
  return parseIso(s);
}

/** The normalised form, or null if `s` is not a time. Without a zone, the time is UTC. */
export function normaliseEventTime(s: string): string | null {
  return fastUtc(s) ?? parseTimeText(s)?.time ?? null;
}

/** For the window bounds given by the caller: throws on a value that is not a time. */
export function normaliseBound(name: string, s: string): string {
  const t = normaliseEventTime(s);
  if (t === null) throw new RangeError(`${name} is not an ISO time: ${s}`);
  return t;
}
