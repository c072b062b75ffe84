/**
 * Reads `collect-manifest.json` (model/collect-manifest.ts), which `permdrift collect aws` and
 * `collect gcp` leave in each account or project folder: when each source was read and which
 * spans of the logs were read in full or failed.
 */

import { z } from 'zod';
import { COLLECT_MANIFEST_VERSION, type CollectManifest } from '../model/collect-manifest.js';
import { InputError } from '../model/errors.js';
import { isoOrNull } from './iso-or-null.js';
import { jsonRecord } from './json-record.js';

const spanSchema = z.object({ scope: z.string(), start: z.string(), end: z.string() });
const manifestSchema = z.object({
  schemaVersion: z.literal(COLLECT_MANIFEST_VERSION),
  provider: z.enum(['aws', 'gcp']),
  scope: z.string(),
  tool: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  sources: jsonRecord(z.string(), z.object({ readAt: z.string() })),
  logs: z.object({
    source: z.string(),
    requested: z.object({ start: z.string(), end: z.string() }),
    complete: z.array(spanSchema),
    failed: z.array(spanSchema.extend({ reason: z.string() })),
    filesWritten: z.number().int().nonnegative(),
  }),
});

/** Which folder the manifest was found in: a manifest of another account or project proves nothing here. */
export interface ManifestExpectation {
  provider: CollectManifest['provider'];
  scope: string;
}

export function parseCollectManifest(json: unknown, source: string, expected?: ManifestExpectation): CollectManifest {
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new InputError(
      `${source} is not a permdrift collection manifest (${first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'wrong shape'})`,
      'collect the account again with `permdrift collect`, or remove the file (the scan then relies on the files alone)',
      { file: source },
    );
  }
  const m = parsed.data;
  if (expected && (m.provider !== expected.provider || m.scope !== expected.scope)) {
    throw new InputError(
      `${source} is the collection manifest of ${m.provider} ${m.scope}, not of ${expected.provider} ${expected.scope}`,
      'copy each collected folder whole, or remove the file (the scan then relies on the files alone)',
      { file: source },
    );
  }
  const fix = (t: string, what: string): string => {
    const iso = isoOrNull(t);
    if (iso === null) throw new InputError(`${source}: ${what} is not a time: ${t}`, 'collect the account again', { file: source });
    return iso;
  };
  return {
    ...m,
    startedAt: fix(m.startedAt, 'startedAt'),
    finishedAt: fix(m.finishedAt, 'finishedAt'),
    sources: Object.fromEntries(Object.entries(m.sources).map(([k, v]) => [k, { readAt: fix(v.readAt, `sources.${k}.readAt`) }])),
    logs: {
      ...m.logs,
      requested: { start: fix(m.logs.requested.start, 'logs.requested.start'), end: fix(m.logs.requested.end, 'logs.requested.end') },
      complete: m.logs.complete.map((s) => ({ scope: s.scope, start: fix(s.start, 'logs.complete.start'), end: fix(s.end, 'logs.complete.end') })),
      failed: m.logs.failed.map((s) => ({ scope: s.scope, start: fix(s.start, 'logs.failed.start'), end: fix(s.end, 'logs.failed.end'), reason: s.reason })),
    },
  };
}
