/** The library entry refuses the windows the CLI refuses, without touching the snapshot. */

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditFiles } from '../../src/audit.js';
import { UsageError } from '../../src/model/errors.js';

const DEMO = join(import.meta.dirname, '..', '..', 'fixtures', 'aws', 'demo');
const AS_OF = new Date('2026-11-20T00:00:00Z');

describe('auditFiles window limits', () => {
  it('refuses a window over 400 days, zero, negative or not a number, and an invalid asOf', async () => {
    for (const windowMs of [100_000 * 3_600_000, 401 * 86_400_000, 0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(auditFiles({ dir: DEMO, asOf: AS_OF, windowMs }), String(windowMs)).rejects.toThrow(UsageError);
    }
    await expect(auditFiles({ dir: DEMO, asOf: new Date('2026-02-30T00:00:00Zx'), windowMs: 86_400_000 })).rejects.toThrow(/asOf is an invalid Date/);
  });
  it('accepts exactly 400 days and a single hour', async () => {
    expect((await auditFiles({ dir: DEMO, asOf: AS_OF, windowMs: 400 * 86_400_000, workers: 1 })).window.days).toBe(400);
    expect((await auditFiles({ dir: DEMO, asOf: AS_OF, windowMs: 3_600_000, workers: 1 })).window.start).toBe('2026-11-19T23:00:00.000Z');
  });
});
