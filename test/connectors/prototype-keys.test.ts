/**
 * Keys from input files that are also names on Object.prototype (`constructor`, `toString`,
 * `__proto__`) are ordinary keys: they neither crash a lookup (an inherited function read as a list)
 * nor vanish (`__proto__` assigned onto a plain object sets its prototype instead of a key).
 */

import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAwsCatalogue } from '../../src/catalogue/aws-catalogue.js';
import { parseCollectManifest } from '../../src/connectors/shared/collect-manifest-file.js';
import { parsePolicyDocument } from '../../src/connectors/aws/authorization-details.js';
import { parseTrailStatus } from '../../src/connectors/aws/delivery-files.js';
import { toCliJson } from '../../src/connectors/aws/live/cli-json.js';
import { parseLogName } from '../../src/connectors/gcp/audit-logs/audit-entry.js';
import { parseGroups } from '../../src/connectors/gcp/groups.js';
import { toGcloudJson } from '../../src/connectors/gcp/live/gcloud-json.js';
import { loadGcpProject } from '../../src/connectors/gcp/snapshot.js';
import { mapEventToActions } from '../../src/engine/aws/event-map.js';
import { toV2Permission } from '../../src/engine/gcp/deny-match.js';
import { resolveGcpProject } from '../../src/engine/gcp/resolve.js';
import { bundledRoleCatalogue } from '../../src/engine/gcp/role-catalogue.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'gcp');
const IDLE = 'idle-batch@app-prod-1234.iam.gserviceaccount.com';

describe('groups.json', () => {
  it('keeps groups named constructor and __proto__ as groups', () => {
    const raw = JSON.parse(
      '{"constructor":["serviceAccount:a@p.iam.gserviceaccount.com"],"__proto__":["serviceAccount:b@p.iam.gserviceaccount.com"],"group:toString":["user:c@example.com"]}',
    ) as unknown;
    const groups = parseGroups(raw, 'groups.json');
    expect(Object.keys(groups).sort()).toEqual(['__proto__', 'constructor', 'toString']);
    expect(groups['constructor']).toEqual(['serviceAccount:a@p.iam.gserviceaccount.com']);
    expect(Object.getOwnPropertyDescriptor(groups, '__proto__')?.value).toEqual(['serviceAccount:b@p.iam.gserviceaccount.com']);
    expect(groups['toString']).toEqual(['user:c@example.com']);
  });

  it('still names the first bad member', () => {
    expect(() => parseGroups({ 'g@example.com': ['no-prefix'] }, 'groups.json')).toThrow(/groups\.json: g@example\.com\[0\]: expected a member/);
  });

  it.each(['constructor', '__proto__'])('a grant through a nested group named %s reaches the account', (name) => {
    const dir = mkdtempSync(join(tmpdir(), 'permdrift-proto-'));
    cpSync(join(FIXTURES, 'folder-inherited-editor'), dir, { recursive: true });
    writeFileSync(join(dir, 'gcp', 'groups.json'), `{"platform-admins@example.com": ["group:${name}"], "${name}": ["serviceAccount:${IDLE}"]}`);
    const resolved = resolveGcpProject(loadGcpProject(dir, 'app-prod-1234'), bundledRoleCatalogue());
    const idle = resolved.principals.find((p) => p.serviceAccount.email === IDLE);
    expect(idle?.entitlements.length ?? 0).toBeGreaterThan(0);
    expect(idle?.entitlements.some((e) => e.permission === 'logging.logEntries.list')).toBe(true);
  });
});

describe('AWS policy documents', () => {
  it('a Condition whose only key is __proto__ still makes the statement conditional', () => {
    const doc = JSON.parse(
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"__proto__":{"aws:SourceIp":"10.0.0.0/8"}}}]}',
    ) as unknown;
    const statement = parsePolicyDocument(doc, [], 'policy.json').statements[0];
    expect(statement?.condition).toBeDefined();
    expect(Object.keys(statement?.condition ?? {})).toEqual(['__proto__']);
  });

  it('an empty Condition still restricts nothing', () => {
    const statement = parsePolicyDocument({ Statement: { Effect: 'Allow', Action: '*', Resource: '*', Condition: {} } }, [], 'p.json').statements[0];
    expect(statement?.condition).toBeUndefined();
    expect(() => parsePolicyDocument({ Statement: { Effect: 'Allow', Action: '*', Condition: ['x'] } }, [], 'p.json')).toThrow(/Condition/);
  });
});

describe('lookups in bundled tables by input names', () => {
  it('an event named like an Object method maps to nothing instead of throwing', async () => {
    const catalogue = await loadAwsCatalogue();
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
      expect(mapEventToActions('apigateway.amazonaws.com', name, catalogue)).toEqual([]);
    }
  });

  it('a log named constructor is another log, not a stream', () => {
    expect(parseLogName('projects/p/logs/constructor').stream).toBe('other');
    expect(parseLogName('projects/p/logs/__proto__').stream).toBe('other');
    expect(parseLogName('projects/p/logs/cloudaudit.googleapis.com%2Factivity').stream).toBe('activity');
  });

  it('a deny permission of a service named constructor keeps the googleapis FQDN', () => {
    expect(toV2Permission('constructor.things.get')).toBe('constructor.googleapis.com/things.get');
    expect(toV2Permission('resourcemanager.projects.get')).toBe('cloudresourcemanager.googleapis.com/projects.get');
  });
});

describe('other input-keyed objects', () => {
  it('a collection manifest keeps a source named __proto__', () => {
    const manifest = JSON.parse(
      JSON.stringify({
        schemaVersion: 1,
        provider: 'aws',
        scope: '111122223333',
        tool: 'permdrift test',
        startedAt: '2026-01-01T00:00:00Z',
        finishedAt: '2026-01-01T00:10:00Z',
        sources: { 'iam.json': { readAt: '2026-01-01T00:01:00Z' } },
        logs: { source: 's3', requested: { start: '2025-10-01T00:00:00Z', end: '2026-01-01T00:00:00Z' }, complete: [], failed: [], filesWritten: 0 },
      }).replace('"iam.json"', '"__proto__":{"readAt":"2026-01-01T00:02:00Z"},"iam.json"'),
    ) as unknown;
    const parsed = parseCollectManifest(manifest, 'collect-manifest.json');
    expect(Object.keys(parsed.sources).sort()).toEqual(['__proto__', 'iam.json']);
  });

  it('get-trail-status reads no field through a __proto__ key', () => {
    const status = parseTrailStatus(JSON.parse('{"IsLogging":true,"__proto__":{"StopLoggingTime":"2026-01-01T00:00:00Z"}}') as unknown, 'status.json');
    expect(status.stopLoggingTime).toBeNull();
  });

  it('the live collectors write a __proto__ key of an API answer into the snapshot', () => {
    const value = JSON.parse('{"Tags":{"__proto__":"x","b":"y"}}') as unknown;
    expect(JSON.stringify(toCliJson(value))).toBe('{"Tags":{"__proto__":"x","b":"y"}}');
    expect(JSON.stringify(toGcloudJson(value))).toBe('{"Tags":{"__proto__":"x","b":"y"}}');
  });
});
