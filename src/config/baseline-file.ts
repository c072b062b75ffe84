/** Reads an earlier permdrift JSON report used as a baseline; anything else is a clear error. */

import { readFile } from 'node:fs/promises';
import { ConfigError } from '../model/errors.js';
import { TOO_LARGE_HINT, tooLargeReason } from './report-size.js';
import { READABLE_SCHEMA_VERSIONS, type Report } from '../model/report.js';
import { validateReport } from '../model/validate-report.js';

export async function readBaselineFile(path: string): Promise<Report> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    const tooLarge = tooLargeReason(cause);
    if (tooLarge) throw new ConfigError(`baseline ${path} is ${tooLarge}`, TOO_LARGE_HINT, { cause, file: path });
    throw new ConfigError(`cannot read baseline ${path}`, 'create one with `permdrift baseline update <dir> --baseline <file>`, or check the path', {
      cause,
      file: path,
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new ConfigError(`baseline ${path} is not JSON (${(cause as Error).message})`, 'pass a report written with --format json', { cause, file: path });
  }
  if (typeof value === 'object' && value !== null && 'schemaVersion' in value && !READABLE_SCHEMA_VERSIONS.includes(value.schemaVersion as number)) {
    throw new ConfigError(
      `baseline ${path} has schemaVersion ${JSON.stringify(value.schemaVersion)}; this permdrift reads schemaVersion ${READABLE_SCHEMA_VERSIONS.join(' and ')}`,
      'regenerate the baseline with this version: `permdrift baseline update <dir> --baseline <file>`',
      { file: path },
    );
  }
  const check = validateReport(value);
  if (!check.isValid) {
    throw new ConfigError(
      `baseline ${path} is not a permdrift report: ${check.errors.slice(0, 3).join('; ')}`,
      'pass a report written by `permdrift scan … --format json`',
      { file: path },
    );
  }
  return value as Report;
}
