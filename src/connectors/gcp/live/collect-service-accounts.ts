/**
 * One project's service accounts (`service-accounts.json`) and each account's keys
 * (`service-account-keys/<email>.json`). Without the account list only the accounts named in
 * bindings are audited; a key listing that fails is one warning per kind of failure, naming the
 * accounts whose key age and use are therefore not judged.
 */

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../shared/atomic-file.js';
import { mapPool } from '../../shared/pool.js';
import type { ProjectContext } from './collect-context.js';
import { firstFive, problem } from './collect-problem.js';
import { stringify } from './gcloud-json.js';
import { listKeys, listServiceAccounts } from './iam.js';

/** Writes the project's service accounts and returns their emails, sorted (none when the list cannot be read). */
export async function collectServiceAccounts(ctx: ProjectContext, progress: (m: string) => void, readAt: Date): Promise<string[]> {
  const { opts, projectId } = ctx;
  progress('service accounts');
  try {
    const accounts = await listServiceAccounts(ctx.clients, projectId, opts.serviceAccountPageSize ?? 100);
    await writeFileAtomic(join(ctx.projectDir, 'service-accounts.json'), stringify(accounts), opts.trackTemp);
    ctx.manifest.sourceRead('service-accounts', readAt);
    return accounts.flatMap((a) => (typeof a === 'object' && a !== null && !Array.isArray(a) && typeof a['email'] === 'string' ? [a['email']] : [])).sort();
  } catch (err) {
    ctx.rethrowCredentials(err);
    ctx.warn(
      'service-accounts-unreadable',
      problem(`service accounts of ${projectId}`, 'iam.serviceAccounts.list', 'only accounts named in bindings are audited, and their keys are not read', err),
    );
    return [];
  }
}

/** Writes each account's keys; the source counts as read once any account's keys were written. */
export async function collectKeys(ctx: ProjectContext, emails: string[], progress: (m: string) => void, readAt: Date): Promise<void> {
  const keysDir = join(ctx.projectDir, 'service-account-keys');
  if (emails.length > 0) await mkdir(keysDir, { recursive: true });
  let keysDone = 0;
  let keysWritten = 0;
  const keyFailures = new Map<string, string[]>();
  await mapPool(emails, ctx.opts.concurrency ?? 8, async (email) => {
    try {
      const keys = await listKeys(ctx.clients, ctx.projectId, email);
      await writeFileAtomic(join(keysDir, `${email}.json`), stringify(keys), ctx.opts.trackTemp);
      keysWritten++;
    } catch (err) {
      ctx.rethrowCredentials(err);
      const key = problem('keys', 'iam.serviceAccountKeys.list', 'key age and use are not judged for these accounts', err);
      keyFailures.set(key, [...(keyFailures.get(key) ?? []), email]);
    }
    progress(`keys ${++keysDone}/${emails.length} accounts`);
  });
  if (keysWritten > 0) ctx.manifest.sourceRead('service-account-keys', readAt);
  // One warning per kind of failure, not one per account.
  for (const [message, list] of keyFailures) {
    ctx.warn('service-account-keys-unreadable', `${message} (${list.length} account(s): ${firstFive(list)})`);
  }
}
