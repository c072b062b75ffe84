/**
 * The data a fake GCP endpoint serves: an organization, folders, projects with their allow
 * policies, service accounts, keys, custom roles, deny policies, audit log entries, Policy
 * Analyzer activity, and Cloud Storage buckets holding sink exports. `fakeWorld()` builds a
 * deterministic one of any size.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface FakeProject {
  projectId: string;
  projectNumber: string;
  /** `folders/F` or `organizations/O`. */
  parent: string;
  state?: 'ACTIVE' | 'DELETE_REQUESTED';
  policy: { [key: string]: Json };
  serviceAccounts: { [key: string]: Json }[];
  keys: Record<string, { [key: string]: Json }[]>;
  /** Full name → role. */
  roles: Record<string, { [key: string]: Json }>;
  denyPolicies: { [key: string]: Json }[];
  logEntries: { [key: string]: Json }[];
  activities: Record<string, { [key: string]: Json }[]>;
  /** Recommender `google.iam.policy.Insight` insights (REST shape); absent = the API answers with none. */
  insights?: { [key: string]: Json }[];
}

interface FakeFolder {
  id: string;
  parent: string;
  policy: { [key: string]: Json };
  denyPolicies: { [key: string]: Json }[];
}

interface FakeOrganization {
  id: string;
  policy: { [key: string]: Json };
  roles: Record<string, { [key: string]: Json }>;
  denyPolicies: { [key: string]: Json }[];
}

export interface FakeWorld {
  organization: FakeOrganization;
  folders: FakeFolder[];
  projects: FakeProject[];
  /** Predefined roles IAM roles.list serves (name → permissions). */
  predefinedRoles: Record<string, string[]>;
  /** bucket → object name → content. */
  buckets: Record<string, Record<string, string>>;
  /** Cloud Identity groups: email → resource id and memberships (REST shape); absent = no group is known. */
  groups?: Record<string, { id: string; memberships: { [key: string]: Json }[] }>;
}

/** An etag as the API writes one: base64 of opaque bytes. */
function b64(text: string): string {
  return Buffer.from(text).toString('base64');
}

/** A small deterministic PRNG (mulberry32), so a world of any size is the same every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PERMISSIONS = [
  'storage.objects.get',
  'storage.objects.list',
  'storage.buckets.get',
  'compute.instances.list',
  'pubsub.topics.publish',
  'secretmanager.versions.access',
  'bigquery.jobs.create',
];

export interface WorldOptions {
  projects?: string[];
  serviceAccounts?: number;
  keysPerAccount?: number;
  logEntries?: number;
  asOf?: Date;
  /** Days of logs before asOf. */
  days?: number;
  /**
   * Projects (in the sub-folder, after `projects`) whose own allow policy binds no service account
   * but which host accounts; their first account is bound on the folder FOLDER_ID instead. Cloud
   * Asset searchAllIamPolicies does not name them; searchAllResources (service accounts) does.
   */
  hostOnlyProjects?: string[];
}

export const ORG_ID = '123456789012';

/**
 * In the fake's live roles.storage.objectViewer but not in the bundled snapshot's: a scan that
 * resolves with the live definitions grants it, one with the bundled snapshot does not.
 */
export const LIVE_ONLY_PERMISSION = 'storage.objects.getIamPolicy';

/**
 * A few predefined roles as roles.list (view FULL) returns them; storage.objectViewer differs from
 * data/gcp/roles.json; roles/secretmanager.secretAccessor and roles/editor, bound in every project, are missing
 * (the bundled snapshot answers for them).
 */
export function fakePredefinedRoles(): Record<string, string[]> {
  return {
    'roles/browser': [
      'resourcemanager.folders.get',
      'resourcemanager.folders.list',
      'resourcemanager.organizations.get',
      'resourcemanager.projects.get',
      'resourcemanager.projects.getIamPolicy',
      'resourcemanager.projects.list',
    ],
    'roles/pubsub.publisher': ['pubsub.topics.publish'],
    'roles/storage.objectViewer': [
      'resourcemanager.projects.get',
      'resourcemanager.projects.list',
      'storage.objects.get',
      LIVE_ONLY_PERMISSION,
      'storage.objects.list',
    ],
    'roles/viewer': ['resourcemanager.projects.get', 'storage.buckets.list'],
  };
}
export const FOLDER_ID = '555000111';
/** A project that hosts service accounts but binds none in its own policy (`hostOnlyProjects`). */
export const HOST_ONLY_PROJECT = 'ci-runners';
export const SUBFOLDER_ID = '555000222';

function logEntry(project: string, principal: string, permission: string, at: Date, n: number, stream = 'activity'): { [key: string]: Json } {
  const service = `${permission.split('.')[0] ?? 'x'}.googleapis.com`;
  return {
    insertId: `e${n.toString(36)}`,
    logName: `projects/${project}/logs/cloudaudit.googleapis.com%2F${stream}`,
    protoPayload: {
      '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
      authenticationInfo: { principalEmail: principal },
      authorizationInfo: [{ granted: true, permission, resource: `projects/${project}`, resourceAttributes: {} }],
      methodName: permission,
      requestMetadata: { callerIp: '10.0.0.1', callerSuppliedUserAgent: 'fake' },
      resourceName: `projects/${project}`,
      serviceName: service,
      status: {},
    },
    receiveTimestamp: new Date(at.getTime() + 1000).toISOString(),
    resource: { labels: { project_id: project }, type: 'audited_resource' },
    severity: 'INFO',
    timestamp: at.toISOString(),
  };
}

/**
 * projects: the first sits directly in the folder, the others in the sub-folder. Each has
 * `serviceAccounts` accounts, keys, a custom project role and an organization role bound, a
 * conditional binding, a deny policy on the project and one on the organization, `logEntries`
 * audit entries spread over `days`, and activity for every account and key.
 */
export function fakeWorld(opts: WorldOptions = {}): FakeWorld {
  const rand = prng(42);
  const asOf = opts.asOf ?? new Date('2026-11-20T00:00:00Z');
  const days = opts.days ?? 30;
  const hostOnly = opts.hostOnlyProjects ?? [];
  const projectIds = [...(opts.projects ?? ['alpha-prod']), ...hostOnly];
  const orgRole = `organizations/${ORG_ID}/roles/auditReader`;
  const organization: FakeOrganization = {
    id: ORG_ID,
    policy: {
      version: 1,
      etag: b64('org-etag'),
      bindings: [{ role: 'roles/browser', members: ['group:platform@example.com'] }],
      auditConfigs: [{ service: 'allServices', auditLogConfigs: [{ logType: 'ADMIN_READ' }] }],
    },
    roles: {
      [orgRole]: {
        name: orgRole,
        title: 'Audit reader',
        includedPermissions: ['logging.logEntries.list', 'storage.buckets.get'],
        stage: 'GA',
        etag: b64('org-role'),
      },
    },
    denyPolicies: [
      {
        name: `policies/cloudresourcemanager.googleapis.com%2Forganizations%2F${ORG_ID}/denypolicies/no-key-creation`,
        uid: 'org-deny-1',
        kind: 'DenyPolicy',
        displayName: 'No key creation',
        etag: 'MTE=',
        createTime: '2026-01-05T10:00:00Z',
        updateTime: '2026-01-05T10:00:00Z',
        rules: [{ denyRule: { deniedPrincipals: ['principalSet://goog/public:all'], deniedPermissions: ['iam.googleapis.com/serviceAccountKeys.create'] } }],
      },
    ],
  };
  const folders: FakeFolder[] = [
    {
      id: FOLDER_ID,
      parent: `organizations/${ORG_ID}`,
      policy: { version: 1, etag: b64('folder-1'), bindings: [{ role: orgRole, members: [] }] },
      denyPolicies: [],
    },
    { id: SUBFOLDER_ID, parent: `folders/${FOLDER_ID}`, policy: { version: 1, etag: b64('folder-2'), bindings: [] }, denyPolicies: [] },
  ];
  const projects: FakeProject[] = projectIds.map((projectId, pi) => {
    const number = String(900000000001 + pi);
    const accounts = Array.from({ length: opts.serviceAccounts ?? 3 }, (_, i) => {
      const email = `sa-${String(i).padStart(3, '0')}@${projectId}.iam.gserviceaccount.com`;
      return {
        name: `projects/${projectId}/serviceAccounts/${email}`,
        projectId,
        uniqueId: `1${number}${String(i).padStart(4, '0')}`,
        email,
        displayName: `Account ${i}`,
        etag: 'MDEwMjE5MjA=',
        oauth2ClientId: `1${number}${String(i).padStart(4, '0')}`,
        ...(i === 1 ? { disabled: true } : {}),
      };
    });
    const keys: FakeProject['keys'] = {};
    for (const a of accounts) {
      keys[a.email] = [
        {
          name: `projects/${projectId}/serviceAccounts/${a.email}/keys/sys${a.uniqueId}`,
          validAfterTime: '2026-10-01T00:00:00Z',
          validBeforeTime: '2028-10-01T00:00:00Z',
          keyAlgorithm: 'KEY_ALG_RSA_2048',
          keyOrigin: 'GOOGLE_PROVIDED',
          keyType: 'SYSTEM_MANAGED',
        },
        ...Array.from({ length: opts.keysPerAccount ?? 1 }, (_, k) => ({
          name: `projects/${projectId}/serviceAccounts/${a.email}/keys/k${k}${a.uniqueId}`,
          validAfterTime: '2025-01-01T00:00:00Z',
          validBeforeTime: '9999-12-31T23:59:59Z',
          keyAlgorithm: 'KEY_ALG_RSA_2048',
          keyOrigin: 'GOOGLE_PROVIDED',
          keyType: 'USER_MANAGED',
        })),
      ];
    }
    const projectRole = `projects/${projectId}/roles/deployer`;
    const members = accounts.map((a) => `serviceAccount:${a.email}`);
    const policy: { [key: string]: Json } = {
      version: 3,
      etag: b64(`${projectId}-etag`),
      bindings: [
        { role: 'roles/storage.objectViewer', members: members.filter((_, i) => i % 2 === 0) },
        { role: 'roles/pubsub.publisher', members: members.filter((_, i) => i % 2 === 1) },
        { role: projectRole, members: members.slice(0, 1) },
        { role: orgRole, members: members.slice(0, 2) },
        {
          role: 'roles/secretmanager.secretAccessor',
          members: members.slice(0, 1),
          condition: { title: 'until 2027', expression: 'request.time < timestamp("2027-01-01T00:00:00Z")' },
        },
        { role: 'roles/editor', members: [`serviceAccount:${number}@cloudservices.gserviceaccount.com`] },
      ],
      auditConfigs: [
        {
          service: 'storage.googleapis.com',
          auditLogConfigs: [{ logType: 'DATA_READ' }, { logType: 'DATA_WRITE', exemptedMembers: ['user:bob@example.com'] }],
        },
      ],
    };
    const roles = {
      [projectRole]: {
        name: projectRole,
        title: 'Deployer',
        includedPermissions: ['run.services.update', 'iam.serviceAccounts.actAs'],
        stage: 'GA',
        etag: b64('deployer'),
      },
    };
    const denyPolicies = [
      {
        name: `policies/cloudresourcemanager.googleapis.com%2Fprojects%2F${projectId}/denypolicies/no-secrets`,
        uid: `deny-${projectId}`,
        kind: 'DenyPolicy',
        displayName: 'No secrets for sa-002',
        etag: 'MQ==',
        createTime: '2026-02-01T00:00:00Z',
        updateTime: '2026-02-01T00:00:00Z',
        rules: [
          {
            denyRule: {
              deniedPrincipals: [`principal://iam.googleapis.com/projects/-/serviceAccounts/sa-002@${projectId}.iam.gserviceaccount.com`],
              deniedPermissions: ['secretmanager.googleapis.com/secrets.get'],
            },
          },
        ],
      },
    ];
    const spanMs = days * 86_400_000;
    const logEntries = Array.from({ length: opts.logEntries ?? 20 }, (_, n) => {
      const at = new Date(asOf.getTime() - spanMs + Math.floor(rand() * spanMs));
      const a = accounts[Math.floor(rand() * accounts.length)];
      const p = PERMISSIONS[Math.floor(rand() * PERMISSIONS.length)] ?? 'storage.objects.get';
      return logEntry(projectId, a?.email ?? 'x@y', p, at, n, rand() < 0.8 ? 'activity' : 'data_access');
    }).sort((x, y) => (String(x['timestamp']) < String(y['timestamp']) ? -1 : 1));
    const activities: FakeProject['activities'] = {
      serviceAccountLastAuthentication: accounts.map((a, i) => ({
        activity: {
          lastAuthenticatedTime: new Date(asOf.getTime() - (i + 1) * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z'),
          serviceAccount: {
            fullResourceName: `//iam.googleapis.com/projects/${projectId}/serviceAccounts/${a.email}`,
            projectNumber: number,
            serviceAccountId: a.uniqueId,
          },
        },
        activityType: 'serviceAccountLastAuthentication',
        fullResourceName: `//iam.googleapis.com/projects/${projectId}/serviceAccounts/${a.uniqueId}`,
        observationPeriod: { endTime: asOf.toISOString(), startTime: new Date(asOf.getTime() - 86_400_000).toISOString() },
      })),
      serviceAccountKeyLastAuthentication: accounts.map((a) => ({
        activity: {
          lastAuthenticatedTime: '2026-11-01T07:00:00Z',
          serviceAccountKey: {
            fullResourceName: `//iam.googleapis.com/projects/${projectId}/serviceAccounts/${a.email}/keys/k0${a.uniqueId}`,
            projectNumber: number,
            serviceAccountId: a.uniqueId,
          },
        },
        activityType: 'serviceAccountKeyLastAuthentication',
        fullResourceName: `//iam.googleapis.com/projects/${projectId}/serviceAccounts/${a.uniqueId}/keys/k0${a.uniqueId}`,
        observationPeriod: { endTime: asOf.toISOString(), startTime: new Date(asOf.getTime() - 86_400_000).toISOString() },
      })),
    };
    return {
      projectId,
      projectNumber: number,
      parent: pi === 0 ? `folders/${FOLDER_ID}` : `folders/${SUBFOLDER_ID}`,
      policy,
      serviceAccounts: accounts,
      keys,
      roles,
      denyPolicies,
      logEntries,
      activities,
    };
  });
  for (const p of projects.filter((x) => hostOnly.includes(x.projectId))) {
    p.policy = { version: 1, etag: b64(`${p.projectId}-etag`), bindings: [{ role: 'roles/owner', members: ['user:alice@example.com'] }] };
    const account = p.serviceAccounts[0]?.['email'];
    const folder = folders[0];
    if (typeof account === 'string' && folder)
      (folder.policy['bindings'] as Json[]).push({ role: 'roles/storage.objectViewer', members: [`serviceAccount:${account}`] });
  }
  // The organization's group binding, as Cloud Identity lists it: a person, no service account.
  const groups = {
    'platform@example.com': {
      id: 'grp-platform',
      memberships: [{ name: 'groups/grp-platform/memberships/m1', preferredMemberKey: { id: 'alice@example.com' }, type: 'USER' }],
    },
  };
  return { organization, folders, projects, predefinedRoles: fakePredefinedRoles(), buckets: {}, groups };
}

/**
 * A sink export of the projects' entries: hourly files
 * `<prefix>/cloudaudit.googleapis.com/<log>/YYYY/MM/DD/HH:00:00_HH:59:59_S0.json`, one JSON entry per line.
 */
export function sinkExport(world: FakeWorld, bucket: string, prefix: string): void {
  const objects: Record<string, string> = {};
  for (const p of world.projects) {
    for (const e of p.logEntries) {
      const stream = decodeURIComponent(String(e['logName']).split('/logs/')[1] ?? '').split('/')[1] ?? 'activity';
      const t = new Date(String(e['timestamp']));
      const hh = String(t.getUTCHours()).padStart(2, '0');
      const day = `${t.getUTCFullYear()}/${String(t.getUTCMonth() + 1).padStart(2, '0')}/${String(t.getUTCDate()).padStart(2, '0')}`;
      const name = `${prefix ? `${prefix}/` : ''}cloudaudit.googleapis.com/${stream}/${day}/${hh}:00:00_${hh}:59:59_S0.json`;
      objects[name] = `${objects[name] ?? ''}${JSON.stringify(e)}\n`;
    }
  }
  world.buckets[bucket] = { ...(world.buckets[bucket] ?? {}), ...objects };
}
