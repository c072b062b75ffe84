/**
 * How SDK failures become permdrift's errors and warnings. Credentials problems stop the run (every
 * later call would fail the same way); AccessDenied and failures that outlived the SDK's retries on
 * one API become warnings, so the rest of the collection goes on and the gap is visible.
 */

import { PermdriftError } from '../../../model/errors.js';

const CREDENTIAL_CODES = new Set([
  'CredentialsProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'InvalidAccessKeyId',
  'TokenRefreshRequired',
  'InvalidToken',
]);

const ACCESS_DENIED_CODES = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'AllAccessDisabled']);

/** The AWS error code (SDK v3 puts it in `name`; `Code` for some unmodelled errors). */
export function awsErrorCode(err: unknown): string {
  if (typeof err !== 'object' || err === null) return 'Unknown';
  const e = err as { name?: unknown; Code?: unknown; code?: unknown };
  for (const v of [e.Code, e.name, e.code]) if (typeof v === 'string' && v !== '' && v !== 'Error') return v;
  return 'Unknown';
}

export function isAccessDenied(err: unknown): boolean {
  return ACCESS_DENIED_CODES.has(awsErrorCode(err));
}

export function isCredentialsError(err: unknown): boolean {
  return CREDENTIAL_CODES.has(awsErrorCode(err));
}

/**
 * After GetCallerIdentity succeeded, an "invalid token" answer from one region usually means the
 * region is not enabled for the account (opt-in regions), not bad credentials; only expiry and a
 * failing provider still mean the credentials are gone.
 */
export function isCredentialsGone(err: unknown): boolean {
  const code = awsErrorCode(err);
  return code === 'CredentialsProviderError' || /expired/i.test(code) || code === 'TokenRefreshRequired';
}

/**
 * Removes what could be a secret from a message before it reaches a log, an error or a file:
 * access key ids and anything that looks like a secret key or session token.
 */
function redact(text: string): string {
  return text.replace(/\b(AKIA|ASIA|AROA|AIDA)[A-Z0-9]{12,}\b/g, '$1…').replace(/[A-Za-z0-9/+=]{40,}/g, '…');
}

export function errorMessage(err: unknown): string {
  const raw = err instanceof Error ? err.message : String(err);
  return redact(raw.split('\n')[0] ?? raw);
}

/** `aws sso login` for SSO profiles is the common fix; name the profile the user chose. */
export function credentialsError(err: unknown, profile: string | undefined): PermdriftError {
  const code = awsErrorCode(err);
  const isExpired = /expired/i.test(code) || /expired/i.test(errorMessage(err));
  const what = isExpired ? 'AWS credentials have expired' : 'no usable AWS credentials';
  const hint = profile
    ? `run \`aws sso login --profile ${profile}\` (or refresh the profile's credentials), then try again`
    : 'sign in first (`aws sso login --profile <p>` and pass --profile <p>, or set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)';
  return new PermdriftError('CREDENTIALS', `${what}${profile ? ` for profile "${profile}"` : ''} (${code}: ${errorMessage(err)})`, hint, { cause: err });
}
