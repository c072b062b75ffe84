/**
 * The one reading of a window length (`--window`, `PERMDRIFT_WINDOW`, the config key `window`):
 * a whole number of days or hours, `90d` or `12h`, at most 400 days in either unit.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * IAM's RoleLastUsed and Access Advisor keep 400 days; past that nothing can prove non-use, so a
 * longer window (in days or in hours) would only make claims the evidence cannot back.
 */
export const MAX_WINDOW_DAYS = 400;
export const MAX_WINDOW_MS = MAX_WINDOW_DAYS * DAY_MS;

export type WindowLengthResult = { ok: true; ms: number } | { ok: false; problem: string; isOverCap: boolean };

export function readWindowLength(text: string): WindowLengthResult {
  // Signs and decimals are matched only to say precisely what is wrong with them.
  const m = /^([+-]?)(\d+)(\.\d+)?\s*([dh])$/i.exec(text.trim());
  if (!m || m[2] === undefined || m[4] === undefined) {
    return { ok: false, problem: 'expected a whole number of days or hours, such as 90d or 12h', isOverCap: false };
  }
  const isDays = m[4].toLowerCase() === 'd';
  if (m[3] !== undefined) {
    const problem = `the number must be whole${isDays ? ' (give hours instead: 36h is a day and a half)' : ''}`;
    return { ok: false, problem, isOverCap: false };
  }
  const n = Number(m[2]);
  if (m[1] === '-' || n === 0) return { ok: false, problem: 'the window must be at least 1h', isOverCap: false };
  const ms = n * (isDays ? DAY_MS : HOUR_MS);
  if (ms > MAX_WINDOW_MS) {
    // In hours, say how many days that is, unless rounding would make it read as exactly the cap.
    const days = Math.round((ms / DAY_MS) * 10) / 10;
    const length = isDays || days <= MAX_WINDOW_DAYS ? '' : `${days >= 1e6 ? days.toExponential(1) : String(days)} days is `;
    return {
      ok: false,
      problem: `${length}over the ${MAX_WINDOW_DAYS}-day (${MAX_WINDOW_DAYS * 24}h) cap: IAM keeps last-used data for ${MAX_WINDOW_DAYS} days, so no longer window can prove non-use`,
      isOverCap: true,
    };
  }
  return { ok: true, ms };
}

/** What to type instead, for `name` as the user gave it (`--window`, `window:`). */
export function windowLengthHint(name: string, isOverCap: boolean): string {
  return isOverCap ? `use ${name} ${MAX_WINDOW_DAYS}d (${MAX_WINDOW_DAYS * 24}h) or less` : `e.g. ${name} 90d or ${name} 12h, at most ${MAX_WINDOW_DAYS}d`;
}
