#!/usr/bin/env node
// Rebuilds the dated example reports under fixtures/reports/ used by the `diff` and `trend` tests.
// Run after `npm run build`: node scripts/make-report-fixtures.mjs
//
// Every report is written by the built CLI (`permdrift scan files … --format json`) on the small
// fixtures/aws/passrole-judged-through-calls snapshot (two roles; CloudTrail 2026-05-30 → 06-29),
// with a 14-day window so each as-of date below is fully covered by the logs:
//
//   weekly/2026-06-16.json  the snapshot as it is
//   weekly/2026-06-23.json  IAM changed: inventory-reader's iam:PassRole revoked; fn-builder granted
//                           s3:DeleteBucket and s3:PutBucketPolicy (never used)
//   weekly/2026-06-30.json  the same IAM a week later: the roles made no call in the window, so
//                           their remaining findings fold into unused-service findings
//
// Each run after the first passes the previous report as --baseline (so findings carry firstSeen
// and gone ones are listed as resolved) and weekly/permdrift.exceptions.yaml as --exceptions (an
// entry accepting fn-builder's ec2 findings), as a scheduled job would. Scans run inside
// fixtures/reports/weekly with relative paths, so no machine path ends up in a report.
//
// One edit a scan cannot make, marked here so nobody mistakes it for engine output: the first
// report carries firstSeen (as a run with --baseline writes it), with the PassRole finding first
// seen on 2026-06-02, as if an earlier baseline had carried it; revocation speed then has a known
// answer (21 days).

import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'permdrift');
const SNAPSHOT = join(ROOT, 'fixtures', 'aws', 'passrole-judged-through-calls');
const ACCOUNT = '210987654321';
const OUT = join(ROOT, 'fixtures', 'reports', 'weekly');
const WINDOW = '14d';

const { validateReport } = await import(join(ROOT, 'dist', 'reporters', 'validate-report.js'));

const EXCEPTIONS = 'permdrift.exceptions.yaml';

function scan(dir, asOf, extra = []) {
  const args = [BIN, 'scan', 'files', dir, '--as-of', asOf, '--window', WINDOW, '--format', 'json', '--fail-on', 'never', '--quiet', ...extra];
  const r = spawnSync(process.execPath, args, {
    cwd: OUT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', CI: 'true' },
  });
  if (r.status !== 0) throw new Error(`scan ${dir} as of ${asOf} exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** A copy of the snapshot with its IAM changed between two weekly runs. */
function changedSnapshot() {
  const dir = mkdtempSync(join(tmpdir(), 'permdrift-report-fixtures-'));
  cpSync(SNAPSHOT, dir, { recursive: true });
  const file = join(dir, 'aws', ACCOUNT, 'iam-get-account-authorization-details.json');
  const details = JSON.parse(readFileSync(file, 'utf8'));
  for (const role of details.RoleDetailList) {
    const statement = role.RolePolicyList[0].PolicyDocument.Statement[0];
    if (role.RoleName === 'inventory-reader') statement.Action = statement.Action.filter((a) => a !== 'iam:PassRole');
    if (role.RoleName === 'fn-builder') statement.Action = [...statement.Action, 's3:DeleteBucket', 's3:PutBucketPolicy'];
  }
  writeFileSync(file, `${JSON.stringify(details, null, 2)}\n`);
  return dir;
}

function write(name, report) {
  const validation = validateReport(report);
  if (!validation.isValid) throw new Error(`${name} is not a valid report: ${validation.errors.join('; ')}`);
  // A fixed tool version, so a release bump does not rewrite the fixtures.
  report.tool.version = '0.0.0-fixture';
  writeFileSync(join(OUT, name), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`${join('fixtures', 'reports', 'weekly', name)}: ${report.findings.length} findings`);
}

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
writeFileSync(
  join(OUT, EXCEPTIONS),
  `# Used by scripts/make-report-fixtures.mjs for the 06-23 and 06-30 reports.
exceptions:
  - principal: fn-builder
    permission: "ec2:*"
    reason: Tags instances during blue/green cut-overs, twice a year
    owner: platform-team
    expires: 2026-12-31
    ticket: https://tracker.example.com/SEC-412
`,
);
const changed = changedSnapshot();
try {
  const week1 = scan(SNAPSHOT, '2026-06-16T00:00:00Z');
  for (const f of week1.findings) {
    const isPassRole = f.principal.name === 'inventory-reader' && f.permissions.some((p) => p.action === 'iam:PassRole');
    f.firstSeen = isPassRole ? '2026-06-02T00:00:00.000Z' : week1.asOf;
  }
  write('2026-06-16.json', week1);
  write('2026-06-23.json', scan(changed, '2026-06-23T00:00:00Z', ['--baseline', '2026-06-16.json', '--exceptions', EXCEPTIONS]));
  write('2026-06-30.json', scan(changed, '2026-06-30T00:00:00Z', ['--baseline', '2026-06-23.json', '--exceptions', EXCEPTIONS]));
} finally {
  rmSync(changed, { recursive: true, force: true });
}
