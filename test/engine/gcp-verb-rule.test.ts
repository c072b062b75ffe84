/**
 * The documented verb rule (data/gcp/permission-log-types.json `verbRule`, applied by
 * scripts/update-gcp-log-types.mjs into `ruleEntries`), checked over every permission of the
 * predefined roles (data/gcp/roles.json):
 * - a cited entry always wins: for each cited permission the lookup returns the cited type with
 *   basis `cited`, never the rule's;
 * - no permission of an excluded data-plane family is ever classified with basis `rule`;
 * - the write-verb permissions the pages list as DATA_WRITE are never given ADMIN_WRITE;
 * - services and collections the pages contradict, or complete pages cover, are left alone;
 * - rule reads need DATA_READ too; undecided verbs stay unknown; checked-inside and not-logged
 *   permissions carry their own verdicts;
 * - at least 75 % of the predefined roles' permissions are classified (computed here).
 */

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { excludedFamily, patternRegExp, verbGroup, type Table, type VerbRule } from '../../scripts/lib/gcp-log-type-merge.mjs';
import { bundledLogTypeTable } from '../../src/engine/gcp/permission-log-type.js';

const ROOT = join(import.meta.dirname, '..', '..');
const RAW = JSON.parse(readFileSync(join(ROOT, 'data', 'gcp', 'permission-log-types.json'), 'utf8')) as Required<
  Pick<Table, 'sources' | 'permissions' | 'patterns'>
> & { verbRule: VerbRule; ruleEntries: Record<string, string> };
const ROLES = (JSON.parse(readFileSync(join(ROOT, 'data', 'gcp', 'roles.json'), 'utf8')) as { roles: Record<string, string[]> }).roles;
const ALL = [...new Set(Object.values(ROLES).flat())].sort();
const RULE = RAW.verbRule;
const table = bundledLogTypeTable();

const cited = Object.entries(RAW.permissions).filter(([, e]) => e.basis === 'cited' && e.logType !== 'unknown');

describe('verb rule: cited entries win', () => {
  it('for every cited permission the lookup returns the cited type and basis cited, never the rule', () => {
    expect(cited.length).toBeGreaterThan(500);
    for (const [permission, entry] of cited) {
      const v = table.classify(permission);
      expect({ permission, logType: v.logType, basis: v.basis, matchedBy: v.matchedBy }).toEqual({
        permission,
        logType: entry.logType,
        basis: 'cited',
        matchedBy: 'exact',
      });
      expect(RAW.ruleEntries[permission], permission).toBeUndefined();
    }
    // Unknown entries (conflicts, hand-written unknowns) are never ruled either.
    for (const [permission, entry] of Object.entries(RAW.permissions)) {
      if (entry.logType === 'unknown') expect(table.classify(permission).logType, permission).toBe('unknown');
    }
  });

  it('cited entries mostly agree with what the rule would say; where they do not, the service or collection is left to the pages', () => {
    let agree = 0;
    let disagree = 0;
    for (const [permission, entry] of cited) {
      const parts = permission.split('.');
      const group = parts.length === 3 ? verbGroup(RULE, parts[2]!) : undefined;
      if (!group || excludedFamily(RULE, permission)) continue;
      const ok = group === 'write' ? entry.logType === 'ADMIN_WRITE' : entry.logType === 'ADMIN_READ' || entry.logType === 'DATA_READ';
      if (ok) {
        agree++;
        continue;
      }
      disagree++;
      // A disagreement outside the excluded families blocks the rule for that service and kind of verb.
      const siblings = ALL.filter((p) => p.startsWith(`${parts[0]}.`) && p.split('.').length === 3 && verbGroup(RULE, p.split('.')[2]!) === group);
      for (const p of siblings) expect(table.classify(p).basis, `${p} (${permission} is ${entry.logType})`).not.toBe('rule');
    }
    expect(agree).toBeGreaterThan(400);
    expect(disagree).toBeGreaterThan(0);
    expect(disagree / (agree + disagree)).toBeLessThan(0.05);
  });
});

describe('verb rule: data-plane families', () => {
  it('no permission of an excluded family is classified with basis rule (all predefined-role permissions)', () => {
    expect(ALL.length).toBeGreaterThan(13_000);
    const excluded = ALL.filter((p) => excludedFamily(RULE, p) !== undefined);
    expect(excluded.length).toBeGreaterThan(500);
    for (const p of excluded) expect([p, table.classify(p).basis]).not.toEqual([p, 'rule']);
  });

  it("the issue's families are among the excluded ones", () => {
    const families = [
      'storage.objects.delete',
      'storage.folders.create',
      'storage.multipartUploads.create',
      'cloudsql.databases.create',
      'cloudsql.users.update',
      'artifactregistry.packages.delete',
      'artifactregistry.versions.update',
      'artifactregistry.files.update',
      'artifactregistry.repositories.uploadArtifacts',
      'artifactregistry.repositories.downloadArtifacts',
      'datastore.entities.create',
      'bigtable.tables.mutateRows',
      'bigtable.tables.readRows',
      'bigtable.tables.sampleRowKeys',
      'spanner.sessions.create',
      'spanner.databases.write',
      'spanner.databases.read',
      'secretmanager.versions.access',
      'cloudkms.cryptoKeyVersions.useToEncrypt',
      'container.pods.updateStatus',
      'container.pods.create',
      'bigquery.tables.getData',
      'bigquery.tables.updateData',
      'bigquery.readsessions.create',
      'logging.logEntries.create',
      'logging.logEntries.list',
      'monitoring.timeSeries.create',
      'healthcare.fhirResources.update',
      'healthcare.dicomStores.dicomWebWrite',
    ];
    for (const p of families) {
      expect(ALL, p).toContain(p);
      expect(excludedFamily(RULE, p), p).toBeDefined();
      expect(table.classify(p).basis, p).not.toBe('rule');
    }
    // The GKE API's own collections are not Kubernetes objects.
    expect(excludedFamily(RULE, 'container.clusters.update')).toBeUndefined();
  });

  it('every excluded family names a reason and a source URL', () => {
    for (const f of RULE.excludedFamilies) {
      expect(f.reason.length, f.match).toBeGreaterThan(10);
      expect(RAW.sources[f.source], f.match).toMatch(/^https:\/\/cloud\.google\.com\//);
      // Each family matches some permission of the predefined roles or of the table (no dead entry).
      const re = patternRegExp(f.match);
      expect(
        [...ALL, ...Object.keys(RAW.permissions)].some((p) => re.test(p)),
        f.match,
      ).toBe(true);
    }
  });

  it('the write-verb permissions the pages list as DATA_WRITE (22 of them hand-cited) are never ADMIN_WRITE', () => {
    const dataWrites = cited.filter(([p, e]) => e.logType === 'DATA_WRITE' && verbGroup(RULE, p.split('.').at(-1)!) === 'write');
    // The count: hand-cited create / update / delete entries the plain rule would get wrong.
    const handCited = dataWrites.filter(([p, e]) => e.extractedFrom === undefined && ['create', 'update', 'delete'].includes(p.split('.').at(-1)!));
    expect(handCited.length).toBe(22);
    expect(dataWrites.length).toBeGreaterThanOrEqual(22);
    for (const [p] of dataWrites) expect([p, table.classify(p).logType]).toEqual([p, 'DATA_WRITE']);
  });
});

describe('verb rule: where it applies', () => {
  it('classifies run.services.delete (cited) and rule-based permissions with the rule basis, the overview as source, and DATA_READ as an alternative for reads', () => {
    expect(table.classify('run.services.delete')).toMatchObject({ logType: 'ADMIN_WRITE', basis: 'cited' });
    const write = table.classify('run.workerpools.delete');
    expect(write).toMatchObject({ logType: 'ADMIN_WRITE', basis: 'rule', matchedBy: 'rule', source: 'https://cloud.google.com/logging/docs/audit' });
    expect(write.alsoPossibly).toBeUndefined();
    const read = table.classify('run.workerpools.get');
    expect(read).toMatchObject({ logType: 'ADMIN_READ', basis: 'rule', alsoPossibly: ['DATA_READ'] });
  });

  it('leaves undecided verbs, services the pages contradict and collections complete pages cover unknown', () => {
    for (const p of ['run.routes.invoke', 'run.jobs.runWithOverrides', 'cloudsql.instances.export', 'aiplatform.endpoints.predict']) {
      expect(verbGroup(RULE, p.split('.').at(-1)!), p).toBeUndefined();
      expect(table.classify(p).basis, p).not.toBe('rule');
    }
    // Eventarc's page lists trigger and channel writes as DATA_WRITE: no eventarc write is ruled.
    const eventarcWrites = ALL.filter((p) => p.startsWith('eventarc.') && verbGroup(RULE, p.split('.').at(-1)!) === 'write');
    expect(eventarcWrites.length).toBeGreaterThan(5);
    for (const p of eventarcWrites) expect(table.classify(p).basis, p).not.toBe('rule');
    // The complete Cloud Run page covers run.services: what it does not tie to a method stays unknown.
    expect(table.classify('run.services.update').logType).toBe('unknown');
    expect(table.classify('storage.buckets.listEffectiveTags').logType).toBe('unknown');
    // …except the IAM policy verbs, which every page consulted lists the same way.
    expect(table.classify('cloudfunctions.functions.update')).toMatchObject({ basis: 'cited' });
    expect(table.classify('cloudfunctions.functions.setIamPolicy')).toMatchObject({ logType: 'ADMIN_WRITE', basis: 'rule' });
  });

  it('checked-inside-other-calls and not-logged permissions keep their own verdicts', () => {
    for (const p of ['iam.serviceAccounts.actAs', 'compute.subnetworks.use', 'serviceusage.services.use', 'compute.images.useReadOnly']) {
      expect(table.classify(p), p).toMatchObject({ logType: 'unknown', unknownBecause: 'checked-inside-other-calls' });
    }
    for (const p of ['pubsub.topics.publish', 'pubsub.subscriptions.consume']) {
      expect(table.classify(p), p).toMatchObject({ logType: 'NOT_LOGGED', basis: 'cited', source: 'https://cloud.google.com/pubsub/docs/audit-logging' });
    }
    // The Cloud Functions (1st gen) page lists these reads under Admin Activity: a conflict with the overview, so unknown.
    for (const p of ['cloudfunctions.operations.get', 'cloudfunctions.locations.list']) {
      const v = table.classify(p);
      expect(v.logType, p).toBe('unknown');
      expect(v.note, p).toMatch(/disagree/);
    }
  });
});

describe('coverage of the predefined roles', () => {
  it('at least 75 % of the permissions of the predefined roles are classified, and the script prints the same counts per basis', () => {
    const byBasis = { cited: 0, rule: 0, unknown: 0 };
    for (const p of ALL) {
      const v = table.classify(p);
      if (v.logType === 'unknown') byBasis.unknown++;
      else if (v.basis === 'rule') byBasis.rule++;
      else byBasis.cited++;
    }
    const classified = byBasis.cited + byBasis.rule;
    expect(classified / ALL.length).toBeGreaterThanOrEqual(0.75);
    const out = execFileSync(process.execPath, [join(ROOT, 'scripts', 'update-gcp-log-types.mjs'), '--check'], { encoding: 'utf8' });
    expect(out).toContain(`predefined roles: ${ALL.length} permissions; classified ${classified} `);
    expect(out).toMatch(new RegExp(`cited ${byBasis.cited} .*rule ${byBasis.rule} .*observed 0; unknown ${byBasis.unknown} `));
    for (const role of ['roles/editor', 'roles/run.admin', 'roles/storage.admin'])
      expect(out).toMatch(new RegExp(`^${role}: \\d+ permissions; classified`, 'm'));
  });
});
