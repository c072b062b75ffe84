/**
 * Which Cloud Audit Log a permission's use would land in, from the table
 * data/gcp/permission-log-types.json. The analyzer needs it to keep the one rule: a permission whose
 * log type is off (Data Access logs are off by default) or not written at all is unverifiable,
 * never unused. Lookup order: exact permission (cited or hand-written), then the table's patterns
 * in order (`*` = one or more characters), then `ruleEntries` (the documented verb rule, computed by
 * scripts/update-gcp-log-types.mjs); no match → `unknown`, which must also be reported as
 * unverifiable. Which services' auditConfigs and log entries a permission belongs to comes from
 * data/gcp/service-names.json.
 *
 * The lookup is a plain function of the permission (`classify`), so that another source (log
 * entries' `permissionType`, basis `observed`) can wrap it: call it, and overlay what it knows.
 */

import { readFileSync } from 'node:fs';
import type { GcpDataAccessLogType } from '../../model/gcp/policy.js';

export type GcpPermissionLogType = 'ADMIN_WRITE' | 'ADMIN_READ' | 'DATA_READ' | 'DATA_WRITE' | 'NOT_LOGGED' | 'unknown';

/**
 * Why a log type is stated: `cited` (a Google page says so; its URL is the verdict's source),
 * `observed` (seen with `permissionType` in audit logs), `rule` (the documented verb rule: the
 * table's `verbRule`). Absent when none is stated (`unknown`).
 */
type GcpLogTypeBasis = 'cited' | 'observed' | 'rule';

/** Why an `unknown` permission cannot be judged, when it is known: it is checked inside other calls. */
type GcpUnknownBecause = 'checked-inside-other-calls';

export interface GcpLogTypeVerdict {
  logType: GcpPermissionLogType;
  /** The first of `auditConfigServices`: the service named in texts. */
  auditService: string;
  /**
   * The auditConfig `service` values that may govern its Data Access logs. With more than one,
   * which one governs is not established: every one must enable the log type (or allServices).
   */
  auditConfigServices: string[];
  /** The `protoPayload.serviceName` values its log entries may carry. */
  logServiceNames: string[];
  /**
   * Other Data Access log types the use may land in instead of `logType`: the verb rule cannot tell
   * ADMIN_READ from DATA_READ, so a rule read is observable only when both are logged.
   */
  alsoPossibly?: GcpDataAccessLogType[];
  /** Documentation URL behind the classification. */
  source?: string;
  /** Basis of the classification, as the table records it for the matching entry, pattern or rule. */
  basis?: GcpLogTypeBasis;
  /** Set on some `unknown` verdicts: why the permission's own log type would not settle it. */
  unknownBecause?: GcpUnknownBecause;
  note?: string;
  /** `exact`, `pattern` (the pattern text), `rule`, or `none`. */
  matchedBy: string;
}

interface Entry {
  logType: GcpPermissionLogType;
  source: string;
  basis?: GcpLogTypeBasis;
  unverifiable?: GcpUnknownBecause;
  note?: string;
}

interface RuleGroup {
  logType: 'ADMIN_WRITE' | 'ADMIN_READ';
  alsoPossibly?: GcpDataAccessLogType[];
  why?: string;
}

interface TableFile {
  sources: Record<string, string>;
  permissions: Record<string, Entry>;
  patterns: (Entry & { match: string })[];
  verbRule?: { write: RuleGroup; read: RuleGroup };
  ruleEntries?: Record<string, string>;
}

interface ServiceNames {
  auditConfigServices: string[];
  logServiceNames: string[];
}

interface ServiceNameRule extends Partial<ServiceNames> {
  match: string;
  same?: string;
}

interface ServiceNamesFile {
  patterns?: ServiceNameRule[];
  prefixes?: Record<string, ServiceNames>;
}

const LOG_TYPES = new Set<string>(['ADMIN_WRITE', 'ADMIN_READ', 'DATA_READ', 'DATA_WRITE', 'NOT_LOGGED', 'unknown']);
const BASES = new Set<string>(['cited', 'observed', 'rule']);
const UNKNOWN_BECAUSE = new Set<string>(['checked-inside-other-calls']);
const DATA_ACCESS = new Set<string>(['ADMIN_READ', 'DATA_READ', 'DATA_WRITE']);

function isEntry(value: unknown): value is Entry {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.logType === 'string' &&
    LOG_TYPES.has(v.logType) &&
    typeof v.source === 'string' &&
    (v.basis === undefined || (typeof v.basis === 'string' && BASES.has(v.basis))) &&
    (v.unverifiable === undefined || (v.logType === 'unknown' && typeof v.unverifiable === 'string' && UNKNOWN_BECAUSE.has(v.unverifiable)))
  );
}

function isRuleGroup(value: unknown, logType: string): value is RuleGroup {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    v.logType === logType &&
    (v.alsoPossibly === undefined || (Array.isArray(v.alsoPossibly) && v.alsoPossibly.every((t) => typeof t === 'string' && DATA_ACCESS.has(t))))
  );
}

export interface GcpLogTypeTable {
  /** The verdict for a permission; the same object for the same permission (do not change it). */
  classify(permission: string): Readonly<GcpLogTypeVerdict>;
}

/** `*` = one or more characters. */
function patternRegExp(match: string): RegExp {
  const body = match
    .split('*')
    .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.+');
  return new RegExp(`^${body}$`);
}

function isStringList(v: unknown): v is string[] {
  return Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'string' && s.length > 0);
}

/** permission → the services it belongs to (data/gcp/service-names.json). */
export function serviceNamesFrom(raw: unknown): (permission: string) => ServiceNames {
  if (typeof raw !== 'object' || raw === null) throw new Error('service-names: not an object');
  const file = raw as ServiceNamesFile;
  const named = new Map<string, ServiceNames>();
  const rules: { re: RegExp; names: ServiceNames }[] = [];
  for (const r of file.patterns ?? []) {
    const base = r.same === undefined ? r : named.get(r.same);
    if (!base) throw new Error(`service-names: ${r.match} refers to ${r.same ?? '?'}, which is not listed before it`);
    if (!isStringList(base.auditConfigServices) || !isStringList(base.logServiceNames)) throw new Error(`service-names: bad services for ${r.match}`);
    const names = { auditConfigServices: base.auditConfigServices, logServiceNames: base.logServiceNames };
    named.set(r.match, names);
    rules.push({ re: patternRegExp(r.match), names });
  }
  const prefixes = new Map<string, ServiceNames>();
  for (const [prefix, names] of Object.entries(file.prefixes ?? {})) {
    if (!isStringList(names.auditConfigServices) || !isStringList(names.logServiceNames)) throw new Error(`service-names: bad services for ${prefix}`);
    prefixes.set(prefix, { auditConfigServices: names.auditConfigServices, logServiceNames: names.logServiceNames });
  }
  return (permission) => {
    for (const r of rules) if (r.re.test(permission)) return r.names;
    const prefix = permission.split('.')[0] ?? permission;
    const own = prefixes.get(prefix);
    if (own) return own;
    const service = `${prefix}.googleapis.com`;
    return { auditConfigServices: [service], logServiceNames: [service] };
  };
}

export function logTypeTableFrom(raw: unknown, serviceNamesRaw: unknown = bundledServiceNamesRaw()): GcpLogTypeTable {
  if (typeof raw !== 'object' || raw === null) throw new Error('permission-log-types: not an object');
  const file = raw as Partial<TableFile>;
  const servicesOf = serviceNamesFrom(serviceNamesRaw);
  const sources = file.sources ?? {};
  const exact = new Map<string, Entry>();
  for (const [permission, entry] of Object.entries(file.permissions ?? {})) {
    if (!isEntry(entry)) throw new Error(`permission-log-types: bad entry for ${permission}`);
    exact.set(permission, entry);
  }
  const patterns = (file.patterns ?? []).map((p) => {
    if (!isEntry(p) || typeof p.match !== 'string') throw new Error('permission-log-types: bad pattern');
    return { entry: p, match: p.match, re: patternRegExp(p.match) };
  });
  const ruled = new Map<string, RuleGroup>();
  const ruleEntries = Object.entries(file.ruleEntries ?? {});
  if (ruleEntries.length > 0) {
    const groups = file.verbRule;
    if (!groups || !isRuleGroup(groups.write, 'ADMIN_WRITE') || !isRuleGroup(groups.read, 'ADMIN_READ'))
      throw new Error('permission-log-types: ruleEntries without a verbRule naming its write and read log types');
    for (const [permission, logType] of ruleEntries) {
      if (logType === 'ADMIN_WRITE') ruled.set(permission, groups.write);
      else if (logType === 'ADMIN_READ') ruled.set(permission, groups.read);
      else throw new Error(`permission-log-types: bad rule entry for ${permission}`);
    }
  }
  const ruleSource = sources.overview;
  const base = (permission: string, logType: GcpPermissionLogType, matchedBy: string): GcpLogTypeVerdict => {
    const names = servicesOf(permission);
    return {
      logType,
      auditService: names.auditConfigServices[0] ?? permission,
      auditConfigServices: names.auditConfigServices,
      logServiceNames: names.logServiceNames,
      matchedBy,
    };
  };
  const verdict = (permission: string, entry: Entry, matchedBy: string): GcpLogTypeVerdict => {
    const out = base(permission, entry.logType, matchedBy);
    const url = sources[entry.source] ?? entry.source;
    if (url) out.source = url;
    if (entry.basis !== undefined) out.basis = entry.basis;
    if (entry.unverifiable !== undefined) out.unknownBecause = entry.unverifiable;
    if (entry.note !== undefined) out.note = entry.note;
    return out;
  };
  const lookup = (permission: string): GcpLogTypeVerdict => {
    const hit = exact.get(permission);
    if (hit) return verdict(permission, hit, 'exact');
    for (const p of patterns) if (p.re.test(permission)) return verdict(permission, p.entry, p.match);
    const group = ruled.get(permission);
    if (group) {
      const out = base(permission, group.logType, 'rule');
      out.basis = 'rule';
      if (ruleSource) out.source = ruleSource;
      if (group.alsoPossibly && group.alsoPossibly.length > 0) out.alsoPossibly = [...group.alsoPossibly];
      out.note = `the documented verb rule: its verb ${group.logType === 'ADMIN_WRITE' ? 'modifies' : 'reads'} the configuration or metadata of a resource`;
      return out;
    }
    return base(permission, 'unknown', 'none');
  };
  // A scan asks about the same permissions for every account and project: each is looked up once.
  const cache = new Map<string, Readonly<GcpLogTypeVerdict>>();
  return {
    classify(permission) {
      let v = cache.get(permission);
      if (!v) {
        v = lookup(permission);
        cache.set(permission, v);
      }
      return v;
    },
  };
}

let bundledNames: unknown;

function bundledServiceNamesRaw(): unknown {
  bundledNames ??= JSON.parse(readFileSync(new URL('../../../data/gcp/service-names.json', import.meta.url), 'utf8')) as unknown;
  return bundledNames;
}

let bundled: GcpLogTypeTable | undefined;

export function bundledLogTypeTable(): GcpLogTypeTable {
  bundled ??= logTypeTableFrom(JSON.parse(readFileSync(new URL('../../../data/gcp/permission-log-types.json', import.meta.url), 'utf8')) as unknown);
  return bundled;
}
