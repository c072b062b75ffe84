/**
 * How flag values are read: one reader per kind of value, used alike for the flag, its PERMDRIFT_*
 * variable and its config key (flag-table.ts names the reader of each flag). A reader says what is
 * wrong and what to type instead, both as a flag (`--window 90d`) and as a config key
 * (`window: 90d`); the CLI and config-file.ts put that into their own messages.
 */

import { asOfRangeProblem, readIsoTime } from './iso-time.js';
import { readDuration } from './timeout-length.js';
import { readWindowLength, windowLengthHint } from './window-length.js';
import { BASIS_LIST_HINT, readBasisList } from './verdict-basis.js';
import type { VerdictBasis } from '../model/report.js';

type ValueReading<T> =
  | { ok: true; value: T }
  /** `problem` is absent when the hint says it all (`invalid --workers "0"`). */
  | { ok: false; problem?: string; hint: { flag: string; config: string } };

/** How the user named the value: `--window` on the command line (and in the variable), `window` in the config file. */
interface ValueNames {
  flag: string;
  key: string;
}

export type ValueReader<T> = (text: string, names: ValueNames) => ValueReading<T>;

/** `90d`, `12h`: the window length in milliseconds; refused past the 400-day cap in any unit. */
export const readWindowValue: ValueReader<number> = (text, names) => {
  const r = readWindowLength(text);
  if (r.ok) return { ok: true, value: r.ms };
  return { ok: false, problem: r.problem, hint: { flag: windowLengthHint(names.flag, r.isOverCap), config: windowLengthHint(`${names.key}:`, r.isOverCap) } };
};

/**
 * `--as-of`: ISO 8601, checked field by field; a time without a zone (or a date alone) is UTC. With
 * the window length, the window it ends must also lie between 1970-01-01 and 9999-12-31 (the config
 * file, read before the window is known, checks the time alone).
 */
export function asOfReader(windowMs: number): ValueReader<Date> {
  return (text, names) => {
    const syntax = `use an ISO 8601 date or time, e.g. ${names.key}: 2026-11-25T10:00:00Z (no zone = UTC)`;
    const r = readIsoTime(text);
    if (!r.ok) {
      return {
        ok: false,
        problem: r.problem,
        hint: { flag: `use an ISO 8601 date or time, e.g. ${names.flag} 2026-11-25 or ${names.flag} 2026-11-25T10:00:00Z (no zone = UTC)`, config: syntax },
      };
    }
    const problem = asOfRangeProblem(r.date, windowMs);
    if (problem === undefined) return { ok: true, value: r.date };
    return {
      ok: false,
      problem,
      hint: { flag: `give an ${names.flag} after 1970-01-01 (and a --window that starts after it), e.g. ${names.flag} 2026-11-25`, config: syntax },
    };
  };
}

/** The longest connection or attempt time limit, and the longest retry budget. */
export const MAX_TIMEOUT_MS = 3_600_000;
export const MAX_BUDGET_MS = 24 * 3_600_000;

/** A time limit of the live collectors: `500ms`, `30s`, `2m`, at most `maxMs`. */
export function timeLimitReader(maxMs: number): ValueReader<number> {
  return (text, names) => {
    const r = readDuration(text, maxMs);
    if (r.ok) return { ok: true, value: r.ms };
    const f = names.flag;
    return {
      ok: false,
      problem: r.problem,
      hint: {
        flag: `give a number with a unit, e.g. ${f} 500ms, ${f} 30s or ${f} 2m`,
        config: `give a number with a unit, e.g. ${names.key}: 30s (or 500ms, 2m)`,
      },
    };
  };
}

/**
 * `--min-coverage 95%` (or `95`, or `0.95`) → 0.95. A share of the span to judge that must be
 * observed before the rest is accepted as gaps; 100% accepts none beyond the edge tolerance.
 */
export const readMinCoverage: ValueReader<number> = (text, names) => {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  const value = m ? Number(m[1]) : Number.NaN;
  const fraction = m && (m[2] === '%' || value > 1) ? value / 100 : value;
  if (m && fraction > 0 && fraction <= 1) return { ok: true, value: fraction };
  const hint = `give a share of the window above 0 and at most 100%, e.g. ${names.flag} 95%`;
  return { ok: false, hint: { flag: hint, config: hint } };
};

/** `--workers`: a whole number of threads, at least 1. */
export const readWorkers: ValueReader<number> = (text) => {
  const n = Number(text);
  if (Number.isInteger(n) && n >= 1) return { ok: true, value: n };
  const hint = 'use a whole number of at least 1';
  return { ok: false, hint: { flag: hint, config: hint } };
};

/** `--logging-reads-per-minute`: Logging entries.list requests a minute, a whole number of at least 1. */
export const readReadsPerMinute: ValueReader<number> = (text) => {
  const n = Number(text);
  if (/^\d+$/.test(text.trim()) && Number.isSafeInteger(n) && n >= 1) return { ok: true, value: n };
  const hint = "pass a whole number of requests a minute, e.g. 60 (Logging's default read quota) or the quota raised for the project";
  return { ok: false, hint: { flag: hint, config: hint } };
};

const ROLE_NAME = /^(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;

/**
 * `--assume-role-name`: one IAM role name, optionally after its path. A wildcard would make the
 * `--org` policy let the caller assume every matching role in every account, so it is refused.
 */
export const readRoleName: ValueReader<string> = (text, names) => {
  if (/[*?]/.test(text)) {
    const hint = `name the one audit role, e.g. ${names.flag} PermdriftAudit (or path/PermdriftAudit)`;
    return {
      ok: false,
      problem: 'a role name cannot hold a wildcard (* or ?): the policy would allow sts:AssumeRole on every matching role in every account',
      hint: { flag: hint, config: hint },
    };
  }
  if (!ROLE_NAME.test(text) || text.length > 576) {
    const hint = 'a role name is 1-64 of A-Z a-z 0-9 + = , . @ _ -, optionally after a path such as audit/';
    return { ok: false, problem: 'not an IAM role name', hint: { flag: hint, config: hint } };
  }
  return { ok: true, value: text };
};

/** `--require-basis`: the verdict bases a failing finding must rest on (verdict-basis.ts). */
export const readBasisValue: ValueReader<VerdictBasis[]> = (text, names) => {
  const r = readBasisList(text);
  if (r.ok) return { ok: true, value: r.bases };
  return { ok: false, problem: r.problem, hint: { flag: BASIS_LIST_HINT, config: `${names.key}: ${BASIS_LIST_HINT}` } };
};
