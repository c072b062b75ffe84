/**
 * The tool's own IAM policy lists exactly the actions the live connector calls, and nothing that
 * writes: derived twice, from the source (every `new XxxCommand(`) and from the fake endpoint's
 * request log over a full collection, then checked against the action catalogue's access levels.
 */

import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAwsCatalogue } from '../../src/catalogue/aws-catalogue.js';
import { collectAws, collectAwsAccounts } from '../../src/connectors/aws/live/collect.js';
import { COMMAND_ACTIONS, READONLY_POLICY, orgPolicy, readonlyPolicyText } from '../../src/connectors/aws/live/readonly-policy.js';
import { loadFakeAccount } from '../fake-aws/account.js';
import { scaleAccount } from '../fake-aws/scale-account.js';
import { useFakeAwsEnv } from '../fake-aws/env.js';
import { FakeAws } from '../fake-aws/server.js';

const ROOT = join(import.meta.dirname, '..', '..');
const LIVE = join(ROOT, 'src', 'connectors', 'aws', 'live');

const policyActions = (): string[] => READONLY_POLICY.Statement.flatMap((s) => [...s.Action]).sort();
const orgActions = (): string[] =>
  orgPolicy('OrganizationAccountAccessRole')
    .Statement.flatMap((s) => s.Action)
    .sort();

/** `client-iam:GetAccountAuthorizationDetails` for every SDK command constructed in the connector. */
function commandsInSource(): string[] {
  const found = new Set<string>();
  for (const file of readdirSync(LIVE).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(join(LIVE, file), 'utf8');
    const packageOf = new Map<string, string>();
    for (const m of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/(client-[a-z0-9-]+)'/g)) {
      for (const name of (m[1] ?? '').split(',').map((n) => n.trim().replace(/^type\s+/, ''))) packageOf.set(name, m[2] ?? '');
    }
    for (const m of text.matchAll(/new\s+(\w+)Command\s*\(/g)) {
      const pkg = packageOf.get(`${m[1] ?? ''}Command`);
      expect(pkg, `${file}: ${m[1] ?? ''}Command is not imported from an @aws-sdk/client-* package`).toBeDefined();
      found.add(`${pkg ?? ''}:${m[1] ?? ''}`);
    }
    // The credential provider that enters other accounts sends sts:AssumeRole itself.
    if (/fromTemporaryCredentials\s*\(/.test(text)) found.add('client-sts:AssumeRole');
  }
  return [...found].sort();
}

describe('permdrift policy aws', () => {
  it('every command the source sends has its action in a policy, and the policies grant nothing else', () => {
    const commands = commandsInSource();
    expect(commands.length).toBeGreaterThanOrEqual(14);
    for (const c of commands) expect(COMMAND_ACTIONS[c], `no IAM action mapped for ${c}`).toBeDefined();
    const needed = [...new Set(commands.map((c) => COMMAND_ACTIONS[c] ?? ''))].sort();
    // Member accounts need the read-only policy; only the identity running --org needs the other two.
    expect([...policyActions(), ...orgActions()].sort()).toEqual(needed);
    expect(orgActions()).toEqual(['organizations:ListAccounts', 'sts:AssumeRole']);
  });

  it('a full collection against the fake endpoint sends only requests the policy allows', async () => {
    const member = scaleAccount({
      accountId: '444455556666',
      principals: 2,
      days: 1,
      asOf: new Date('2026-11-20T00:00:00Z'),
      regions: ['us-east-1'],
      filesPerDay: 1,
      recordsPerFile: 2,
    });
    const fake = new FakeAws({ account: loadFakeAccount(), members: [member], organization: { id: 'o-abc123def4' } });
    const restore = useFakeAwsEnv(await fake.start());
    try {
      const options = {
        regions: [],
        windowStart: new Date('2026-08-22T00:00:00Z'),
        asOf: new Date('2026-11-20T00:00:00Z'),
        accessAdvisorPoll: { initialMs: 5, maxMs: 10, timeoutMs: 2000 },
        credentialReportPoll: { initialMs: 5, maxMs: 10, timeoutMs: 2000 },
      };
      await collectAws({ ...options, outDir: mkdtempSync(join(tmpdir(), 'permdrift-policy-')), cloudTrailSource: 's3' });
      await collectAws({
        ...options,
        windowStart: new Date('2026-11-15T00:00:00Z'),
        outDir: mkdtempSync(join(tmpdir(), 'permdrift-policy-')),
        cloudTrailSource: 'lookup-events',
        isAccessAdvisorWanted: false,
        isCredentialReportWanted: false,
      });
      await collectAwsAccounts({
        ...options,
        outDir: mkdtempSync(join(tmpdir(), 'permdrift-policy-')),
        cloudTrailSource: 'none',
        accounts: 'org',
        assumeRoleName: 'OrganizationAccountAccessRole',
      });
    } finally {
      await fake.stop();
      restore();
    }
    const sent = [...new Set(fake.requests.map((r) => `client-${r.service}:${r.action}`))].sort();
    expect(sent).toContain('client-iam:GenerateServiceLastAccessedDetails');
    expect(sent).toContain('client-cloudtrail:LookupEvents');
    expect(sent).toContain('client-s3:GetObject');
    expect(sent).toContain('client-sts:AssumeRole');
    expect(sent).toContain('client-organizations:ListAccounts');
    const actions = [...policyActions(), ...orgActions()];
    for (const s of sent) expect(actions, `request ${s}`).toContain(COMMAND_ACTIONS[s]);
  });

  it('grants only Read and List actions by the catalogue, no wildcards; docs/ holds the same policy', async () => {
    const catalogue = await loadAwsCatalogue();
    for (const action of policyActions()) {
      expect(action).not.toContain('*');
      // The two Generate* actions start IAM report jobs; AWS classes them Read (see readonly-policy.ts).
      expect(['Read', 'List'], action).toContain(catalogue.lookup(action)?.accessLevel);
    }
    expect(readFileSync(join(ROOT, 'docs', 'permdrift-readonly-policy.json'), 'utf8')).toBe(readonlyPolicyText());
  });

  it('the --org policy: ListAccounts (List) and AssumeRole limited to the named role, nothing else that writes', async () => {
    const catalogue = await loadAwsCatalogue();
    const policy = orgPolicy('PermdriftAudit');
    expect(catalogue.lookup('organizations:ListAccounts')?.accessLevel).toBe('List');
    // AssumeRole is the one non-read action: it only opens a session in a role you name.
    expect(catalogue.lookup('sts:AssumeRole')?.accessLevel).toBe('Write');
    expect(policy.Statement.find((st) => st.Action.includes('sts:AssumeRole'))?.Resource).toBe('arn:aws:iam::*:role/PermdriftAudit');
    for (const st of policy.Statement)
      for (const a of st.Action) if (a !== 'sts:AssumeRole') expect(['Read', 'List']).toContain(catalogue.lookup(a)?.accessLevel);
  });
});
