/**
 * The gate: which findings fail a run (`--fail-on`). Terms are `<scope>[:<severity>]` or a bare
 * severity, joined by commas (any term matching fails the run):
 *   never          nothing fails (the default without a baseline: an audit, not a gate)
 *   high           any finding at high or above (same as any:high)
 *   new            a finding not in the baseline, at low or above (the default with a baseline)
 *   new:high       a new finding at high or above
 *   any:critical   any finding at critical
 * Findings excepted by an exception in force never fail; expired exceptions no longer protect.
 *
 * `--require-basis cited,observed` narrows the gate to verdicts backed by those bases: a finding
 * that makes unused claims fails only when every one of them rests on a listed basis (GCP: each
 * unused permission's `observability.basis`). Findings that make no claim with a basis (AWS ones,
 * dormant principals, stale credentials) are gated as without it.
 */

import { BASIS_LIST_HINT, readBasisList } from '../config/verdict-basis.js';
import { UsageError } from '../model/errors.js';
import { SEVERITIES, type Finding, type Report, type Severity, type VerdictBasis } from '../model/report.js';
import { isExcepted, restsOnBases } from './compare.js';
import { severityRank } from './findings.js';

interface GateTerm {
  scope: 'any' | 'new';
  minSeverity: Severity;
}

export type Gate = GateTerm[];

/** A bare scope stops at low: unverifiable (info) findings are not failures unless asked for. */
const DEFAULT_MIN: Severity = 'low';
const HINT = `use never, a severity (${SEVERITIES.join(', ')}), new, any, or scope:severity such as new:high; join terms with commas`;

function isSeverity(s: string): s is Severity {
  return (SEVERITIES as readonly string[]).includes(s);
}

export function parseGate(expr: string): Gate {
  const terms = expr
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter((t) => t !== '');
  if (terms.length === 0) throw new UsageError('empty --fail-on', HINT);
  if (terms.includes('never')) {
    if (terms.length > 1) throw new UsageError(`--fail-on "${expr}" mixes never with other terms`, HINT);
    return [];
  }
  return terms.map((term): GateTerm => {
    const [scope, severity, extra] = term.split(':');
    if (extra !== undefined) throw new UsageError(`invalid --fail-on term "${term}"`, HINT);
    if (severity === undefined) {
      if (scope === 'any' || scope === 'new') return { scope, minSeverity: DEFAULT_MIN };
      if (scope !== undefined && isSeverity(scope)) return { scope: 'any', minSeverity: scope };
      throw new UsageError(`invalid --fail-on term "${term}"`, HINT);
    }
    if ((scope === 'any' || scope === 'new') && isSeverity(severity)) return { scope, minSeverity: severity };
    throw new UsageError(`invalid --fail-on term "${term}"`, HINT);
  });
}

export function needsBaseline(gate: Gate): boolean {
  return gate.some((t) => t.scope === 'new');
}

function matches(term: GateTerm, f: Finding): boolean {
  if (term.scope === 'new' && f.baselineStatus !== 'new') return false;
  return severityRank(f.severity) <= severityRank(term.minSeverity);
}

/** `--require-basis <list>`: the bases a failing verdict must rest on. */
export function parseRequireBasis(expr: string): VerdictBasis[] {
  const read = readBasisList(expr);
  if (!read.ok) throw new UsageError(`invalid --require-basis "${expr}": ${read.problem}`, BASIS_LIST_HINT);
  return read.bases;
}

export function failingFindings(report: Report, gate: Gate, requireBasis?: readonly VerdictBasis[]): Finding[] {
  if (gate.length === 0) return [];
  return report.findings.filter(
    (f) => !isExcepted(f) && gate.some((t) => matches(t, f)) && (requireBasis === undefined || restsOnBases(f, requireBasis) !== false),
  );
}
