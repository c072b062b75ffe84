/**
 * Reads `collect-manifest.json` (model/collect-manifest.ts), which `permdrift collect aws` and
 * `collect gcp` leave in each account or project folder: when each source was read and which
 * spans of the logs were read in full or failed.
 *
 * A manifest without `complete` (written before the field existed) is complete. One that says
 * `complete: false` is what an interrupted collection left: its complete spans were recorded only
 * once read in full, so they stand, and everything else of the requested span is added as failed
 * (a gap), whatever files happen to be there.
 */

import { z } from 'zod';
import { COLLECT_MANIFEST_VERSION, type CollectManifest, type ManifestLogFailure } from '../../model/collect-manifest.js';
import { InputError } from '../../model/errors.js';
import { isoOrNull } from './iso-or-null.js';
import { jsonRecord } from './json-record.js';

const spanSchema = z.object({ scope: z.string(), start: z.string(), end: z.string() });
const manifestSchema = z.object({
  schemaVersion: z.literal(COLLECT_MANIFEST_VERSION),
  provider: z.enum(['aws', 'gcp']),
  scope: z.string(),
  tool: z.string(),
  complete: z.boolean().optional(),
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
  const out: CollectManifest = {
    ...m,
    complete: m.complete ?? true,
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
  if (!out.complete) out.logs.failed.push(...unfinishedSpans(out));
  return out;
}

/** Why the spans an incomplete collection had not read in full are gaps. */
export const UNFINISHED_REASON = 'it did not finish (collect-manifest.json says complete: false): nothing it had not read in full by then is observed';

/** The audit logs a GCP collection reads (one scope each in the manifest). */
const GCP_LOG_SCOPES = ['activity', 'data_access', 'system_event', 'policy'].map((l) => `cloudaudit.googleapis.com/${l}`);

interface MsSpan {
  start: number;
  end: number;
}

function minus(from: MsSpan, spans: MsSpan[]): MsSpan[] {
  let pieces = [from];
  for (const s of spans) {
    pieces = pieces.flatMap((p) =>
      s.end <= p.start || s.start >= p.end
        ? [p]
        : [...(s.start > p.start ? [{ start: p.start, end: s.start }] : []), ...(s.end < p.end ? [{ start: s.end, end: p.end }] : [])],
    );
  }
  return pieces.filter((p) => p.end > p.start);
}

/**
 * The requested span less what the manifest records as read in full. AWS takes the complete
 * spans of every region together (its coverage is per account), so one failure, `all regions`,
 * covers the rest; GCP judges each audit log on its own, so each gets its own.
 */
function unfinishedSpans(m: CollectManifest): ManifestLogFailure[] {
  const requested = { start: Date.parse(m.logs.requested.start), end: Date.parse(m.logs.requested.end) };
  const spansOf = (scope?: string): MsSpan[] =>
    m.logs.complete.filter((c) => scope === undefined || c.scope === scope).map((c) => ({ start: Date.parse(c.start), end: Date.parse(c.end) }));
  const iso = (ms: number): string => new Date(ms).toISOString();
  const scopes: [string, MsSpan[]][] = m.provider === 'aws' ? [['all regions', spansOf()]] : GCP_LOG_SCOPES.map((scope) => [scope, spansOf(scope)]);
  return scopes.flatMap(([scope, spans]) => minus(requested, spans).map((p) => ({ scope, start: iso(p.start), end: iso(p.end), reason: UNFINISHED_REASON })));
}

/** Whether a folder's manifest (as JSON, unchecked) says its collection did not finish. */
export function isIncompleteManifestJson(json: unknown): boolean {
  return typeof json === 'object' && json !== null && (json as { complete?: unknown }).complete === false;
}
