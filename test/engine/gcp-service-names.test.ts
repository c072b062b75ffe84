/**
 * Service names that differ from the permission prefix (data/gcp/service-names.json) decide which
 * auditConfigs enable a permission's Data Access logs and which log entries' serviceName speak for
 * it. Judged through GcpProjectLogCoverage.judge() on a project whose logs cover the window in both
 * streams, so only the auditConfigs (and unmapped entries) decide:
 * - Firestore: datastore.googleapis.com configures both Firestore services
 *   (https://cloud.google.com/firestore/docs/audit-logging), so an auditConfig for it enables
 *   datastore.* permissions and one for firestore.googleapis.com alone does not;
 * - impersonation (iamcredentials.googleapis.com entries): which service's auditConfig governs is
 *   not established, so both iam.googleapis.com and iamcredentials.googleapis.com must enable it;
 * - tag bindings are Resource Manager calls; Kubernetes objects' entries are k8s.io's.
 */

import { describe, expect, it } from 'vitest';
import { GcpProjectLogCoverage, effectiveDataAccess } from '../../src/engine/gcp/coverage.js';
import { bundledLogTypeTable, serviceNamesFrom, type GcpLogTypeVerdict } from '../../src/engine/gcp/permission-log-type.js';
import { makeWindow } from '../../src/engine/window.js';
import type { GcpProjectActivity } from '../../src/model/gcp/activity.js';
import type { GcpAuditConfig, GcpDataAccessLogType, GcpProjectInventory } from '../../src/model/gcp/policy.js';

const PROJECT = 'names-1234';
const MEMBER = 'serviceAccount:app@names-1234.iam.gserviceaccount.com';
const AS_OF = new Date('2026-11-20T00:00:00Z');
const WINDOW = makeWindow(AS_OF, 30 * 86_400_000);
const BEFORE = '2026-10-01T00:00:00Z';
const LAST = '2026-11-19T23:30:00Z';
const ALL_DATA: GcpDataAccessLogType[] = ['ADMIN_READ', 'DATA_READ', 'DATA_WRITE'];

function inventory(auditConfigs: GcpAuditConfig[]): GcpProjectInventory {
  return {
    provider: 'gcp',
    projectId: PROJECT,
    ancestry: [{ type: 'project', id: PROJECT }],
    policies: [{ resource: { type: 'project', id: PROJECT }, source: 'iam-policy.json', bindings: [], auditConfigs }],
    serviceAccounts: [],
    keys: [],
    customRoles: [],
    denyPolicies: [],
    groups: {},
    warnings: [],
    sources: [],
  };
}

/** Logs in both streams from before the window to just before asOf, by someone else. */
function activity(): GcpProjectActivity {
  const row = (stream: 'activity' | 'data_access') => ({
    principalEmail: 'other@names-1234.iam.gserviceaccount.com',
    permission: 'storage.buckets.get',
    isDenied: false,
    stream,
    period: 'before-window' as const,
    count: 1,
    firstSeen: BEFORE,
    lastSeen: LAST,
  });
  return {
    provider: 'gcp',
    projectId: PROJECT,
    permissions: [row('activity'), row('data_access')],
    unmapped: [],
    delegations: [],
    auditLogs: {
      filesRead: 1,
      bytesRead: 100,
      valuesRead: 2,
      entriesRead: 2,
      filesFailed: [],
      filesIgnored: [],
      firstEntry: BEFORE,
      lastEntry: LAST,
      streams: { activity: 1, data_access: 1, system_event: 0, policy: 0, other: 0 },
      entriesAfterAsOf: 0,
      recordsSkipped: 0,
      entriesSkipped: [],
      entriesWithoutPrincipal: 0,
      entriesUnattributed: [],
      entriesTimedByReceiveTimestamp: 0,
      zonelessTimes: 0,
    },
    activity: null,
  };
}

const config = (service: string, logTypes: GcpDataAccessLogType[] = ALL_DATA): GcpAuditConfig => ({
  service,
  logTypes: logTypes.map((logType) => ({ logType, exemptedMembers: [] })),
});

function judge(permission: string, configs: GcpAuditConfig[], unmapped: string[] = []) {
  const inv = inventory(configs);
  const cov = new GcpProjectLogCoverage(inv, activity(), effectiveDataAccess(inv), bundledLogTypeTable(), WINDOW);
  return cov.judge(permission, MEMBER, new Set(unmapped));
}

describe('service names from data/gcp/service-names.json', () => {
  const table = bundledLogTypeTable();

  it('a verdict names the services of the table, not the permission prefix, where they differ', () => {
    const v: GcpLogTypeVerdict = table.classify('datastore.databases.get');
    expect(v).toMatchObject({
      logType: 'ADMIN_READ',
      auditService: 'datastore.googleapis.com',
      auditConfigServices: ['datastore.googleapis.com'],
      logServiceNames: ['firestore.googleapis.com', 'datastore.googleapis.com'],
    });
    expect(table.classify('resourcemanager.projects.get').auditConfigServices).toEqual(['cloudresourcemanager.googleapis.com']);
    expect(table.classify('iam.serviceAccounts.getAccessToken')).toMatchObject({
      auditConfigServices: ['iam.googleapis.com', 'iamcredentials.googleapis.com'],
      logServiceNames: ['iamcredentials.googleapis.com'],
    });
    expect(table.classify('run.services.listTagBindings').logServiceNames).toEqual(['cloudresourcemanager.googleapis.com']);
    expect(table.classify('container.clusters.get').logServiceNames).toEqual(['container.googleapis.com']);
    expect(table.classify('container.pods.create').logServiceNames).toEqual(['k8s.io']);
    expect(table.classify('bigquery.connections.get').auditConfigServices).toEqual(['bigqueryconnection.googleapis.com']);
    expect(table.classify('workflows.executions.get').auditConfigServices).toEqual(['workflowexecutions.googleapis.com']);
    // The default: <prefix>.googleapis.com.
    expect(table.classify('run.services.get')).toMatchObject({ auditConfigServices: ['run.googleapis.com'], logServiceNames: ['run.googleapis.com'] });
  });

  it('an auditConfig for datastore.googleapis.com enables datastore.* permissions (both Firestore services); one for firestore.googleapis.com alone does not', () => {
    expect(judge('datastore.databases.get', [config('datastore.googleapis.com')])).toEqual({ isObservable: true });
    const firestoreOnly = judge('datastore.databases.get', [config('firestore.googleapis.com')]);
    expect(firestoreOnly).toMatchObject({ isObservable: false, reason: 'data-access-logs-disabled' });
    expect(firestoreOnly.isObservable ? '' : firestoreOnly.detail).toContain('datastore.googleapis.com');
    expect(judge('datastore.databases.get', [config('allServices')])).toEqual({ isObservable: true });
    // A cited ADMIN_READ needs ADMIN_READ; a rule read (databases.list) needs DATA_READ as well.
    expect(table.classify('datastore.databases.get')).toMatchObject({ basis: 'cited', logType: 'ADMIN_READ' });
    expect(judge('datastore.databases.get', [config('datastore.googleapis.com', ['ADMIN_READ'])])).toEqual({ isObservable: true });
    expect(table.classify('datastore.databases.list')).toMatchObject({ basis: 'rule', logType: 'ADMIN_READ', alsoPossibly: ['DATA_READ'] });
    expect(judge('datastore.databases.list', [config('datastore.googleapis.com')])).toEqual({ isObservable: true });
    const adminReadOnly = judge('datastore.databases.list', [config('datastore.googleapis.com', ['ADMIN_READ'])]);
    expect(adminReadOnly).toMatchObject({ isObservable: false, reason: 'data-access-logs-disabled' });
    expect(adminReadOnly.isObservable ? '' : adminReadOnly.detail).toContain('leave DATA_READ off');
  });

  it('unmapped entries of firestore.googleapis.com or datastore.googleapis.com make datastore.* permissions unverifiable', () => {
    const cfg = [config('datastore.googleapis.com')];
    for (const service of ['firestore.googleapis.com', 'datastore.googleapis.com']) {
      expect(judge('datastore.databases.get', cfg, [service])).toMatchObject({ isObservable: false, reason: 'unmapped-events' });
    }
    expect(judge('datastore.databases.get', cfg, ['storage.googleapis.com'])).toEqual({ isObservable: true });
  });

  it('impersonation needs both iam.googleapis.com and iamcredentials.googleapis.com (or allServices), and its entries are iamcredentials.googleapis.com', () => {
    const p = 'iam.serviceAccounts.getAccessToken';
    const iamOnly = judge(p, [config('iam.googleapis.com')]);
    expect(iamOnly).toMatchObject({ isObservable: false, reason: 'data-access-logs-disabled' });
    expect(iamOnly.isObservable ? '' : iamOnly.detail).toContain('iamcredentials.googleapis.com');
    expect(judge(p, [config('iam.googleapis.com'), config('iamcredentials.googleapis.com')])).toEqual({ isObservable: true });
    expect(judge(p, [config('allServices')])).toEqual({ isObservable: true });
    expect(judge(p, [config('allServices')], ['iamcredentials.googleapis.com'])).toMatchObject({ reason: 'unmapped-events' });
    expect(judge(p, [config('allServices')], ['iam.googleapis.com'])).toEqual({ isObservable: true });
  });

  it('tag bindings are Resource Manager calls: its auditConfig and its unmapped entries decide', () => {
    const list = 'alloydb.backups.listTagBindings';
    expect(table.classify(list)).toMatchObject({ logType: 'ADMIN_READ', basis: 'rule', auditConfigServices: ['cloudresourcemanager.googleapis.com'] });
    expect(judge(list, [config('alloydb.googleapis.com')])).toMatchObject({ isObservable: false, reason: 'data-access-logs-disabled' });
    expect(judge(list, [config('cloudresourcemanager.googleapis.com')])).toEqual({ isObservable: true });
    const create = 'alloydb.backups.createTagBinding';
    expect(table.classify(create)).toMatchObject({ logType: 'ADMIN_WRITE', basis: 'rule' });
    expect(judge(create, [])).toEqual({ isObservable: true });
    expect(judge(create, [], ['cloudresourcemanager.googleapis.com'])).toMatchObject({ reason: 'unmapped-events' });
    expect(judge(create, [], ['alloydb.googleapis.com'])).toEqual({ isObservable: true });
  });

  it('the table refuses a `same` that names no earlier rule, and a rule without services', () => {
    expect(() => serviceNamesFrom({ patterns: [{ match: 'a.*', same: 'b.*' }] })).toThrow(/refers to b\.\*/);
    expect(() => serviceNamesFrom({ patterns: [{ match: 'a.*', auditConfigServices: [], logServiceNames: ['a'] }] })).toThrow(/bad services/);
    const of = serviceNamesFrom({ patterns: [{ match: 'x.things.*', auditConfigServices: ['y.googleapis.com'], logServiceNames: ['z.googleapis.com'] }] });
    expect(of('x.things.get')).toEqual({ auditConfigServices: ['y.googleapis.com'], logServiceNames: ['z.googleapis.com'] });
    expect(of('x.other.get')).toEqual({ auditConfigServices: ['x.googleapis.com'], logServiceNames: ['x.googleapis.com'] });
  });
});

describe('judge() for the new kinds of verdict', () => {
  it('a permission checked inside other calls is unverifiable with its own reason, even with every log on', () => {
    for (const p of ['compute.subnetworks.use', 'iam.serviceAccounts.actAs']) {
      const o = judge(p, [config('allServices')]);
      expect(o).toMatchObject({ isObservable: false, reason: 'checked-inside-other-calls' });
      expect(o.isObservable ? '' : o.detail).toContain(p);
    }
  });

  it('publish and consume are not logged; a rule-based ADMIN_WRITE is observable from Admin Activity alone; an unknown one says so', () => {
    expect(judge('pubsub.topics.publish', [config('allServices')])).toMatchObject({ isObservable: false, reason: 'not-logged-by-cloud-audit-logs' });
    expect(judge('pubsub.subscriptions.consume', [config('allServices')])).toMatchObject({ isObservable: false, reason: 'not-logged-by-cloud-audit-logs' });
    expect(judge('run.workerpools.delete', [])).toEqual({ isObservable: true });
    const unknown = judge('run.routes.invoke', [config('allServices')]);
    expect(unknown).toMatchObject({ isObservable: false, reason: 'log-type-unknown' });
    expect(unknown.isObservable ? '' : unknown.detail).toContain('no cited source or documented rule');
  });
});
