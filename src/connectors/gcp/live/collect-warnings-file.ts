/**
 * `collect-warnings.json` as `collect gcp` writes it (read back by ../collect-warnings.ts): each
 * project's own warnings with the caller, in one order; and the warnings that belong to no
 * collected project (projects that failed, the run's own), which travel in the first collected
 * project's file, since the report reads warnings per project folder.
 */

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReportWarning } from '../../../model/report.js';
import { writeFileAtomic, type TempTracker } from '../../shared/atomic-file.js';
import { GCP_COLLECT_WARNINGS_FILE } from '../collect-warnings.js';
import type { GcpCaller } from './clients.js';
import { writeJson } from './collect-context.js';
import type { CollectGcpProjectResult } from './collect-project.js';
import { stringify } from './gcloud-json.js';

/** Sorts `warnings` in place (by code, then message) and writes them with the caller. */
export async function writeProjectWarnings(
  projectDir: string,
  caller: GcpCaller,
  warnings: ReportWarning[],
  trackTemp: TempTracker | undefined,
): Promise<void> {
  warnings.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : a.message < b.message ? -1 : 1));
  await writeJson(
    join(projectDir, GCP_COLLECT_WARNINGS_FILE),
    {
      caller: { ...caller },
      warnings: warnings.map(({ code, message }) => ({ code, message })),
    },
    trackTemp,
  );
}

/** Appends `extra` to the first collected project's file and to its result's warnings. */
export async function addToFirstProject(
  first: CollectGcpProjectResult,
  extra: { code: string; message: string }[],
  trackTemp: TempTracker | undefined,
): Promise<void> {
  const file = join(first.projectDir, GCP_COLLECT_WARNINGS_FILE);
  const onDisk = JSON.parse(await readFile(file, 'utf8')) as { warnings: { code: string; message: string }[] };
  for (const f of extra) {
    onDisk.warnings.push({ code: f.code, message: f.message });
    first.warnings.push({ code: f.code, message: f.message, account: first.projectId });
  }
  await writeFileAtomic(file, stringify(onDisk), trackTemp);
}
