/**
 * Durations of the live collectors' time limits: `--connect-timeout 5s`, `--request-timeout 500ms`,
 * `--retry-budget 2m`. A number with a unit (ms, s, m, h), decimals allowed; zero, negative and
 * unit-less values are refused, and so is anything past `maxMs`.
 */

export type DurationReading = { ok: true; ms: number } | { ok: false; problem: string };

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function readDuration(text: string, maxMs: number): DurationReading {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/.exec(text);
  if (!m) return { ok: false, problem: 'expected a number with a unit: ms, s, m or h' };
  const ms = Math.round(Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? Number.NaN));
  if (!Number.isFinite(ms) || ms < 1) return { ok: false, problem: 'must be at least 1 ms' };
  if (ms > maxMs) return { ok: false, problem: `must be at most ${formatDuration(maxMs)}` };
  return { ok: true, ms };
}

/** `200 ms`, `1.5 s`, `5 min`: how limits are named in messages. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${Number((ms / 1000).toFixed(2))} s`;
}
