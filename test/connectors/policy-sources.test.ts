import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPolicySources } from '../../src/connectors/iac/policy-sources.js';
import type { Finding } from '../../src/model/report.js';

function findingGrantedBy(policy: string, sid?: string): Finding {
  return {
    id: 'x',
    type: 'unused-permission',
    severity: 'low',
    provider: 'aws',
    account: '111122223333',
    principal: { id: 'arn:aws:iam::111122223333:role/r', name: 'r', kind: 'role' },
    service: 's3',
    permissions: [
      {
        action: 's3:PutObject',
        accessLevel: 'Write',
        provenance: 'direct',
        isConditional: false,
        resources: ['*'],
        lastUsed: null,
        grantedBy: [{ policy: { type: 'inline', name: policy }, statement: { index: 1, ...(sid ? { sid } : {}) }, matchedBy: 's3:PutObject' }],
      },
    ],
    evidence: { window: { start: '2026-01-01T00:00:00.000Z', end: '2026-02-01T00:00:00.000Z', days: 31 }, observed: null, sources: [], reason: 'r' },
    recommendation: 'r',
  };
}

describe('policy sources', () => {
  const dir = mkdtempSync(join(tmpdir(), 'permdrift-src-'));
  mkdirSync(join(dir, 'cfn'));
  mkdirSync(join(dir, 'node_modules'));
  writeFileSync(
    join(dir, 'cfn', 'roles.yaml'),
    [
      'Resources:',
      '  Role:',
      '    Properties:',
      '      Policies:',
      '        - PolicyName: deploy',
      '          PolicyDocument:',
      '            Statement:',
      '              - Sid: Artifacts',
      '                Effect: Allow',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'other.json'), JSON.stringify({ note: 'deployment notes mention deploy-tools and Artifacts2' }, null, 2));
  writeFileSync(join(dir, 'node_modules', 'x.json'), '{"PolicyName": "deploy"}');

  it('finds the Sid line in the file that names the policy, and ignores substrings and node_modules', async () => {
    const index = await readPolicySources([dir], dir);
    expect(index.size).toBe(2);
    expect(index.locate(findingGrantedBy('deploy', 'Artifacts'))).toEqual({ uri: 'cfn/roles.yaml', line: 8 });
    expect(index.locate(findingGrantedBy('deploy'))).toEqual({ uri: 'cfn/roles.yaml', line: 5 });
    expect(index.locate(findingGrantedBy('deploy-tools'))).toBeUndefined();
  });

  it('rejects a path that does not exist', async () => {
    await expect(readPolicySources(['/nonexistent/infra'], dir)).rejects.toThrow(/cannot read policy source/);
  });
});
