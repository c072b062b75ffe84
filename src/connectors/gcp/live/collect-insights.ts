/**
 * IAM policy insights of one project (`recommender/insights.json`, the REST `{ insights: [...] }`
 * shape ../recommender.ts reads), with --recommender-insights: extra evidence of use (an exercised
 * permission is used). The Recommender needs Security Command Center Premium or Enterprise; without
 * it the call is refused and a warning says so — no verdict depends on insights.
 */

import { join } from 'node:path';
import { listPolicyInsights } from './recommender.js';
import { writeJson, type ProjectContext } from './collect-context.js';
import { problem } from './collect-problem.js';

export async function collectInsights(ctx: ProjectContext, readAt: Date): Promise<void> {
  try {
    const insights = await listPolicyInsights(ctx.clients, ctx.projectId);
    await writeJson(join(ctx.projectDir, 'recommender', 'insights.json'), { insights }, ctx.opts.trackTemp);
    ctx.manifest.sourceRead('recommender', readAt);
  } catch (err) {
    ctx.rethrowCredentials(err);
    ctx.warn(
      'insights-unreadable',
      problem(
        `IAM policy insights (Recommender) of ${ctx.projectId}`,
        'recommender.iamPolicyInsights.list',
        'no permission is credited as used from insights (they need Security Command Center Premium or Enterprise)',
        err,
      ),
    );
  }
}
