/** IAM reads: authorization details (all pages), Access Advisor jobs, the credential report. */

import {
  GenerateCredentialReportCommand,
  GenerateServiceLastAccessedDetailsCommand,
  GetAccountAuthorizationDetailsCommand,
  GetCredentialReportCommand,
  GetServiceLastAccessedDetailsCommand,
  type GetAccountAuthorizationDetailsCommandOutput,
  type GetServiceLastAccessedDetailsCommandOutput,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { awsErrorCode } from './aws-errors.js';
import { mapPool } from '../../shared/pool.js';

export interface AuthorizationDetails {
  UserDetailList: NonNullable<GetAccountAuthorizationDetailsCommandOutput['UserDetailList']>;
  GroupDetailList: NonNullable<GetAccountAuthorizationDetailsCommandOutput['GroupDetailList']>;
  RoleDetailList: NonNullable<GetAccountAuthorizationDetailsCommandOutput['RoleDetailList']>;
  Policies: NonNullable<GetAccountAuthorizationDetailsCommandOutput['Policies']>;
}

/** Every page, merged into one document exactly as `aws iam get-account-authorization-details` prints it. */
export async function getAuthorizationDetails(iam: IAMClient, onPage?: (pages: number) => void): Promise<AuthorizationDetails> {
  const out: AuthorizationDetails = { UserDetailList: [], GroupDetailList: [], RoleDetailList: [], Policies: [] };
  let marker: string | undefined;
  let pages = 0;
  // Bounded: a misbehaving endpoint that always answers IsTruncated must not loop forever.
  for (let guard = 0; guard < 100_000; guard++) {
    const page = await iam.send(new GetAccountAuthorizationDetailsCommand({ MaxItems: 1000, ...(marker ? { Marker: marker } : {}) }));
    out.UserDetailList.push(...(page.UserDetailList ?? []));
    out.GroupDetailList.push(...(page.GroupDetailList ?? []));
    out.RoleDetailList.push(...(page.RoleDetailList ?? []));
    out.Policies.push(...(page.Policies ?? []));
    onPage?.(++pages);
    if (!page.IsTruncated || !page.Marker) break;
    marker = page.Marker;
  }
  return out;
}

export interface PollOptions {
  initialMs: number;
  maxMs: number;
  /** Give up on one job after this long. */
  timeoutMs: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const realSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface AccessAdvisorTarget {
  arn: string;
  kind: 'role' | 'user';
  name: string;
}

export type AccessAdvisorResult =
  | { target: AccessAdvisorTarget; isOk: true; details: Omit<GetServiceLastAccessedDetailsCommandOutput, '$metadata'> }
  | { target: AccessAdvisorTarget; isOk: false; code: string; reason: string; action?: string; error?: unknown };

async function fetchDetails(iam: IAMClient, jobId: string): Promise<GetServiceLastAccessedDetailsCommandOutput> {
  const first = await iam.send(new GetServiceLastAccessedDetailsCommand({ JobId: jobId }));
  if (first.JobStatus !== 'COMPLETED' || !first.IsTruncated) return first;
  // The service list pages too (MaxItems defaults to 100 services); merge it as the CLI does.
  const services = [...(first.ServicesLastAccessed ?? [])];
  let marker = first.Marker;
  for (let guard = 0; marker && guard < 1000; guard++) {
    const page = await iam.send(new GetServiceLastAccessedDetailsCommand({ JobId: jobId, Marker: marker }));
    services.push(...(page.ServicesLastAccessed ?? []));
    marker = page.IsTruncated ? page.Marker : undefined;
  }
  return { ...first, ServicesLastAccessed: services, IsTruncated: false, Marker: undefined };
}

async function oneJob(iam: IAMClient, target: AccessAdvisorTarget, poll: PollOptions): Promise<AccessAdvisorResult> {
  const sleep = poll.sleep ?? realSleep;
  const now = poll.now ?? (() => Date.now());
  let jobId: string | undefined;
  try {
    jobId = (await iam.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: target.arn, Granularity: 'ACTION_LEVEL' }))).JobId;
  } catch (error) {
    return {
      target,
      isOk: false,
      code: awsErrorCode(error),
      reason: 'GenerateServiceLastAccessedDetails failed',
      action: 'iam:GenerateServiceLastAccessedDetails',
      error,
    };
  }
  if (!jobId) return { target, isOk: false, code: 'NoJobId', reason: 'GenerateServiceLastAccessedDetails returned no JobId' };
  const start = now();
  let delay = poll.initialMs;
  for (;;) {
    await sleep(delay);
    let details: GetServiceLastAccessedDetailsCommandOutput;
    try {
      details = await fetchDetails(iam, jobId);
    } catch (error) {
      return {
        target,
        isOk: false,
        code: awsErrorCode(error),
        reason: 'GetServiceLastAccessedDetails failed',
        action: 'iam:GetServiceLastAccessedDetails',
        error,
      };
    }
    if (details.JobStatus === 'COMPLETED') {
      const { $metadata: _ignored, ...rest } = details;
      return { target, isOk: true, details: rest };
    }
    if (details.JobStatus === 'FAILED') {
      return { target, isOk: false, code: 'JobFailed', reason: `the job failed (${details.Error?.Message ?? 'no reason given'})` };
    }
    if (now() - start >= poll.timeoutMs) {
      return {
        target,
        isOk: false,
        code: 'Timeout',
        reason: `the job was still ${details.JobStatus ?? 'IN_PROGRESS'} after ${Math.round(poll.timeoutMs / 1000)}s`,
      };
    }
    delay = Math.min(delay * 1.5, poll.maxMs);
  }
}

/** One job per principal, at most `jobsInFlight` at a time (IAM limits concurrent report jobs). */
export async function collectAccessAdvisor(
  iam: IAMClient,
  targets: AccessAdvisorTarget[],
  opts: { jobsInFlight: number; poll: PollOptions; onDone?: (done: number, total: number) => void },
): Promise<AccessAdvisorResult[]> {
  let done = 0;
  return mapPool(targets, opts.jobsInFlight, async (t) => {
    const r = await oneJob(iam, t, opts.poll);
    opts.onDone?.(++done, targets.length);
    return r;
  });
}

export type CredentialReportResult = { isOk: true; report: Record<string, unknown> } | { isOk: false; code: string; reason: string; error?: unknown };

/** Generate, then fetch once the report is COMPLETE (IAM builds it asynchronously). */
export async function collectCredentialReport(iam: IAMClient, poll: PollOptions): Promise<CredentialReportResult> {
  const sleep = poll.sleep ?? realSleep;
  const now = poll.now ?? (() => Date.now());
  const start = now();
  let delay = poll.initialMs;
  try {
    for (;;) {
      const state = (await iam.send(new GenerateCredentialReportCommand({}))).State;
      if (state === 'COMPLETE') break;
      if (now() - start >= poll.timeoutMs)
        return { isOk: false, code: 'Timeout', reason: `the credential report was still ${state ?? 'STARTED'} after ${Math.round(poll.timeoutMs / 1000)}s` };
      await sleep(delay);
      delay = Math.min(delay * 1.5, poll.maxMs);
    }
    const { $metadata: _ignored, ...report } = await iam.send(new GetCredentialReportCommand({}));
    return { isOk: true, report };
  } catch (error) {
    return { isOk: false, code: awsErrorCode(error), reason: 'the credential report could not be read', error };
  }
}
