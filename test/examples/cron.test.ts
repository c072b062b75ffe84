/** examples/cron.sh run for real against the demo snapshot, with the built binary. */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/model/report.js';
import { validateReport } from '../../src/model/validate-report.js';

const ROOT = join(import.meta.dirname, '..', '..');

describe('examples/cron.sh', () => {
  it('writes a dated, schema-valid JSON report and keeps only the newest N', () => {
    const reports = mkdtempSync(join(tmpdir(), 'permdrift-cron-'));
    // 5 older reports from earlier nights, and a file the script must not touch.
    for (const day of ['2026-01-01', '2026-01-02', '2026-01-03', '2026-01-04', '2026-01-05']) writeFileSync(join(reports, `permdrift-${day}.json`), '{}');
    writeFileSync(join(reports, 'notes.txt'), 'keep me');
    const r = spawnSync('bash', [join(ROOT, 'examples', 'cron.sh'), join(ROOT, 'fixtures', 'aws', 'demo'), reports, '3'], {
      encoding: 'utf8',
      env: {
        PATH: process.env['PATH'] ?? '',
        PERMDRIFT: `${process.execPath} ${join(ROOT, 'bin', 'permdrift')}`,
        PERMDRIFT_AS_OF: '2026-11-20T00:00:00Z',
        CI: 'true',
      },
      timeout: 60_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const today = new Date().toISOString().slice(0, 10);
    expect(readdirSync(reports).sort()).toEqual(['notes.txt', 'permdrift-2026-01-04.json', 'permdrift-2026-01-05.json', `permdrift-${today}.json`].sort());
    const report = JSON.parse(readFileSync(join(reports, `permdrift-${today}.json`), 'utf8')) as Report;
    expect(validateReport(report).errors).toEqual([]);
    expect(report.asOf).toBe('2026-11-20T00:00:00.000Z');
    expect(r.stdout).toContain(`wrote ${reports}/permdrift-${today}.json`);
  });

  it('fails with exit 2 and a message when the snapshot cannot be read', () => {
    const reports = mkdtempSync(join(tmpdir(), 'permdrift-cron-'));
    const r = spawnSync('bash', [join(ROOT, 'examples', 'cron.sh'), '/nonexistent', reports], {
      encoding: 'utf8',
      env: { PATH: process.env['PATH'] ?? '', PERMDRIFT: `${process.execPath} ${join(ROOT, 'bin', 'permdrift')}`, CI: 'true' },
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error: /m);
    expect(readdirSync(reports)).toEqual([]);
  });
});
