/**
 * Entries the audit log reader cannot use never vanish (fixtures/gcp/entries-without-time-unverifiable):
 * a use recorded only in an entry without a usable timestamp makes that permission unverifiable
 * (`event-time-unknown`) and keeps its account from being called dormant; a zone-less time is
 * UTC; every JSON value of the files is accounted for, per file and reason, with a warning.
 */

import { appendFileSync, cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { auditFiles } from '../../src/audit.js';
import type { Finding, Report } from '../../src/model/report.js';
import { validateReport } from '../../src/model/validate-report.js';

const DIR = fileURLToPath(new URL('../../fixtures/gcp/entries-without-time-unverifiable', import.meta.url));
const AS_OF = new Date('2026-11-20T00:00:00Z');
const WINDOW_MS = 90 * 86_400_000;
const P = 'studio-3579';
const UNDATED = `gcp/${P}/audit-logs/undated.jsonl`;

async function scan(dir = DIR): Promise<Report> {
  const report = await auditFiles({ dir, asOf: AS_OF, windowMs: WINDOW_MS });
  expect(validateReport(report).errors).toEqual([]);
  return report;
}

function of(report: Report, name: string): Finding[] {
  return report.findings.filter((f) => f.principal.name === `${name}@${P}.iam.gserviceaccount.com`);
}

function calledUnused(findings: Finding[]): string[] {
  return findings.filter((f) => f.type !== 'unverifiable-permission').flatMap((f) => f.permissions.map((p) => p.action));
}

function reasonOf(findings: Finding[], permission: string): string | undefined {
  return findings.flatMap((f) => f.permissions).find((p) => p.action === permission)?.unverifiable?.reason;
}

describe('entries-without-time-unverifiable', () => {
  it('a permission used only in an entry without a timestamp is unverifiable (event-time-unknown), never unused', async () => {
    const report = await scan();
    const publisher = of(report, 'publisher');
    expect(calledUnused(publisher)).toEqual([]);
    expect(reasonOf(publisher, 'storage.buckets.delete')).toBe('event-time-unknown');
    const detail = publisher.flatMap((f) => f.permissions).find((p) => p.action === 'storage.buckets.delete')?.unverifiable?.detail;
    expect(detail).toContain('without a usable timestamp');
    expect(detail).toContain('storage.buckets.delete');
  });

  it('an account whose only entries have garbage timestamps is not dormant, and what they record is unverifiable', async () => {
    const report = await scan();
    const nightly = of(report, 'nightly');
    expect(nightly.map((f) => f.type)).toEqual(['unverifiable-permission']);
    expect(reasonOf(nightly, 'storage.buckets.delete')).toBe('event-time-unknown');
    expect(report.findings.some((f) => f.type === 'dormant-principal')).toBe(false);
  });

  it('a zone-less time is UTC: storage.buckets.update at 2026-08-22T02:00:00 is a use inside the window', async () => {
    const report = await scan();
    const publisher = of(report, 'publisher');
    expect(publisher.flatMap((f) => f.permissions.map((p) => p.action))).not.toContain('storage.buckets.update');
    expect(report.gcpCoverage?.[0]?.auditLogs.zonelessTimes).toBe(1);
    expect(report.warnings.find((w) => w.code === 'audit-log-zoneless-times')?.message).toContain('read as UTC');
  });

  it('every JSON value is accounted for, per file and reason, and a warning says so', async () => {
    const report = await scan();
    const logs = report.gcpCoverage?.[0]?.auditLogs;
    expect(logs?.valuesRead).toBe(11);
    expect(logs?.entriesRead).toBe(6);
    expect(logs?.entriesSkipped).toEqual([
      { file: UNDATED, reason: 'not-a-log-entry', count: 1 },
      { file: UNDATED, reason: 'no-proto-payload', count: 1 },
      { file: UNDATED, reason: 'time-missing', count: 1 },
      { file: UNDATED, reason: 'time-invalid', count: 2 },
    ]);
    expect((logs?.entriesRead ?? 0) + (logs?.entriesSkipped ?? []).reduce((s, r) => s + r.count, 0)).toBe(logs?.valuesRead);
    expect(logs?.entriesUnattributed).toEqual([{ file: UNDATED, reason: 'no-principal', count: 1 }]);
    // The entry dated 30 February is placed at its receiveTimestamp instead.
    expect(logs?.entriesTimedByReceiveTimestamp).toBe(1);
    // Undated rows do not break the observed span.
    expect(logs?.observed).toEqual({ start: '2026-08-22T00:30:00.000Z', end: '2026-11-19T17:00:00.000Z', days: 89.7 });
    const warning = report.warnings.find((w) => w.code === 'audit-log-entries-not-used');
    expect(warning).toMatchObject({ account: P, file: UNDATED });
    expect(warning?.message).toContain('11 JSON values in 2 audit log files: 6 dated audit entries read, 5 skipped');
    expect(warning?.message).toContain('2 audit entries whose timestamp is not a time');
    expect(warning?.message).toContain('1 dated entry names no principal');
    expect(report.gcpCoverage?.[0]?.notes.join(' ')).toContain('3 audit log entries had no usable timestamp');
  });

  it("a value that is not valid JSON is counted, its file read on, and nothing is called unused from the project's logs", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'permdrift-not-json-'));
    cpSync(DIR, dir, { recursive: true });
    // Structure intact (the scanner finds its end), content not JSON: `tru`.
    appendFileSync(join(dir, 'gcp', P, 'audit-logs', 'undated.jsonl'), '{"logName": "projects/studio-3579/logs/x", "protoPayload": {"a": tru}}\n');
    const report = await scan(dir);
    const logs = report.gcpCoverage?.[0]?.auditLogs;
    expect(logs?.filesFailed).toBe(0);
    expect(logs?.valuesRead).toBe(12);
    expect(logs?.entriesSkipped).toContainEqual({ file: UNDATED, reason: 'not-json', count: 1 });
    expect(calledUnused(report.findings)).toEqual([]);
    const reasons = new Set(report.findings.flatMap((f) => f.permissions.map((p) => p.unverifiable?.reason)));
    expect(reasons).toEqual(new Set(['log-files-unreadable']));
    expect(report.findings[0]?.permissions[0]?.unverifiable?.detail).toContain('1 value in 1 audit log file of project studio-3579 is not valid JSON');
    expect(report.warnings.find((w) => w.code === 'audit-log-entries-not-used')?.message).toContain('1 value that is not valid JSON');
  });
});
