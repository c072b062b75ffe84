/** Reading reports and writing drift outputs (diff, trend): shared by the two commands. */

import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { InputError } from '../model/errors.js';
import type { Report } from '../model/report.js';
import { DRIFT_FORMATS, type DriftFormat } from '../reporters/drift-reporters.js';
import { validateReport } from '../model/validate-report.js';
import { writeReportFile } from './report-file.js';
import { pairOutputs } from './options.js';
import { type CommandContext } from './context.js';
import { isColorWanted } from './options.js';

import { TOO_LARGE_HINT, tooLargeReason } from '../config/report-size.js';

const REPORT_HINT = 'give a JSON report written by `permdrift scan … --format json`';

/** Reads and validates one report; every way it can fail names the file. */
export async function loadReportFile(file: string): Promise<Report> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const tooLarge = tooLargeReason(err);
    if (tooLarge) throw new InputError(`${file} is ${tooLarge}`, TOO_LARGE_HINT, { cause: err, file });
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message;
    throw new InputError(`cannot read ${file}: ${why}`, 'check the path', { cause: err, file });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${file} is not a permdrift report: not JSON (${(err as Error).message})`, REPORT_HINT, { cause: err, file });
  }
  const kind = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)['kind'] : undefined;
  if (kind === 'permdrift-diff' || kind === 'permdrift-trend') {
    throw new InputError(`${file} is a ${kind} output, not a report`, REPORT_HINT, { file });
  }
  const validation = validateReport(value);
  if (!validation.isValid) {
    const [first = 'invalid', ...rest] = validation.errors;
    if (first.startsWith('/schemaVersion')) {
      throw new InputError(`${file}: ${first}`, 'regenerate the report with this version of permdrift, or run the version that wrote it', { file });
    }
    const more = rest.length > 0 ? ` (and ${rest.length} more problem${rest.length === 1 ? '' : 's'})` : '';
    throw new InputError(`${file} is not a permdrift report: ${first}${more}`, REPORT_HINT, { file });
  }
  // Validated against the schema just above: this is the edge where the cast belongs.
  return value as Report;
}

export interface DriftTarget {
  format: DriftFormat;
  /** undefined = stdout. */
  file?: string;
}

function formatFromExtension(file: string): DriftFormat | undefined {
  const ext = extname(file).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.md' || ext === '.markdown') return 'markdown';
  if (ext === '.txt') return 'table';
  return undefined;
}

/** Pairs `--format` values with `-o` values, as `scan` does, with Markdown added. */
export function resolveDriftOutputs(formats: string[], outputs: string[]): DriftTarget[] {
  return pairOutputs(formats, outputs, DRIFT_FORMATS, formatFromExtension, 'diff.json');
}

export interface DriftOutputFlags {
  format: string[];
  output: string[];
  color: boolean;
  ascii: boolean;
  debug: boolean;
}

/** Renders to every target: stdout directly, files atomically. */
export async function writeDriftOutputs(
  ctx: CommandContext,
  targets: DriftTarget[],
  flags: DriftOutputFlags,
  render: (format: DriftFormat, opts: { isColor: boolean; isAscii: boolean }) => string,
): Promise<void> {
  for (const t of targets) {
    const isStdout = t.file === undefined;
    const isColor = t.format === 'table' && isStdout && isColorWanted({ isFlagOff: !flags.color, isTty: ctx.io.stdout.isTTY === true, env: ctx.io.env });
    const text = render(t.format, { isColor, isAscii: flags.ascii });
    if (isStdout) ctx.io.stdout.write(text);
    else await writeReportFile(t.file as string, text, ctx.io.cwd);
  }
}
