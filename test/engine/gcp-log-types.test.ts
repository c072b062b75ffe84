/**
 * The cited permission → audit-log-type table (data/gcp/permission-log-types.json): every entry and
 * pattern names a source that exists; classifications of the services added from their
 * audit-logging pages match what those pages say (expected values copied from the pages' per-method
 * "Permissions: <permission> - <TYPE>" lists, URL beside each block); and how much of roles/editor
 * the table classifies, before and after those services were added.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledLogTypeTable, logTypeTableFrom, type GcpPermissionLogType } from '../../src/engine/gcp/permission-log-type.js';

const ROOT = join(import.meta.dirname, '..', '..');
interface RawEntry {
  logType: string;
  source: string;
  note?: string;
}
interface RawTable {
  sources: Record<string, string>;
  permissions: Record<string, RawEntry>;
  patterns: (RawEntry & { match: string })[];
}
const RAW = JSON.parse(readFileSync(join(ROOT, 'data', 'gcp', 'permission-log-types.json'), 'utf8')) as RawTable;
const ROLES = (JSON.parse(readFileSync(join(ROOT, 'data', 'gcp', 'roles.json'), 'utf8')) as { roles: Record<string, string[]> }).roles;
const EDITOR = ROLES['roles/editor'] ?? [];

/** Source keys the table had before the services below were added (Storage, Secret Manager, Pub/Sub, IAM, Credentials, Compute, generic rules). */
const ORIGINAL_SOURCES = new Set(['overview', 'configure', 'logTypeEnum', 'storage', 'secretmanager', 'pubsub', 'iam', 'iamcredentials', 'compute']);

/** Added services: source key, the page, and what the page says for a handful of permissions. */
const ADDED: { source: string; url: string; prefix: string; expect: Record<string, GcpPermissionLogType> }[] = [
  {
    source: 'kms',
    // https://cloud.google.com/kms/docs/audit-logging
    url: 'https://cloud.google.com/kms/docs/audit-logging',
    prefix: 'cloudkms.',
    expect: {
      'cloudkms.cryptoKeys.create': 'ADMIN_WRITE', // CreateCryptoKey: Admin activity
      'cloudkms.cryptoKeyVersions.destroy': 'ADMIN_WRITE', // DestroyCryptoKeyVersion
      'cloudkms.cryptoKeys.get': 'ADMIN_READ', // GetCryptoKey: Data access
      'cloudkms.keyRings.list': 'ADMIN_READ', // ListKeyRings
      'cloudkms.cryptoKeyVersions.useToEncrypt': 'DATA_READ', // Encrypt, RawEncrypt
      'cloudkms.cryptoKeyVersions.useToDecrypt': 'DATA_READ', // Decrypt, AsymmetricDecrypt, RawDecrypt
      'cloudkms.cryptoKeyVersions.viewPublicKey': 'DATA_READ', // GetPublicKey
      'cloudkms.importJobs.useToImport': 'ADMIN_WRITE', // ImportCryptoKeyVersion
    },
  },
  {
    source: 'container',
    // https://cloud.google.com/kubernetes-engine/docs/how-to/audit-logging-container
    url: 'https://cloud.google.com/kubernetes-engine/docs/how-to/audit-logging-container',
    prefix: 'container.',
    expect: {
      'container.clusters.create': 'ADMIN_WRITE', // CreateCluster, ListUsableSubnetworks
      'container.clusters.update': 'ADMIN_WRITE', // UpdateCluster, CreateNodePool, SetLabels…
      'container.clusters.delete': 'ADMIN_WRITE', // DeleteCluster
      'container.clusters.get': 'ADMIN_READ', // GetCluster, GetNodePool, ListNodePools
      'container.operations.list': 'ADMIN_READ', // ListOperations
    },
  },
  {
    source: 'artifactregistry',
    // https://cloud.google.com/artifact-registry/docs/audit-logging
    url: 'https://cloud.google.com/artifact-registry/docs/audit-logging',
    prefix: 'artifactregistry.',
    expect: {
      'artifactregistry.repositories.create': 'ADMIN_WRITE', // CreateRepository
      'artifactregistry.repositories.createOnPush': 'ADMIN_WRITE', // Docker-CreateOnPush
      'artifactregistry.versions.update': 'ADMIN_WRITE', // UpdateVersion: Admin activity
      'artifactregistry.repositories.get': 'ADMIN_READ', // GetRepository
      'artifactregistry.repositories.downloadArtifacts': 'DATA_READ', // Docker-GetManifest, Npm-InstallPackage…
      'artifactregistry.repositories.uploadArtifacts': 'DATA_WRITE', // Docker-PutManifest, Python-UploadPackage…
      'artifactregistry.versions.delete': 'DATA_WRITE', // DeleteVersion, BatchDeleteVersions: Data access
      'artifactregistry.packages.update': 'DATA_WRITE', // UpdatePackage: Data access
    },
  },
  {
    source: 'serviceusage',
    // https://cloud.google.com/service-usage/docs/audit-logging
    url: 'https://cloud.google.com/service-usage/docs/audit-logging',
    prefix: 'serviceusage.',
    expect: {
      'serviceusage.services.enable': 'ADMIN_WRITE', // EnableService, BatchEnableServices
      'serviceusage.services.disable': 'ADMIN_WRITE', // DisableService
      'serviceusage.quotas.update': 'ADMIN_WRITE', // Create/Update/DeleteConsumerOverride…
      'serviceusage.operations.get': 'DATA_READ', // GetOperation
    },
  },
  {
    source: 'cloudsql',
    // https://cloud.google.com/sql/docs/sqlserver/audit-logging
    url: 'https://cloud.google.com/sql/docs/sqlserver/audit-logging',
    prefix: 'cloudsql.',
    expect: {
      'cloudsql.instances.create': 'ADMIN_WRITE', // cloudsql.instances.create: Admin activity
      'cloudsql.instances.connect': 'ADMIN_WRITE', // cloudsql.instances.connect: Admin activity
      'cloudsql.backupRuns.update': 'ADMIN_WRITE', // cloudsql.backups.update
      'cloudsql.instances.get': 'ADMIN_READ', // cloudsql.instances.get, cloudsql.operations.get
      'cloudsql.instances.export': 'DATA_READ', // cloudsql.instances.export: Data access
      'cloudsql.users.list': 'DATA_READ',
      'cloudsql.instances.executeSql': 'DATA_WRITE',
      'cloudsql.instances.import': 'DATA_WRITE',
      'cloudsql.instances.login': 'DATA_WRITE',
      'cloudsql.databases.create': 'DATA_WRITE',
      'cloudsql.users.update': 'DATA_WRITE',
    },
  },
];

/**
 * Permissions the pages list (only) under Data access methods as DATA_WRITE. None may end up
 * ADMIN_WRITE: permdrift would then call them unused whenever Data Access logs are off.
 */
const DATA_WRITE_DOCUMENTED: Record<string, string[]> = {
  // https://cloud.google.com/artifact-registry/docs/audit-logging
  artifactregistry: [
    'artifactregistry.repositories.uploadArtifacts',
    'artifactregistry.repositories.deleteArtifacts',
    'artifactregistry.versions.delete',
    'artifactregistry.attachments.delete',
    'artifactregistry.files.delete',
    'artifactregistry.packages.delete',
    'artifactregistry.packages.update',
    'artifactregistry.aptartifacts.create',
    'artifactregistry.googetartifacts.create',
    'artifactregistry.yumartifacts.create',
    'artifactregistry.files.upload',
    'artifactregistry.gomodules.create',
    'artifactregistry.kfpartifacts.create',
  ],
  // https://cloud.google.com/sql/docs/sqlserver/audit-logging
  cloudsql: [
    'cloudsql.databases.create',
    'cloudsql.databases.delete',
    'cloudsql.databases.update',
    'cloudsql.instances.executeSql',
    'cloudsql.instances.import',
    'cloudsql.instances.login',
    'cloudsql.users.create',
    'cloudsql.users.delete',
    'cloudsql.users.update',
  ],
};

function tableRestrictedTo(sources: Set<string>) {
  return logTypeTableFrom({
    ...RAW,
    permissions: Object.fromEntries(Object.entries(RAW.permissions).filter(([, e]) => sources.has(e.source))),
    patterns: RAW.patterns.filter((p) => sources.has(p.source)),
  });
}

const classified = (table: ReturnType<typeof bundledLogTypeTable>, perms: string[]): number =>
  perms.filter((p) => table.classify(p).logType !== 'unknown').length;

describe('GCP permission → audit log table', () => {
  it('every entry and pattern cites a source key present in `sources`', () => {
    const missing: string[] = [];
    for (const [perm, e] of Object.entries(RAW.permissions)) if (!(e.source in RAW.sources)) missing.push(`${perm} → ${e.source}`);
    for (const p of RAW.patterns) if (!(p.source in RAW.sources)) missing.push(`pattern ${p.match} → ${p.source}`);
    expect(missing).toEqual([]);
    for (const url of Object.values(RAW.sources)) expect(url).toMatch(/^https:\/\/cloud\.google\.com\//);
  });

  for (const svc of ADDED) {
    it(`${svc.source}: classifications match ${svc.url}`, () => {
      expect(RAW.sources[svc.source]).toBe(svc.url);
      const table = bundledLogTypeTable();
      for (const [perm, want] of Object.entries(svc.expect)) {
        const v = table.classify(perm);
        expect({ perm, logType: v.logType, matchedBy: v.matchedBy, source: v.source }).toEqual({ perm, logType: want, matchedBy: 'exact', source: svc.url });
      }
      // Every entry of this source belongs to this service (no stray permission cited to the wrong page).
      for (const [perm, e] of Object.entries(RAW.permissions)) if (e.source === svc.source) expect(perm.startsWith(svc.prefix)).toBe(true);
    });
  }

  it('no permission documented as DATA_WRITE is classified ADMIN_WRITE', () => {
    const table = bundledLogTypeTable();
    for (const perms of Object.values(DATA_WRITE_DOCUMENTED)) for (const p of perms) expect([p, table.classify(p).logType]).toEqual([p, 'DATA_WRITE']);
  });

  it('in the added services, ADMIN_WRITE comes only from exact cited entries, or from the verb rule in collections no cited entry names (setIamPolicy excepted), never from a broader pattern', () => {
    const table = bundledLogTypeTable();
    const all = new Set(Object.values(ROLES).flat());
    const citedCollections = new Set(Object.keys(RAW.permissions).map((p) => p.split('.').slice(0, 2).join('.')));
    const offenders: string[] = [];
    let ruled = 0;
    for (const svc of ADDED) {
      for (const p of all) {
        if (!p.startsWith(svc.prefix)) continue;
        const v = table.classify(p);
        if (v.logType !== 'ADMIN_WRITE' || v.matchedBy === 'exact') continue;
        const collection = p.split('.').slice(0, 2).join('.');
        if (v.matchedBy === 'rule' && (!citedCollections.has(collection) || p.endsWith('.setIamPolicy'))) ruled++;
        else offenders.push(`${p} via ${v.matchedBy}`);
      }
    }
    expect(offenders).toEqual([]);
    expect(ruled).toBeGreaterThan(0);
  });

  it('classifies more of roles/editor than before the added services', () => {
    expect(EDITOR.length).toBeGreaterThan(10_000);
    const before = classified(tableRestrictedTo(ORIGINAL_SOURCES), EDITOR);
    const after = classified(bundledLogTypeTable(), EDITOR);
    const pct = (n: number) => ((100 * n) / EDITOR.length).toFixed(1);
    console.log(`roles/editor: ${EDITOR.length} permissions; classified before ${before} (${pct(before)} %), after ${after} (${pct(after)} %)`);
    expect(after).toBeGreaterThan(before);
  });
});
