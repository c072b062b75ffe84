/**
 * Issue 14's scenario (fixtures/gcp/run-storage-admin, made by scripts/make-gcp-scenario-fixtures.py):
 * roles/run.admin and roles/storage.admin bound to service accounts, Admin Activity logs over the
 * window, Data Access logs enabled for Cloud Storage only, roles/pubsub.publisher beside them, and
 * one entry by another principal whose check carries `permissionType` for a permission the table
 * does not classify. Each verdict names its basis.
 */

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditFiles } from '../../src/audit.js';
import { bundledLogTypeTable } from '../../src/engine/gcp/permission-log-type.js';
import type { Finding, FindingPermission, Report } from '../../src/model/report.js';
import { validateReport } from '../../src/model/validate-report.js';

const DIR = join(import.meta.dirname, '..', '..', 'fixtures', 'gcp', 'run-storage-admin');
const AS_OF = new Date('2026-11-20T00:00:00Z');

async function scan(): Promise<Report> {
  const report = await auditFiles({ dir: DIR, asOf: AS_OF, windowMs: 90 * 86_400_000 });
  expect(validateReport(report).errors).toEqual([]);
  return report;
}

function find(report: Report, account: string, action: string): { finding: Finding; permission: FindingPermission } {
  for (const finding of report.findings) {
    if (!finding.principal.name.startsWith(`${account}@`)) continue;
    for (const permission of finding.permissions) if (permission.action === action) return { finding, permission };
  }
  throw new Error(`${action} of ${account} is in no finding`);
}

describe('run.admin + storage.admin scenario', () => {
  it('run.services.delete, never used, is unused on a cited or rule basis (Admin Activity covers the window)', async () => {
    const { finding, permission } = find(await scan(), 'deployer', 'run.services.delete');
    expect(finding.type).not.toBe('unverifiable-permission');
    expect(permission.unverifiable).toBeUndefined();
    expect(['cited', 'rule']).toContain(permission.observability?.basis);
    expect(permission.observability?.logType).toBe('ADMIN_WRITE');
  });

  it('storage.objects.delete, never used, is unused on a cited basis (Data Access on for storage); the used ones are in no finding', async () => {
    const report = await scan();
    const { finding, permission } = find(report, 'storer', 'storage.objects.delete');
    expect(finding.type).not.toBe('unverifiable-permission');
    expect(permission.observability).toEqual({ basis: 'cited', logType: 'DATA_WRITE' });
    const actions = report.findings.filter((f) => f.principal.name.startsWith('storer@')).flatMap((f) => f.permissions.map((p) => p.action));
    expect(actions).not.toContain('storage.objects.get');
    expect(actions).not.toContain('storage.objects.create');
  });

  it('pubsub.topics.publish is not logged: unverifiable with that reason, never unused', async () => {
    const { finding, permission } = find(await scan(), 'storer', 'pubsub.topics.publish');
    expect(finding.type).toBe('unverifiable-permission');
    expect(permission.unverifiable?.reason).toBe('not-logged-by-cloud-audit-logs');
    expect(permission.observability).toBeUndefined();
  });

  it('an entry with permissionType classifies a permission the table does not know: run.executions.cancel is unused on the observed basis', async () => {
    expect(bundledLogTypeTable().classify('run.executions.cancel').logType).toBe('unknown');
    const { finding, permission } = find(await scan(), 'deployer', 'run.executions.cancel');
    expect(finding.type).not.toBe('unverifiable-permission');
    expect(permission.observability).toEqual({ basis: 'observed', logType: 'ADMIN_WRITE' });
  });

  it('a run.admin permission neither the table nor the logs know stays unverifiable (log-type-unknown)', async () => {
    expect(bundledLogTypeTable().classify('run.instances.invoke').logType).toBe('unknown');
    const { permission } = find(await scan(), 'deployer', 'run.instances.invoke');
    expect(permission.unverifiable?.reason).toBe('log-type-unknown');
  });
});
