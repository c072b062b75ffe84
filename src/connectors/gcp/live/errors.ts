/**
 * One view of the errors the two transports raise: google-gax's REST fallback and
 * google-auth-library's `request()` both throw gaxios errors carrying the HTTP status and the
 * JSON error body (`{error: {code, status, message, details: [ErrorInfo…]}}`); gax may also throw
 * a GoogleError with a gRPC code. Classification decides retry (quota, 5xx), warning (denied, API
 * disabled, not found) or stop (credentials).
 */

import { PermdriftError } from '../../../model/errors.js';
import { isCallTimeout } from '../../shared/call-timeouts.js';

export interface GcpErrorInfo {
  /** HTTP status, or the gRPC code mapped to one. */
  httpStatus: number | undefined;
  /** `RESOURCE_EXHAUSTED`, `PERMISSION_DENIED`, … when the body names it. */
  status: string | undefined;
  /** ErrorInfo.reason: `SERVICE_DISABLED`, `RATE_LIMIT_EXCEEDED`, `IAM_PERMISSION_DENIED`, … */
  reason: string | undefined;
  /** ErrorInfo.metadata.service, when given (the disabled API). */
  service: string | undefined;
  /** ErrorInfo.metadata.consumer (`projects/123`): the project the API must be enabled in. */
  consumer: string | undefined;
  message: string;
}

const GRPC_TO_HTTP: Record<number, number> = { 3: 400, 4: 504, 5: 404, 7: 403, 8: 429, 9: 400, 13: 500, 14: 503, 16: 401 };
const GRPC_STATUS: Record<number, string> = {
  3: 'INVALID_ARGUMENT',
  4: 'DEADLINE_EXCEEDED',
  5: 'NOT_FOUND',
  7: 'PERMISSION_DENIED',
  8: 'RESOURCE_EXHAUSTED',
  13: 'INTERNAL',
  14: 'UNAVAILABLE',
  16: 'UNAUTHENTICATED',
};

interface ErrorBody {
  code?: number;
  status?: string;
  message?: string;
  details?: { '@type'?: string; reason?: string; metadata?: Record<string, string> }[];
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

function bodyOf(err: Record<string, unknown>): ErrorBody | undefined {
  const response = record(err['response']);
  let data: unknown = response?.['data'];
  if (typeof data === 'string') data = parseJson(data);
  if (data === undefined && typeof err['message'] === 'string') data = parseJson(err['message']);
  const inner = record(record(data)?.['error']);
  return inner as ErrorBody | undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Long token-like strings (keys, tokens) never reach a message. */
function redact(text: string): string {
  return text.replace(/[A-Za-z0-9_\-./+=]{80,}/g, '…');
}

export function gcpError(err: unknown): GcpErrorInfo {
  // Our own: a call whose attempts ran out of time (gRPC's name for it, the message names the call and the limit).
  if (isCallTimeout(err))
    return { httpStatus: undefined, status: 'DEADLINE_EXCEEDED', reason: undefined, service: undefined, consumer: undefined, message: err.message };
  const e = record(err) ?? {};
  const body = bodyOf(e);
  const response = record(e['response']);
  let httpStatus = typeof response?.['status'] === 'number' ? response['status'] : typeof e['status'] === 'number' ? e['status'] : undefined;
  let status = body?.status;
  if (httpStatus === undefined && typeof body?.code === 'number') httpStatus = body.code;
  // A GoogleError: gRPC code, reason and metadata as properties.
  if (httpStatus === undefined && typeof e['code'] === 'number') {
    const code = e['code'];
    httpStatus = code >= 100 ? code : GRPC_TO_HTTP[code];
    status ??= code < 100 ? GRPC_STATUS[code] : undefined;
  }
  const info = body?.details?.find((d) => (d['@type'] ?? '').endsWith('google.rpc.ErrorInfo'));
  const reason = info?.reason ?? (typeof e['reason'] === 'string' ? e['reason'] : undefined);
  const meta = info?.metadata ?? (record(e['errorInfoMetadata']) as Record<string, string> | undefined);
  const raw = body?.message ?? (err instanceof Error ? err.message : String(err));
  return { httpStatus, status, reason, service: meta?.['service'], consumer: meta?.['consumer'], message: redact(raw.split('\n')[0] ?? raw) };
}

/** Quota and rate errors, and transient server errors: worth another attempt. */
export function isRetryable(info: GcpErrorInfo): boolean {
  if (info.httpStatus === 429 || info.status === 'RESOURCE_EXHAUSTED') return true;
  if (info.httpStatus !== undefined && info.httpStatus >= 500) return true;
  return info.status === 'UNAVAILABLE' || info.status === 'DEADLINE_EXCEEDED' || info.status === 'INTERNAL';
}

export function isServiceDisabled(info: GcpErrorInfo): boolean {
  return info.reason === 'SERVICE_DISABLED' || info.reason === 'API_DISABLED' || /has not been used in project|is disabled/i.test(info.message);
}

export function isDenied(info: GcpErrorInfo): boolean {
  return info.httpStatus === 403 || info.status === 'PERMISSION_DENIED';
}

export function isNotFound(info: GcpErrorInfo): boolean {
  return info.httpStatus === 404 || info.status === 'NOT_FOUND';
}

/** A short `403 PERMISSION_DENIED (SERVICE_DISABLED): message` label for warnings. */
export function describe(info: GcpErrorInfo): string {
  const head = [info.httpStatus, info.status].filter((x) => x !== undefined).join(' ') || 'error';
  return `${head}${info.reason ? ` (${info.reason})` : ''}: ${info.message}`;
}

const ADC_HINT =
  'run `gcloud auth application-default login` (or set GOOGLE_APPLICATION_CREDENTIALS to a key file, or run on GCP with an attached service account), then try again';

/** Credentials that cannot be loaded, refreshed or are refused as such: the run cannot go on. */
export function isCredentialsError(err: unknown): boolean {
  const text = err instanceof Error ? err.message : String(err);
  if (
    /Could not load the default credentials|Unable to detect a Project Id|invalid_grant|invalid_rapt|reauth|The incoming JSON object does not contain|Error: error:1E08010C|DECODER routines/i.test(
      text,
    )
  )
    return true;
  const info = gcpError(err);
  return info.httpStatus === 401 || info.status === 'UNAUTHENTICATED';
}

export function credentialsError(err: unknown, impersonate: string | undefined): PermdriftError {
  const info = gcpError(err);
  const text = err instanceof Error ? err.message : String(err);
  if (/Could not load the default credentials/i.test(text)) {
    return new PermdriftError('CREDENTIALS', 'no Google Cloud credentials found (Application Default Credentials)', ADC_HINT, { cause: err });
  }
  const what = /invalid_grant|invalid_rapt|reauth|expired/i.test(text)
    ? 'Google Cloud credentials have expired or were revoked'
    : 'Google Cloud refused the credentials';
  return new PermdriftError('CREDENTIALS', `${what}${impersonate ? ` (impersonating ${impersonate})` : ''}: ${describe(info)}`, ADC_HINT, { cause: err });
}

/** Impersonation refused: the caller lacks roles/iam.serviceAccountTokenCreator on the target. */
export function impersonationError(err: unknown, target: string): PermdriftError {
  return new PermdriftError(
    'CREDENTIALS',
    `cannot impersonate ${target}: ${describe(gcpError(err))}`,
    `grant your identity roles/iam.serviceAccountTokenCreator (iam.serviceAccounts.getAccessToken) on ${target}, or run without --impersonate-service-account`,
    { cause: err },
  );
}
