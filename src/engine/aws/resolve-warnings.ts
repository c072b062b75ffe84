/**
 * The warnings of a policy as it reaches a principal (what its compilation could not read),
 * labelled by how it is attached. Managed and group policies are shared, so their warnings name
 * the policy, not the principal, and equal warnings are one object: de-duplication across
 * policies and principals is then by identity.
 */

import type { ResolveWarning } from '../../model/aws/entitlement.js';
import type { AttachedPolicy, PolicyRef, Principal } from '../../model/aws/inventory.js';
import type { CompiledPolicy } from './policy-compile.js';
import type { PreparedPolicy } from './resolve-prepare.js';

function policyLabel(policy: PolicyRef, principal: Principal, viaGroup: AttachedPolicy['viaGroup'], role: string): string {
  if (policy.type === 'managed') return `${role} ${policy.name} (${policy.arn ?? 'no ARN'})`;
  if (viaGroup) return `inline policy ${policy.name} of group ${viaGroup.name}`;
  return `inline policy ${policy.name} of ${principal.kind} ${principal.name}`;
}

const NO_WARNINGS: ResolveWarning[] = [];
Object.freeze(NO_WARNINGS);

/** Managed-policy warnings by compiled document, then by account and label: one object per content. */
const managedWarnings = new WeakMap<CompiledPolicy, Map<string, ResolveWarning[]>>();

function buildWarnings(compiled: CompiledPolicy, policy: PolicyRef, label: string, account: string, principalArn: string | undefined): ResolveWarning[] {
  return compiled.problems.map((problem): ResolveWarning => {
    const warning: ResolveWarning = { code: problem.code, message: `${label}: ${problem.message}`, account, policy: policy.arn ?? policy.name };
    if (principalArn !== undefined) warning.principal = principalArn;
    return warning;
  });
}

/**
 * The warnings of one policy as it reaches a principal. Managed and group policies are shared, so
 * their warnings name the policy, not the principal, and equal warnings are the same object:
 * de-duplication (here and in resolveAccount) is then by identity.
 */
export function warningsOf(prepared: PreparedPolicy, principal: Principal, viaGroup: AttachedPolicy['viaGroup'], role: string): ResolveWarning[] {
  const { compiled, policy } = prepared;
  if (compiled.problems.length === 0) return NO_WARNINGS;
  const label = policyLabel(policy, principal, viaGroup, role);
  if (policy.type === 'managed') {
    let byKey = managedWarnings.get(compiled);
    if (!byKey) {
      byKey = new Map();
      managedWarnings.set(compiled, byKey);
    }
    const key = `${principal.account}\n${policy.arn ?? ''}\n${label}`;
    let list = byKey.get(key);
    if (!list) {
      list = buildWarnings(compiled, policy, label, principal.account, undefined);
      byKey.set(key, list);
    }
    return list;
  }
  if (viaGroup) {
    if (prepared.sharedWarnings?.account !== principal.account) {
      prepared.sharedWarnings = { account: principal.account, list: buildWarnings(compiled, policy, label, principal.account, undefined) };
    }
    return prepared.sharedWarnings.list;
  }
  return buildWarnings(compiled, policy, label, principal.account, principal.arn);
}

export function addWarnings(list: readonly ResolveWarning[], out: ResolveWarning[], seen: Set<ResolveWarning>): void {
  for (const w of list) {
    if (seen.has(w)) continue;
    seen.add(w);
    out.push(w);
  }
}
