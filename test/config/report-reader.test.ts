/**
 * One reader of reports: `scan --baseline` and `diff` / `trend` read a report JSON through
 * readReportFile, so the same bad file gives the same message on both paths (the baseline is named
 * `baseline <file>`), each naming the file, with a hint and exit 2.
 */

import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { readReportFile } from '../../src/config/report-reader.js';
import { ConfigError, InputError } from '../../src/model/errors.js';

const ROOT = join(import.meta.dirname, '..', '..');
const WEEK1 = join(ROOT, 'fixtures', 'reports', 'weekly', '2026-06-16.json');
const SNAPSHOT = join(ROOT, 'fixtures', 'aws', 'demo');

function sink(): PassThrough & { text: () => string } {
  const s = new PassThrough() as PassThrough & { text: () => string };
  let out = '';
  s.on('data', (d: Buffer) => (out += d.toString()));
  s.text = () => out;
  return s;
}

async function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  const stderr = sink();
  const code = await run(args, { stdout: sink(), stderr, env: { NO_COLOR: '1' } });
  return { code, stderr: stderr.text() };
}

/** Bad files, each with the message the reader gives for it (read as a report to diff). */
function badFiles(): { file: string; message: string }[] {
  const dir = mkdtempSync(join(tmpdir(), 'permdrift-reader-'));
  const week1 = JSON.parse(readFileSync(WEEK1, 'utf8')) as Record<string, unknown>;
  const at = (name: string, text?: string): string => {
    const file = join(dir, name);
    if (text !== undefined) writeFileSync(file, text);
    return file;
  };
  const folder = at('folder.json');
  mkdirSync(folder);
  const missing = at('missing.json');
  const garbage = at('garbage.json', '{ not json');
  const diff = at('diff.json', JSON.stringify({ kind: 'permdrift-diff', schemaVersion: 1 }));
  const future = at('future.json', JSON.stringify({ ...week1, schemaVersion: 3 }));
  const other = at('other.json', JSON.stringify({ Records: [] }));
  return [
    { file: missing, message: `cannot read ${missing}: no such file` },
    { file: folder, message: `cannot read ${folder}: it is a directory` },
    { file: garbage, message: `${garbage} is not a permdrift report: not JSON (` },
    { file: diff, message: `${diff} is a permdrift-diff output, not a report` },
    { file: future, message: `${future} has schemaVersion 3; this permdrift reads schemaVersion 1 and 2` },
    { file: other, message: `${other} is not a permdrift report: / must have required property 'schemaVersion' (and 9 more problems)` },
  ];
}

/** The `error:` line, with the baseline's label taken off so the two paths can be compared. */
function errorLine(stderr: string, file: string): string {
  return (stderr.split('\n').find((l) => l.startsWith('error: ')) ?? '').replace(`baseline ${file}`, file);
}

describe('readReportFile', () => {
  it('gives scan --baseline and diff the same message for the same bad file, naming it, with a hint (exit 2)', async () => {
    for (const { file, message } of badFiles()) {
      const asBaseline = await cli(['scan', 'files', SNAPSHOT, '--baseline', file]);
      const asInput = await cli(['diff', file, WEEK1]);
      expect(asBaseline.code, file).toBe(2);
      expect(asInput.code, file).toBe(2);
      expect(asBaseline.stderr, file).toContain(`baseline ${file}`);
      expect(errorLine(asInput.stderr, file)).toContain(`error: ${message}`);
      expect(errorLine(asBaseline.stderr, file)).toBe(errorLine(asInput.stderr, file));
      for (const r of [asBaseline, asInput]) expect(r.stderr, file).toMatch(/^hint: \S/m);
    }
  });

  it('is a ConfigError for a baseline and an InputError for a report, both naming the file', async () => {
    const file = badFiles().find((b) => b.file.endsWith('other.json'))?.file ?? 'other.json';
    const baseline = await readReportFile(file, 'baseline').catch((err: unknown) => err);
    const report = await readReportFile(file, 'report').catch((err: unknown) => err);
    expect(baseline).toBeInstanceOf(ConfigError);
    expect(report).toBeInstanceOf(InputError);
    expect((baseline as ConfigError).file).toBe(file);
    expect((report as InputError).file).toBe(file);
    expect((baseline as ConfigError).message).toBe(`baseline ${(report as InputError).message}`);
  });

  it('reads a good report the same way on both paths', async () => {
    const expected: unknown = JSON.parse(readFileSync(WEEK1, 'utf8'));
    expect(await readReportFile(WEEK1, 'baseline')).toEqual(expected);
    expect(await readReportFile(WEEK1, 'report')).toEqual(expected);
  });
});
