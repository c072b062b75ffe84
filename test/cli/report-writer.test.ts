/**
 * The one output writer (writeOutput): stdout as a stream that is never written past a `false`
 * from write() before it drains, a file piece by piece (the next piece is not asked for before the
 * last is on disk) and atomically; failures are the OutputError they were. scan and diff both
 * write through it.
 */

import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/context.js';
import { run } from '../../src/cli/main.js';
import { writeOutput } from '../../src/cli/report-file.js';
import { OutputError } from '../../src/model/errors.js';

const ROOT = join(import.meta.dirname, '..', '..');
const WEEK1 = join(ROOT, 'fixtures', 'reports', 'weekly', '2026-06-16.json');
const WEEK2 = join(ROOT, 'fixtures', 'reports', 'weekly', '2026-06-23.json');

/**
 * A slow reader: a tiny buffer, each chunk taken in only after a timer. It logs every write() that
 * returned false and every drain, so a writer that goes on writing after a false shows.
 */
function slowStdout(): { stream: Writable; received: () => Promise<string>; events: string[] } {
  const chunks: string[] = [];
  const events: string[] = [];
  const stream = new Writable({
    highWaterMark: 8,
    write(chunk: Buffer, _enc, done) {
      setTimeout(() => {
        chunks.push(chunk.toString());
        done();
      }, 1);
    },
  });
  const write = stream.write.bind(stream) as (chunk: string) => boolean;
  stream.write = ((chunk: string) => {
    const isRoom = write(chunk);
    events.push(isRoom ? 'write' : 'full');
    return isRoom;
  }) as typeof stream.write;
  stream.on('drain', () => events.push('drain'));
  // What the reader got once the stream is ended (a chunk written into a buffer with room is accepted, not yet read).
  const received = (): Promise<string> => new Promise((resolve) => stream.end(() => resolve(chunks.join(''))));
  return { stream, received, events };
}

/** After every write() that returned false, the next event is its drain. */
function wroteIntoFullBuffer(events: string[]): boolean {
  return events.some((e, i) => e === 'full' && i + 1 < events.length && events[i + 1] !== 'drain');
}

function sink(): PassThrough & { text: () => string } {
  const s = new PassThrough() as PassThrough & { text: () => string };
  let out = '';
  s.on('data', (d: Buffer) => (out += d.toString()));
  s.text = () => out;
  return s;
}

function io(stdout: NodeJS.WritableStream, cwd?: string): CliIo {
  return { stdout, stderr: sink(), env: { NO_COLOR: '1' }, ...(cwd !== undefined ? { cwd } : {}) };
}

const PIECES = ['{\n', '  "a": 1,\n', '  "b": [1, 2, 3],\n', '  "c": "ünïcödé ✓"\n', '}\n'];

describe('writeOutput to stdout', () => {
  it('waits for drain whenever write() returns false, and writes the pieces in order', async () => {
    const slow = slowStdout();
    await writeOutput(io(slow.stream), undefined, PIECES);
    expect(slow.events.filter((e) => e === 'full').length).toBeGreaterThan(2);
    expect(wroteIntoFullBuffer(slow.events)).toBe(false);
    expect(await slow.received()).toBe(PIECES.join(''));
  });

  it('stops, without an error, at a stream that failed (a reader that closed the pipe)', async () => {
    let writes = 0;
    const broken = new Writable({
      highWaterMark: 1,
      write(_chunk, _enc, done) {
        writes += 1;
        done(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    broken.on('error', () => undefined);
    await expect(writeOutput(io(broken), undefined, PIECES)).resolves.toBeUndefined();
    expect(writes).toBe(1);
  });

  it('is what diff writes through: the command ends only after its output drained', async () => {
    const slow = slowStdout();
    const code = await run(['diff', WEEK1, WEEK2, '--format', 'json'], io(slow.stream));
    expect(code).toBe(0);
    // The command ended only after its output drained, not while the reader was still behind.
    expect(slow.events).toContain('full');
    expect(slow.events.at(-1)).toBe('drain');
    expect(wroteIntoFullBuffer(slow.events)).toBe(false);
    const diff = JSON.parse(await slow.received()) as { kind: string };
    expect(diff.kind).toBe('permdrift-diff');
  });
});

describe('writeOutput to a file', () => {
  it('asks for the next piece only when the last is written, then renames the whole file into place', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'permdrift-writer-'));
    writeFileSync(join(dir, 'r.json'), 'the previous report\n');
    const temp = (): string | undefined => readdirSync(dir).find((n) => n.endsWith('.tmp'));
    const sizes: number[] = [];
    function* pieces(): Generator<string> {
      let written = 0;
      for (const piece of PIECES) {
        yield piece;
        written += Buffer.byteLength(piece);
        // Resumed: the piece just given is in the temporary file already.
        const name = temp();
        sizes.push(name === undefined ? -1 : statSync(join(dir, name)).size);
        expect(sizes.at(-1)).toBe(written);
      }
    }
    await writeOutput(io(sink(), dir), 'r.json', pieces());
    expect(sizes).toHaveLength(PIECES.length);
    expect(readFileSync(join(dir, 'r.json'), 'utf8')).toBe(PIECES.join(''));
    expect(temp()).toBeUndefined();
  });

  it('fails as before: an OutputError naming the path, the previous file unchanged, no temporary file left', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'permdrift-writer-'));
    const full = await writeOutput(io(sink(), dir), '/dev/full', PIECES).catch((err: unknown) => err);
    expect(full).toBeInstanceOf(OutputError);
    expect((full as OutputError).message).toBe('cannot write /dev/full: no space left on the device');
    expect((full as OutputError).hint).toBe('choose another -o path, or fix the folder (exists, writable, space left); a previous file there is unchanged');

    const missing = await writeOutput(io(sink(), dir), 'nope/r.json', PIECES).catch((err: unknown) => err);
    expect((missing as OutputError).message).toBe(`cannot write nope/r.json: the folder ${join(dir, 'nope')} does not exist`);

    writeFileSync(join(dir, 'r.json'), 'the previous report\n');
    function* failing(): Generator<string> {
      yield PIECES[0] ?? '';
      throw new Error('the renderer broke');
    }
    await expect(writeOutput(io(sink(), dir), 'r.json', failing())).rejects.toThrow(/the renderer broke/);
    expect(readFileSync(join(dir, 'r.json'), 'utf8')).toBe('the previous report\n');
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(existsSync(join(dir, 'nope'))).toBe(false);
  });
});
