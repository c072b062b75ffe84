/**
 * IAM policy insights from the Recommender API, the live twin of `gcloud recommender insights list
 * --insight-type=google.iam.policy.Insight --project=P --location=global --format=json`:
 *
 *   GET https://recommender.googleapis.com/v1/projects/P/locations/global/insightTypes/google.iam.policy.Insight/insights
 *
 * (https://cloud.google.com/recommender/docs/insights/using-api; permission
 * `recommender.iamPolicyInsights.list`, https://cloud.google.com/iam/docs/insights). The pages are
 * concatenated and written as the REST `{ insights: [...] }` shape that the offline reader
 * (../recommender.ts) accepts. Policy insights need Security Command Center Premium or Enterprise
 * on the organization or project; without it the API refuses, and the collection says so in a
 * warning: insights are optional evidence of use, never needed for a verdict.
 */

import type { GcpClients } from './clients.js';
import type { Json } from './gcloud-json.js';

const POLICY_INSIGHT_TYPE = 'google.iam.policy.Insight';
const INSIGHTS_LIST_OPERATION = 'recommender.projects.locations.insightTypes.insights.list';

/** Every policy insight of the project (all pages). */
export async function listPolicyInsights(clients: GcpClients, projectId: string, pageSize = 100): Promise<Json[]> {
  const insights: Json[] = [];
  let pageToken: string | undefined;
  do {
    const page: { insights?: Json[]; nextPageToken?: string } = await clients.rest(
      INSIGHTS_LIST_OPERATION,
      'recommender',
      `/v1/projects/${encodeURIComponent(projectId)}/locations/global/insightTypes/${POLICY_INSIGHT_TYPE}/insights`,
      { query: { pageSize: String(pageSize), pageToken } },
    );
    insights.push(...(page.insights ?? []));
    pageToken = page.nextPageToken || undefined;
  } while (pageToken);
  return insights;
}
