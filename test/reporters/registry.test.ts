/**
 * The format registries are the lists of formats: scan's (REPORT_FORMATS) and diff/trend's
 * (DRIFT_FORMATS). --help, --format's errors and -o's endings come from them, every ending chooses
 * exactly one format, and each format renders what its renderer renders, byte for byte.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { resolveDriftOutputs } from '../../src/cli/drift-outputs.js';
import { run } from '../../src/cli/main.js';
import { resolveOutputs } from '../../src/cli/options.js';
import { diffReports } from '../../src/engine/drift.js';
import { trendReports } from '../../src/engine/drift-trend.js';
import { UsageError } from '../../src/model/errors.js';
import type { Report } from '../../src/model/report.js';
import { renderDiffMarkdown } from '../../src/reporters/drift-diff-markdown.js';
import { renderDiffTable } from '../../src/reporters/drift-diff-table.js';
import { renderDriftJson } from '../../src/reporters/drift-json.js';
import { DRIFT_FORMATS } from '../../src/reporters/drift-reporters.js';
import { renderTrendMarkdown } from '../../src/reporters/drift-trend-markdown.js';
import { renderTrendTable } from '../../src/reporters/drift-trend-table.js';
import { type FormatChoice, formatNamed, formatNames, formatOfFile } from '../../src/reporters/format.js';
import { REPORT_FORMATS, reporters } from '../../src/reporters/index.js';
import { renderJson } from '../../src/reporters/json.js';
import { renderCsv } from '../../src/reporters/csv.js';
import { renderMarkdown } from '../../src/reporters/markdown.js';
import { renderSarif } from '../../src/reporters/sarif.js';
import { renderTable } from '../../src/reporters/table.js';
import { baselineWithExceptions } from './fixtures/baseline-with-exceptions.js';
import { twoAccountsPartialCoverage } from './fixtures/two-accounts-partial-coverage.js';

const WEEKLY = join(import.meta.dirname, '..', '..', 'fixtures', 'reports', 'weekly');
const week = (day: string): Report => JSON.parse(readFileSync(join(WEEKLY, `2026-06-${day}.json`), 'utf8')) as Report;

async function help(args: string[]): Promise<string> {
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  expect(await run([...args, '--help'], { stdout, stderr: new PassThrough(), env: {} })).toBe(0);
  return out;
}

/** The format names the `--format` line of a command's help lists. */
async function helpFormats(args: string[]): Promise<string[]> {
  const listed = /--format <format>\s+([^;]*);/.exec(await help(args))?.[1] ?? '';
  return listed.trim().split(/\s*\|\s*/);
}

const REGISTRIES: [string, readonly FormatChoice<string>[]][] = [
  ['scan', REPORT_FORMATS],
  ['diff / trend', DRIFT_FORMATS],
];

describe('the format registries', () => {
  it('hold the formats of each command family, table first (the default)', () => {
    expect(formatNames(REPORT_FORMATS)).toEqual(['table', 'json', 'sarif', 'markdown', 'csv']);
    expect(formatNames(DRIFT_FORMATS)).toEqual(['table', 'json', 'markdown']);
    expect(resolveOutputs([], [])).toEqual([{ format: 'table' }]);
    expect(resolveDriftOutputs([], ['-'])).toEqual([{ format: 'table' }]);
  });

  it('are what --help lists for --format, exactly and in order', async () => {
    for (const command of [['scan', 'files'], ['demo'], ['baseline', 'update'], ['scan', 'aws'], ['scan', 'gcp']]) {
      expect(await helpFormats(command), command.join(' ')).toEqual(formatNames(REPORT_FORMATS));
    }
    for (const command of [['diff'], ['trend']]) {
      expect(await helpFormats(command), command.join(' ')).toEqual(formatNames(DRIFT_FORMATS));
    }
  });

  it('are what an unknown --format is told to choose from', () => {
    const problem = (fn: () => unknown): UsageError => {
      try {
        fn();
      } catch (err) {
        if (err instanceof UsageError) return err;
      }
      throw new Error('no usage error');
    };
    expect(problem(() => resolveOutputs(['xml'], [])).hint).toBe(`use one of: ${formatNames(REPORT_FORMATS).join(', ')}`);
    expect(problem(() => resolveDriftOutputs(['sarif'], [])).hint).toBe(`use one of: ${formatNames(DRIFT_FORMATS).join(', ')}`);
    expect(problem(() => resolveDriftOutputs([], ['d.csv'])).hint).toBe(`add --format ${formatNames(DRIFT_FORMATS).join('|')}`);
  });

  for (const [family, registry] of REGISTRIES) {
    it(`${family}: every file ending chooses exactly one format, its own`, () => {
      const endings = registry.flatMap((f) => f.extensions);
      expect(new Set(endings).size).toBe(endings.length);
      for (const format of registry) {
        expect(format.extensions.length, format.name).toBeGreaterThan(0);
        for (const ext of format.extensions) {
          expect(ext, format.name).toMatch(/^\.[a-z.]+$/);
          expect(formatOfFile(registry, `out/report${ext}`)).toBe(format.name);
          expect(formatOfFile(registry, `out/REPORT${ext.toUpperCase()}`)).toBe(format.name);
        }
      }
      // A name that is only an ending has none (as path.extname says); an unknown ending chooses nothing.
      expect(formatOfFile(registry, 'out/.json')).toBeUndefined();
      expect(formatOfFile(registry, 'report.xml')).toBeUndefined();
      expect(formatOfFile(registry, 'json')).toBeUndefined();
    });
  }

  it('pairs -o with the format its ending chooses, the longest ending first', () => {
    expect(formatOfFile(REPORT_FORMATS, 'ci/results.sarif.json')).toBe('sarif');
    expect(formatOfFile(REPORT_FORMATS, 'report.table')).toBe('table');
    expect(formatOfFile(DRIFT_FORMATS, 'drift.table')).toBeUndefined();
    for (const format of REPORT_FORMATS) {
      for (const ext of format.extensions) expect(resolveOutputs([], [`r${ext}`])).toEqual([{ format: format.name, file: `r${ext}` }]);
    }
    for (const format of DRIFT_FORMATS) {
      for (const ext of format.extensions) expect(resolveDriftOutputs([], [`d${ext}`])).toEqual([{ format: format.name, file: `d${ext}` }]);
    }
  });

  it('scan: each format renders, in pieces, the bytes of its renderer', () => {
    const opts = { isColor: false, width: 100, sarifArtifactUri: 'iam/snapshot.json' };
    for (const report of [twoAccountsPartialCoverage(), baselineWithExceptions()]) {
      const expected = {
        table: renderTable(report, opts),
        json: renderJson(report),
        sarif: renderSarif(report, { artifactUri: 'iam/snapshot.json' }),
        markdown: renderMarkdown(report),
        csv: renderCsv(report),
      };
      for (const format of REPORT_FORMATS) {
        expect([...format.render(report, opts)].join(''), format.name).toBe(expected[format.name]);
        expect(reporters[format.name](report, opts), format.name).toBe(expected[format.name]);
      }
      // JSON in pieces (one per finding), so no single string holds a large report.
      const json = [...formatNamed(REPORT_FORMATS, 'json').render(report, opts)];
      expect(json.length).toBeGreaterThan(report.findings.length);
    }
  });

  it('diff / trend: each format renders a diff or a trend, by its kind, as its renderer does', () => {
    const diff = diffReports(week('16'), week('23'), { oldSource: 'a.json', newSource: 'b.json' });
    const trend = trendReports(['16', '23', '30'].map((d) => ({ report: week(d), source: `${d}.json` })));
    const opts = { isColor: true, isAscii: true };
    const expected = {
      table: [renderDiffTable(diff, opts), renderTrendTable(trend, opts)],
      json: [renderDriftJson(diff), renderDriftJson(trend)],
      markdown: [renderDiffMarkdown(diff), renderTrendMarkdown(trend)],
    };
    for (const format of DRIFT_FORMATS) {
      expect([...format.render(diff, opts)].join(''), format.name).toBe(expected[format.name][0]);
      expect([...format.render(trend, opts)].join(''), format.name).toBe(expected[format.name][1]);
    }
  });
});
