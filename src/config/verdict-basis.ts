/**
 * The one reading of a list of verdict bases (`--require-basis`, `PERMDRIFT_REQUIRE_BASIS`, the
 * config key `require-basis`, an exception's `requireBasis`): `cited`, `observed`, `rule`, joined
 * by commas or given as a list, case-insensitive. What each basis means: model/report.ts
 * (VERDICT_BASES); what requiring one does: engine/compare.ts (restsOnBases).
 */

import { VERDICT_BASES, type VerdictBasis } from '../model/report.js';

export type BasisListResult = { ok: true; bases: VerdictBasis[] } | { ok: false; problem: string };

export const BASIS_LIST_HINT = `give one or more of ${VERDICT_BASES.join(', ')}, joined by commas, e.g. cited,observed`;

/** The bases named, once each, in VERDICT_BASES order. */
export function readBasisList(value: string | readonly string[]): BasisListResult {
  const words = (typeof value === 'string' ? value.split(',') : value.flatMap((v) => v.split(','))).map((w) => w.trim().toLowerCase()).filter((w) => w !== '');
  if (words.length === 0) return { ok: false, problem: 'names no basis' };
  const unknown = words.filter((w) => !(VERDICT_BASES as readonly string[]).includes(w));
  if (unknown.length > 0)
    return { ok: false, problem: `${unknown.map((w) => JSON.stringify(w)).join(', ')} ${unknown.length === 1 ? 'is not a basis' : 'are not bases'}` };
  return { ok: true, bases: VERDICT_BASES.filter((b) => words.includes(b)) };
}
