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
): Record<'cited-hand' | 'cited-pages' | 'pattern-cited' | 'pattern-rule' | 'conflict' | 'unknown', number>;
