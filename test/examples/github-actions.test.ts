/** examples/github-actions.yml cannot run here; check what can be: its shape, and that every permdrift flag it uses exists. */

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = join(import.meta.dirname, '..', '..');

interface Step {
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, string>;
}
interface Workflow {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, { steps: Step[] }>;
}

describe('examples/github-actions.yml', () => {
  const workflow = parse(readFileSync(join(ROOT, 'examples', 'github-actions.yml'), 'utf8')) as Workflow;
  const steps = Object.values(workflow.jobs).flatMap((j) => j.steps);

  it('runs nightly and on pull requests, with OIDC credentials and a SARIF upload', () => {
    expect(Object.keys(workflow.on).sort()).toEqual(['pull_request', 'schedule', 'workflow_dispatch']);
    expect(workflow.permissions['id-token']).toBe('write');
    expect(workflow.permissions['security-events']).toBe('write');
    expect(steps.some((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials') && s.with?.['role-to-assume'])).toBe(true);
    expect(steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif'))?.with?.['sarif_file']).toBe('permdrift.sarif');
    expect(steps.some((s) => s.run?.includes('--baseline permdrift.baseline.json --fail-on new'))).toBe(true);
  });

  it('uses only flags that `permdrift scan files` has', () => {
    const help = spawnSync(process.execPath, [join(ROOT, 'bin', 'permdrift'), 'scan', 'files', '--help'], { encoding: 'utf8' }).stdout;
    const commands = steps.flatMap((s) => (s.run ?? '').replace(/\\\n\s*/g, ' ').split('\n')).filter((l) => /^\s*permdrift scan files /.test(l));
    expect(commands.length).toBe(2);
    const flags = [...new Set(commands.flatMap((c) => c.match(/(?<=\s)--?[a-z][a-z-]*/g) ?? []))];
    expect(flags.length).toBeGreaterThan(3);
    for (const flag of flags) expect(help, flag).toContain(flag);
  });
});
