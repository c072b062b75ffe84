export { auditFiles, type AuditFilesOptions, type ScanProgress } from './audit.js';
export { buildReport, type EngineInput } from './engine/build-report.js';
export type { EngineAccount } from './engine/aws/analyze-accounts.js';
export type { EngineGcpProject } from './engine/gcp/analyze-projects.js';
export type * from './model/report.js';
export type * from './model/aws/inventory.js';
export type * from './model/aws/activity.js';
export type * from './model/aws/entitlement.js';
