/**
 * The IAM credential report of the account (`credential-report.json`, for access-key
 * staleness). IAM serves a report up to four hours old, so it is recorded as read when it was
 * generated, not when it was fetched; a report that cannot be had is a warning.
 */

import { CREDENTIAL_REPORT_FILE } from '../snapshot.js';
import type { AccountContext } from './collect-context.js';
import { deniedMessage } from './collect-problem.js';
import { collectCredentialReport } from './iam.js';

export async function recordCredentialReport(ctx: AccountContext): Promise<void> {
  const at = ctx.now();
  const r = await collectCredentialReport(ctx.clients.iam(), ctx.opts.credentialReportPoll ?? { initialMs: 1000, maxMs: 5000, timeoutMs: 120_000 });
  if (r.isOk) {
    // IAM serves a report up to four hours old: its data is as of GeneratedTime, not of the call.
    const generated = r.report['GeneratedTime'];
    await ctx.record(CREDENTIAL_REPORT_FILE, r.report, generated instanceof Date && generated.getTime() < at.getTime() ? generated : at);
    return;
  }
  ctx.rethrowCredentials(r.error);
  ctx.warn(
    'credential-report-failed',
    r.error
      ? deniedMessage('iam:GenerateCredentialReport/GetCredentialReport', 'access-key staleness is judged without it', r.error)
      : `credential report: ${r.reason}`,
  );
}
