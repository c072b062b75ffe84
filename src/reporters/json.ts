import type { Report } from '../model/report.js';

/**
 * The engine builds every object in a fixed key order and sorts the findings, so plain
 * stringification is already byte-for-byte deterministic; nothing here may reorder.
 */
export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
