/**
 * JSON written in pieces (one per finding) is byte-for-byte the JSON written as one string, and the
 * CLI helpers write the pieces in order, to a file and to a stream that asks to drain.
 */

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { writePieces } from '../../src/cli/context.js';
import { writeReportFile } from '../../src/cli/report-file.js';
import { renderJson, renderJsonChunks } from '../../src/reporters/json.js';
import { baselineWithExceptions } from './fixtures/baseline-with-exceptions.js';
import { twoAccountsPartialCoverage } from './fixtures/two-accounts-partial-coverage.js';

describe('renderJsonChunks', () => {
  it('gives the same bytes as renderJson, for full reports and for one with no findings and no optional parts', () => {
    const empty = twoAccountsPartialCoverage();
    empty.findings = [];
    delete empty.baseline;
    for (const report of [twoAccountsPartialCoverage(), baselineWithExceptions(), empty]) {
      const pieces = [...renderJsonChunks(report)];
      expect(pieces.join('')).toBe(renderJson(report));
    }
  });

  it('yields one piece per finding, so no single string holds the whole report', () => {
    const report = twoAccountsPartialCoverage();
    const pieces = [...renderJsonChunks(report)];
    expect(report.findings.length).toBeGreaterThan(1);
    expect(pieces.length).toBeGreaterThan(report.findings.length);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(renderJson(report).length / 2);
  });

  it('writeReportFile and writePieces write the pieces in order, waiting for drain', async () => {
    const report = baselineWithExceptions();
    const file = join(mkdtempSync(join(tmpdir(), 'permdrift-json-')), 'report.json');
    await writeReportFile(file, renderJsonChunks(report));
    expect(readFileSync(file, 'utf8')).toBe(renderJson(report));

    const received: string[] = [];
    let drains = 0;
    const slow = new Writable({
      highWaterMark: 64,
      write(chunk: Buffer, _enc, done) {
        received.push(chunk.toString());
        setImmediate(done);
      },
    });
    slow.on('drain', () => (drains += 1));
    await writePieces(slow, renderJsonChunks(report));
    await new Promise<void>((resolve) => slow.end(resolve));
    expect(received.join('')).toBe(renderJson(report));
    expect(drains).toBeGreaterThan(0);
  });
});
