/**
 * The table shows which GCP verdicts rest on the verb rule alone: a dim line under the finding
 * ("verb rule only", or "N by verb rule" when the row mixes bases) and one note under the table;
 * rows without rule-based claims carry neither.
 */

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditFiles } from '../../src/audit.js';
import { renderTable } from '../../src/reporters/table.js';

const DIR = join(import.meta.dirname, '..', '..', 'fixtures', 'gcp', 'observed-permission-types');
const AS_OF = new Date('2026-11-20T00:00:00Z');

async function table(): Promise<string[]> {
  const report = await auditFiles({ dir: DIR, asOf: AS_OF, windowMs: 90 * 86_400_000 });
  return renderTable(report, { width: 160, isColor: false }).split('\n');
}

/** The table row (its first line and the ones under it) whose service cell is `service`. */
function rowOf(lines: string[], service: string): string {
  const start = lines.findIndex((l) => l.startsWith('│') && l.split('│')[2]?.trim() === service);
  if (start < 0) throw new Error(`no row for ${service}`);
  const end = lines.findIndex((l, i) => i > start && !l.startsWith('│'));
  return lines.slice(start, end).join('\n');
}

describe('table: verdicts on the verb rule alone', () => {
  it('marks a row whose unused permissions all rest on the rule, counts them in a mixed row, and leaves the others plain', async () => {
    const lines = await table();
    expect(rowOf(lines, 'accesscontextmanager')).toContain('verb rule only');
    expect(rowOf(lines, 'dns')).toContain('1 by verb rule');
    expect(rowOf(lines, 'examplesvc')).not.toContain('verb rule');
    expect(rowOf(lines, 'storage')).not.toContain('verb rule');
    const note = lines.join(' ').replace(/\s+/g, ' ');
    expect(note).toContain('"verb rule": in 2 rows, unused permissions whose audit log type only');
    expect(note).toContain('--require-basis cited,observed leaves them out of the gate');
  });
});
