/**
 * Stale service-account keys: user-managed, enabled, created before the window, judged by the
 * Policy Analyzer key-authentication rows (no row: no verdict).
 */

import type { GcpServiceAccountKey } from '../../model/gcp/policy.js';
import type { Finding, Span } from '../../model/report.js';
import { type Window } from '../window.js';
import { findingId } from '../findings.js';

export function staleKeyFindings(
  keys: GcpServiceAccountKey[],
  keyActivity: Map<string, { lastAuthenticated: string | null; source: string; observationStart?: string }>,
  window: Window,
  windowSpan: Span,
  observed: Span | null,
  base: Pick<Finding, 'provider' | 'account' | 'principal'>,
  isBefore: (d: string | null) => boolean,
  hasKeyActivity: boolean,
): Finding[] {
  const out: Finding[] = [];
  if (!hasKeyActivity) return out;
  for (const key of keys) {
    if (key.keyType !== 'USER_MANAGED' || key.isDisabled) continue;
    // A key created inside the window has not had the whole window to be used.
    if (!key.validAfter || !isBefore(key.validAfter)) continue;
    if (key.validBefore && Date.parse(key.validBefore) < window.endMs) continue;
    const row = keyActivity.get(`${key.serviceAccountEmail.toLowerCase()}\u0000${key.keyId}`);
    // No row: no evidence either way (the query may have been cut at its limit).
    if (!row) continue;
    const isUnused = isBefore(row.lastAuthenticated);
    if (!isUnused) {
      out.push({
        id: findingId('gcp', base.account, base.principal.id, 'stale-credential', `key-${key.keyId}`),
        type: 'stale-credential',
        severity: 'medium',
        ...base,
        permissions: [],
        evidence: {
          window: windowSpan,
          observed,
          sources: ['policy-analyzer'],
          reason: `User-managed key ${key.keyId} was created ${key.validAfter}, before the window, and is still in use (last authentication ${row.lastAuthenticated}).`,
        },
        recommendation: `Rotate key ${key.keyId} of ${key.serviceAccountEmail} (create a new key, switch the workload, then \`gcloud iam service-accounts keys delete ${key.keyId} --iam-account ${key.serviceAccountEmail}\`), or replace it with an attached service account or workload identity federation.`,
      });
      continue;
    }
    out.push({
      id: findingId('gcp', base.account, base.principal.id, 'stale-credential', `key-${key.keyId}`),
      type: 'stale-credential',
      severity: 'high',
      ...base,
      permissions: [],
      evidence: {
        window: windowSpan,
        observed,
        sources: ['policy-analyzer'],
        reason: `User-managed key ${key.keyId} (created ${key.validAfter}) ${row.lastAuthenticated ? `last authenticated ${row.lastAuthenticated}` : 'has no recorded authentication'}${row.observationStart ? ` since ${row.observationStart}` : ''} (Policy Analyzer, ${row.source}).`,
      },
      recommendation: `Disable, then delete, key ${key.keyId} of ${key.serviceAccountEmail} (\`gcloud iam service-accounts keys disable ${key.keyId} --iam-account ${key.serviceAccountEmail}\`); prefer an attached service account or workload identity federation over keys.`,
    });
  }
  return out;
}
