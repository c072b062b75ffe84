/**
 * GCP coverage from the collection manifest (`collect gcp` writes gcp/<P>/collect-manifest.json):
 * a log read in full over a span is observed there, quiet hours included; failed spans are gaps
 * naming their reason; the evidence ends where the collection's read ends. Without a manifest the
 * entries are all there is (first to last entry).
 *
 * Fixture: fixtures/gcp/data-access-retention (project retention-3579). Its entries end
 * 2026-11-19T17:05Z; its Admin Activity entries start 2026-08-22, its Data Access ones 2026-10-21.
 */

import { describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditFiles } from '../../src/audit.js';
import type { CollectManifest, ManifestLogFailure, ManifestLogSpan } from '../../src/model/collect-manifest.js';
import type { Finding, Report } from '../../src/model/report.js';
import { validateReport } from '../../src/model/validate-report.js';

import { PROJECT, FIXTURE, WINDOW_MS, AS_OF, WINDOW_START, ACTIVITY, ADMIN_WRITE } from './gcp-retention-fixture.js';

function snapshot(manifest?: CollectManifest | object, collectWarnings?: object): string {
  const dir = mkdtempSync(join(tmpdir(), 'permdrift-gcp-manifest-'));
  cpSync(FIXTURE, dir, { recursive: true });
  if (manifest) writeFileSync(join(dir, 'gcp', PROJECT, 'collect-manifest.json'), JSON.stringify(manifest));
  if (collectWarnings) writeFileSync(join(dir, 'gcp', PROJECT, 'collect-warnings.json'), JSON.stringify(collectWarnings));
  return dir;
}

function manifest(opts: { complete?: ManifestLogSpan[]; failed?: ManifestLogFailure[]; readAt?: string; scope?: string } = {}): CollectManifest {
  const readAt = opts.readAt ?? AS_OF.toISOString();
  return {
    schemaVersion: 1,
    provider: 'gcp',
    scope: opts.scope ?? PROJECT,
    tool: 'permdrift test',
    startedAt: readAt,
    finishedAt: readAt,
    sources: { 'audit-logs': { readAt } },
    logs: {
      source: 'api',
      requested: { start: WINDOW_START, end: AS_OF.toISOString() },
      complete: opts.complete ?? [{ scope: ACTIVITY, start: WINDOW_START, end: AS_OF.toISOString() }],
      failed: opts.failed ?? [],
      filesWritten: 1,
    },
  };
}

async function scan(dir: string, extra: { minCoverage?: number; asOf?: Date } = {}): Promise<Report> {
  const report = await auditFiles({
    dir,
    asOf: extra.asOf ?? AS_OF,
    windowMs: WINDOW_MS,
    ...(extra.minCoverage !== undefined ? { minCoverage: extra.minCoverage } : {}),
  });
  expect(validateReport(report).errors).toEqual([]);
  return report;
}

function verdictOf(report: Report, permission: string): { finding: Finding; reason?: string; detail?: string } | undefined {
  for (const f of report.findings) {
    if (!f.principal.name.startsWith('uploader@')) continue;
    const p = f.permissions.find((x) => x.action === permission);
    if (p) return { finding: f, ...(p.unverifiable ? { reason: p.unverifiable.reason, detail: p.unverifiable.detail } : {}) };
  }
  return undefined;
}

describe('GCP coverage from the collection manifest', () => {
  it('without a manifest, logs that end four days before --as-of leave Admin Activity grants unverifiable and warn', async () => {
    const report = await scan(snapshot());
    const v = verdictOf(report, ADMIN_WRITE);
    expect(v?.reason).toBe('window-not-covered');
    expect(v?.detail).toContain('pass --as-of 2026-11-19T17:05:00.000Z, the last entry');
    const lc = report.gcpCoverage?.[0]?.auditLogs.logCoverage;
    expect(lc?.activity.basis).toBe('entries');
    expect(lc?.activity.evidenceEnd).toEqual({ time: '2026-11-19T17:05:00.000Z', basis: 'newest-time-inside' });
    expect(report.warnings.find((w) => w.code === 'as-of-after-evidence')?.message).toContain('(2026-11-19T17:05:00.000Z, the newest entry read)');
  });

  it('a manifest that read the Admin Activity log in full up to --as-of proves the quiet tail: the unused grant is called unused', async () => {
    const report = await scan(snapshot(manifest()));
    const v = verdictOf(report, ADMIN_WRITE);
    expect(v?.finding.type).not.toBe('unverifiable-permission');
    expect(v?.reason).toBeUndefined();
    const lc = report.gcpCoverage?.[0]?.auditLogs.logCoverage;
    expect(lc?.activity).toMatchObject({
      basis: 'collect-manifest',
      isWindowCovered: true,
      gaps: [],
      coveredFraction: 1,
      evidenceEnd: { time: AS_OF.toISOString(), basis: 'collect-manifest' },
    });
    expect(report.gcpCoverage?.[0]?.auditLogs.isWindowCovered).toBe(true);
    expect(report.warnings.some((w) => w.code === 'as-of-after-evidence')).toBe(false);
    // Data Access has no complete span in an entries.list collection: its entries are all there is.
    expect(lc?.data_access.basis).toBe('entries');
    expect(lc?.data_access.isWindowCovered).toBe(false);
  });

  it('a project with no Admin Activity entry at all: with a manifest that read the log in full it is a quiet log, without one the log may have been left out', async () => {
    const quiet = snapshot(manifest());
    writeFileSync(join(quiet, 'gcp', PROJECT, 'audit-logs', 'entries.json'), '[]');
    const report = await scan(quiet);
    const v = verdictOf(report, ADMIN_WRITE);
    expect(v?.reason).toBeUndefined();
    expect(v?.finding.type).not.toBe('unverifiable-permission');
    expect(report.gcpCoverage?.[0]?.auditLogs.logCoverage?.activity.basis).toBe('collect-manifest');

    const bare = snapshot();
    writeFileSync(join(bare, 'gcp', PROJECT, 'audit-logs', 'entries.json'), '[]');
    expect(verdictOf(await scan(bare), ADMIN_WRITE)?.reason).toBe('log-type-not-collected');
  });

  it('the evidence ends where the collection read: a read before --as-of leaves the tail unobserved and says which --as-of to pass', async () => {
    const readAt = '2026-11-21T06:00:00.000Z';
    const complete = [{ scope: ACTIVITY, start: '2026-08-01T00:00:00.000Z', end: readAt }];
    const report = await scan(snapshot(manifest({ readAt, complete })));
    const v = verdictOf(report, ADMIN_WRITE);
    expect(v?.reason).toBe('window-not-covered');
    expect(v?.detail).toContain(`pass --as-of ${readAt}, the end of what the collection read`);
    expect(report.warnings.find((w) => w.code === 'as-of-after-evidence')?.message).toContain(`(${readAt}, the end of what the collection read)`);
    // Judged at the end of the evidence, the same snapshot proves the window.
    const atEnd = await scan(snapshot(manifest({ readAt, complete })), { asOf: new Date(readAt) });
    expect(verdictOf(atEnd, ADMIN_WRITE)?.reason).toBeUndefined();
  });

  it('a failed span inside the window is a logging gap naming its reason; --min-coverage accepts it and records it', async () => {
    const failed = [
      {
        scope: ACTIVITY,
        start: '2026-10-01T00:00:00.000Z',
        end: '2026-10-02T00:00:00.000Z',
        reason: 'hour files of gs://b/cloudaudit.googleapis.com/activity/ could not be read (403)',
      },
    ];
    const report = await scan(snapshot(manifest({ failed })));
    const v = verdictOf(report, ADMIN_WRITE);
    expect(v?.reason).toBe('logging-gap');
    expect(v?.detail).toContain('2026-10-01T00:00Z to 2026-10-02T00:00Z: the collection could not read the Admin Activity log: hour files of gs://b/');
    expect(v?.detail).toContain('collect again');
    const lc = report.gcpCoverage?.[0]?.auditLogs.logCoverage?.activity;
    expect(lc?.gaps).toEqual([
      { start: failed[0]?.start, end: failed[0]?.end, kind: 'collection-failed', cause: expect.stringContaining('(403)') as unknown as string },
    ]);
    expect(lc?.intervalsTotal).toBe(2);
    expect(lc?.coveredFraction).toBeCloseTo(1 - 1 / 90, 3);

    const lenient = await scan(snapshot(manifest({ failed })), { minCoverage: 0.95 });
    expect(verdictOf(lenient, ADMIN_WRITE)?.reason).toBeUndefined();
    expect(lenient.gcpCoverage?.[0]?.auditLogs.logCoverage?.activity.acceptedGaps.map((g) => g.acceptedBy)).toEqual(['min-coverage']);
    // 1 day of 90 is more than 0.5 % missing: a stricter floor keeps the gap.
    const strict = await scan(snapshot(manifest({ failed })), { minCoverage: 0.995 });
    expect(verdictOf(strict, ADMIN_WRITE)?.reason).toBe('logging-gap');
  });

  it('a failure of the whole export (scope gs://…) is a gap of every log; the collect warning is not turned into a blanket unreadable file', async () => {
    const failed = [{ scope: 'gs://b/x', start: WINDOW_START, end: AS_OF.toISOString(), reason: 'gs://b/x could not be listed (403)' }];
    const warnings = { warnings: [{ code: 'audit-logs-unreadable', message: 'gs://b/x could not be listed' }] };
    const report = await scan(snapshot(manifest({ failed, complete: [] }), warnings));
    const v = verdictOf(report, ADMIN_WRITE);
    expect(v?.reason).toBe('logging-gap');
    expect(v?.detail).toContain('the collection could not read gs://b/x');
    expect(report.gcpCoverage?.[0]?.auditLogs.filesFailed).toBe(0);
    expect(report.warnings.some((w) => w.code === 'audit-logs-unreadable')).toBe(true);
    // Without a manifest the same warning still makes the project's logs unreadable as a whole.
    const bare = await scan(snapshot(undefined, warnings));
    expect(verdictOf(bare, ADMIN_WRITE)?.reason).toBe('log-files-unreadable');
  });

  it('a sink export proves only from its first file of a log to its last: the hints say so and point to entries.list for quiet hours', async () => {
    const m = manifest({ complete: [{ scope: ACTIVITY, start: '2026-09-10T00:00:00.000Z', end: '2026-11-21T00:00:00.000Z' }] });
    m.logs.source = 'gcs';
    const report = await scan(snapshot(m));
    const v = verdictOf(report, ADMIN_WRITE);
    expect(v?.reason).toBe('window-not-covered');
    expect(v?.detail).toContain('the sink export holds no file of this log before then: nothing shows the sink was exporting earlier');
    expect(v?.detail).toContain(
      "the sink export's last file of this log ends at 2026-11-21T00:00:00.000Z: later hours may be quiet or not exported; collect with --audit-logs api",
    );
    expect(report.gcpCoverage?.[0]?.auditLogs.logCoverage?.activity.gaps.map((g) => g.kind)).toEqual(['before-evidence', 'unobserved-tail']);
  });

  it("another project's manifest, or one of the wrong shape, proves nothing: a warning names it and the entries decide", async () => {
    for (const [m, text] of [
      [manifest({ scope: 'other-project' }), 'is the collection manifest of gcp other-project, not of gcp retention-3579'],
      [{ schemaVersion: 1, provider: 'gcp' }, 'is not a permdrift collection manifest'],
    ] as const) {
      const report = await scan(snapshot(m));
      const w = report.warnings.find((x) => x.code === 'collect-manifest-unreadable');
      expect(w?.message).toContain(text);
      expect(w?.file).toBe(join('gcp', PROJECT, 'collect-manifest.json'));
      expect(verdictOf(report, ADMIN_WRITE)?.reason).toBe('window-not-covered');
      expect(report.gcpCoverage?.[0]?.auditLogs.logCoverage?.activity.basis).toBe('entries');
    }
  });
});
