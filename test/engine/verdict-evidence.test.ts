/**
 * Verdicts that rest on evidence that a use would have been seen (issue 11): the real pipeline on
 * scenario fixtures (scripts/make-scenario-fixtures.mjs, judged as of 2026-06-30 over 30 days).
 * Each scenario gave a false "unused" before coverage came from proof of delivery.
 */

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditFiles } from '../../src/audit.js';
import type { Finding, Report } from '../../src/model/report.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'aws');
const AS_OF = new Date('2026-06-30T00:00:00Z');
const WINDOW_30D = 30 * 86_400_000;

function scan(scenario: string, extra: { minCoverage?: number; asOf?: Date } = {}): Promise<Report> {
  return auditFiles({
    dir: join(FIXTURES, scenario),
    asOf: extra.asOf ?? AS_OF,
    windowMs: WINDOW_30D,
    workers: 1,
    ...(extra.minCoverage ? { minCoverage: extra.minCoverage } : {}),
  });
}

function permissionsOf(report: Report, principal: string): Map<string, { type: Finding['type']; reason?: string; detail?: string }> {
  const out = new Map<string, { type: Finding['type']; reason?: string; detail?: string }>();
  for (const f of report.findings.filter((x) => x.principal.name === principal)) {
    for (const p of f.permissions) {
      out.set(p.action, { type: f.type, ...(p.unverifiable ? { reason: p.unverifiable.reason, detail: p.unverifiable.detail } : {}) });
    }
  }
  return out;
}

describe('a logging gap opened by StopLogging', () => {
  it('makes the unused claims unverifiable with reason logging-gap, naming who stopped it and when', async () => {
    const report = await scan('stoplogging-gap');
    const v = permissionsOf(report, 'watcher');
    expect(v.has('sqs:ListQueues')).toBe(false); // used
    expect(v.get('sqs:DeleteQueue')?.type).toBe('unverifiable-permission');
    expect(v.get('sqs:DeleteQueue')?.reason).toBe('logging-gap');
    expect(v.get('sqs:DeleteQueue')?.detail).toContain('StopLogging by arn:aws:iam::210987654321:user/mallory');
    expect(v.get('sqs:DeleteQueue')?.detail).toContain('2026-06-10T12:00Z');
    const ct = report.coverage[0]?.cloudTrail;
    expect(ct?.isWindowCovered).toBe(false);
    expect(ct?.gaps).toEqual([expect.objectContaining({ kind: 'logging-stopped', start: '2026-06-10T12:00:00.000Z', end: '2026-06-12T12:00:00.000Z' })]);
    expect(ct?.trailChanges?.map((c) => [c.eventName, c.opensGap])).toEqual([
      ['StopLogging', true],
      ['StartLogging', false],
    ]);
    expect(report.summary.byType['unused-permission']).toBe(0);
  });

  it('--min-coverage accepts the 2-day gap in 30 days (93.3 % observed) only when asked, and lists it', async () => {
    const strict = await scan('stoplogging-gap', { minCoverage: 0.95 });
    expect(permissionsOf(strict, 'watcher').get('sqs:DeleteQueue')?.reason).toBe('logging-gap');
    const loose = await scan('stoplogging-gap', { minCoverage: 0.9 });
    expect(permissionsOf(loose, 'watcher').get('sqs:DeleteQueue')?.type).toBe('unused-permission');
    const ct = loose.coverage[0]?.cloudTrail;
    expect(ct?.acceptedGaps).toEqual([expect.objectContaining({ kind: 'logging-stopped', acceptedBy: 'min-coverage' })]);
    expect(ct?.coveredFraction).toBeCloseTo(28 / 30, 2);
    expect(loose.coverage[0]?.notes.join(' ')).toContain('Accepted under --min-coverage 90%');
  });
});

describe('a quiet tail', () => {
  it('proven by hourly digest files: the verdicts stand', async () => {
    const report = await scan('quiet-tail-digests');
    const v = permissionsOf(report, 'watcher');
    expect(v.get('sqs:DeleteQueue')?.type).toBe('unused-permission');
    const ct = report.coverage[0]?.cloudTrail;
    expect(ct?.isWindowCovered).toBe(true);
    expect(ct?.proofs?.join(' ')).toMatch(/\d+ digest file\(s\)/);
  });

  it('without proof: unverifiable, and the hint names --as-of at the end of the evidence', async () => {
    const report = await scan('quiet-tail-no-proof');
    const v = permissionsOf(report, 'watcher');
    expect(v.get('sqs:DeleteQueue')?.type).toBe('unverifiable-permission');
    expect(v.get('sqs:DeleteQueue')?.reason).toBe('window-not-covered');
    expect(v.get('sqs:DeleteQueue')?.detail).toContain('--as-of 2026-06-28T14:05:00.000Z');
    expect(v.get('sqs:DeleteQueue')?.detail).not.toContain('--window');
    expect(report.warnings.map((w) => w.code)).toContain('as-of-after-evidence');
  });
});

describe('records without a usable time', () => {
  it('dated by the CloudTrail file name: counted as use; in an undatable file: the caller is unverifiable, never unused', async () => {
    const report = await scan('garbage-event-time');
    const dated = permissionsOf(report, 'dated-by-file');
    expect(dated.has('sqs:DeleteQueue')).toBe(false); // used, at the file's delivery time
    expect(dated.get('sqs:ListQueues')?.type).toMatch(/^unused-/);
    const undatable = permissionsOf(report, 'undatable');
    expect(undatable.get('sns:DeleteTopic')?.reason).toBe('event-time-unknown');
    expect(undatable.get('sns:ListTopics')?.reason).toBe('event-time-unknown');
    expect(report.findings.some((f) => f.principal.name === 'undatable' && f.type === 'dormant-principal')).toBe(false);
    // An epoch-millisecond time is a time.
    expect(permissionsOf(report, 'epoch-timed').has('kms:ListKeys')).toBe(false);
    const ct = report.coverage[0]?.cloudTrail;
    expect(ct?.recordsTimedByFile).toBe(1);
    const unusable = ct?.recordsUnusable ?? [];
    // The record dated by its file name is used, not unusable; the two in export.json are counted.
    expect(unusable).toEqual([
      { file: 'cloudtrail/siem-export/export.json', reason: 'time-invalid', count: 1 },
      { file: 'cloudtrail/siem-export/export.json', reason: 'time-missing', count: 1 },
    ]);
    expect(report.coverage[0]?.notes.join(' ')).toMatch(/2 record\(s\) in 1 file\(s\) could not be used/);
    expect(report.warnings.filter((w) => w.code === 'cloudtrail-records-unusable').map((w) => w.file)).toEqual([
      'aws/210987654321/cloudtrail/siem-export/export.json',
    ]);
  });
});
