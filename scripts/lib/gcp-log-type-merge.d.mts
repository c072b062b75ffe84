/** Types for gcp-log-type-merge.mjs (used by the TypeScript tests). */

export type PermissionIndex = Map<string, Map<string, string>>;
export function permissionIndex(prefix: string, permissions: Iterable<string>): PermissionIndex;
export function methodPermission(prefix: string, method: string, index: PermissionIndex): string | undefined;

export interface TableEntry {
  logType: string;
  source: string;
  basis?: 'cited' | 'observed' | 'rule';
  note?: string;
  auditService?: string;
  extractedFrom?: string;
  unverifiable?: string;
  conflict?: { hand?: TableEntry; pages: { file: string; logType: string; method: string }[] };
}
export interface Table {
  sources?: Record<string, string>;
  permissions?: Record<string, TableEntry>;
  patterns?: (TableEntry & { match: string })[];
  [key: string]: unknown;
}
export interface PageMethod {
  method: string;
  logType: string;
  permissions?: string[];
  mappedBy?: string;
}
export interface AuditPage {
  service?: string;
  url: string;
  methods?: PageMethod[];
  notLogged?: Omit<PageMethod, 'logType'>[];
  [key: string]: unknown;
}
export interface MergeResult {
  table: Table & { sources: Record<string, string>; permissions: Record<string, TableEntry> };
  added: string[];
  agreed: string[];
  conflicts: { permission: string; claims: { source: string; url: string; logType: string; method?: string }[] }[];
  keptHandUnknown: string[];
}
export function pageClaims(page: AuditPage): {
  claims: Map<string, { logType: string; method: string }>;
  selfConflicts: Map<string, { logType: string; method: string }[]>;
};
export function handEntries(permissions: Record<string, TableEntry> | undefined): Record<string, TableEntry>;
export function mergeCitedEntries(table: Table, pages: { file: string; sourceKey: string; page: AuditPage }[]): MergeResult;
export function classifyAll(
  table: Table,
  permissions: Iterable<string>,
): Record<'cited-hand' | 'cited-pages' | 'cited-pattern' | 'rule' | 'conflict' | 'checked-inside' | 'unknown', number>;
export function patternRegExp(match: string): RegExp;
export interface VerbRule {
  write: { logType: 'ADMIN_WRITE'; verbs: string[]; heads: string[] };
  read: { logType: 'ADMIN_READ'; verbs: string[]; heads: string[]; alsoPossibly?: string[] };
  everyService: string[];
  undecided?: { verbs: string[] };
  dataWords: { words: string[] };
  excludedFamilies: { match: string; except?: string[]; reason: string; source: string }[];
  [key: string]: unknown;
}
export function verbGroup(rule: VerbRule, verb: string): 'write' | 'read' | undefined;
export function excludedFamily(rule: VerbRule, permission: string): string | undefined;
export interface VerbRuleResult {
  entries: Record<string, 'ADMIN_WRITE' | 'ADMIN_READ'>;
  blocked: { service: string; group: 'write' | 'read'; disagreeing: { permission: string; logType: string }[] }[];
  covered: string[];
  dataCollections: string[];
  skipped: { excluded: number; covered: number; blocked: number; dataCollection: number; undecided: number };
}
export function verbRuleEntries(table: Table, pages: { page: AuditPage }[], permissions: Iterable<string>): VerbRuleResult;
