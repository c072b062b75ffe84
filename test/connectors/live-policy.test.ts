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
import { collectAws } from '../../src/connectors/aws/live/collect.js';
import { COMMAND_ACTIONS, READONLY_POLICY, readonlyPolicyText } from '../../src/connectors/aws/live/readonly-policy.js';
import { loadFakeAccount } from '../fake-aws/account.js';
import { useFakeAwsEnv } from '../fake-aws/env.js';
import { FakeAws } from '../fake-aws/server.js';

const ROOT = join(import.meta.dirname, '..', '..');
const LIVE = join(ROOT, 'src', 'connectors', 'aws', 'live');

const policyActions = (): string[] => READONLY_POLICY.Statement.flatMap((s) => [...s.Action]).sort();

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
  }
  return [...found].sort();
}

describe('permdrift policy aws', () => {
  it('every command the source sends has its action in the policy, and the policy grants nothing else', () => {
    const commands = commandsInSource();
    expect(commands.length).toBeGreaterThanOrEqual(12);
    for (const c of commands) expect(COMMAND_ACTIONS[c], `no IAM action mapped for ${c}`).toBeDefined();
    const needed = [...new Set(commands.map((c) => COMMAND_ACTIONS[c] ?? ''))].sort();
    expect(policyActions()).toEqual(needed);
  });

  it('a full collection against the fake endpoint sends only requests the policy allows', async () => {
    const fake = new FakeAws({ account: loadFakeAccount() });
    const restore = useFakeAwsEnv(await fake.start());
    try {
      const options = { regions: [], windowStart: new Date('2026-08-22T00:00:00Z'), asOf: new Date('2026-11-20T00:00:00Z'), accessAdvisorPoll: { initialMs: 5, maxMs: 10, timeoutMs: 2000 }, credentialReportPoll: { initialMs: 5, maxMs: 10, timeoutMs: 2000 } };
      await collectAws({ ...options, outDir: mkdtempSync(join(tmpdir(), 'permdrift-policy-')), cloudTrailSource: 's3' });
      await collectAws({ ...options, windowStart: new Date('2026-11-15T00:00:00Z'), outDir: mkdtempSync(join(tmpdir(), 'permdrift-policy-')), cloudTrailSource: 'lookup-events', isAccessAdvisorWanted: false, isCredentialReportWanted: false });
    } finally {
      await fake.stop();
      restore();
    }
    const sent = [...new Set(fake.requests.map((r) => `client-${r.service}:${r.action}`))].sort();
    expect(sent).toContain('client-iam:GenerateServiceLastAccessedDetails');
    expect(sent).toContain('client-cloudtrail:LookupEvents');
    expect(sent).toContain('client-s3:GetObject');
    const actions = policyActions();
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
});
