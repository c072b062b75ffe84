/**
 * A collection manifest that says `complete: false` (an interrupted `collect`): the scan refuses
 * it unless allowed; allowed, the spans it recorded as read in full stand, everything else of the
 * requested span is a gap, whatever files are there, and the report warns `snapshot-incomplete`.
 * A manifest without the field (written before it existed) is complete.
 *
 * Fixture: fixtures/gcp/data-access-retention (project retention-3579), as in gcp-manifest-coverage.
 */

import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditFiles } from '../../src/audit.js';
import { parseCollectManifest, UNFINISHED_REASON } from '../../src/connectors/shared/collect-manifest-file.js';
import { InputError } from '../../src/model/errors.js';
import type { Report } from '../../src/model/report.js';
import { validateReport } from '../../src/model/validate-report.js';

import { PROJECT, FIXTURE, DAY, WINDOW_MS, AS_OF, WINDOW_START, ACTIVITY, ADMIN_WRITE } from './gcp-retention-fixture.js';

function manifestJson(
  extra: { complete?: boolean; spans?: { scope: string; start: string; end: string }[]; provider?: 'aws' | 'gcp'; scope?: string } = {},
): Record<string, unknown> {
  const at = AS_OF.toISOString();
  return {
    schemaVersion: 1,
    provider: extra.provider ?? 'gcp',
    scope: extra.scope ?? PROJECT,
    tool: 'permdrift test',
    ...(extra.complete !== undefined ? { complete: extra.complete } : {}),
    startedAt: at,
    finishedAt: at,
    sources: { 'audit-logs': { readAt: at } },
    logs: {
      source: 'api',
      requested: { start: WINDOW_START, end: at },
      complete: extra.spans ?? [{ scope: ACTIVITY, start: WINDOW_START, end: at }],
      failed: [],
      filesWritten: 1,
    },
  };
}

function snapshot(manifest: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'permdrift-incomplete-'));
  cpSync(FIXTURE, dir, { recursive: true });
  writeFileSync(join(dir, 'gcp', PROJECT, 'collect-manifest.json'), JSON.stringify(manifest));
  return dir;
}

async function scan(dir: string, isIncompleteAllowed: boolean): Promise<Report> {
  const report = await auditFiles({ dir, asOf: AS_OF, windowMs: WINDOW_MS, isIncompleteAllowed });
  expect(validateReport(report).errors).toEqual([]);
  return report;
}

function reasonOf(report: Report, permission: string): string | undefined | null {
  for (const f of report.findings) {
    if (!f.principal.name.startsWith('uploader@')) continue;
    const p = f.permissions.find((x) => x.action === permission);
    if (p) return p.unverifiable?.reason;
  }
  return null;
}

describe('parseCollectManifest and complete', () => {
  it('a manifest without the field is complete, and gets no added gaps', () => {
    const m = parseCollectManifest(manifestJson(), 'collect-manifest.json');
    expect(m.complete).toBe(true);
    expect(m.logs.failed).toEqual([]);
  });

  it('GCP, complete: false: each audit log gets the requested span less what it read in full as failed', () => {
    const half = new Date(AS_OF.getTime() - 30 * DAY).toISOString();
    const m = parseCollectManifest(manifestJson({ complete: false, spans: [{ scope: ACTIVITY, start: WINDOW_START, end: half }] }), 'collect-manifest.json');
    expect(m.complete).toBe(false);
    expect(m.logs.complete).toEqual([{ scope: ACTIVITY, start: WINDOW_START, end: half }]);
    expect(m.logs.failed).toEqual([
      { scope: ACTIVITY, start: half, end: AS_OF.toISOString(), reason: UNFINISHED_REASON },
      ...['data_access', 'system_event', 'policy'].map((l) => ({
        scope: `cloudaudit.googleapis.com/${l}`,
        start: WINDOW_START,
        end: AS_OF.toISOString(),
        reason: UNFINISHED_REASON,
      })),
    ]);
  });

  it('AWS, complete: false: the regions read in full together, the rest one failure for all regions', () => {
    const a = new Date(AS_OF.getTime() - 60 * DAY).toISOString();
    const b = new Date(AS_OF.getTime() - 30 * DAY).toISOString();
    const m = parseCollectManifest(
      manifestJson({
        provider: 'aws',
        scope: '111122223333',
        complete: false,
        spans: [
          { scope: 'us-east-1', start: WINDOW_START, end: a },
          { scope: 'eu-west-1', start: WINDOW_START, end: b },
        ],
      }),
      'collect-manifest.json',
    );
    expect(m.logs.failed).toEqual([{ scope: 'all regions', start: b, end: AS_OF.toISOString(), reason: UNFINISHED_REASON }]);
  });
});

describe('scanning an incomplete collection', () => {
  it('is refused without --allow-incomplete: an input error naming the folder and the flag', async () => {
    const dir = snapshot(manifestJson({ complete: false }));
    const err = await auditFiles({ dir, asOf: AS_OF, windowMs: WINDOW_MS }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toContain(`${join(dir, 'gcp', PROJECT)} holds an incomplete collection (collect-manifest.json says complete: false`);
    expect((err as InputError).hint).toContain('--allow-incomplete');
  });

  it('allowed: what it read in full still proves non-use, and the report warns snapshot-incomplete', async () => {
    const report = await scan(snapshot(manifestJson({ complete: false })), true);
    // The Admin Activity log was recorded as read in full over the window: that stands.
    expect(reasonOf(report, ADMIN_WRITE)).toBeUndefined();
    const w = report.warnings.filter((x) => x.code === 'snapshot-incomplete');
    expect(w).toHaveLength(1);
    expect(w[0]).toMatchObject({ account: PROJECT, file: `gcp/${PROJECT}/collect-manifest.json` });
    expect(w[0]?.message).toContain('the collection did not finish');
  });

  it('allowed, nothing recorded as read in full: the entries that are there prove nothing, the grant is unverifiable', async () => {
    const report = await scan(snapshot(manifestJson({ complete: false, spans: [] })), true);
    expect(reasonOf(report, ADMIN_WRITE)).toBe('logging-gap');
    const lc = report.gcpCoverage?.[0]?.auditLogs.logCoverage;
    expect(lc?.activity.isWindowCovered).toBe(false);
    expect(lc?.activity.gaps.some((g) => g.kind === 'collection-failed' && g.cause.includes('did not finish'))).toBe(true);
  });

  it('the same files with a complete manifest scan as before', async () => {
    const report = await scan(snapshot(manifestJson({ complete: true })), false);
    expect(reasonOf(report, ADMIN_WRITE)).toBeUndefined();
    expect(report.warnings.some((w) => w.code === 'snapshot-incomplete')).toBe(false);
  });
});
