#!/usr/bin/env node
/**
 * Regenerates the page-cited `permissions` entries of data/gcp/permission-log-types.json from the
 * facts extracted from Google's per-service audit-logging pages, vendored in
 * data/gcp/audit-pages/*.json (CC BY 4.0, see data/gcp/audit-pages/LICENSE.md).
 *
 * Usage:
 *   node scripts/update-gcp-log-types.mjs            # rewrite data/gcp/permission-log-types.json
 *   node scripts/update-gcp-log-types.mjs --check    # exit 1 if the file is not what the pages give
 *   node scripts/update-gcp-log-types.mjs --out <file>   # write elsewhere
 *
 * What it does:
 * - Every permission a page lists under a permission type (or, for NOT_LOGGED, in its "methods
 *   that don't produce audit logs") becomes an entry `{ logType, source, basis: "cited",
 *   extractedFrom }`, `source` being the page URL's key in `sources` (the page file's name). The
 *   pages carry `mappedBy` per method: `page` (the page names the permission), `method-name` (the
 *   permission was tied to the method by the service's naming, by methodPermission in
 *   scripts/lib/gcp-log-type-merge.mjs), `operation-name` (the page describes operations in words,
 *   e.g. "create, modify, delete, or restore objects"; the permissions are those the words name).
 *   `method-name` mappings are re-derived and a mismatch is reported, so a roles refresh cannot
 *   silently change them.
 * - Hand-written entries (those without `extractedFrom`) are kept as they are. Where a page
 *   disagrees with one, or pages disagree with each other, the permission becomes `unknown` with
 *   a note naming every source and a `conflict` record (the hand entry is kept inside it, so the
 *   next run starts again from the hand entry). Each conflict is printed.
 * - Hand entries get `basis: "cited"` if they have none (each names a source page); patterns keep
 *   the basis they carry.
 * - Applies the table's `verbRule` (the documented verb rule, its verb lists, excluded data-plane
 *   families and citations) to every permission of the predefined roles that no entry or pattern
 *   classifies, and writes what it decides to `ruleEntries` (basis `rule`). It never touches a
 *   permission a cited entry names, a collection a complete page covers, an excluded family, or a
 *   service whose cited entries disagree with the rule (each such service is printed).
 * - Prints counts per basis (cited / rule / observed — always 0 here, it comes from the logs read —
 *   / unknown) over the permissions of the predefined roles (data/gcp/roles.json): overall and for
 *   roles/editor, roles/run.admin, roles/storage.admin.
 */

import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { classifyAll, mergeCitedEntries, methodPermission, permissionIndex, verbRuleEntries } from './lib/gcp-log-type-merge.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const TABLE = join(root, 'data', 'gcp', 'permission-log-types.json');
const PAGES = join(root, 'data', 'gcp', 'audit-pages');
const ROLES = join(root, 'data', 'gcp', 'roles.json');
const REPORT_ROLES = ['roles/editor', 'roles/run.admin', 'roles/storage.admin'];
const MAPPED_BY = new Set(['page', 'method-name', 'operation-name', 'none']);

function fail(message) {
  process.stderr.write(`error: ${message}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { check: false, out: TABLE };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--check') opts.check = true;
    else if (argv[i] === '--out') opts.out = argv[++i] ?? fail('--out needs a file');
    else fail(`unexpected argument ${argv[i]}`);
  }
  return opts;
}

function loadPages(allPermissions) {
  const files = existsSync(PAGES)
    ? readdirSync(PAGES)
        .filter((f) => f.endsWith('.json'))
        .sort()
    : [];
  const problems = [];
  const pages = files.map((file) => {
    const page = JSON.parse(readFileSync(join(PAGES, file), 'utf8'));
    const name = file.replace(/\.json$/, '');
    if (typeof page.url !== 'string' || !page.url.startsWith('https://cloud.google.com/')) problems.push(`${file}: url must be a cloud.google.com page`);
    if (page.licence !== 'CC BY 4.0') problems.push(`${file}: licence must be "CC BY 4.0"`);
    if (typeof page.service !== 'string') problems.push(`${file}: no service (permission prefix)`);
    const index = permissionIndex(page.service, allPermissions);
    for (const m of [...(page.methods ?? []), ...(page.notLogged ?? [])]) {
      if (!MAPPED_BY.has(m.mappedBy)) problems.push(`${file}: ${m.method}: mappedBy must be one of ${[...MAPPED_BY].join(', ')}`);
      if (!Array.isArray(m.permissions)) problems.push(`${file}: ${m.method}: permissions must be a list`);
      else if ((m.mappedBy === 'none') !== (m.permissions.length === 0)) problems.push(`${file}: ${m.method}: mappedBy "none" exactly when no permission`);
      for (const p of m.permissions ?? []) if (!allPermissions.has(p)) problems.push(`${file}: ${m.method}: ${p} is in no predefined role`);
      if (m.mappedBy === 'method-name') {
        const derived = methodPermission(page.service, m.method, index);
        if (derived !== m.permissions[0] || m.permissions.length !== 1) {
          problems.push(`${file}: ${m.method}: recorded ${m.permissions.join(',')} but the naming gives ${derived ?? 'nothing'}`);
        }
      }
    }
    return { file: name + '.json', sourceKey: name, page };
  });
  if (problems.length > 0) fail(`audit pages:\n  ${problems.join('\n  ')}`);
  return pages;
}

/** The table as text: one entry per line under "permissions", so a regeneration diffs readably. */
function render(table) {
  const { permissions, patterns, ruleEntries, ...head } = table;
  const lines = JSON.stringify(head, null, 2).split('\n');
  lines.pop(); // closing brace
  lines[lines.length - 1] += ',';
  lines.push('  "permissions": {');
  const entries = Object.entries(permissions);
  entries.forEach(([k, v], i) => lines.push(`    ${JSON.stringify(k)}: ${JSON.stringify(v)}${i < entries.length - 1 ? ',' : ''}`));
  lines.push('  },');
  lines.push('  "patterns": [');
  patterns.forEach((p, i) => lines.push(`    ${JSON.stringify(p)}${i < patterns.length - 1 ? ',' : ''}`));
  lines.push('  ],');
  lines.push('  "ruleEntries": {');
  const ruled = Object.entries(ruleEntries ?? {});
  ruled.forEach(([k, v], i) => lines.push(`    ${JSON.stringify(k)}: ${JSON.stringify(v)}${i < ruled.length - 1 ? ',' : ''}`));
  lines.push('  }');
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

function pct(n, total) {
  return total === 0 ? '0.0' : ((100 * n) / total).toFixed(1);
}

function printCounts(label, table, permissions) {
  const c = classifyAll(table, permissions);
  const total = permissions.length;
  const cited = c['cited-hand'] + c['cited-pages'] + c['cited-pattern'];
  const classified = cited + c.rule;
  const unknown = c.unknown + c.conflict + c['checked-inside'];
  process.stdout.write(
    `${label}: ${total} permissions; classified ${classified} (${pct(classified, total)} %): ` +
      `cited ${cited} (${pct(cited, total)} %: hand ${c['cited-hand']}, pages ${c['cited-pages']}, patterns ${c['cited-pattern']}), ` +
      `rule ${c.rule} (${pct(c.rule, total)} %), observed 0; ` +
      `unknown ${unknown} (${pct(unknown, total)} %: checked inside other calls ${c['checked-inside']}, conflicts ${c.conflict}, no source ${c.unknown})\n`,
  );
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const roles = JSON.parse(readFileSync(ROLES, 'utf8')).roles;
  const allPermissions = new Set(Object.values(roles).flat());
  const current = JSON.parse(readFileSync(TABLE, 'utf8'));
  const pages = loadPages(allPermissions);

  const withBasis = {
    ...current,
    permissions: Object.fromEntries(
      Object.entries(current.permissions).map(([k, v]) => [
        k,
        v.basis === undefined && v.logType !== 'unknown' && !v.extractedFrom ? { ...v, basis: 'cited' } : v,
      ]),
    ),
  };
  const merged = mergeCitedEntries(withBasis, pages);
  const { added, agreed, conflicts, keptHandUnknown } = merged;
  const rule = verbRuleEntries(merged.table, pages, allPermissions);
  const table = { ...merged.table, ruleEntries: rule.entries };

  for (const c of conflicts) {
    process.stdout.write(`conflict: ${c.permission} → unknown: ${c.claims.map((x) => `${x.logType} (${x.method}, ${x.url})`).join(' vs ')}\n`);
  }
  for (const p of keptHandUnknown) process.stdout.write(`kept: ${p} stays unknown as its hand entry says, although a page names a type\n`);
  process.stdout.write(
    `pages: ${pages.length}; page-cited permissions: ${added.length} new, ${agreed.length} agreeing with a hand entry; conflicts: ${conflicts.length}\n`,
  );
  for (const b of rule.blocked) {
    process.stdout.write(`rule not applied to ${b.service} (${b.group} verbs): cited ${b.disagreeing.map((d) => `${d.permission} ${d.logType}`).join(', ')}\n`);
  }
  process.stdout.write(
    `verb rule: ${Object.keys(rule.entries).length} permissions; left alone: ${rule.skipped.excluded} in excluded families, ` +
      `${rule.skipped.covered} in collections a complete page covers, ${rule.skipped.blocked} in services the pages contradict, ` +
      `${rule.skipped.dataCollection} writes in collections with a cited DATA_WRITE (${rule.dataCollections.join(', ')}), ` +
      `${rule.skipped.undecided} with an undecided verb\n`,
  );
  printCounts('predefined roles', table, [...allPermissions]);
  for (const role of REPORT_ROLES) printCounts(role, table, roles[role] ?? []);

  const text = render(table);
  if (opts.check) {
    const existing = readFileSync(opts.out, 'utf8');
    if (existing !== text) {
      process.stderr.write(`${opts.out} is not what the audit pages give: run node scripts/update-gcp-log-types.mjs\n`);
      process.exit(1);
    }
    return;
  }
  writeFileSync(opts.out, text);
}

main();
