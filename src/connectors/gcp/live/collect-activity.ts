/**
 * Policy Analyzer's last-authentication activity of one project's service accounts and keys
 * (`activity/<type>.json`): each type is its own source in the manifest, and a type that cannot
 * be queried is a warning that its evidence is missing.
 */

import { join } from 'node:path';
import { ACTIVITY_TYPES, queryActivity } from './activity.js';
import { writeJson, type ProjectContext } from './collect-context.js';
import { problem } from './collect-problem.js';

export async function collectActivity(ctx: ProjectContext, readAt: Date): Promise<void> {
  for (const type of ACTIVITY_TYPES) {
    try {
      const activities = await queryActivity(ctx.clients, ctx.projectId, type);
      await writeJson(join(ctx.projectDir, 'activity', `${type}.json`), activities, ctx.opts.trackTemp);
      ctx.manifest.sourceRead(`activity/${type}`, readAt);
    } catch (err) {
      ctx.rethrowCredentials(err);
      const permission =
        type === 'serviceAccountLastAuthentication'
          ? 'policyanalyzer.serviceAccountLastAuthenticationActivities.query'
          : 'policyanalyzer.serviceAccountKeyLastAuthenticationActivities.query';
      ctx.warn(
        'activity-unreadable',
        problem(`Policy Analyzer ${type} of ${ctx.projectId}`, permission, 'last-authentication evidence is missing for it', err),
      );
    }
  }
}
