/**
 * Coverage from proof of delivery: the time intervals in which the collected CloudTrail evidence
 * would have shown a call, built from proof that the trail was delivering and that the snapshot
 * holds what it delivered — never from the span between the first and the last record.
 *
 * Proof that a time was covered (positive):
 * - the log files themselves: event and delivery times no more than an hour apart (CloudTrail
 *   writes a file about every five minutes per region while there is activity,
 *   https://docs.aws.amazon.com/awscloudtrail/latest/userguide/how-cloudtrail-works.html);
 * - digest files (log file integrity validation): each lists the log files delivered in its hour,
 *   chained by previousDigestS3Object; an hour whose digest is present and whose listed files are
 *   all in the snapshot is covered even when it lists none
 *   (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html);
 * - a collection manifest's complete spans (every listing page read, every file downloaded)
 *   while `get-trail-status` says the trail was logging: no file there means no activity.
 *
 * Proof of a gap (negative): StopLogging / DeleteTrail until the next StartLogging / CreateTrail;
 * UpdateTrail / PutEventSelectors (what was recorded before is unknown); a trail status that is
 * not logging, or that stopped and restarted; a log file a digest lists but the snapshot lacks; a
 * broken digest chain; spans the collector failed to read.
 *
 * Observed = positive − negative, ending where the evidence ends (the snapshot's read time).
 * Events of a multi-region trail are judged against the union over regions: a region without
 * files while the trail delivers elsewhere had no activity. Negative proofs apply account-wide,
 * the cautious direction.
 */

import type { AccountActivity, TrailChange } from '../../model/aws/activity.js';
import { DELIVERY_CADENCE_MS } from '../../model/aws/delivery-cadence.js';
import { type CoverageEvidence, when } from '../claim-coverage.js';
import { type MsInterval, clipIntervals, subtractIntervals, unionIntervals } from '../intervals.js';

export interface AccountDelivery extends CoverageEvidence {
  /** Which sources proved delivery (for the report). */
  proofs: string[];
  /** Trail changes that opened no gap, with why (another trail, denied, insights only). */
  ignoredTrailChanges: { change: TrailChange; why: string }[];
  notes: string[];
}

const NEG_INF = Number.NEGATIVE_INFINITY;
const POS_INF = Number.POSITIVE_INFINITY;

function ms(iso: string | null | undefined): number | null {
  if (iso === null || iso === undefined) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
}

function trailNameOf(ref: string): string {
  const m = /:trail\/(.+)$/.exec(ref);
  return m?.[1] ?? ref;
}

function caller(c: TrailChange): string {
  return c.callerArn ?? 'an unknown caller';
}

const STOPS = new Set(['StopLogging', 'DeleteTrail']);
const STARTS = new Set(['StartLogging', 'CreateTrail']);
const CONFIG_CHANGES = new Set(['UpdateTrail', 'PutEventSelectors']);

function trailChangeProofs(activity: AccountActivity, out: AccountDelivery): void {
  const changes = activity.cloudTrail?.trailChanges ?? [];
  const ours = activity.trail.name;
  const relevant: TrailChange[] = [];
  for (const c of changes) {
    if (c.isDenied) {
      out.ignoredTrailChanges.push({ change: c, why: 'the call was denied, so it changed nothing' });
      continue;
    }
    if (c.eventName === 'PutInsightSelectors') {
      // Insights selectors choose which Insights events are written; management and data event
      // recording is unchanged (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_PutInsightSelectors.html).
      out.ignoredTrailChanges.push({ change: c, why: 'Insights selectors do not change which management or data events are recorded' });
      continue;
    }
    if (ours !== undefined && c.trail !== null && trailNameOf(c.trail) !== ours) {
      out.ignoredTrailChanges.push({ change: c, why: `it changed trail ${trailNameOf(c.trail)}, not ${ours} whose logs were read` });
      continue;
    }
    relevant.push(c);
  }
  relevant.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  for (const [i, c] of relevant.entries()) {
    const t = ms(c.time);
    if (t === null) continue;
    if (STOPS.has(c.eventName)) {
      const restart = relevant.slice(i + 1).find((n) => STARTS.has(n.eventName));
      const end = restart ? (ms(restart.time) ?? POS_INF) : POS_INF;
      out.negatives.push({
        start: t,
        end,
        kind: c.eventName === 'DeleteTrail' ? 'trail-deleted' : 'logging-stopped',
        cause: `${c.eventName} by ${caller(c)} at ${when(t)}${restart ? `, ${restart.eventName} at ${when(end)}` : ', no StartLogging after it in the logs'}`,
      });
    } else if (CONFIG_CHANGES.has(c.eventName)) {
      out.negatives.push({
        start: NEG_INF,
        end: t,
        kind: 'trail-changed',
        cause: `${c.eventName} by ${caller(c)} at ${when(t)}: what the trail recorded before it is unknown (the selectors and trail description read describe it after)`,
      });
    }
  }
}

function trailStatusProofs(activity: AccountActivity, out: AccountDelivery, positives: MsInterval[], readEnd: number | null): void {
  const status = activity.delivery?.trailStatus;
  const manifest = activity.delivery?.manifest;
  if (!status) {
    if (manifest && manifest.logs.complete.length > 0) {
      out.notes.push(
        'No trail status (cloudtrail-get-trail-status.json): the collection manifest cannot tell quiet hours from a stopped trail, so only the log files and digests prove delivery.',
      );
    }
    return;
  }
  const start = ms(status.startLoggingTime);
  const stop = ms(status.stopLoggingTime);
  if (status.isLogging === false) {
    out.negatives.push({
      start: stop ?? NEG_INF,
      end: POS_INF,
      kind: 'not-logging',
      cause: `the trail status says the trail is not logging${stop !== null ? ` (StopLoggingTime ${when(stop)})` : ''}`,
    });
  } else if (status.isLogging === true && start !== null && stop !== null && stop < start) {
    out.negatives.push({
      start: stop,
      end: start,
      kind: 'logging-stopped',
      cause: `the trail status shows logging stopped at ${when(stop)} and started again at ${when(start)}`,
    });
  }
  if (status.latestDeliveryError) {
    out.notes.push(`The trail status reports a delivery error (${status.latestDeliveryError}): log files may be missing from the bucket.`);
  }
  if (!manifest || readEnd === null) return;
  // Logging since StartLoggingTime (and, for a stopped trail, until StopLoggingTime), and the
  // collector read every file of these spans: no file there means no activity.
  let loggingFrom = start ?? NEG_INF;
  let loggingUntil = readEnd;
  if (status.isLogging !== true) {
    if (status.isLogging !== false || start === null || stop === null || stop < start) return;
    loggingFrom = start;
    loggingUntil = Math.min(readEnd, stop);
  } else if (stop !== null && start !== null && stop < start) {
    loggingFrom = start;
  }
  const complete = unionIntervals(
    manifest.logs.complete.flatMap((s) => {
      const a = ms(s.start);
      const b = ms(s.end);
      return a !== null && b !== null ? [{ start: a, end: b }] : [];
    }),
  );
  const proven = clipIntervals(complete, loggingFrom, loggingUntil);
  if (proven.length > 0) {
    positives.push(...proven);
    out.proofs.push(
      `collection manifest (${manifest.logs.source}, every file of the span read) with the trail logging${start !== null ? ` since ${when(start)}` : ''}`,
    );
  }
}

function manifestFailures(activity: AccountActivity, out: AccountDelivery): void {
  for (const f of activity.delivery?.manifest?.logs.failed ?? []) {
    const a = ms(f.start);
    const b = ms(f.end);
    if (a === null || b === null) continue;
    out.negatives.push({
      start: a,
      end: b,
      kind: 'collection-failed',
      cause: `the collection could not read ${f.scope} from ${when(a)} to ${when(b)}: ${f.reason}`,
    });
  }
}

function digestProofs(activity: AccountActivity, out: AccountDelivery, positives: MsInterval[]): void {
  const ev = activity.delivery?.digests;
  if (!ev || ev.digests.length === 0) return;
  const have = new Set(activity.delivery?.logFileNames ?? []);
  const byRegion = new Map<string, typeof ev.digests>();
  for (const d of ev.digests) {
    const list = byRegion.get(d.region) ?? [];
    list.push(d);
    byRegion.set(d.region, list);
  }
  let proven = 0;
  for (const [region, list] of [...byRegion].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const seenKeys = new Set(list.map((d) => d.s3Object));
    for (const [i, d] of list.entries()) {
      const a = ms(d.start);
      const b = ms(d.end);
      if (a === null || b === null) continue;
      const missing = d.logFiles.filter((k) => !have.has(k.slice(k.lastIndexOf('/') + 1)));
      if (missing.length > 0) {
        out.negatives.push({
          start: a,
          end: b,
          kind: 'log-file-missing',
          cause: `${missing.length} log file(s) listed in digest ${d.file} (${region}) are not in the snapshot (first: ${missing[0]})`,
        });
      } else {
        positives.push({ start: a, end: b });
        proven++;
      }
      const prev = list[i - 1];
      if (prev === undefined) continue;
      const prevEnd = ms(prev.end);
      if (prevEnd === null) continue;
      if (d.previousS3Object === null || d.previousS3Object !== prev.s3Object) {
        const lost = d.previousS3Object !== null && !seenKeys.has(d.previousS3Object);
        out.negatives.push({
          start: prevEnd,
          end: a,
          kind: 'digest-chain-broken',
          cause:
            d.previousS3Object === null
              ? `the digest chain in ${region} restarts at ${when(a)} (digest ${d.file} has no previous digest: logging or validation was off before it)`
              : lost
                ? `the digest chain in ${region} is broken: ${d.file} follows ${d.previousS3Object}, which is not in the snapshot`
                : `the digest chain in ${region} is broken before ${d.file}`,
        });
      }
    }
  }
  for (const f of ev.failed) out.notes.push(`Digest file ${f.file} could not be used: ${f.reason}.`);
  if (proven > 0) out.proofs.push(`${proven} digest file(s) whose listed log files are all in the snapshot`);
}

/** Builds the observed intervals of one account (see the module comment). */
export function accountDelivery(activity: AccountActivity): AccountDelivery {
  const out: AccountDelivery = {
    observed: [],
    negatives: [],
    proofs: [],
    evidenceEndMs: null,
    evidenceEndBasis: 'none',
    edgeSlackMs: DELIVERY_CADENCE_MS,
    unprovenText: 'no log file, digest or collection record covers',
    ignoredTrailChanges: [],
    notes: [],
  };
  const ct = activity.cloudTrail;
  const positives: MsInterval[] = [];

  let fileIntervals = 0;
  for (const r of ct?.deliveryIntervals ?? []) {
    for (const i of r.intervals) {
      const a = ms(i.start);
      const b = ms(i.end);
      if (a === null || b === null) continue;
      positives.push({ start: a, end: b });
      fileIntervals++;
    }
  }
  if (fileIntervals > 0) out.proofs.push('log files (event and delivery times at most an hour apart)');

  // Where the evidence ends: the collection's read time, else the newest time inside the files.
  const manifest = activity.delivery?.manifest;
  // The collector reads the logs up to a little before its read time (delivery lags a few
  // minutes): the evidence ends where its complete spans end, never after the read time.
  const manifestReadAt = manifest ? ms(manifest.sources['cloudtrail']?.readAt ?? manifest.finishedAt) : null;
  const completeEnds = (manifest?.logs.complete ?? []).map((c) => ms(c.end)).filter((t): t is number => t !== null);
  const readAt = manifestReadAt !== null && completeEnds.length > 0 ? Math.min(manifestReadAt, Math.max(...completeEnds)) : manifestReadAt;
  if (readAt !== null) {
    out.evidenceEndMs = readAt;
    out.evidenceEndBasis = 'collect-manifest';
  } else {
    const candidates: number[] = [];
    for (const r of ct?.deliveryIntervals ?? []) for (const i of r.intervals) candidates.push(ms(i.end) ?? NEG_INF);
    for (const d of activity.delivery?.digests?.digests ?? []) candidates.push(ms(d.end) ?? NEG_INF);
    const st = activity.delivery?.trailStatus;
    for (const t of [st?.latestDeliveryTime, st?.latestDigestDeliveryTime, ct?.lastEvent]) candidates.push(ms(t) ?? NEG_INF);
    const newest = Math.max(NEG_INF, ...candidates);
    if (Number.isFinite(newest)) {
      out.evidenceEndMs = newest;
      out.evidenceEndBasis = 'newest-time-inside';
    }
  }

  digestProofs(activity, out, positives);
  trailStatusProofs(activity, out, positives, out.evidenceEndMs);
  manifestFailures(activity, out);
  trailChangeProofs(activity, out);

  const joined = unionIntervals(positives, DELIVERY_CADENCE_MS);
  const negatives = unionIntervals(out.negatives);
  const end = out.evidenceEndMs ?? NEG_INF;
  out.observed = clipIntervals(subtractIntervals(joined, negatives), NEG_INF, end);
  out.negatives.sort((a, b) => a.start - b.start || a.end - b.end || (a.kind < b.kind ? -1 : 1));
  return out;
}
