/**
 * IAM Access Advisor (service last accessed) for each role and user of the account, written to
 * `access-advisor/<name>.json`; service-linked roles are skipped, and failures are one warning
 * per kind, naming the principals left without that evidence. The source counts as read once
 * any principal's answer was written.
 */

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../shared/atomic-file.js';
import { stringify } from './cli-json.js';
import type { AccountContext } from './collect-context.js';
import { deniedMessage } from './collect-problem.js';
import { eta } from './collect-progress.js';
import { collectAccessAdvisor, type AccessAdvisorTarget, type AuthorizationDetails } from './iam.js';

/** The roles (but the service-linked) and the users of the account. */
function targetsOf(auth: AuthorizationDetails): AccessAdvisorTarget[] {
  const targets: AccessAdvisorTarget[] = [];
  for (const r of auth.RoleDetailList) {
    // Service-linked roles cannot be edited and are skipped by the audit unless asked for.
    if (r.Arn && r.RoleName && !(r.Path ?? '').startsWith('/aws-service-role/')) targets.push({ arn: r.Arn, kind: 'role', name: r.RoleName });
  }
  for (const u of auth.UserDetailList) if (u.Arn && u.UserName) targets.push({ arn: u.Arn, kind: 'user', name: u.UserName });
  return targets;
}

export async function collectAdvisor(ctx: AccountContext, auth: AuthorizationDetails, progress: (m: string) => void): Promise<void> {
  const { opts } = ctx;
  const at = ctx.now();
  const targets = targetsOf(auth);
  const roleNames = new Set(targets.filter((t) => t.kind === 'role').map((t) => t.name));
  const userNames = new Set(targets.filter((t) => t.kind === 'user').map((t) => t.name));
  const advisorStart = Date.now();
  const results = await collectAccessAdvisor(ctx.clients.iam(), targets, {
    jobsInFlight: opts.accessAdvisorJobs ?? 8,
    poll: opts.accessAdvisorPoll ?? { initialMs: 500, maxMs: 5000, timeoutMs: 180_000 },
    onDone: (done, total) => progress(`Access Advisor ${done}/${total} principals${eta(advisorStart, done, total)}`),
  });
  const dir = join(ctx.accountDir, 'access-advisor');
  await mkdir(dir, { recursive: true });
  // One warning per kind of failure, not one per principal: 500 identical AccessDenied lines help nobody.
  const failures = new Map<string, string[]>();
  let written = 0;
  for (const r of results) {
    if (r.isOk) {
      const isShared = roleNames.has(r.target.name) && userNames.has(r.target.name);
      await writeFileAtomic(join(dir, `${isShared ? `${r.target.kind}.` : ''}${r.target.name}.json`), stringify(r.details), opts.trackTemp);
      written++;
      continue;
    }
    ctx.rethrowCredentials(r.error);
    const key = r.error
      ? deniedMessage(r.action ?? 'iam:GetServiceLastAccessedDetails', 'no Access Advisor evidence for these principals', r.error)
      : `Access Advisor: ${r.reason}`;
    failures.set(key, [...(failures.get(key) ?? []), `${r.target.kind}/${r.target.name}`]);
  }
  for (const [message, names] of failures) {
    const shown = names.slice(0, 5).join(', ') + (names.length > 5 ? ` and ${names.length - 5} more` : '');
    ctx.warn('access-advisor-failed', `${message} (${names.length} principal(s): ${shown})`);
  }
  if (written > 0) ctx.manifest.sourceRead('access-advisor', at);
}
