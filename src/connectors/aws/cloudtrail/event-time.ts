/**
 * Times are compared as strings (no Date per event), so every time is put in one fixed-width form:
 * `YYYY-MM-DDTHH:MM:SS.sssZ`, the form of `Date.prototype.toISOString`. CloudTrail writes
 * `2023-07-10T11:42:36Z` (second precision, UTC), which the fast path rewrites without parsing.
 */

function isDigitAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
}

function hasIsoSecondsShape(s: string): boolean {
  return (
    s.charCodeAt(4) === 45 && // -
    s.charCodeAt(7) === 45 &&
    s.charCodeAt(10) === 84 && // T
    s.charCodeAt(13) === 58 && // :
    s.charCodeAt(16) === 58 &&
    isDigitAt(s, 0) &&
    isDigitAt(s, 3) &&
    isDigitAt(s, 6) &&
    isDigitAt(s, 9) &&
    isDigitAt(s, 12) &&
    isDigitAt(s, 18)
  );
}

/** The normalised form, or null if `s` is not a time. */
export function normaliseEventTime(s: string): string | null {
  if (s.length === 20 && s.charCodeAt(19) === 90 && hasIsoSecondsShape(s)) return `${s.slice(0, 19)}.000Z`;
  if (s.length === 24 && s.charCodeAt(19) === 46 && s.charCodeAt(23) === 90 && hasIsoSecondsShape(s)) return s;
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) return null;
  const d = new Date(ms);
  const year = d.getUTCFullYear();
  // toISOString switches to a 6-digit year outside 0000-9999, which would break string order.
  return year >= 0 && year <= 9999 ? d.toISOString() : null;
}

/** For the window bounds given by the caller: throws on a value that is not a time. */
export function normaliseBound(name: string, s: string): string {
  const t = normaliseEventTime(s);
  if (t === null) throw new RangeError(`${name} is not an ISO time: ${s}`);
  return t;
}
