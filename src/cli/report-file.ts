/**
 * Writes a report (or a baseline, a diff, a starter config) to the path `-o` names, by kind of
 * target:
 *
 * - a regular file, or a new one: a temporary file in the same folder, renamed over the target
 *   when complete, so a cron job never leaves half a report behind. An existing file keeps its mode
 *   and owner; a new one gets the umask's mode. A file with several hard links, or (without root)
 *   owned by someone else, is written in place, so every link sees the report and the owner stays.
 * - a symbolic link: followed (through every link) and its final target replaced as above; the link
 *   stays a link.
 * - anything else — a character device (`/dev/null`, a terminal), a FIFO, `/dev/stdout`,
 *   `/dev/fd/N`, anything under /dev or /proc — is written in place as a stream: never replaced.
 *
 * A missing folder, a directory, a full disk or a permission problem is an OutputError naming the
 * path (exit 2); the temporary file is removed on every failure and on SIGINT / SIGTERM
 * (cleanup.ts), and the previous report stays as it was.
 *
 * writeOutput is the one writer of every output (scan, baseline, diff, trend): no file (pairOutputs
 * turns `-` into none) is stdout, a stream written up to a full buffer and then after its drain
 * (context.ts writePieces); a file is written as above. Either way the reporter's pieces go out one
 * after the other, so an output is never held whole beyond what its reporter made it in.
 */

import { constants } from 'node:fs';
import { lstat, open, readlink, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { OutputError } from '../model/errors.js';
import { removeOnInterrupt } from './cleanup.js';
import { type CliIo, writePieces } from './context.js';

type Content = string | Iterable<string>;

function describe(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EFBIG':
      return 'file too large (a size limit of this process or file system)';
    case 'EDQUOT':
      return 'disk quota exceeded';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'read-only file system';
    case 'EISDIR':
      return 'it is a directory';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    case 'ENOENT':
      return 'no such file or directory';
    default:
      return e.code ? `${e.code}: ${e.message}` : String(e.message ?? err);
  }
}

function fail(file: string, why: string, cause?: unknown): OutputError {
  return new OutputError(
    `cannot write ${file}: ${why}`,
    'choose another -o path, or fix the folder (exists, writable, space left); a previous file there is unchanged',
    cause === undefined ? {} : { cause },
  );
}

/** The final target of a chain of symbolic links (even a dangling one), at most 40 hops as the kernel allows. */
async function followLinks(file: string): Promise<string> {
  let path = file;
  for (let hop = 0; hop < 40; hop++) {
    // /proc/<pid>/fd/N links name `pipe:[…]` or `socket:[…]`, not paths: the link itself is opened.
    if (path.startsWith('/proc/')) return path;
    let st;
    try {
      st = await lstat(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return path;
      throw err;
    }
    if (!st.isSymbolicLink()) return path;
    const to = await readlink(path);
    path = isAbsolute(to) ? to : resolve(dirname(path), to);
  }
  throw fail(file, 'too many levels of symbolic links');
}

/**
 * One piece at a time, each finished before the next is rendered: the file's own back-pressure.
 * writeFile (not write) so that a short write is continued rather than silently lost.
 */
async function writeAll(handle: import('node:fs/promises').FileHandle, content: Content): Promise<void> {
  for (const piece of typeof content === 'string' ? [content] : content) await handle.writeFile(piece);
}

/** Opens and writes `file` in place (a device, a FIFO, a file with hard links). */
async function writeInPlace(file: string, content: Content, flags: number): Promise<void> {
  let handle;
  try {
    handle = await open(file, flags, 0o666);
  } catch (err) {
    throw fail(file, describe(err), err);
  }
  try {
    await writeAll(handle, content);
  } catch (err) {
    throw fail(file, describe(err), err);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

function isStreamPath(path: string): boolean {
  return path === '/dev' || path.startsWith('/dev/') || path.startsWith('/proc/');
}

/** `file` as the user wrote it (for messages); relative to `cwd` (default: the process's). */
export async function writeReportFile(file: string, content: Content, cwd?: string): Promise<void> {
  const absolute = resolve(cwd ?? process.cwd(), file);
  const target = await followLinks(absolute).catch((err: unknown) => {
    if (err instanceof OutputError) throw err;
    throw fail(file, describe(err), err);
  });
  let existing;
  try {
    existing = await stat(target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw fail(file, describe(err), err);
  }
  const shown = target === absolute ? file : `${file} (→ ${target})`;
  if (existing?.isDirectory()) throw fail(shown, 'it is a directory');
  // Devices, FIFOs and the /dev and /proc trees are streams: written in place, never replaced.
  if ((existing && !existing.isFile()) || isStreamPath(target) || isStreamPath(absolute)) {
    await writeInPlace(existing || isStreamPath(target) ? target : absolute, content, constants.O_WRONLY | (existing?.isFile() ? constants.O_TRUNC : 0));
    return;
  }
  // Hard links share the file: replacing one name would split them. A file of another owner can
  // only keep its owner (without root) when written in place.
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const isOthers = existing !== undefined && typeof process.getuid === 'function' && existing.uid !== process.getuid();
  if (existing && (existing.nlink > 1 || (isOthers && !isRoot))) {
    await writeInPlace(target, content, constants.O_WRONLY | constants.O_TRUNC);
    return;
  }
  const dir = dirname(target);
  try {
    const d = await stat(dir);
    if (!d.isDirectory()) throw fail(shown, `${dir} is not a directory`);
  } catch (err) {
    if (err instanceof OutputError) throw err;
    throw fail(shown, (err as NodeJS.ErrnoException).code === 'ENOENT' ? `the folder ${dir} does not exist` : describe(err), err);
  }
  const tmp = join(dir, `.${basename(target)}.${process.pid}.tmp`);
  const dropCleanup = removeOnInterrupt(tmp);
  try {
    let handle;
    try {
      // O_EXCL: never write through a link or file someone planted under the temp name.
      handle = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o666);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
        await rm(tmp, { force: true });
        handle = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o666);
      } else throw err;
    }
    try {
      await writeAll(handle, content);
      if (existing) {
        await handle.chmod(existing.mode & 0o7777);
        if (isRoot) await handle.chown(existing.uid, existing.gid);
      }
    } finally {
      await handle.close();
    }
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    if (err instanceof OutputError) throw err;
    throw fail(shown, describe(err), err);
  } finally {
    dropCleanup();
  }
}

/** Writes an output's pieces to `file` (relative to io.cwd), or to stdout when there is none. */
export async function writeOutput(io: CliIo, file: string | undefined, pieces: Iterable<string>): Promise<void> {
  if (file === undefined) await writePieces(io.stdout, pieces);
  else await writeReportFile(file, pieces, io.cwd);
}
