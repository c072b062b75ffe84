/**
 * Matching IAM v2 deny rules against v1 permission names.
 *
 * Deny policies name permissions as `SERVICE_FQDN/RESOURCE.ACTION` (e.g. `iam.googleapis.com/roles.delete`),
 * "typically the v1 SERVICE_ID followed by .googleapis.com", with exceptions listed on
 * https://cloud.google.com/iam/docs/deny-permissions-support — Resource Manager's v1 `resourcemanager.*`
 * is `cloudresourcemanager.googleapis.com/*`. Wildcards (`*`) may stand for parts of the name, so a
 * v1 permission is turned into its v2 spelling and matched as a glob.
 */

/** v1 service ids whose v2 FQDN is not `<id>.googleapis.com`. */
const FQDN_EXCEPTIONS: ReadonlyMap<string, string> = new Map([['resourcemanager', 'cloudresourcemanager.googleapis.com']]);

/** `storage.buckets.delete` → `storage.googleapis.com/buckets.delete`. */
export function toV2Permission(permission: string): string {
  const dot = permission.indexOf('.');
  if (dot <= 0) return permission;
  const service = permission.slice(0, dot);
  // A Map: the service comes from a deny policy, and `constructor` is no FQDN.
  const fqdn = FQDN_EXCEPTIONS.get(service) ?? `${service}.googleapis.com`;
  return `${fqdn}/${permission.slice(dot + 1)}`;
}

const cache = new Map<string, RegExp>();

function globToRegExp(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (!re) {
    const body = pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
      .join('.*');
    re = new RegExp(`^${body}$`);
    cache.set(pattern, re);
  }
  return re;
}

/** Whether a deny-rule permission pattern covers the v1 permission. */
export function denyPatternMatches(pattern: string, permission: string): boolean {
  return globToRegExp(pattern).test(toV2Permission(permission));
}

/** A pattern the matcher understands: FQDN/RESOURCE.VERB with optional `*`. */
export function isV2PermissionPattern(pattern: string): boolean {
  return /^[a-z0-9*.-]+\/[A-Za-z0-9*.]+$/.test(pattern);
}

export type DenyPrincipalMatch = 'match' | 'no-match' | 'unsupported';

/**
 * Whether a deny principal identifier covers a service account. Identifier forms:
 * https://cloud.google.com/iam/docs/principal-identifiers (v2 deny policies).
 * `groupsOf` gives the groups (transitively) holding the account, or undefined when membership
 * data is absent.
 */
export function denyPrincipalMatches(identifier: string, email: string, groupsOf: ReadonlySet<string> | undefined): DenyPrincipalMatch {
  if (identifier.startsWith('deleted:')) return 'no-match';
  if (identifier === 'principalSet://goog/public:all') return 'match';
  const sa = /^principal:\/\/iam\.googleapis\.com\/projects\/-\/serviceAccounts\/(.+)$/.exec(identifier);
  if (sa) return sa[1]?.toLowerCase() === email.toLowerCase() ? 'match' : 'no-match';
  const group = /^principalSet:\/\/goog\/group\/(.+)$/.exec(identifier);
  if (group?.[1]) {
    if (groupsOf === undefined) return 'unsupported';
    return groupsOf.has(group[1].toLowerCase()) ? 'match' : 'no-match';
  }
  // Google Accounts, workforce / workload identities: never a service account.
  if (identifier.startsWith('principal://goog/subject/')) return 'no-match';
  if (
    /^principal(Set)?:\/\/iam\.googleapis\.com\/(locations\/global\/workforcePools|projects\/[^/]+\/locations\/global\/workloadIdentityPools)\//.test(
      identifier,
    )
  ) {
    return 'no-match';
  }
  return 'unsupported';
}
