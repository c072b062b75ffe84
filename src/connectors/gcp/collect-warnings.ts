/**
 * `<dir>/gcp/<P>/collect-warnings.json`, written by `permdrift collect gcp`: who collected the
 * project and what could not be read. Its warnings go into the report; those that say audit-log
 * evidence is missing become coverage gaps, so missing logs never read as "no usage".
 */

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { LogFileProblem } from '../../model/log-file-problem.js';
import { checkShape, readJsonFile } from './validate.js';

export const GCP_COLLECT_WARNINGS_FILE = 'collect-warnings.json';

/**
 * Warning codes meaning audit-log evidence is missing for (part of) the window: the reader treats
 * each as an unread log file (the engine then calls nothing unused from this project's logs).
 */
const GCP_LOG_GAP_CODES: readonly string[] = ['audit-logs-unreadable', 'audit-logs-incomplete', 'audit-log-object-unreadable', 'audit-logs-sink-empty'];

const schema = z.object({
  caller: z.object({ principal: z.string().optional(), credentialType: z.string().optional(), impersonating: z.string().optional() }).optional(),
  warnings: z.array(z.object({ code: z.string().min(1), message: z.string() })),
});

export interface GcpCollectRecord {
  file: string;
  /** `serviceAccount:scanner@… (impersonated by user:…)`, when known. */
  collectedBy?: string;
  warnings: { code: string; message: string }[];
  /** Warnings with a log-gap code, as unread log files. */
  logGaps: LogFileProblem[];
}

export function readGcpCollectWarnings(dir: string, projectId: string): GcpCollectRecord | undefined {
  const file = join(dir, 'gcp', projectId, GCP_COLLECT_WARNINGS_FILE);
  if (!existsSync(file)) return undefined;
  const hint = 'this file is written by `permdrift collect gcp`; delete it or collect again';
  const data = checkShape(schema, readJsonFile(file, hint), file, 'a permdrift collect-warnings file', hint);
  const c = data.caller;
  const who = c?.principal ?? c?.credentialType;
  const collectedBy = c?.impersonating ? `${c.impersonating}${who ? ` (impersonated by ${who})` : ''}` : who;
  return {
    file,
    ...(collectedBy ? { collectedBy } : {}),
    warnings: data.warnings,
    logGaps: data.warnings
      .filter((w) => GCP_LOG_GAP_CODES.includes(w.code))
      .map((w) => ({ file: `${GCP_COLLECT_WARNINGS_FILE} (${w.code})`, reason: w.message })),
  };
}
