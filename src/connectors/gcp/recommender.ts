/**
 * IAM policy insights from the Recommender: `<dir>/gcp/<P>/recommender/*.json`, written by
 *
 *   gcloud recommender insights list --insight-type=google.iam.policy.Insight \
 *     --project=P --location=global --format=json
 *
 * (a JSON array of Insight objects) or the REST `insights.list` response (`{ insights: [...] }`),
 * https://cloud.google.com/recommender/docs/insights/using-api. Each PERMISSIONS_USAGE insight
 * names a binding (`content.member`, `content.role`) and the permissions exercised through it over
 * `observationPeriod` (a duration such as `7776000s`) ending at `lastRefreshTime`
 * (https://cloud.google.com/iam/docs/manage-policy-insights). Other insight types are skipped.
 */

import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { GcpPolicyInsight } from '../../model/gcp/activity.js';
import { InputError } from '../../model/errors.js';
import { checkShape, readJsonFile } from './validate.js';

const HINT = 'write it with `gcloud recommender insights list --insight-type=google.iam.policy.Insight --project=P --location=global --format=json`';

const permissionList = z.array(z.object({ permission: z.string().min(1) })).optional();

const insightSchema = z.object({
  name: z.string().optional(),
  insightSubtype: z.string().optional(),
  content: z
    .object({
      member: z.string().optional(),
      role: z.string().optional(),
      condition: z.object({ expression: z.string().optional() }).optional(),
      exercisedPermissions: permissionList,
      inferredPermissions: permissionList,
    })
    .optional(),
  lastRefreshTime: z.string().optional(),
  observationPeriod: z.string().optional(),
  stateInfo: z.object({ state: z.string().optional() }).optional(),
});

const fileSchema = z.union([z.array(insightSchema), z.object({ insights: z.array(insightSchema).optional(), nextPageToken: z.string().optional() })]);

/** `7776000s` / `7776000.5s` → milliseconds; anything else → undefined. */
function durationMs(text: string | undefined): number | undefined {
  const m = /^(\d+(?:\.\d+)?)s$/.exec(text ?? '');
  return m ? Math.round(Number(m[1]) * 1000) : undefined;
}

function parseInsightsFile(raw: unknown, file: string): GcpPolicyInsight[] {
  const data = checkShape(fileSchema, raw, file, 'a list of IAM policy insights', HINT);
  const list = Array.isArray(data) ? data : (data.insights ?? []);
  const out: GcpPolicyInsight[] = [];
  list.forEach((insight, i) => {
    const c = insight.content;
    // Only permission-usage insights of a binding carry the fields below; others are not evidence here.
    if (!c?.member || !c.role) return;
    if (insight.insightSubtype !== undefined && insight.insightSubtype !== 'PERMISSIONS_USAGE') return;
    const end = insight.lastRefreshTime ? Date.parse(insight.lastRefreshTime) : Number.NaN;
    const period = durationMs(insight.observationPeriod);
    if (Number.isNaN(end) || period === undefined) {
      throw new InputError(`${file}: [${i}]: lastRefreshTime and observationPeriod (e.g. "7776000s") are needed to place the insight in time`, HINT, { file });
    }
    out.push({
      member: c.member,
      role: c.role,
      ...(c.condition?.expression ? { conditionExpression: c.condition.expression } : {}),
      exercisedPermissions: [...new Set((c.exercisedPermissions ?? []).map((p) => p.permission))].sort(),
      inferredPermissions: [...new Set((c.inferredPermissions ?? []).map((p) => p.permission))].sort(),
      lastRefreshTime: new Date(end).toISOString(),
      observationStart: new Date(end - period).toISOString(),
      state: insight.stateInfo?.state ?? 'ACTIVE',
      source: file,
    });
  });
  return out;
}

/** Every insight file of the project, in file-name order; `null` when there is no `recommender/` folder. */
export function readGcpPolicyInsights(dir: string, projectId: string): { files: string[]; insights: GcpPolicyInsight[] } | null {
  const folder = join(dir, 'gcp', projectId, 'recommender');
  if (!existsSync(folder) || !statSync(folder).isDirectory()) return null;
  const files = readdirSync(folder)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(folder, f));
  return { files, insights: files.flatMap((f) => parseInsightsFile(readJsonFile(f, HINT), f)) };
}
