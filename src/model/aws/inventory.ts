/**
 * Inventory: everything needed to say what an identity may do, as read from a provider.
 * Connectors produce it; the engine consumes it. Policy documents are already validated and
 * normalised (single strings lifted to arrays) by the connector that read them.
 */

export type Effect = 'Allow' | 'Deny';

export interface PolicyStatement {
  /** Position of the statement inside its policy document (0-based), for provenance. */
  index: number;
  sid?: string;
  effect: Effect;
  action?: string[];
  notAction?: string[];
  resource?: string[];
  notResource?: string[];
  /** Raw condition block; its presence makes a grant conditional. */
  condition?: Record<string, unknown>;
}

export interface PolicyDocument {
  version?: string;
  statements: PolicyStatement[];
}

export type PolicyType = 'inline' | 'managed';

export interface PolicyRef {
  type: PolicyType;
  name: string;
  /** Managed policies only. */
  arn?: string;
}

/** A policy reaching a principal: attached to it directly, or through one of its groups. */
export interface AttachedPolicy {
  policy: PolicyRef;
  document: PolicyDocument;
  /** Absent when attached to the principal itself. */
  viaGroup?: { name: string; arn: string };
}

export type PrincipalKind = 'role' | 'user';

export interface Principal {
  provider: 'aws';
  account: string;
  /** ARN, including the path. */
  arn: string;
  name: string;
  kind: PrincipalKind;
  path: string;
  /** RoleId / UserId. */
  uniqueId: string;
  createDate: string;
  /** `/aws-service-role/` roles: the customer cannot edit them. */
  isServiceLinked: boolean;
  /**
   * RoleLastUsed from the authorization details. `undefined` = the file does not say (older
   * exports have no such key); `null` = IAM says not used within its tracking period.
   */
  roleLastUsed?: { lastUsedDate: string; region?: string } | null;
  policies: AttachedPolicy[];
  groups: { name: string; arn: string }[];
  boundary?: { policy: PolicyRef; document: PolicyDocument };
}

/** Access Advisor (IAM last-accessed) evidence for one principal. */
export interface AccessAdvisorRecord {
  principalArn: string;
  /** When the job completed: the end of the span its answers cover. */
  jobCompletionDate: string;
  services: AccessAdvisorService[];
  /** Which file it came from, for the report's sources. */
  source: string;
}

export interface AccessAdvisorService {
  serviceNamespace: string;
  /** `null` = not accessed within the tracking period. */
  lastAuthenticated: string | null;
  /** Action-level data, when the job was ACTION_LEVEL and the service supports it. */
  actions?: { actionName: string; lastAccessed: string | null }[];
}

export interface CredentialReportEntry {
  userArn: string;
  user: string;
  userCreationTime: string;
  passwordEnabled: boolean;
  passwordLastUsed: string | null;
  accessKeys: {
    slot: 1 | 2;
    isActive: boolean;
    lastRotated: string | null;
    lastUsedDate: string | null;
    lastUsedService: string | null;
  }[];
}

export interface AwsAccountInventory {
  provider: 'aws';
  account: string;
  principals: Principal[];
  accessAdvisor: AccessAdvisorRecord[];
  credentialReport?: { generatedTime: string; entries: CredentialReportEntry[] };
  /** The identity that collected the snapshot (`sts get-caller-identity`), when the snapshot says. */
  collectedBy?: string;
  /**
   * When the inventory (authorization details, so RoleLastUsed) was read: the collection manifest's
   * time, else the newest time found inside the file (a lower bound). RoleLastUsed proves nothing
   * about the time after it.
   */
  readAt?: { time: string; basis: 'collect-manifest' | 'newest-time-inside' };
}
