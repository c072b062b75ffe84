/** Effective, action-level entitlements per principal, each with its provenance. */

import type { AccessLevel, Provenance } from '../grant.js';
import type { PolicyRef, Principal } from './inventory.js';

/** One path by which an action reaches a principal: principal → [group] → policy → statement. */
export interface GrantPath {
  viaGroup?: { name: string; arn: string };
  policy: PolicyRef;
  statement: { index: number; sid?: string };
  /** The pattern in that statement that matched (`s3:*`, `*`, or the NotAction list). */
  matchedBy: string;
}

export interface Entitlement {
  /** Canonical `service:ActionName` as in the action catalogue. */
  action: string;
  service: string;
  accessLevel: AccessLevel;
  provenance: Provenance;
  /** Every path that grants it, sorted; `direct` when any path is direct. */
  grantedBy: GrantPath[];
  /** Every granting statement has a Condition block. */
  isConditional: boolean;
  /** Resources the Allow statements name (`*` when unrestricted); NotResource recorded with a `!` prefix. */
  resources: string[];
  /**
   * A Deny that applies only to some resources, or only under conditions, does not remove the
   * action; its scope is kept here so the reader sees it.
   */
  partialDenies: { policy: PolicyRef; statementIndex: number; resources: string[]; isConditional: boolean }[];
}

export interface PrincipalEntitlements {
  principal: Principal;
  entitlements: Entitlement[];
}

export interface ResolveWarning {
  code: 'unknown-action' | 'unknown-service' | 'missing-managed-policy' | 'unsupported-statement';
  message: string;
  account: string;
  principal?: string;
  policy?: string;
}
