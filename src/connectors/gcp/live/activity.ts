/**
 * Policy Analyzer activity (`activities:query`): the last authentication of each service account
 * and each key, written as the JSON array `gcloud policy-intelligence query-activity
 * --activity-type=TYPE --project=P --format=json` prints.
 */

import type { GcpClients } from './clients.js';
import type { Json } from './gcloud-json.js';

export const ACTIVITY_TYPES = ['serviceAccountLastAuthentication', 'serviceAccountKeyLastAuthentication'] as const;
export type ActivityType = (typeof ACTIVITY_TYPES)[number];

export async function queryActivity(clients: GcpClients, projectId: string, type: ActivityType, pageSize = 1000): Promise<Json[]> {
  const activities: Json[] = [];
  let pageToken: string | undefined;
  do {
    const page: { activities?: Json[]; nextPageToken?: string } = await clients.rest(
      `policyanalyzer.projects.locations.activityTypes.activities.query:${type}`,
      'policyanalyzer',
      `/v1/projects/${encodeURIComponent(projectId)}/locations/global/activityTypes/${type}/activities:query`,
      { query: { pageSize: String(pageSize), pageToken } },
    );
    activities.push(...(page.activities ?? []));
    pageToken = page.nextPageToken || undefined;
  } while (pageToken);
  return activities;
}
