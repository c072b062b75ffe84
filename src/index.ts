export { auditFiles, type AuditFilesOptions, type ScanProgress } from './audit.js';
export { buildReport, type EngineInput, type EngineAccount } from './engine/build-report.js';
export type * from './model/report.js';
export type * from './model/inventory.js';
export type * from './model/activity.js';
export type * from './model/entitlement.js';
