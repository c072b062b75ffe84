/**
 * Which CloudTrail error codes mean "the call failed authorization" (a denied attempt, not usage).
 * Every other error code (NoSuchKey, ValidationException, ThrottlingException, …) was raised after
 * authorization succeeded, so the call counts as use of the permission.
 *
 * Sources:
 * - CIS AWS Foundations Benchmark, "Ensure a log metric filter and alarm exist for unauthorized API
 *   calls": filter `{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }`
 *   https://docs.kics.io/2.1.6-integrations/queries/terraform-queries/aws/4c18a45b-4ab1-4790-9f83-399ac695f1e5
 *   (EC2 reports `Client.UnauthorizedOperation`, most JSON-protocol services `AccessDeniedException`).
 * - IAM user guide, access denied messages: "User: <arn> is not authorized to perform: <action> on
 *   resource: … because no identity-based policy allows …" / "… with an explicit deny …"
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied-authorization-id.html
 *   Used as a fallback for services whose code is not in the list but whose message says so.
 * - SNS `AuthorizationError` and the codes named in issue 3 (`UnauthorizedAccess`, `Unauthorized`,
 *   `NotAuthorized`, `AuthorizationErrorException`).
 *
 * The list errs towards "usage": a denied call wrongly counted as usage can only hide an "unused"
 * finding, while a used call wrongly counted as denied can invent one. So codes that some services
 * raise *after* IAM authorization succeeded stay out, e.g. Cognito's `NotAuthorizedException` (wrong
 * user password on AdminInitiateAuth), AppSync's `UnauthorizedException`, `ForbiddenException`, and
 * authentication failures (`InvalidClientTokenId`, `SignatureDoesNotMatch`, `AuthFailure`).
 */

const DENIED_CODES: ReadonlySet<string> = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'Client.UnauthorizedOperation',
  'UnauthorizedAccess',
  'Unauthorized',
  'NotAuthorized',
  'AuthorizationError',
  'AuthorizationErrorException',
]);

const NOT_AUTHORIZED_MESSAGE = 'not authorized to perform';

export function isAccessDenied(errorCode: string | null, errorMessage: string | null): boolean {
  if (errorCode !== null) {
    if (DENIED_CODES.has(errorCode)) return true;
    // The CIS filter's wildcards: `AccessDenied*` (e.g. AccessDeniedForDependencyException) and
    // `*UnauthorizedOperation`.
    if (errorCode.startsWith('AccessDenied') || errorCode.endsWith('UnauthorizedOperation')) return true;
  }
  return errorMessage !== null && errorMessage.includes(NOT_AUTHORIZED_MESSAGE);
}
