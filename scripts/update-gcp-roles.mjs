#!/usr/bin/env node
/**
 * Regenerates data/gcp/roles.json, the bundled snapshot of GCP predefined role definitions
 * (role name → included permissions, plus title and stage), from a local copy of the iam-dataset
 * project (https://github.com/iann0036/iam-dataset, MIT licence, copied to
 * data/gcp/LICENSE-iam-dataset).
 *
 * Usage:
 *   git clone --depth 1 https://github.com/iann0036/iam-dataset /tmp/iam-dataset
 *   node scripts/update-gcp-roles.mjs /tmp/iam-dataset [--commit <sha>] [--date <iso>]
 *
 * Reads <dir>/gcp/roles/*.json (one `gcloud iam roles describe` shaped object per predefined role:
 * name, title, stage, includedPermissions). The dataset's aggregate files (role_permissions.json,
 * permissions.json) are not used: they are larger and repeat the same data. `--commit` / `--date`
 * default to `git -C <dir> log -1` when <dir> is a git checkout; the commit is recorded so the
 * snapshot's age is visible and a reviewer can diff two snapshots.
 *
 * Output: one role per line, permissions sorted, roles sorted by name, so a refresh diffs
 * readably. Roles with no permissions (the dataset has a few) are kept with an empty list: an
 * empty role is still a known role, not an unknown one.
 */

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const OUT = join(here, '..', 'data', 'gcp', 'roles.json');

function usage(message) {
  process.stderr.write(`error: ${message}\nusage: node scripts/update-gcp-roles.mjs <iam-dataset dir> [--commit <sha>] [--date <iso>]\n`);
  process.exitCode = 2;
}

function main(argv) {
  const args = [...argv];
  let dir;
  let commit;
  let date;
  while (args.length > 0) {
    const arg = args.shift();
    if (arg === '--commit') commit = args.shift();
    else if (arg === '--date') date = args.shift();
    else if (dir === undefined) dir = arg;
    else return usage(`unexpected argument ${arg}`);
  }
  if (dir === undefined) return usage('missing the iam-dataset directory');
  if (commit === undefined || date === undefined) {
    try {
      const [sha, iso] = execFileSync('git', ['-C', dir, 'log', '-1', '--format=%H %cI'], { encoding: 'utf8' }).trim().split(' ');
      commit ??= sha;
      date ??= iso;
    } catch {
      return usage(`${dir} is not a git checkout: pass --commit and --date`);
    }
  }

  const rolesDir = join(dir, 'gcp', 'roles');
  const files = readdirSync(rolesDir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  if (files.length === 0) return usage(`no role files in ${rolesDir}`);

  const roles = new Map();
  for (const file of files) {
    const role = JSON.parse(readFileSync(join(rolesDir, file), 'utf8'));
    if (typeof role.name !== 'string' || !role.name.startsWith('roles/')) {
      return usage(`${file}: no predefined role name`);
    }
    const permissions = Array.isArray(role.includedPermissions) ? [...new Set(role.includedPermissions)].sort() : [];
    roles.set(role.name, { title: String(role.title ?? ''), stage: String(role.stage ?? ''), permissions });
  }
  const names = [...roles.keys()].sort();

  const lines = [];
  lines.push('{');
  lines.push(`  "source": ${JSON.stringify('https://github.com/iann0036/iam-dataset gcp/roles/*.json (MIT, see LICENSE-iam-dataset)')},`);
  lines.push(`  "generatedFrom": ${JSON.stringify({ repository: 'https://github.com/iann0036/iam-dataset', commit, commitDate: date })},`);
  lines.push(`  "roleCount": ${names.length},`);
  lines.push('  "meta": {');
  names.forEach((name, i) => {
    const { title, stage } = roles.get(name);
    lines.push(`    ${JSON.stringify(name)}: ${JSON.stringify({ title, stage })}${i < names.length - 1 ? ',' : ''}`);
  });
  lines.push('  },');
  lines.push('  "roles": {');
  names.forEach((name, i) => {
    lines.push(`    ${JSON.stringify(name)}: ${JSON.stringify(roles.get(name).permissions)}${i < names.length - 1 ? ',' : ''}`);
  });
  lines.push('  }');
  lines.push('}');
  writeFileSync(OUT, `${lines.join('\n')}\n`);
  process.stderr.write(`wrote ${OUT}: ${names.length} roles from ${commit} (${date})\n`);
}

main(process.argv.slice(2));
