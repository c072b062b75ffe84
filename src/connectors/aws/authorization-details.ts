/**
 * Reads `aws iam get-account-authorization-details` output into principals with their policies.
 *
 * The file is validated with zod at this edge; everything past this module trusts the shapes in
 * src/model/inventory.ts. Two real variants of the output exist: policy documents as JSON objects
 * (current AWS CLI, which decodes them) and as URL-encoded JSON strings (the raw API response,
 * "URL-encoded compliant with RFC 3986", as older tools saved it:
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html).
 */

import { z } from 'zod';
import { InputError } from '../../model/errors.js';
import type { AttachedPolicy, PolicyDocument, PolicyRef, PolicyStatement, Principal } from '../../model/aws/inventory.js';
import { describeZodIssue, formatJsonPath, type IssueLike } from '../shared/zod-issues.js';
import { compareText as compareStrings } from '../../model/compare-text.js';

interface AuthorizationDetailsWarning {
  code: string;
  message: string;
}

export interface ParsedAuthorizationDetails {
  principals: Principal[];
  warnings: AuthorizationDetailsWarning[];
}

type Path = readonly (string | number)[];

const stringOrList = z.union([z.string(), z.array(z.string())]);

const attachedManagedSchema = z.object({
  PolicyName: z.string(),
  PolicyArn: z.string(),
});

// PolicyDocument is checked on its own (see parsePolicyDocument) so that its errors carry the
// full path and both the object and the URL-encoded string variants are accepted.
const inlinePolicySchema = z.object({
  PolicyName: z.string(),
  PolicyDocument: z.unknown(),
});

const boundarySchema = z.object({
  PermissionsBoundaryArn: z.string(),
  PermissionsBoundaryType: z.string().optional(),
});

const roleSchema = z.object({
  RoleName: z.string(),
  RoleId: z.string(),
  Arn: z.string(),
  Path: z.string().optional(),
  CreateDate: z.string(),
  RolePolicyList: z.array(inlinePolicySchema).optional(),
  AttachedManagedPolicies: z.array(attachedManagedSchema).optional(),
  PermissionsBoundary: boundarySchema.optional(),
  RoleLastUsed: z.object({ LastUsedDate: z.string().optional(), Region: z.string().optional() }).optional(),
});

const userSchema = z.object({
  UserName: z.string(),
  UserId: z.string(),
  Arn: z.string(),
  Path: z.string().optional(),
  CreateDate: z.string(),
  UserPolicyList: z.array(inlinePolicySchema).optional(),
  AttachedManagedPolicies: z.array(attachedManagedSchema).optional(),
  GroupList: z.array(z.string()).optional(),
  PermissionsBoundary: boundarySchema.optional(),
});

const groupSchema = z.object({
  GroupName: z.string(),
  Arn: z.string(),
  GroupPolicyList: z.array(inlinePolicySchema).optional(),
  AttachedManagedPolicies: z.array(attachedManagedSchema).optional(),
});

const managedPolicySchema = z.object({
  PolicyName: z.string(),
  Arn: z.string(),
  DefaultVersionId: z.string().optional(),
  PolicyVersionList: z.array(
    z.object({
      VersionId: z.string().optional(),
      IsDefaultVersion: z.boolean().optional(),
      Document: z.unknown(),
    }),
  ),
});

const topSchema = z.object({
  UserDetailList: z.array(userSchema).optional(),
  GroupDetailList: z.array(groupSchema).optional(),
  RoleDetailList: z.array(roleSchema).optional(),
  Policies: z.array(managedPolicySchema).optional(),
  IsTruncated: z.boolean().optional(),
});

const documentSchema = z.object({
  Version: z.string().optional(),
  Statement: z.unknown(),
});

const statementSchema = z.object({
  Sid: z.string().optional(),
  Effect: z.enum(['Allow', 'Deny']),
  Action: stringOrList.optional(),
  NotAction: stringOrList.optional(),
  Resource: stringOrList.optional(),
  NotResource: stringOrList.optional(),
  // Kept as parsed, not copied by z.record: a copy onto a plain object loses a `__proto__` key, and
  // a Condition that seemed empty would make a conditional grant look unconditional.
  Condition: z
    .custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'expected an object of condition operators')
    .optional(),
});

const HINT = 'produce the file with `aws iam get-account-authorization-details --output json > iam-get-account-authorization-details.json`';

function check<T>(schema: z.ZodType<T>, value: unknown, path: Path, source: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const first = result.error.issues[0];
  const { path: where, problem } = first ? describeZodIssue(first as IssueLike, path) : { path, problem: 'invalid value' };
  throw new InputError(`${source}: ${formatJsonPath(where)}: ${problem} (not the shape of \`aws iam get-account-authorization-details\` output)`, HINT, {
    file: source,
  });
}

function toList(value: string | string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'string' ? [value] : value;
}

function decodeDocumentString(text: string, path: Path, source: string): unknown {
  const trimmed = text.trim();
  const attempts: (() => string)[] = [
    () => trimmed,
    () => decodeURIComponent(trimmed),
    // Form encoding (spaces as `+`), as some SDK helpers wrote it.
    () => decodeURIComponent(trimmed.replace(/\+/g, ' ')),
  ];
  let lastError: unknown;
  for (const attempt of attempts) {
    try {
      return JSON.parse(attempt()) as unknown;
    } catch (cause) {
      lastError = cause;
    }
  }
  throw new InputError(`${source}: ${formatJsonPath(path)}: policy document is a string that is neither JSON nor URL-encoded JSON`, HINT, {
    file: source,
    cause: lastError,
  });
}

/** Validates one policy document (object or URL-encoded string) and lifts singletons to lists. */
export function parsePolicyDocument(raw: unknown, path: Path, source: string): PolicyDocument {
  const value = typeof raw === 'string' ? decodeDocumentString(raw, path, source) : raw;
  const doc = check(documentSchema, value, path, source);
  const rawStatements = doc.Statement;
  const isList = Array.isArray(rawStatements);
  const list: unknown[] = isList ? rawStatements : [rawStatements];
  const statements: PolicyStatement[] = list.map((item, index) => {
    const where: Path = isList ? [...path, 'Statement', index] : [...path, 'Statement'];
    const s = check(statementSchema, item, where, source);
    const statement: PolicyStatement = { index, effect: s.Effect };
    if (s.Sid !== undefined) statement.sid = s.Sid;
    const action = toList(s.Action);
    const notAction = toList(s.NotAction);
    const resource = toList(s.Resource);
    const notResource = toList(s.NotResource);
    if (action) statement.action = action;
    if (notAction) statement.notAction = notAction;
    if (resource) statement.resource = resource;
    if (notResource) statement.notResource = notResource;
    // An empty Condition block restricts nothing, so it must not make a grant look conditional.
    if (s.Condition !== undefined && Object.keys(s.Condition).length > 0) statement.condition = s.Condition;
    return statement;
  });
  const result: PolicyDocument = { statements };
  if (doc.Version !== undefined) result.version = doc.Version;
  return result;
}

/** ISO 8601 in UTC; the CLI writes `2022-08-07 12:55:43+00:00` or `2022-08-07T12:55:43Z` depending on version. */
function normaliseDate(raw: string, what: string, warnings: AuthorizationDetailsWarning[]): string {
  const ms = Date.parse(raw.includes('T') ? raw : raw.replace(' ', 'T'));
  if (Number.isNaN(ms)) {
    warnings.push({ code: 'invalid-date', message: `${what}: cannot read the date "${raw}"; kept as written` });
    return raw;
  }
  return new Date(ms).toISOString();
}

interface ManagedEntry {
  ref: PolicyRef;
  document: PolicyDocument | null;
  /** One shared object for every principal the policy is attached to directly (lets resolve memoise). */
  direct?: AttachedPolicy;
}

/**
 * Parses `aws iam get-account-authorization-details` output. A wrong shape throws an InputError
 * naming the file and the first problem path; a policy the file does not contain (AWS managed
 * policies are left out of filtered exports) is a warning, never a crash.
 */
export function parseAuthorizationDetails(json: unknown, account: string, source: string): ParsedAuthorizationDetails {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new InputError(`${source}: expected a JSON object (\`aws iam get-account-authorization-details\` output)`, HINT, {
      file: source,
    });
  }
  const top = check(topSchema, json, [], source);
  if (!top.UserDetailList && !top.GroupDetailList && !top.RoleDetailList && !top.Policies) {
    throw new InputError(
      `${source}: has none of UserDetailList, RoleDetailList, GroupDetailList, Policies; not \`aws iam get-account-authorization-details\` output`,
      HINT,
      { file: source },
    );
  }
  const warnings: AuthorizationDetailsWarning[] = [];
  if (top.IsTruncated === true) {
    warnings.push({
      code: 'truncated-output',
      message: `${source} is one page of a paginated response (IsTruncated: true); principals and policies on later pages are missing`,
    });
  }

  const managed = new Map<string, ManagedEntry>();
  (top.Policies ?? []).forEach((policy, i) => {
    const versions = policy.PolicyVersionList;
    let v = versions.findIndex((version) => version.IsDefaultVersion === true);
    if (v < 0 && policy.DefaultVersionId !== undefined) {
      v = versions.findIndex((version) => version.VersionId === policy.DefaultVersionId);
    }
    const version = v >= 0 ? versions[v] : undefined;
    const ref: PolicyRef = { type: 'managed', name: policy.PolicyName, arn: policy.Arn };
    if (!version) {
      warnings.push({
        code: 'missing-default-version',
        message: `managed policy ${policy.Arn} has no default version in ${source}; its grants are not counted`,
      });
      managed.set(policy.Arn, { ref, document: null });
      return;
    }
    const document = parsePolicyDocument(version.Document, ['Policies', i, 'PolicyVersionList', v, 'Document'], source);
    managed.set(policy.Arn, { ref, document });
  });

  // Attachments whose policy is absent from the file, reported once per policy with who lost it.
  const missing = new Map<string, Set<string>>();
  const resolveManaged = (attachment: { PolicyName: string; PolicyArn: string }, holder: string): ManagedEntry | undefined => {
    const entry = managed.get(attachment.PolicyArn);
    if (entry?.document) return entry;
    if (!entry) {
      const holders = missing.get(attachment.PolicyArn) ?? new Set<string>();
      holders.add(holder);
      missing.set(attachment.PolicyArn, holders);
    }
    return undefined;
  };
  const directAttachment = (entry: ManagedEntry, document: PolicyDocument): AttachedPolicy => {
    entry.direct ??= { policy: entry.ref, document };
    return entry.direct;
  };

  interface GroupInfo {
    name: string;
    arn: string;
    policies: AttachedPolicy[];
  }
  const groups = new Map<string, GroupInfo>();
  (top.GroupDetailList ?? []).forEach((group, i) => {
    const viaGroup = { name: group.GroupName, arn: group.Arn };
    const policies: AttachedPolicy[] = [];
    (group.GroupPolicyList ?? []).forEach((inline, j) => {
      policies.push({
        policy: { type: 'inline', name: inline.PolicyName },
        document: parsePolicyDocument(inline.PolicyDocument, ['GroupDetailList', i, 'GroupPolicyList', j, 'PolicyDocument'], source),
        viaGroup,
      });
    });
    for (const attachment of group.AttachedManagedPolicies ?? []) {
      const entry = resolveManaged(attachment, group.Arn);
      if (entry?.document) policies.push({ policy: entry.ref, document: entry.document, viaGroup });
    }
    groups.set(group.GroupName, { name: group.GroupName, arn: group.Arn, policies });
  });

  const boundaryOf = (boundary: { PermissionsBoundaryArn: string } | undefined, holder: string): Principal['boundary'] => {
    if (!boundary) return undefined;
    const entry = managed.get(boundary.PermissionsBoundaryArn);
    if (entry?.document) return { policy: entry.ref, document: entry.document };
    // Without the boundary's document the principal is resolved as if it had none: that can only
    // overstate what it may do (more "unused" grants), never hide a permission it used.
    warnings.push({
      code: 'missing-managed-policy',
      message: `permissions boundary ${boundary.PermissionsBoundaryArn} of ${holder} is not in ${source}; resolved without the boundary, so its grants may be overstated`,
    });
    return undefined;
  };

  const principals: Principal[] = [];
  (top.RoleDetailList ?? []).forEach((role, i) => {
    const policies: AttachedPolicy[] = [];
    (role.RolePolicyList ?? []).forEach((inline, j) => {
      policies.push({
        policy: { type: 'inline', name: inline.PolicyName },
        document: parsePolicyDocument(inline.PolicyDocument, ['RoleDetailList', i, 'RolePolicyList', j, 'PolicyDocument'], source),
      });
    });
    for (const attachment of role.AttachedManagedPolicies ?? []) {
      const entry = resolveManaged(attachment, role.Arn);
      if (entry?.document) policies.push(directAttachment(entry, entry.document));
    }
    const path = role.Path ?? '/';
    const principal: Principal = {
      provider: 'aws',
      account,
      arn: role.Arn,
      name: role.RoleName,
      kind: 'role',
      path,
      uniqueId: role.RoleId,
      createDate: normaliseDate(role.CreateDate, `role ${role.Arn} CreateDate`, warnings),
      isServiceLinked: path.startsWith('/aws-service-role/'),
      policies,
      groups: [],
    };
    // Absent key: an older export that does not say. `{}`: IAM tracked the role and saw no use.
    if (role.RoleLastUsed !== undefined) {
      const lastUsed = role.RoleLastUsed;
      if (lastUsed.LastUsedDate === undefined) principal.roleLastUsed = null;
      else {
        principal.roleLastUsed = {
          lastUsedDate: normaliseDate(lastUsed.LastUsedDate, `role ${role.Arn} RoleLastUsed`, warnings),
        };
        if (lastUsed.Region !== undefined) principal.roleLastUsed.region = lastUsed.Region;
      }
    }
    const boundary = boundaryOf(role.PermissionsBoundary, role.Arn);
    if (boundary) principal.boundary = boundary;
    principals.push(principal);
  });

  (top.UserDetailList ?? []).forEach((user, i) => {
    const policies: AttachedPolicy[] = [];
    (user.UserPolicyList ?? []).forEach((inline, j) => {
      policies.push({
        policy: { type: 'inline', name: inline.PolicyName },
        document: parsePolicyDocument(inline.PolicyDocument, ['UserDetailList', i, 'UserPolicyList', j, 'PolicyDocument'], source),
      });
    });
    for (const attachment of user.AttachedManagedPolicies ?? []) {
      const entry = resolveManaged(attachment, user.Arn);
      if (entry?.document) policies.push(directAttachment(entry, entry.document));
    }
    const memberOf: { name: string; arn: string }[] = [];
    for (const groupName of user.GroupList ?? []) {
      const group = groups.get(groupName);
      if (!group) {
        warnings.push({
          code: 'missing-group',
          message: `user ${user.Arn} is a member of group ${groupName}, which is not in ${source}; the group's policies are not counted`,
        });
        continue;
      }
      memberOf.push({ name: group.name, arn: group.arn });
      policies.push(...group.policies);
    }
    memberOf.sort((a, b) => compareStrings(a.arn, b.arn));
    const path = user.Path ?? '/';
    const principal: Principal = {
      provider: 'aws',
      account,
      arn: user.Arn,
      name: user.UserName,
      kind: 'user',
      path,
      uniqueId: user.UserId,
      createDate: normaliseDate(user.CreateDate, `user ${user.Arn} CreateDate`, warnings),
      isServiceLinked: false,
      policies,
      groups: memberOf,
    };
    const boundary = boundaryOf(user.PermissionsBoundary, user.Arn);
    if (boundary) principal.boundary = boundary;
    principals.push(principal);
  });

  for (const arn of [...missing.keys()].sort(compareStrings)) {
    const holders = [...(missing.get(arn) ?? [])].sort(compareStrings);
    warnings.push({
      code: 'missing-managed-policy',
      message: `managed policy ${arn} is attached to ${holders.length} principal(s)/group(s) (${holders.slice(0, 3).join(', ')}${holders.length > 3 ? ', …' : ''}) but its document is not in ${source} (a filtered export?); its grants are not counted`,
    });
  }

  principals.sort((a, b) => compareStrings(a.arn, b.arn) || compareStrings(a.kind, b.kind));
  return { principals, warnings };
}
