/**
 * Policy Analyzer's last-authentication activity of one project's service accounts and keys
 * (`activity/<type>.json`): each type is its own source in the manifest, and a type that cannot
 * be queried is a warning that its evidence is missing.
 */

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ACTIVITY_TYPES, queryActivity } from './activity.js';
import type { GcpClients } from './clients.js';
import { stringify } from './gcloud-json.js';
import type { ManifestRecorder } from '../../shared/collect-manifest-recorder.js';
import { writeFileAtomic, type TempTracker } from '../../shared/atomic-file.js';
import { problem } from './collect-problem.js';

export async function collectActivity(
  clients: GcpClients,
  projectId: string,
  projectDir: string,
  warn: (code: string, message: string) => void,
  rethrowCredentials: (err: unknown) => void,
  manifest: ManifestRecorder,
  readAt: Date,
  trackTemp: TempTracker | undefined,
): Promise<void> {
  for (const type of ACTIVITY_TYPES) {
    try {
      const activities = await queryActivity(clients, projectId, type);
      await mkdir(join(projectDir, 'activity'), { recursive: true });
      await writeFileAtomic(join(projectDir, 'activity', `${type}.json`), stringify(activities), trackTemp);
      manifest.sourceRead(`activity/${type}`, readAt);
    } catch (err) {
      rethrowCredentials(err);
      const permission =
        type === 'serviceAccountLastAuthentication'
          ? 'policyanalyzer.serviceAccountLastAuthenticationActivities.query'
          : 'policyanalyzer.serviceAccountKeyLastAuthenticationActivities.query';
      warn('activity-unreadable', problem(`Policy Analyzer ${type} of ${projectId}`, permission, 'last-authentication evidence is missing for it', err));
    }
  }
}
