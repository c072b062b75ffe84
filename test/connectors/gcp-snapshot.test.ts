/**
 * The offline GCP snapshot reader on the scenario fixtures (fixtures/gcp/<scenario>/gcp/…), one of
 * them public gcpdiag test data, and on broken files: wrong shapes must name the file and the path.
 */

import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { attachmentPointOf } from '../../src/connectors/gcp/deny-policies.js';
import { isServiceAgentEmail } from '../../src/connectors/gcp/service-agents.js';
import { discoverGcpProjects, loadGcpProject } from '../../src/connectors/gcp/snapshot.js';
import { InputError } from '../../src/model/errors.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'gcp');
const fixture = (name: string): string => join(FIXTURES, name);

function copyFixture(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'permdrift-gcp-'));
  cpSync(fixture(name), dir, { recursive: true });
  return dir;
}

function inputErrorOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('loadGcpProject: folder-inherited-editor', () => {
  const inv = loadGcpProject(fixture('folder-inherited-editor'), 'app-prod-1234');

  it('discovers the project and reads the ancestry chain project → folders → organization', () => {
    expect(discoverGcpProjects(fixture('folder-inherited-editor'))).toEqual(['app-prod-1234']);
    expect(inv.ancestry).toEqual([
      { type: 'project', id: 'app-prod-1234' },
      { type: 'folder', id: '300000000001' },
      { type: 'folder', id: '300000000002' },
      { type: 'organization', id: '900000000001' },
    ]);
  });

  it('reads the policies present, in ancestry order, and warns about the folder whose policy is missing', () => {
    expect(inv.policies.map((p) => `${p.resource.type}/${p.resource.id}`)).toEqual([
      'project/app-prod-1234',
      'folder/300000000001',
      'organization/900000000001',
    ]);
    const missing = inv.warnings.filter((w) => w.code === 'missing-ancestor-policy');
    expect(missing).toHaveLength(1);
    expect(missing[0]?.message).toContain('folder 300000000002');
    expect(missing[0]?.message).toContain('gcloud resource-manager folders get-iam-policy 300000000002');
  });

  it('keeps auditConfigs per level, with allServices at the organization', () => {
    expect(inv.policies[0]?.auditConfigs).toEqual([
      {
        service: 'storage.googleapis.com',
        logTypes: [
          { logType: 'DATA_READ', exemptedMembers: [] },
          { logType: 'DATA_WRITE', exemptedMembers: [] },
        ],
      },
    ]);
    expect(inv.policies[2]?.auditConfigs).toEqual([{ service: 'allServices', logTypes: [{ logType: 'ADMIN_READ', exemptedMembers: [] }] }]);
    expect(inv.policies[1]?.auditConfigs).toEqual([]);
  });

  it('reads service accounts with their disabled flag; foreign accounts bound only on ancestors are not principals', () => {
    expect(inv.serviceAccounts.map((a) => [a.email, a.isDisabled, a.isListed, a.isServiceAgent, a.uniqueId])).toEqual([
      ['deployer@app-prod-1234.iam.gserviceaccount.com', false, true, false, '104000000000000000001'],
      ['idle-batch@app-prod-1234.iam.gserviceaccount.com', true, true, false, '104000000000000000002'],
    ]);
  });

  it('reads keys: user-managed vs system-managed, validity window, owner taken from the key name', () => {
    expect(inv.keys.map((k) => [k.keyId.slice(0, 6), k.keyType, k.serviceAccountEmail, k.validAfter, k.validBefore])).toEqual([
      ['3f1c0a', 'USER_MANAGED', 'deployer@app-prod-1234.iam.gserviceaccount.com', '2024-01-15T09:30:00Z', '9999-12-31T23:59:59Z'],
      ['9a8b7c', 'SYSTEM_MANAGED', 'deployer@app-prod-1234.iam.gserviceaccount.com', '2025-06-01T00:00:00Z', '2025-06-17T00:00:00Z'],
    ]);
    expect(inv.groups).toBeUndefined();
  });
});

describe('loadGcpProject: custom roles, deny policies, gcpdiag data', () => {
  it('reads project and organization custom roles, deleted ones marked, permissions deduplicated', () => {
    const inv = loadGcpProject(fixture('project-direct-custom-role'), 'ci-tools-5678');
    expect(inv.customRoles.map((r) => [r.name, r.isDeleted, r.stage, r.includedPermissions.length])).toEqual([
      ['projects/ci-tools-5678/roles/releaseDeployer', false, 'GA', 4],
      ['projects/ci-tools-5678/roles/removedRole', true, 'GA', 1],
      ['organizations/900000000002/roles/auditReader', false, 'BETA', 2],
    ]);
    const deleted = inv.warnings.filter((w) => w.code === 'deleted-member');
    expect(deleted).toHaveLength(1);
    expect(deleted[0]?.message).toContain('old-bot@ci-tools-5678');
    // The deleted member is not turned into a principal.
    expect(inv.serviceAccounts.map((a) => a.email)).toEqual(['release-bot@ci-tools-5678.iam.gserviceaccount.com']);
  });

  it('reads deny policies and decodes their attachment point from the policy name', () => {
    const inv = loadGcpProject(fixture('deny-policy-subtracts'), 'payments-9000');
    expect(inv.denyPolicies.map((p) => [p.displayName, p.attachedTo, p.rules.length])).toEqual([
      ['No SA key creation, no bucket deletion', { type: 'project', id: '987654321098' }, 3],
      ['Org guardrails', { type: 'organization', id: '900000000004' }, 2],
    ]);
    const rule = inv.denyPolicies[0]?.rules[1];
    expect(rule?.denialCondition).toEqual({ expression: "resource.matchTag('123456789012/env', 'prod')", title: 'prod-tagged' });
    expect(inv.denyPolicies[0]?.rules[2]?.exceptionPermissions).toEqual(['storage.googleapis.com/buckets.get', 'storage.googleapis.com/buckets.list']);
    expect(attachmentPointOf('policies/cloudresourcemanager.googleapis.com%2Ffolders%2F42/denypolicies/x')).toEqual({ type: 'folder', id: '42' });
    expect(attachmentPointOf('not-a-policy-name')).toBeUndefined();
  });

  it('gcpdiag gce3: API-shaped files, service agents from bindings, no ancestry → warning', () => {
    const inv = loadGcpProject(fixture('service-agent-skipped'), 'gcpdiag-gce3-aaaa');
    expect(inv.ancestry).toEqual([{ type: 'project', id: 'gcpdiag-gce3-aaaa' }]);
    expect(inv.warnings.map((w) => w.code)).toContain('missing-ancestry');
    expect(inv.policies[0]?.version).toBe(1);
    expect(inv.policies[0]?.auditConfigs.map((c) => c.service)).toEqual([
      'datapipelines.googleapis.com',
      'compute.googleapis.com',
      'osconfig.googleapis.com',
      'monitoring.googleapis.com',
    ]);
    const listed = inv.serviceAccounts.filter((a) => a.isListed);
    expect(listed).toHaveLength(6);
    expect(listed.every((a) => !a.isServiceAgent)).toBe(true);
    const agents = inv.serviceAccounts.filter((a) => a.isServiceAgent).map((a) => a.email);
    expect(agents).toContain('service-12345001@compute-system.iam.gserviceaccount.com');
    expect(agents).toContain('service-12345001@gcp-sa-aiplatform.iam.gserviceaccount.com');
    expect(agents).toContain('12345001@cloudservices.gserviceaccount.com');
    expect(agents).toContain('service-12345001@gcf-admin-robot.iam.gserviceaccount.com');
    // Count independently: every serviceAccount member whose address is service-<number>@… or <number>@cloudservices.
    const expected = new Set<string>();
    for (const b of inv.policies[0]?.bindings ?? []) {
      for (const m of b.members) {
        const email = m.replace(/^serviceAccount:/, '');
        if (m.startsWith('serviceAccount:') && (/^service-\d+@/.test(email) || email.endsWith('@cloudservices.gserviceaccount.com'))) {
          expected.add(email);
        }
      }
    }
    expect(agents.length).toBe(expected.size);
    expect(agents.length).toBeGreaterThan(40);
    // Unlisted but user-managed: the legacy Cloud Build account is not an agent.
    const cloudbuild = inv.serviceAccounts.find((a) => a.email === '12345001@cloudbuild.gserviceaccount.com');
    expect(cloudbuild).toMatchObject({ isListed: false, isServiceAgent: false });
    expect(inv.customRoles.map((r) => r.name)).toContain('projects/gcpdiag-gce3-aaaa/roles/instanceschedulerole');
  });
});

describe('service agent classification', () => {
  it.each([
    ['service-123@gcp-sa-pubsub.iam.gserviceaccount.com', true],
    ['service-org-456@gcp-sa-ktd-hpsa.iam.gserviceaccount.com', true],
    ['service-123@container-engine-robot.iam.gserviceaccount.com', true],
    ['123@cloudservices.gserviceaccount.com', true],
    ['123-compute@developer.gserviceaccount.com', false],
    ['my-proj@appspot.gserviceaccount.com', false],
    ['deployer@my-proj.iam.gserviceaccount.com', false],
    ['service-999@my-proj.iam.gserviceaccount.com', false],
  ])('%s → %s', (email, isAgent) => {
    expect(isServiceAgentEmail(email, 'my-proj')).toBe(isAgent);
  });
});

describe('bad input', () => {
  it('a binding without role → InputError naming the file and the path', () => {
    const dir = copyFixture('conditional-binding');
    const file = join(dir, 'gcp', 'data-lake-4242', 'iam-policy.json');
    writeFileSync(file, JSON.stringify({ bindings: [{ role: 'roles/viewer', members: [] }, { members: ['serviceAccount:x'] }] }));
    const error = inputErrorOf(() => loadGcpProject(dir, 'data-lake-4242'));
    expect(error.message).toContain(file);
    expect(error.message).toContain('bindings[1].role');
    expect(error.hint).toContain('gcloud projects get-iam-policy data-lake-4242');
    expect(error.file).toBe(file);
  });

  it("a key with a malformed name or an unknown key type: a warning naming the file and the path, and that account's keys unknown", () => {
    const dir = copyFixture('folder-inherited-editor');
    const file = join(dir, 'gcp', 'app-prod-1234', 'service-account-keys', 'bad.json');
    writeFileSync(file, JSON.stringify([{ name: 'keys/abc', keyType: 'USER_MANAGED' }]));
    let inv = loadGcpProject(dir, 'app-prod-1234');
    expect(inv.warnings.find((w) => w.code === 'service-account-keys-unreadable')?.message).toContain('[0].name');
    expect(inv.unreadableKeyFiles).toEqual([{ file, serviceAccount: null, reason: expect.stringContaining('[0].name') }]);
    expect(inv.unreadableKeyFiles?.[0]?.reason).not.toContain(dir);
    writeFileSync(file, JSON.stringify([{ name: 'projects/p/serviceAccounts/a@p.iam.gserviceaccount.com/keys/k', keyType: 'CUSTOMER' }]));
    inv = loadGcpProject(dir, 'app-prod-1234');
    expect(inv.warnings.find((w) => w.code === 'service-account-keys-unreadable')?.message).toContain('[0].keyType');
  });

  describe('service-account-keys files of the wrong shape are never read as "no keys"', () => {
    const email = 'old-sync@legacy-9753.iam.gserviceaccount.com';
    const load = (content: string) => {
      const dir = copyFixture('key-unused-stale');
      const file = join(dir, 'gcp', 'legacy-9753', 'service-account-keys', `${email}.json`);
      writeFileSync(file, content);
      return { inv: loadGcpProject(dir, 'legacy-9753'), file };
    };
    it.each([
      [
        'an object without keys',
        JSON.stringify({ Keys: [{ name: `projects/legacy-9753/serviceAccounts/${email}/keys/1`, keyType: 'USER_MANAGED' }] }),
        /an object with "Keys" and no `keys`/,
      ],
      [
        'a credentials file',
        JSON.stringify({
          type: 'service_account',
          project_id: 'legacy-9753',
          private_key_id: 'x',
          private_key: '-----BEGIN PRIVATE KEY-----MIIEv',
          client_email: email,
        }),
        /credentials with a private key/,
      ],
      [
        'a single key object',
        JSON.stringify({ name: `projects/legacy-9753/serviceAccounts/${email}/keys/1`, keyType: 'USER_MANAGED' }),
        /a single key, not a key list/,
      ],
      ['not JSON', '[{"name": ', /not valid JSON/],
      ['a string', '"keys"', /expected/],
    ])("%s → warning naming the file; the account's keys are unknown", (_what, content, problem) => {
      const { inv, file } = load(content);
      const w = inv.warnings.filter((x) => x.code === 'service-account-keys-unreadable');
      expect(w).toHaveLength(1);
      expect(w[0]?.file).toBe(file);
      expect(w[0]?.message).toMatch(problem);
      expect(w[0]?.message).toContain(`the keys of ${email} are unknown`);
      expect(inv.unreadableKeyFiles).toEqual([{ file, serviceAccount: email, reason: expect.stringMatching(problem) }]);
      expect(inv.keys.filter((k) => k.serviceAccountEmail === email)).toEqual([]);
      // The private key is never echoed.
      expect(w[0]?.message).not.toContain('PRIVATE KEY');
    });
    it("`{}` (the API's answer for an account without keys) and `[]` are no keys, without a warning", () => {
      for (const content of ['{}', '[]', '{"keys": []}']) {
        const { inv } = load(content);
        expect(inv.warnings.filter((x) => x.code === 'service-account-keys-unreadable')).toEqual([]);
        expect(inv.unreadableKeyFiles).toBeUndefined();
        expect(inv.keys).toEqual([]);
      }
    });
  });

  describe('an allow policy without bindings', () => {
    const load = (policy: unknown) => {
      const dir = copyFixture('custom-role-unused-permission');
      const file = join(dir, 'gcp', 'media-4680', 'iam-policy.json');
      writeFileSync(file, JSON.stringify(policy));
      return { dir, file };
    };
    it.each([
      ['{}', {}, /has no bindings and no etag \(get-iam-policy always writes an etag: is this its output\?\)/],
      ['etag only (the empty policy getIamPolicy returns)', { etag: 'ACAB' }, /has no bindings \(an empty policy, etag ACAB\)/],
      ['an empty bindings list', { bindings: [], etag: 'BwYB', version: 1 }, /has no bindings \(an empty policy, etag BwYB\)/],
    ])('%s is valid but warned about, naming the file', (_what, policy, text) => {
      const { dir, file } = load(policy);
      const inv = loadGcpProject(dir, 'media-4680');
      const w = inv.warnings.filter((x) => x.code === 'policy-without-bindings');
      expect(w).toHaveLength(1);
      expect(w[0]?.file).toBe(file);
      expect(w[0]?.message).toMatch(text);
      expect(w[0]?.message).toMatch(/^the allow policy of project media-4680 /);
      expect(w[0]?.message).toContain('nothing is granted on the project itself');
    });
    it('a policy with bindings gives no such warning, nor an organization policy that is empty with an etag; one without an etag does', () => {
      // The fixture's organization policy is `{"bindings": [], "etag": "BwYA"}`.
      const inv = loadGcpProject(fixture('custom-role-unused-permission'), 'media-4680');
      expect(inv.warnings.filter((x) => x.code === 'policy-without-bindings')).toEqual([]);
      const dir = copyFixture('custom-role-unused-permission');
      const org = join(dir, 'gcp', 'organizations', '900000000009', 'iam-policy.json');
      writeFileSync(org, '{}');
      const w = loadGcpProject(dir, 'media-4680').warnings.filter((x) => x.code === 'policy-without-bindings');
      expect(w.map((x) => x.file)).toEqual([org]);
      expect(w[0]?.message).toContain('the allow policy of organization 900000000009 has no bindings and no etag');
    });
    it.each([
      [
        'a Cloud Asset result',
        { resource: '//cloudresourcemanager.googleapis.com/projects/media-4680', policy: { bindings: [{ role: 'roles/viewer', members: ['user:a@b.c'] }] } },
        /a Cloud Asset result\? save its `policy` object/,
      ],
      ['misspelt keys', { Bindings: [{ role: 'roles/viewer', members: ['user:a@b.c'] }] }, /no `bindings`, and "Bindings"/],
    ])('%s (keys an IAM Policy does not have, no bindings) is an input error naming the file', (_what, policy, text) => {
      const { dir, file } = load(policy);
      const error = inputErrorOf(() => loadGcpProject(dir, 'media-4680'));
      expect(error.message).toContain(`${file}: not an allow policy`);
      expect(error.message).toMatch(text);
      expect(error.hint).toContain('gcloud projects get-iam-policy media-4680');
    });
  });

  it('an ancestry that does not start at the project, invalid JSON, and a missing project policy', () => {
    const dir = copyFixture('folder-inherited-editor');
    const ancestry = join(dir, 'gcp', 'app-prod-1234', 'ancestry.json');
    writeFileSync(ancestry, JSON.stringify([{ id: '300000000001', type: 'folder' }]));
    expect(inputErrorOf(() => loadGcpProject(dir, 'app-prod-1234')).message).toContain('expected the project app-prod-1234 first');
    writeFileSync(ancestry, '{ not json');
    expect(inputErrorOf(() => loadGcpProject(dir, 'app-prod-1234')).message).toContain('not valid JSON');
    expect(inputErrorOf(() => loadGcpProject(dir, 'no-such-project')).message).toContain('missing');
  });

  it('groups.json members must carry a type prefix', () => {
    const dir = copyFixture('folder-inherited-editor');
    writeFileSync(join(dir, 'gcp', 'groups.json'), JSON.stringify({ 'g@example.com': ['deployer@app-prod-1234.iam.gserviceaccount.com'] }));
    expect(inputErrorOf(() => loadGcpProject(dir, 'app-prod-1234')).message).toMatch(/groups\.json: g@example\.com\[0\]/);
  });
});
