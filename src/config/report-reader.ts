/**
 * Reads a permdrift JSON report back: a baseline for `scan`, or an input of `diff` and `trend`. One
 * reader, one set of messages; every way it can fail names the file (as `baseline <file>` when it
 * is a baseline), and only the hint on making the right file differs by use.
 */

import { readFile } from 'node:fs/promises';
import { ConfigError, InputError, type PermdriftErrorOptions } from '../model/errors.js';
import { READABLE_SCHEMA_VERSIONS, type Report } from '../model/report.js';
import { validateReport } from '../model/validate-report.js';
import { TOO_LARGE_HINT, tooLargeReason } from './report-size.js';

/** `baseline`: `scan --baseline` (a config input: ConfigError); `report`: a report given to diff or trend (InputError). */
export type ReportUse = 'baseline' | 'report';

const USES = {
  baseline: {
    label: (file: string) => `baseline ${file}`,
    problem: (message: string, hint: string, options: PermdriftErrorOptions) => new ConfigError(message, hint, options),
    unreadableHint: 'create one with `permdrift baseline update <dir> --baseline <file>`, or check the path',
    otherVersionHint: 'regenerate the baseline with this version: `permdrift baseline update <dir> --baseline <file>`',
  },
  report: {
    label: (file: string) => file,
    problem: (message: string, hint: string, options: PermdriftErrorOptions) => new InputError(message, hint, options),
    unreadableHint: 'check the path',
    otherVersionHint: 'regenerate the report with this version of permdrift, or run the version that wrote it',
  },
} as const;

const NOT_A_REPORT_HINT = 'give a JSON report written by `permdrift scan … --format json`';

function why(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message;
}

/** Reads and validates one report; `file` as the user wrote it (relative to the process's cwd). */
export async function readReportFile(file: string, use: ReportUse): Promise<Report> {
  const { label, problem, unreadableHint, otherVersionHint } = USES[use];
  const name = label(file);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    const tooLarge = tooLargeReason(cause);
    if (tooLarge) throw problem(`${name} is ${tooLarge}`, TOO_LARGE_HINT, { cause, file });
    throw problem(`cannot read ${name}: ${why(cause)}`, unreadableHint, { cause, file });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw problem(`${name} is not a permdrift report: not JSON (${(cause as Error).message})`, NOT_A_REPORT_HINT, { cause, file });
  }
  const fields = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  const kind = fields?.['kind'];
  if (kind === 'permdrift-diff' || kind === 'permdrift-trend') {
    throw problem(`${name} is a ${kind} output, not a report`, NOT_A_REPORT_HINT, { file });
  }
  if (fields && 'schemaVersion' in fields && !READABLE_SCHEMA_VERSIONS.includes(fields['schemaVersion'] as number)) {
    throw problem(
      `${name} has schemaVersion ${JSON.stringify(fields['schemaVersion'])}; this permdrift reads schemaVersion ${READABLE_SCHEMA_VERSIONS.join(' and ')}`,
      otherVersionHint,
      { file },
    );
  }
  const validation = validateReport(value);
  if (!validation.isValid) {
    const [first = 'invalid', ...rest] = validation.errors;
    const more = rest.length > 0 ? ` (and ${rest.length} more problem${rest.length === 1 ? '' : 's'})` : '';
    throw problem(`${name} is not a permdrift report: ${first}${more}`, NOT_A_REPORT_HINT, { file });
  }
  // Validated against the schema just above: this is the edge where the cast belongs.
  return value as Report;
}
