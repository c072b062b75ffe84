/**
 * Which Cloud Audit Log a permission's use would land in, from the cited table
 * data/gcp/permission-log-types.json. The analyzer needs it to keep the one rule: a permission whose
 * log type is off (Data Access logs are off by default) or not written at all is unverifiable,
 * never unused. Lookup order: exact permission, then the table's patterns in order (`*` = one or more
 * characters); no match → `unknown`, which must also be reported as unverifiable.
 */

import { readFileSync } from 'node:fs';

export type GcpPermissionLogType = 'ADMIN_WRITE' | 'ADMIN_READ' | 'DATA_READ' | 'DATA_WRITE' | 'NOT_LOGGED' | 'unknown';

/**
 * Why the table states a log type: `cited` (a Google page says so; its URL is the entry's source),
 * `observed` (seen with `permissionType` in audit logs), `rule` (a documented rule of thumb, such as
 * the table's `*.setIamPolicy` pattern). Absent when the table states none (e.g. `unknown` entries).
 */
type GcpLogTypeBasis = 'cited' | 'observed' | 'rule';

interface GcpLogTypeVerdict {
  logType: GcpPermissionLogType;
  /** The service whose auditConfigs govern it (`iam.googleapis.com` for impersonation permissions). */
  auditService: string;
  /** Documentation URL behind the classification; absent for `unknown`. */
  source?: string;
  /** Basis of the classification, as the table records it for the matching entry or pattern. */
  basis?: GcpLogTypeBasis;
  note?: string;
  /** `exact`, `pattern` (the pattern text), or `none`. */
  matchedBy: string;
}

interface Entry {
  logType: GcpPermissionLogType;
  source: string;
  basis?: GcpLogTypeBasis;
  auditService?: string;
  note?: string;
}

interface TableFile {
  sources: Record<string, string>;
  permissions: Record<string, Entry>;
  patterns: (Entry & { match: string })[];
}

const LOG_TYPES = new Set<string>(['ADMIN_WRITE', 'ADMIN_READ', 'DATA_READ', 'DATA_WRITE', 'NOT_LOGGED', 'unknown']);
const BASES = new Set<string>(['cited', 'observed', 'rule']);

function isEntry(value: unknown): value is Entry {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.logType === 'string' &&
    LOG_TYPES.has(v.logType) &&
    typeof v.source === 'string' &&
    (v.basis === undefined || (typeof v.basis === 'string' && BASES.has(v.basis)))
  );
}

export interface GcpLogTypeTable {
  classify(permission: string): GcpLogTypeVerdict;
}

/** v1 service id → the service name used in auditConfigs and log entries. */
function auditServiceOf(permission: string): string {
  const service = permission.split('.')[0] ?? permission;
  return service === 'resourcemanager' ? 'cloudresourcemanager.googleapis.com' : `${service}.googleapis.com`;
}

export function logTypeTableFrom(raw: unknown): GcpLogTypeTable {
  if (typeof raw !== 'object' || raw === null) throw new Error('permission-log-types: not an object');
  const file = raw as Partial<TableFile>;
  const sources = file.sources ?? {};
  const exact = new Map<string, Entry>();
  for (const [permission, entry] of Object.entries(file.permissions ?? {})) {
    if (!isEntry(entry)) throw new Error(`permission-log-types: bad entry for ${permission}`);
    exact.set(permission, entry);
  }
  const patterns = (file.patterns ?? []).map((p) => {
    if (!isEntry(p) || typeof p.match !== 'string') throw new Error('permission-log-types: bad pattern');
    const body = p.match
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.+');
    return { entry: p, match: p.match, re: new RegExp(`^${body}$`) };
  });
  const verdict = (permission: string, entry: Entry, matchedBy: string): GcpLogTypeVerdict => {
    const out: GcpLogTypeVerdict = {
      logType: entry.logType,
      auditService: entry.auditService ?? auditServiceOf(permission),
      matchedBy,
    };
    const url = sources[entry.source] ?? entry.source;
    if (url) out.source = url;
    if (entry.basis !== undefined) out.basis = entry.basis;
    if (entry.note !== undefined) out.note = entry.note;
    return out;
  };
  return {
    classify(permission) {
      const hit = exact.get(permission);
      if (hit) return verdict(permission, hit, 'exact');
      for (const p of patterns) if (p.re.test(permission)) return verdict(permission, p.entry, p.match);
      return { logType: 'unknown', auditService: auditServiceOf(permission), matchedBy: 'none' };
    },
  };
}

let bundled: GcpLogTypeTable | undefined;

export function bundledLogTypeTable(): GcpLogTypeTable {
  bundled ??= logTypeTableFrom(JSON.parse(readFileSync(new URL('../../../data/gcp/permission-log-types.json', import.meta.url), 'utf8')) as unknown);
  return bundled;
}
