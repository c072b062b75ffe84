import type { ReportDiff } from '../model/drift.js';
import type { ReportTrend } from '../model/drift-trend.js';

/**
 * The engine builds diff and trend objects in a fixed key order with sorted arrays, so plain
 * stringification is byte-for-byte deterministic; nothing here may reorder.
 */
export function renderDriftJson(value: ReportDiff | ReportTrend): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
