/**
 * GCP inventory and entitlements: what the GCP connector reads from an offline snapshot (the
 * `gcloud … --format=json` layout in docs/gcp.md) and what the GCP resolver derives from it.
 *
 * Kept apart from the AWS model (inventory.ts, entitlement.ts) because GCP grants work differently:
 * role bindings on a resource hierarchy instead of policy documents on the principal. The engine
 * maps both onto the common report; `provenance` uses the same words.
 */

import type { Provenance } from '../grant.js';

type GcpResourceType = 'project' | 'folder' | 'organization';

export interface GcpResourceRef {
  type: GcpResourceType;
  /** Project id (or number, as the file gives it), folder number, organization number. */
  id: string;
}

/** An IAM condition (CEL). Offline it cannot be evaluated, only carried to the report. */
interface GcpCondition {
  expression: string;
  title?: string;
  description?: string;
}

export interface GcpBinding {
  /** Position in the policy's `bindings` list (0-based), for provenance. */
  index: number;
  role: string;
  members: string[];
  condition?: GcpCondition;
}

export type GcpDataAccessLogType = 'ADMIN_READ' | 'DATA_READ' | 'DATA_WRITE';

export interface GcpAuditConfig {
  /** `allServices` or a service name such as `storage.googleapis.com`. */
  service: string;
  logTypes: { logType: GcpDataAccessLogType; exemptedMembers: string[] }[];
}

/** An allow policy (`get-iam-policy` output) attached to one level of the hierarchy. */
export interface GcpIamPolicy {
  resource: GcpResourceRef;
  /** The file it was read from. */
  source: string;
  version?: number;
  etag?: string;
  bindings: GcpBinding[];
  auditConfigs: GcpAuditConfig[];
}

export interface GcpServiceAccount {
  email: string;
  /** Absent for accounts seen only as binding members (service agents are never listed). */
  uniqueId?: string;
  displayName?: string;
  /** The project that owns the account, when known. */
  projectId?: string;
  isDisabled: boolean;
  /** Google-managed (service-…@gcp-sa-….iam.gserviceaccount.com and friends): kept apart, like AWS service-linked roles. */
  isServiceAgent: boolean;
  /** Listed by `gcloud iam service-accounts list`; false when only a binding of the project names it. */
  isListed: boolean;
}

type GcpKeyType = 'USER_MANAGED' | 'SYSTEM_MANAGED';

export interface GcpServiceAccountKey {
  /** Full resource name, `projects/P/serviceAccounts/EMAIL/keys/ID`. */
  name: string;
  keyId: string;
  serviceAccountEmail: string;
  keyType: GcpKeyType;
  keyOrigin?: string;
  keyAlgorithm?: string;
  validAfter?: string;
  validBefore?: string;
  isDisabled: boolean;
  source: string;
}

export interface GcpCustomRole {
  /** `projects/P/roles/X` or `organizations/O/roles/X`, as bindings name it. */
  name: string;
  title?: string;
  /** GA, BETA, ALPHA, DEPRECATED, DISABLED, EAP. */
  stage?: string;
  includedPermissions: string[];
  isDeleted: boolean;
  source: string;
}

export interface GcpDenyRule {
  /** Position in the policy's `rules` list (0-based). */
  index: number;
  description?: string;
  deniedPrincipals: string[];
  exceptionPrincipals: string[];
  /** IAM v2 form, `SERVICE_FQDN/RESOURCE.VERB`, wildcards allowed. */
  deniedPermissions: string[];
  exceptionPermissions: string[];
  denialCondition?: GcpCondition;
}

export interface GcpDenyPolicy {
  /** `policies/<url-encoded attachment point>/denypolicies/<id>`. */
  name: string;
  displayName?: string;
  /** The resource the policy is attached to, decoded from the name when it can be. */
  attachedTo?: GcpResourceRef;
  rules: GcpDenyRule[];
  source: string;
}

export interface GcpInventoryWarning {
  code:
    | 'missing-ancestor-policy'
    | 'missing-ancestry'
    | 'missing-service-accounts'
    | 'deleted-member'
    | 'keys-for-unlisted-account'
    /** A service-account-keys file that cannot be read as a key list: that account's keys are unknown. */
    | 'service-account-keys-unreadable'
    /** An allow policy with no `bindings`: valid (an empty policy), but it grants nothing at its level. */
    | 'policy-without-bindings';
  message: string;
  file?: string;
}

/** Everything read for one project from `<dir>/gcp/`. */
export interface GcpProjectInventory {
  provider: 'gcp';
  projectId: string;
  /** The identity that read the project (`permdrift collect gcp` records it). */
  collectedBy?: string;
  /** Project first, then folders from the nearest up, the organization last. */
  ancestry: GcpResourceRef[];
  /** Allow policies in ancestry order; a level whose file is missing is absent (and warned about). */
  policies: GcpIamPolicy[];
  serviceAccounts: GcpServiceAccount[];
  keys: GcpServiceAccountKey[];
  /**
   * Key files that could not be read as a key list (wrong shape, not JSON): the keys of
   * `serviceAccount` are unknown — never "no keys". `serviceAccount` is null when neither the file
   * name nor its content names one: then every account's key list may be incomplete.
   */
  unreadableKeyFiles?: { file: string; serviceAccount: string | null; reason: string }[];
  customRoles: GcpCustomRole[];
  denyPolicies: GcpDenyPolicy[];
  /**
   * Group → members, from `<dir>/gcp/groups.json` when present. Undefined = no membership data,
   * so group grants cannot be expanded (the resolver warns); an empty object = none of the groups
   * has members we know of.
   */
  groups?: Record<string, string[]>;
  warnings: GcpInventoryWarning[];
  /** Every file read, for the report's sources. */
  sources: string[];
}

/** One path by which a permission reaches a service account. */
export interface GcpGrantPath {
  /**
   * From the project up to the resource holding the binding, e.g. project → folder → organization.
   * One element for a binding on the project itself.
   */
  chain: GcpResourceRef[];
  /** Where the binding is (the chain's last element). */
  resource: GcpResourceRef;
  binding: { index: number; role: string; condition?: GcpCondition };
  /** The member string that matched: `serviceAccount:…` or `group:…`. */
  member: string;
  /** Set when the grant reaches the account through a group. */
  viaGroup?: string;
  roleKind: 'basic' | 'predefined' | 'custom';
}

/** A deny rule that applies only under a condition: the permission stays, the rule is recorded. */
export interface GcpConditionalDeny {
  policy: string;
  ruleIndex: number;
  condition: GcpCondition;
  /** The denied-permission pattern that matched. */
  matchedBy: string;
}

export interface GcpEntitlement {
  /** `service.resource.verb`. */
  permission: string;
  service: string;
  provenance: Provenance;
  /** Every path that grants it, sorted; `direct` when any path is a binding on the project. */
  grantedBy: GcpGrantPath[];
  /** Every granting binding has a condition. */
  isConditional: boolean;
  conditionalDenies: GcpConditionalDeny[];
}

/** A permission a role grants but an unconditional deny rule removes. */
export interface GcpDeniedPermission {
  permission: string;
  policy: string;
  ruleIndex: number;
  matchedBy: string;
}

export interface GcpPrincipalEntitlements {
  serviceAccount: GcpServiceAccount;
  entitlements: GcpEntitlement[];
  denied: GcpDeniedPermission[];
}

export interface GcpResolveWarning {
  code: 'unknown-role' | 'inactive-custom-role' | 'group-not-expanded' | 'unsupported-deny-principal' | 'unsupported-deny-permission';
  message: string;
  project: string;
  principal?: string;
  role?: string;
  policy?: string;
}
