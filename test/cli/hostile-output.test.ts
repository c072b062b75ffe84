/**
 * Hostile names reaching stderr: error messages, hints, skipped-file warnings and the progress line
 * name paths and accounts taken from the inputs, and must show their control characters as
 * escapes instead of sending them to the terminal. In-process, through `run`, like a spawned CLI.
 */

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { ProgressLine, statusLine } from '../../src/cli/progress.js';

const TITLE_AND_CLEAR = '\x1b]0;pwned\x07\x1b[2J';
const RLO = '\u202e';
/** Anything a terminal could act on but the line feeds ending each line. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

async function permdrift(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  err.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const code = await run(args, { stdout: out, stderr: err, env: { NO_COLOR: '1', CI: 'true' }, cwd, now: () => new Date('2026-11-20T00:00:00Z') });
  return { code, stdout, stderr };
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'permdrift-hostile-'));
}

describe('control characters on stderr', () => {
  it('an error naming a hostile path shows its escapes (exit 2)', async () => {
    const cwd = tempDir();
    const r = await permdrift(['scan', 'files', join(cwd, `snap${TITLE_AND_CLEAR}${RLO}`)], cwd);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: /);
    expect(r.stderr).not.toMatch(RAW_CONTROL);
    expect(r.stderr).toContain('snap\\x1b]0;pwned\\x07\\x1b[2J\\u202e');
    expect(r.stderr).not.toContain('unexpected failure');
  });

  it('a usage error from the argument parser shows its escapes', async () => {
    const cwd = tempDir();
    const r = await permdrift(['scan', 'files', '.', `--no-such-flag${TITLE_AND_CLEAR}`], cwd);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(RAW_CONTROL);
    expect(r.stderr).toContain('\\x1b]0;pwned');
  });

  it('trend warns about a skipped file with a hostile name in escapes', async () => {
    const dir = tempDir();
    const reports = join(dir, 'reports');
    mkdirSync(reports);
    writeFileSync(join(reports, `not-a-report${TITLE_AND_CLEAR}.json`), '{"kind":"something else"}');
    const r = await permdrift(['trend', reports], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('skipped');
    expect(r.stderr).not.toMatch(RAW_CONTROL);
    expect(r.stderr).toContain('not-a-report\\x1b]0;pwned\\x07\\x1b[2J.json');
  });

  it('the progress lines keep their own redraw codes and escape the account and the status', () => {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (c: Buffer) => (text += c.toString('utf8')));
    const progress = new ProgressLine(stream, () => new Date(0));
    progress.update({ account: `1111${TITLE_AND_CLEAR}`, filesDone: 1, filesTotal: 1, bytesRead: 1, bytesTotal: 1, events: 1 });
    const status = statusLine(stream);
    status.update(`reading project p${RLO}1`);
    const own = text.split('\r\x1b[2K').join('');
    expect(own).not.toMatch(RAW_CONTROL);
    expect(own).toContain('1111\\x1b]0;pwned\\x07\\x1b[2J');
    expect(own).toContain('p\\u202e1');
  });
});
