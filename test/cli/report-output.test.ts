/**
 * Where `-o` writes, by kind of target (src/cli/report-file.ts), what a failure leaves, and the
 * exit code when stdout closes early. Device cases need root (mknod); they are skipped with a
 * printed reason otherwise.
 */

import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'permdrift');
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function run(args: string[], opts: { cwd?: string; shell?: string } = {}): { code: number | null; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env['FORCE_COLOR'];
  const r = opts.shell
    ? spawnSync('sh', ['-c', `${opts.shell} node "${BIN}" ${args.map((a) => `'${a}'`).join(' ')}`], { cwd: opts.cwd ?? ROOT, env, encoding: 'utf8' })
    : spawnSync(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? ROOT, env, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'permdrift-out-'));
}

/** No `.NAME.PID.tmp` left in `dir`. */
function expectNoTemp(dir: string): void {
  expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
}

describe('-o by kind of target', () => {
  it.skipIf(!isRoot)('a character device is written in place as a stream, never replaced by a file (root: mknod)', () => {
    const dir = tmp();
    const dev = join(dir, 'null');
    const made = spawnSync('mknod', [dev, 'c', '1', '3']);
    if (made.status !== 0) {
      console.log(`skipped: mknod failed (${made.stderr.toString().trim()})`);
      return;
    }
    const r = run(['demo', '--format', 'json', '-o', dev]);
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(dev).isCharacterDevice()).toBe(true);
    expectNoTemp(dir);
  });
  if (!isRoot) console.log('skipped: the character-device case needs root for mknod');

  it('a FIFO is written in place: the reader gets the report and the FIFO stays a FIFO', async () => {
    const dir = tmp();
    const fifo = join(dir, 'pipe');
    const made = spawnSync('mkfifo', [fifo]);
    expect(made.status, made.stderr.toString()).toBe(0);
    // The reader writes to a file: a pipe back to this (blocked) test process would fill up.
    const out = join(dir, 'got.json');
    const reader = spawn('sh', ['-c', `cat "${fifo}" > "${out}"`]);
    const done = new Promise<void>((resolve) => reader.on('close', () => resolve()));
    const r = run(['demo', '--format', 'json', '-o', fifo]);
    await done;
    const got = readFileSync(out, 'utf8');
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(got) as { schemaVersion: number }).schemaVersion).toBe(2);
    expect(statSync(fifo).isFIFO()).toBe(true);
  });

  it('-o /dev/stdout prints the report on stdout (the link is not replaced)', () => {
    const r = run(['demo', '--format', 'json', '-o', '/dev/stdout']);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { schemaVersion: number }).schemaVersion).toBe(2);
    expect(lstatSync('/dev/stdout').isSymbolicLink()).toBe(true);
  });

  it('a symlink is followed: its target is replaced, the link stays a link', () => {
    const dir = tmp();
    mkdirSync(join(dir, 'real'));
    writeFileSync(join(dir, 'real', 'report.json'), 'old');
    symlinkSync(join('real', 'report.json'), join(dir, 'link.json'));
    const r = run(['demo', '-o', 'link.json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(lstatSync(join(dir, 'link.json')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, 'link.json'))).toBe(join('real', 'report.json'));
    expect((JSON.parse(readFileSync(join(dir, 'real', 'report.json'), 'utf8')) as { schemaVersion: number }).schemaVersion).toBe(2);
    expectNoTemp(dir);
    expectNoTemp(join(dir, 'real'));
  });

  it('a dangling symlink: the file it names is created', () => {
    const dir = tmp();
    symlinkSync('made.json', join(dir, 'link.json'));
    const r = run(['demo', '-o', 'link.json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(lstatSync(join(dir, 'link.json')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, 'made.json'), 'utf8')).toContain('"schemaVersion": 2');
  });

  it('an existing file keeps its mode; a new file gets the umask mode', () => {
    const dir = tmp();
    const kept = join(dir, 'kept.json');
    writeFileSync(kept, 'old');
    chmodSync(kept, 0o600);
    expect(run(['demo', '-o', kept]).code).toBe(0);
    expect(statSync(kept).mode & 0o777).toBe(0o600);
    const fresh = join(dir, 'fresh.json');
    const r = run(['demo', '-o', fresh], { shell: 'umask 027;' });
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(fresh).mode & 0o777).toBe(0o640);
  });

  it.skipIf(!isRoot)('an existing file keeps its owner (root: chown)', () => {
    const dir = tmp();
    const file = join(dir, 'owned.json');
    writeFileSync(file, 'old');
    chownSync(file, 1234, 2345);
    expect(run(['demo', '-o', file]).code).toBe(0);
    const st = statSync(file);
    expect([st.uid, st.gid]).toEqual([1234, 2345]);
    expect(readFileSync(file, 'utf8')).toContain('"schemaVersion": 2');
  });

  it('a file with two hard links is written in place: both names show the report', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'a.json'), 'old');
    spawnSync('ln', [join(dir, 'a.json'), join(dir, 'b.json')]);
    expect(run(['demo', '-o', join(dir, 'a.json')]).code).toBe(0);
    expect(readFileSync(join(dir, 'b.json'), 'utf8')).toContain('"schemaVersion": 2');
    expect(statSync(join(dir, 'a.json')).ino).toBe(statSync(join(dir, 'b.json')).ino);
  });
});

describe('-o relative paths', () => {
  it('resolve against the working directory the CLI was given (io.cwd), not the process one', async () => {
    const { run: runInProcess } = await import('../../src/cli/main.js');
    const { Writable } = await import('node:stream');
    const sink = (): NodeJS.WritableStream => new Writable({ write: (_c, _e, done) => done() });
    const dir = tmp();
    const code = await runInProcess(['demo', '--format', 'json', '-o', 'r.json'], { stdout: sink(), stderr: sink(), env: { NO_COLOR: '1' }, cwd: dir });
    expect(code).toBe(0);
    expect(readFileSync(join(dir, 'r.json'), 'utf8')).toContain('"schemaVersion": 2');
    expect(existsSync(join(process.cwd(), 'r.json'))).toBe(false);
  });
});

describe('-o failures: a clear error naming the path, exit 2, no temp file, the previous report kept', () => {
  it('a missing folder', () => {
    const dir = tmp();
    const r = run(['demo', '-o', join(dir, 'nope', 'r.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error: cannot write ${join(dir, 'nope', 'r.json')}: the folder ${join(dir, 'nope')} does not exist`);
    expect(r.stderr).not.toContain('unexpected failure');
  });

  it('a directory', () => {
    const dir = tmp();
    mkdirSync(join(dir, 'out.json'));
    const r = run(['demo', '-o', join(dir, 'out.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error: cannot write ${join(dir, 'out.json')}: it is a directory`);
    expectNoTemp(dir);
  });

  it('a full device (/dev/full)', () => {
    const r = run(['demo', '--format', 'json', '-o', '/dev/full']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: cannot write /dev/full: no space left on the device');
  });

  it('a write that fails half-way (file size limit): the temp file is removed and the previous report is unchanged', () => {
    const dir = tmp();
    const file = join(dir, 'report.json');
    writeFileSync(file, 'previous report');
    // ulimit -f 8: 8 blocks of 512 bytes, far less than the demo report.
    const r = run(['demo', '--format', 'json', '-o', file], { shell: 'ulimit -f 8;' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error: cannot write ${file}: file too large`);
    expect(readFileSync(file, 'utf8')).toBe('previous report');
    expectNoTemp(dir);
  });

  it('two outputs to the same place are a usage error', () => {
    const dir = tmp();
    const same = run(['demo', '--format', 'json', '--format', 'csv', '-o', join(dir, 'x'), '-o', join(dir, 'x')]);
    expect(same.code).toBe(2);
    expect(same.stderr).toContain(`error: two outputs go to ${join(dir, 'x')} (--format json and --format csv)`);
    const twice = run(['demo', '--format', 'table', '--format', 'json', '-o', '-', '-o', '-']);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('error: two outputs go to stdout');
    // The same file spelt two ways is still the same place.
    const spelt = run(['demo', '--format', 'json', '--format', 'csv', '-o', 'x.out', '-o', './x.out'], { cwd: dir });
    expect(spelt.code).toBe(2);
    expect(existsSync(join(dir, 'x.out'))).toBe(false);
  });
});

describe('interrupts and closed pipes', () => {
  it('SIGTERM removes the temporary files registered for cleanup and exits 143', async () => {
    const dir = tmp();
    const temp = join(dir, '.report.json.1.tmp');
    const script = `
      import { writeFileSync } from 'node:fs';
      import { installInterruptHandlers, removeOnInterrupt } from ${JSON.stringify(join(ROOT, 'dist', 'cli', 'cleanup.js'))};
      installInterruptHandlers(process.stderr);
      writeFileSync(${JSON.stringify(temp)}, 'half a report');
      removeOnInterrupt(${JSON.stringify(temp)});
      console.log('ready');
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script]);
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    expect(existsSync(temp)).toBe(true);
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(code).toBe(143);
    expect(existsSync(temp)).toBe(false);
    expect(err).toContain('permdrift: interrupted (SIGTERM); temporary files removed');
  });

  it('a reader that closes stdout early does not change the gate exit code (demo --fail-on high | head -c1 exits 1)', async () => {
    const child = spawn(process.execPath, [BIN, 'demo', '--fail-on', 'high', '--format', 'json'], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(code).toBe(1);
    expect(err).not.toContain('unexpected failure');
    expect(err).toContain('match --fail-on high');
  });

  it('the same run through a shell pipe: exit 1, as without the pipe', () => {
    const r = spawnSync(
      'bash',
      ['-c', `set -o pipefail; node "${BIN}" demo --fail-on high --format json | head -c1 >/dev/null; echo "codes \${PIPESTATUS[0]}"`],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(r.stdout).toContain('codes 1');
  });
});
