/**
 * The offline snapshot layout (README "Snapshot layout"): one folder per account under `<dir>/aws/`,
 * holding the files the AWS CLI writes. This module finds them and reads them into Inventory and
 * Activity; log files are streamed by the CloudTrail reader, never loaded whole.
 */

import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { z } from 'zod';
import type { AccountActivity, CloudTrailCoverage, EventSelectorCoverage, TrailCoverage } from '../../model/aws/activity.js';
import type { LogFileProblem } from '../../model/log-file-problem.js';
import type { AccessAdvisorRecord, AwsAccountInventory, Principal } from '../../model/aws/inventory.js';
import { InputError } from '../../model/errors.js';
import { type WalkProblem, followWalk } from '../shared/follow-walk.js';
import type { ReportWarning } from '../../model/report.js';
import { parseAccessAdvisorFile } from './access-advisor.js';
import { parseAuthorizationDetails } from './authorization-details.js';
import { readCloudTrail } from './cloudtrail/read-cloudtrail.js';
import { parseCredentialReport } from './credential-report.js';
import { parseEventSelectors } from './event-selectors.js';
import { TRAIL_STATUS_FILE, logFileName, parseTrailStatus, readDigests } from './delivery-files.js';
import { parseCollectManifest } from '../shared/collect-manifest-file.js';
import { COLLECT_MANIFEST_FILE } from '../../model/collect-manifest.js';
import type { DeliveryEvidence } from '../../model/aws/activity.js';

export const AUTH_DETAILS_FILE = 'iam-get-account-authorization-details.json';
export const EVENT_SELECTORS_FILE = 'cloudtrail-get-event-selectors.json';
export const DESCRIBE_TRAILS_FILE = 'cloudtrail-describe-trails.json';
export const CREDENTIAL_REPORT_FILE = 'iam-get-credential-report.json';
/** Written by `collect aws`: what the live collection could not read, so the report shows the gaps. */
export const COLLECT_WARNINGS_FILE = 'collect-warnings.json';
/** `aws sts get-caller-identity` output: who collected the snapshot. */
const CALLER_IDENTITY_FILE = 'sts-get-caller-identity.json';

export interface SnapshotAccountFiles {
  account: string;
  dir: string;
  authorizationDetails: string;
  eventSelectors?: string;
  describeTrails?: string;
  credentialReport?: string;
  collectWarnings?: string;
  callerIdentity?: string;
  cloudTrail: string[];
  /** CloudTrail digest files (log file integrity validation), kept apart from the logs. */
  cloudTrailDigests?: string[];
  trailStatus?: string;
  collectManifest?: string;
  accessAdvisor: string[];
  /** Entries under `cloudtrail/` or `access-advisor/` the walk could not read (broken links, loops, permissions). */
  unreadable?: (LogFileProblem & { folder: 'cloudtrail' | 'access-advisor' })[];
  /** Files in those folders whose names are not `.json` / `.jsonl` / `.ndjson` (optionally `.gz`): not read, warned about. */
  ignored?: { file: string; folder: 'cloudtrail' | 'access-advisor' }[];
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Why an entry of the snapshot could not be read, in a few words. */
function unreadableReason(err: unknown): string {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  if (code === 'ENOENT') return 'broken symbolic link (its target does not exist)';
  if (code === 'ELOOP') return 'symbolic link loop';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOTDIR') return 'broken symbolic link (a part of its target is not a folder)';
  return err instanceof Error ? err.message : String(err);
}

/** What the shared walk (../shared/follow-walk.ts) could not follow, in this report's words. */
function walkProblem(p: WalkProblem): LogFileProblem {
  return { file: p.path, reason: p.kind === 'folder' ? `folder cannot be read: ${unreadableReason(p.error)}` : unreadableReason(p.error) };
}

export async function discoverAwsSnapshot(root: string): Promise<SnapshotAccountFiles[]> {
  let rootStat;
  try {
    rootStat = await stat(root);
  } catch (cause) {
    throw new InputError(
      `snapshot folder ${root} does not exist or cannot be read`,
      'pass the folder that contains `aws/<account-id>/` (see README "Snapshot layout")',
      { cause },
    );
  }
  if (!rootStat.isDirectory()) {
    throw new InputError(`${root} is not a folder`, 'pass the folder that contains `aws/<account-id>/`');
  }
  const awsDir = join(root, 'aws');
  let names: string[];
  try {
    names = (await readdir(awsDir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch (cause) {
    throw new InputError(
      `${root} has no aws/ folder`,
      'lay the files out as `<dir>/aws/<account-id>/iam-get-account-authorization-details.json` (see README)',
      { cause },
    );
  }
  const accounts = names.filter((n) => /^\d{12}$/.test(n)).sort();
  if (accounts.length === 0) {
    throw new InputError(
      `${awsDir} holds no account folder (a 12-digit account id)`,
      'create `aws/<account-id>/` and put `aws iam get-account-authorization-details` output in it',
    );
  }
  const result: SnapshotAccountFiles[] = [];
  for (const account of accounts) {
    const dir = join(awsDir, account);
    const authorizationDetails = join(dir, AUTH_DETAILS_FILE);
    if (!(await isFile(authorizationDetails))) {
      throw new InputError(`account folder ${dir} has no ${AUTH_DETAILS_FILE}`, `run \`aws iam get-account-authorization-details > ${authorizationDetails}\``, {
        file: authorizationDetails,
      });
    }
    const files: SnapshotAccountFiles = { account, dir, authorizationDetails, cloudTrail: [], accessAdvisor: [] };
    for (const [key, name] of [
      ['eventSelectors', EVENT_SELECTORS_FILE],
      ['describeTrails', DESCRIBE_TRAILS_FILE],
      ['credentialReport', CREDENTIAL_REPORT_FILE],
      ['collectWarnings', COLLECT_WARNINGS_FILE],
      ['callerIdentity', CALLER_IDENTITY_FILE],
      ['trailStatus', TRAIL_STATUS_FILE],
      ['collectManifest', COLLECT_MANIFEST_FILE],
    ] as const) {
      const p = join(dir, name);
      if (await isFile(p)) files[key] = p;
    }
    for (const [key, sub] of [
      ['cloudTrail', 'cloudtrail'],
      ['accessAdvisor', 'access-advisor'],
    ] as const) {
      const p = join(dir, sub);
      const problems: LogFileProblem[] = [];
      let isDirectory = false;
      try {
        isDirectory = (await stat(p)).isDirectory();
      } catch (err) {
        // An absent folder is optional; one that is there (a link) but cannot be followed is not.
        const isPresent = await lstat(p).then(
          () => true,
          () => false,
        );
        if (isPresent) problems.push({ file: p, reason: `folder cannot be read: ${unreadableReason(err)}` });
      }
      if (isDirectory) {
        const walked = await followWalk(p);
        files[key].push(...walked.files);
        problems.push(...walked.problems.map(walkProblem));
        if (walked.ignored.length > 0) (files.ignored ??= []).push(...walked.ignored.map((file) => ({ file, folder: sub })));
      }
      files[key].sort();
      if (problems.length > 0) (files.unreadable ??= []).push(...problems.map((pr) => ({ ...pr, folder: sub })));
    }
    // Digest files live beside the logs (…/CloudTrail-Digest/<region>/…): proof of delivery, not events.
    const isDigest = (f: string): boolean => /[\\/]CloudTrail-Digest[\\/]|_CloudTrail-Digest_/.test(f);
    files.cloudTrailDigests = [...(files.cloudTrailDigests ?? []), ...files.cloudTrail.filter(isDigest)].sort();
    files.cloudTrail = files.cloudTrail.filter((f) => !isDigest(f));
    result.push(files);
  }
  return result;
}

async function readJsonFile(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new InputError(`cannot read ${path}`, `check that the ${what} file exists and is readable`, { cause, file: path });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new InputError(`${path} is not valid JSON (${(cause as Error).message})`, `write the ${what} again; the file may be truncated`, {
      cause,
      file: path,
    });
  }
}

const trailsFile = z.object({
  trailList: z.array(
    z.object({
      TrailARN: z.string().optional(),
      Name: z.string().optional(),
      IsMultiRegionTrail: z.boolean().optional(),
      IsOrganizationTrail: z.boolean().optional(),
      HomeRegion: z.string().optional(),
      IncludeGlobalServiceEvents: z.boolean().optional(),
    }),
  ),
});

function trailCoverage(json: unknown, source: string, trailArn: string | undefined): TrailCoverage {
  const parsed = trailsFile.safeParse(json);
  if (!parsed.success) {
    throw new InputError(
      `${source} is not \`aws cloudtrail describe-trails\` output`,
      'run `aws cloudtrail describe-trails > cloudtrail-describe-trails.json`',
      { file: source },
    );
  }
  const trails = parsed.data.trailList;
  const chosen = (trailArn ? trails.find((t) => t.TrailARN === trailArn) : undefined) ?? trails[0];
  if (!chosen) return {};
  // An organization trail records every account and region of the organization.
  const isMultiRegion = (chosen.IsMultiRegionTrail ?? false) || (chosen.IsOrganizationTrail ?? false) || trails.some((t) => t.IsMultiRegionTrail);
  return {
    isMultiRegion,
    ...(chosen.HomeRegion ? { homeRegion: chosen.HomeRegion } : {}),
    source,
    ...(chosen.Name ? { name: chosen.Name } : chosen.TrailARN ? { name: chosen.TrailARN.replace(/^.*:trail\//, '') } : {}),
  };
}

export interface LoadedAccount {
  inventory: AwsAccountInventory;
  activity: AccountActivity;
  warnings: ReportWarning[];
}

export interface LoadAccountOptions {
  windowStart: string;
  asOf: string;
  workers?: number;
  onProgress?: (p: { filesDone: number; filesTotal: number; bytesRead: number; bytesTotal: number; events: number }) => void;
}

function stem(file: string): string {
  return basename(file).replace(/\.json(\.gz)?$/i, '');
}

/** Matches each Access Advisor file to its principal (see the module comment for the naming rule). */
async function readAccessAdvisor(files: SnapshotAccountFiles, principals: Principal[], warnings: ReportWarning[]): Promise<AccessAdvisorRecord[]> {
  const byStem = new Map(files.accessAdvisor.map((f) => [stem(f), f]));
  const consumedAsJob = new Set<string>();
  const records: AccessAdvisorRecord[] = [];
  const lookupName = (s: string): Principal | undefined => {
    const qualified = /^(role|user)\.(.+)$/.exec(s);
    if (qualified) return principals.find((p) => p.kind === qualified[1] && p.name === qualified[2]);
    const named = principals.filter((p) => p.name === s);
    return named.length === 1 ? named[0] : undefined;
  };
  const parsedFiles = new Map<string, ReturnType<typeof parseAccessAdvisorFile>>();
  for (const f of files.accessAdvisor) {
    try {
      parsedFiles.set(f, parseAccessAdvisorFile(await readJsonFile(f, 'Access Advisor'), relative(files.dir, f)));
    } catch (err) {
      warnings.push({ code: 'access-advisor-unreadable', message: (err as Error).message, account: files.account, file: f });
    }
  }
  for (const [f, parsed] of parsedFiles) {
    if (parsed.kind === 'pointer') {
      const target = byStem.get(parsed.jobId);
      const detail = target ? parsedFiles.get(target) : undefined;
      const principal = lookupName(stem(f));
      if (!target || !detail || detail.kind !== 'details') {
        warnings.push({
          code: 'access-advisor-job-missing',
          message: `${relative(files.dir, f)} names job ${parsed.jobId} but access-advisor/${parsed.jobId}.json is missing or unreadable`,
          account: files.account,
          file: f,
        });
        continue;
      }
      consumedAsJob.add(target);
      if (!principal) {
        warnings.push({
          code: 'access-advisor-unmatched',
          message: `${relative(files.dir, f)}: no role or user named "${stem(f)}" in this account`,
          account: files.account,
          file: f,
        });
        continue;
      }
      records.push({ principalArn: principal.arn, ...detail.record });
    }
  }
  for (const [f, parsed] of parsedFiles) {
    if (parsed.kind !== 'details' || consumedAsJob.has(f)) continue;
    let principal = lookupName(stem(f));
    if (!principal && parsed.entities.length === 1) principal = principals.find((p) => p.arn === parsed.entities[0]);
    if (!principal) {
      warnings.push({
        code: 'access-advisor-unmatched',
        message: `${relative(files.dir, f)}: cannot tell which principal it describes; name the file after the role or user (e.g. access-advisor/<role-name>.json)`,
        account: files.account,
        file: f,
      });
      continue;
    }
    records.push({ principalArn: principal.arn, ...parsed.record });
  }
  records.sort((a, b) => (a.principalArn < b.principalArn ? -1 : a.principalArn > b.principalArn ? 1 : a.source < b.source ? -1 : 1));
  return records;
}

const collectWarningsFile = z.object({ warnings: z.array(z.object({ code: z.string(), message: z.string() })) });

/** Collection warnings that mean log evidence is missing, not merely an optional file. */
const LOG_GAP_CODES = new Set(['cloudtrail-object-unreadable', 'lookup-events-incomplete']);

function emptyCoverage(): CloudTrailCoverage {
  return {
    filesRead: 0,
    bytesRead: 0,
    eventsRead: 0,
    filesFailed: [],
    firstEvent: null,
    lastEvent: null,
    regions: [],
    eventsAfterAsOf: 0,
    lookupEventsFiles: 0,
    lookupEventsRegions: [],
    recordsSkipped: 0,
    recordsUnusable: [],
    recordsTimedByFile: 0,
    zonelessTimes: 0,
    deliveryIntervals: [],
    trailChanges: [],
  };
}

export async function loadAwsAccount(files: SnapshotAccountFiles, opts: LoadAccountOptions): Promise<LoadedAccount> {
  const warnings: ReportWarning[] = [];
  const collectGaps: LogFileProblem[] = [];
  if (files.collectWarnings) {
    const parsed = collectWarningsFile.safeParse(await readJsonFile(files.collectWarnings, 'collect warnings'));
    if (!parsed.success)
      warnings.push({
        code: 'collect-warnings-unreadable',
        message: `${COLLECT_WARNINGS_FILE} is not what \`permdrift collect aws\` writes; what the collection missed is unknown`,
        account: files.account,
        file: files.collectWarnings,
      });
    else {
      for (const w of parsed.data.warnings) {
        warnings.push({ ...w, account: files.account, file: files.collectWarnings });
        if (LOG_GAP_CODES.has(w.code)) collectGaps.push({ file: files.collectWarnings, reason: w.message });
      }
    }
  }
  const auth = parseAuthorizationDetails(
    await readJsonFile(files.authorizationDetails, 'authorization details'),
    files.account,
    relative(files.dir, files.authorizationDetails),
  );
  for (const w of auth.warnings) warnings.push({ ...w, account: files.account, file: files.authorizationDetails });

  let selectors: EventSelectorCoverage = { kind: 'assumed-default' };
  let trailArn: string | undefined;
  if (files.eventSelectors) {
    const json = await readJsonFile(files.eventSelectors, 'event selectors');
    selectors = parseEventSelectors(json, EVENT_SELECTORS_FILE);
    if (typeof json === 'object' && json !== null && 'TrailARN' in json && typeof json.TrailARN === 'string') trailArn = json.TrailARN;
  }
  const trail: TrailCoverage = files.describeTrails
    ? trailCoverage(await readJsonFile(files.describeTrails, 'trail description'), DESCRIBE_TRAILS_FILE, trailArn)
    : trailArn
      ? { name: trailArn.replace(/^.*:trail\//, '') }
      : {};

  const delivery: DeliveryEvidence = {};
  // Proof of delivery is optional evidence: a file of the wrong shape proves nothing and says so.
  if (files.trailStatus) {
    try {
      delivery.trailStatus = parseTrailStatus(await readJsonFile(files.trailStatus, 'trail status'), TRAIL_STATUS_FILE);
    } catch (err) {
      warnings.push({
        code: 'trail-status-unreadable',
        message: `${(err as Error).message}; it proves nothing`,
        account: files.account,
        file: files.trailStatus,
      });
    }
  }
  if (files.collectManifest) {
    try {
      delivery.manifest = parseCollectManifest(await readJsonFile(files.collectManifest, 'collection manifest'), COLLECT_MANIFEST_FILE, {
        provider: 'aws',
        scope: files.account,
      });
    } catch (err) {
      warnings.push({
        code: 'collect-manifest-unreadable',
        message: `${(err as Error).message}; it proves nothing`,
        account: files.account,
        file: files.collectManifest,
      });
    }
  }
  if ((files.cloudTrailDigests ?? []).length > 0) {
    delivery.digests = await readDigests(files.cloudTrailDigests ?? [], (f) => relative(files.dir, f));
    for (const f of delivery.digests.failed)
      warnings.push({ code: 'cloudtrail-digest-unreadable', message: `${f.file}: ${f.reason}; it proves nothing`, account: files.account, file: f.file });
  }
  delivery.logFileNames = [...new Set(files.cloudTrail.map(logFileName))].sort();

  let credentialReport: AwsAccountInventory['credentialReport'];
  if (files.credentialReport) {
    credentialReport = parseCredentialReport(await readJsonFile(files.credentialReport, 'credential report'), CREDENTIAL_REPORT_FILE);
  }

  const accessAdvisor = await readAccessAdvisor(files, auth.principals, warnings);

  let collectedBy: string | undefined;
  if (files.callerIdentity) {
    const identity = z.object({ Arn: z.string() }).safeParse(await readJsonFile(files.callerIdentity, 'caller identity'));
    if (identity.success) collectedBy = identity.data.Arn;
    else
      warnings.push({
        code: 'caller-identity-unreadable',
        message: `${CALLER_IDENTITY_FILE} is not \`aws sts get-caller-identity\` output`,
        account: files.account,
        file: files.callerIdentity,
      });
  }

  let cloudTrail: AccountActivity['cloudTrail'] = null;
  let calls: AccountActivity['calls'] = [];
  if (files.cloudTrail.length > 0) {
    const read = await readCloudTrail({
      files: files.cloudTrail,
      account: files.account,
      windowStart: opts.windowStart,
      asOf: opts.asOf,
      ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    });
    const failed = read.coverage.filesFailed;
    if (failed.length > 0 && failed.length === files.cloudTrail.length) {
      // Not one readable log file: most likely the wrong files, and every verdict would rest on nothing.
      throw new InputError(
        `none of the ${failed.length} CloudTrail file(s) under ${join(files.dir, 'cloudtrail')} could be read (first: ${relative(files.dir, failed[0]?.file ?? '')}: ${failed[0]?.reason ?? 'unknown'})`,
        'put CloudTrail log files as delivered to S3 ({"Records":[…]}, .json or .json.gz) or `aws cloudtrail lookup-events` output there, or remove the folder to scan without logs',
      );
    }
    cloudTrail = read.coverage;
    calls = read.calls;
    // Paths relative to the account folder, so the report is the same wherever the snapshot lives.
    cloudTrail.recordsUnusable = cloudTrail.recordsUnusable
      .map((u) => ({ ...u, file: relative(files.dir, u.file).split('\\').join('/') }))
      .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0));
    const unusableByFile = new Map<string, string[]>();
    for (const u of cloudTrail.recordsUnusable) unusableByFile.set(u.file, [...(unusableByFile.get(u.file) ?? []), `${u.count} ${u.reason}`]);
    for (const [file, parts] of unusableByFile) {
      warnings.push({
        code: 'cloudtrail-records-unusable',
        message: `${file}: records not used as they stand (${parts.join(', ')}); those without a usable time make their caller's claims unverifiable unless the file name dates them`,
        account: files.account,
        file: join(files.dir, file),
      });
    }
    for (const f of failed) {
      warnings.push({
        code: 'cloudtrail-file-unreadable',
        message: `${relative(files.dir, f.file)}: ${f.reason}; its events are a coverage gap`,
        account: files.account,
        file: f.file,
      });
    }
  }
  // An entry of the snapshot that could not be followed hides whatever it holds.
  for (const folder of ['cloudtrail', 'access-advisor'] as const) {
    const list = (files.ignored ?? []).filter((i) => i.folder === folder);
    if (list.length === 0) continue;
    warnings.push({
      code: 'snapshot-files-ignored',
      message: `${list.length} file(s) under ${folder}/ were not read: their names do not end in .json, .jsonl or .ndjson (optionally .gz) (first: ${relative(files.dir, list[0]?.file ?? '')}); rename them if they hold ${folder === 'cloudtrail' ? 'CloudTrail records' : 'Access Advisor output'}`,
      account: files.account,
      file: list[0]?.file ?? '',
    });
  }
  for (const u of files.unreadable ?? []) {
    const isLogs = u.folder === 'cloudtrail';
    warnings.push({
      code: isLogs ? 'cloudtrail-file-unreadable' : 'access-advisor-unreadable',
      message: `${relative(files.dir, u.file)}: ${u.reason}; ${isLogs ? 'the events in it are a coverage gap' : 'the Access Advisor details in it are not read'}`,
      account: files.account,
      file: u.file,
    });
    if (isLogs) collectGaps.push({ file: u.file, reason: u.reason });
  }
  // What `collect aws` could not download is as much a gap as a file that cannot be read here.
  if (collectGaps.length > 0) {
    cloudTrail ??= emptyCoverage();
    cloudTrail.filesFailed.push(...collectGaps);
  }

  const inventoryReadAt = delivery.manifest?.sources['iam-get-account-authorization-details']?.readAt ?? delivery.manifest?.finishedAt;
  let newestInside: string | undefined;
  for (const p of auth.principals) {
    for (const t of [p.createDate, p.roleLastUsed?.lastUsedDate])
      if (t && !Number.isNaN(Date.parse(t)) && (!newestInside || t > newestInside)) newestInside = t;
  }
  const readAt: AwsAccountInventory['readAt'] = inventoryReadAt
    ? { time: inventoryReadAt, basis: 'collect-manifest' }
    : newestInside
      ? { time: new Date(Date.parse(newestInside)).toISOString(), basis: 'newest-time-inside' }
      : undefined;

  return {
    inventory: {
      provider: 'aws',
      account: files.account,
      principals: auth.principals,
      ...(readAt ? { readAt } : {}),
      accessAdvisor,
      ...(credentialReport ? { credentialReport } : {}),
      ...(collectedBy ? { collectedBy } : {}),
    },
    activity: { provider: 'aws', account: files.account, calls, cloudTrail, selectors, trail, delivery },
    warnings,
  };
}
