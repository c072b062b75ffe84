/**
 * The warnings file both live collectors write in each account or project folder
 * (`collect-warnings.json`): its warnings in one order; and the warnings that belong to no
 * collected folder (accounts or projects that failed, the run's own), which travel in the first
 * collected folder's file, since the report reads warnings per folder.
 */

import { readFile } from 'node:fs/promises';
import type { ReportWarning } from '../../model/report.js';
import { writeFileAtomic, type TempTracker } from './atomic-file.js';

/** Sorts `warnings` in place: by code, then message. */
export function sortWarnings(warnings: ReportWarning[]): void {
  warnings.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : a.message < b.message ? -1 : 1));
}

/**
 * Appends `extra` to the warnings in `file` (written again with `stringify`, the provider's JSON)
 * and to the collected folder's result, as warnings of its account or project.
 */
export async function appendWarnings(
  file: string,
  extra: readonly { code: string; message: string }[],
  into: { warnings: ReportWarning[]; account: string },
  stringify: (value: unknown) => string,
  trackTemp: TempTracker | undefined,
): Promise<void> {
  const onDisk = JSON.parse(await readFile(file, 'utf8')) as { warnings: { code: string; message: string }[] };
  for (const f of extra) {
    onDisk.warnings.push({ code: f.code, message: f.message });
    into.warnings.push({ code: f.code, message: f.message, account: into.account });
  }
  await writeFileAtomic(file, stringify(onDisk), trackTemp);
}
