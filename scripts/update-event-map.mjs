#!/usr/bin/env node
/**
 * Regenerates data/aws/event-map.json (CloudTrail event → IAM action overrides) from the
 * iam-dataset project's aws/map.json (https://github.com/iann0036/iam-dataset, MIT licence,
 * copied to data/aws/LICENSE-iam-dataset).
 *
 * Usage:
 *   node scripts/update-event-map.mjs <path/to/map.json> [--out data/aws/event-map.json]
 *
 * Typical refresh:
 *   git clone --depth 1 https://github.com/iann0036/iam-dataset /tmp/iam-dataset
 *   node scripts/update-event-map.mjs /tmp/iam-dataset/aws/map.json
 *   npx vitest run test/engine/event-map.test.ts     # review the diff of data/aws/event-map.json
 *
 * Without an argument it reads the vendored excerpt data/aws/source/iam-dataset-map-excerpt.json
 * (same schema, a hand-transcribed subset), which is what the committed event-map.json was built
 * from. Hand-curated, CloudTrail-specific corrections live in data/aws/event-map-manual.json and are
 * never touched by this script: they win over the derived table at run time.
 *
 * What is derived, and why only that:
 * - eventSources: the `cloudtrail_service_mappings` entries whose event source host is not simply
 *   `<iam-prefix>.amazonaws.com` (monitoring → cloudwatch, tagging → tag…). The identity cases are
 *   handled by a rule in code, so listing them would only bloat the file.
 * - actions: the `sdk_method_iam_mappings` entries whose IAM action name differs from the SDK
 *   method name (S3.ListBuckets → s3:ListAllMyBuckets). CloudTrail's eventName is the API operation
 *   name, which is the SDK method name for almost every service; methods whose action has the
 *   same name need no override. Only actions of the primary action's own service are kept:
 *   cross-service entries (iam:PassRole, s3express variants) are dependent permissions, not the
 *   event's own action, and are handled by the observability tables instead.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
const outPath = outIndex >= 0 ? args[outIndex + 1] : join(repoRoot, 'data/aws/event-map.json');
const positional = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--out');
const inputPath = positional[0] ?? join(repoRoot, 'data/aws/source/iam-dataset-map-excerpt.json');

const map = JSON.parse(readFileSync(inputPath, 'utf8'));
if (typeof map !== 'object' || map === null || typeof map.sdk_method_iam_mappings !== 'object') {
  console.error(`error: ${inputPath} does not look like iam-dataset aws/map.json (no sdk_method_iam_mappings)`);
  process.exit(2);
}

const SUFFIX = '.amazonaws.com';
const eventSources = {};
for (const [source, prefix] of Object.entries(map.cloudtrail_service_mappings ?? {})) {
  if (typeof prefix !== 'string' || !source.endsWith(SUFFIX)) continue;
  const stem = source.slice(0, -SUFFIX.length);
  if (stem !== prefix) eventSources[source] = prefix;
}

const prefixOf = (action) => action.slice(0, action.indexOf(':')).toLowerCase();
const nameOf = (action) => action.slice(action.indexOf(':') + 1);

const actions = {};
let skippedSameName = 0;
let collisions = 0;
for (const [method, variants] of Object.entries(map.sdk_method_iam_mappings)) {
  const dot = method.indexOf('.');
  if (dot < 0 || !Array.isArray(variants)) continue;
  const operation = method.slice(dot + 1);
  const all = variants.map((v) => v?.action).filter((a) => typeof a === 'string' && a.includes(':'));
  // iam:PassRole is never the event's own action; skip it when choosing the primary.
  const primary = all.find((a) => a.toLowerCase() !== 'iam:passrole');
  if (primary === undefined) continue;
  const prefix = prefixOf(primary);
  const own = [...new Set(all.filter((a) => prefixOf(a) === prefix))];
  if (own.some((a) => nameOf(a).toLowerCase() === operation.toLowerCase())) {
    skippedSameName++;
    continue;
  }
  const key = `${prefix}:${operation}`;
  if (actions[key] !== undefined) {
    // Two SDK clients (S3 and S3Control) can share an operation name: keep the first, say so.
    collisions++;
    continue;
  }
  actions[key] = own;
}

const sorted = (obj) => Object.fromEntries(Object.entries(obj).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
const output = {
  source: 'https://github.com/iann0036/iam-dataset (aws/map.json: cloudtrail_service_mappings, sdk_method_iam_mappings)',
  license: 'MIT, Copyright (c) 2021 Ian Mckay; see data/aws/LICENSE-iam-dataset',
  generatedBy: 'scripts/update-event-map.mjs',
  input: typeof map.info === 'string' ? map.info : relative(repoRoot, inputPath),
  eventSources: sorted(eventSources),
  actions: sorted(actions),
};
writeFileSync(outPath, `${JSON.stringify(output, null, 2)}\n`);
console.error(
  `wrote ${relative(repoRoot, outPath)}: ${Object.keys(eventSources).length} event sources, ` +
    `${Object.keys(actions).length} action overrides (${skippedSameName} same-name methods skipped, ${collisions} collisions)`,
);
