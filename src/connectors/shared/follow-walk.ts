/**
 * The one walk over a snapshot folder of log files (CloudTrail archives, Cloud Audit Log exports).
 * Symbolic links to files and folders are followed — rsync'd and re-organised archives link month
 * folders in — and every folder and file is taken once by its real path, which also ends link
 * loops (files too, unless asked to keep every path). Nothing is skipped in silence: a file whose name is not a log file's is `ignored`, and a
 * folder that cannot be listed or a link that cannot be followed is a `problem` (a coverage gap).
 * Each caller words the problems for its own report.
 */

import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Log files: JSON, or JSON lines (CloudTrail Lake / Athena exports, SIEM dumps, sink files), gzipped or not. */
const LOG_FILE_NAME = /\.(json|jsonl|ndjson)(\.gz)?$/i;

export interface WalkProblem {
  path: string;
  /** `folder`: the folder could not be listed; `link`: the symbolic link could not be followed. */
  kind: 'folder' | 'link';
  error: unknown;
}

export interface FollowWalk {
  /** Files whose names match, each once, in code-unit order of their paths. */
  files: string[];
  /** Other entries (names that do not match, and entries that are neither files nor folders), sorted. */
  ignored: string[];
  /** In the order met. */
  problems: WalkProblem[];
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface FollowWalkOptions {
  /** File names to collect (default: LOG_FILE_NAME). */
  accept?: RegExp;
  /**
   * Take a file reached through two paths once, by its real path (default). `false` keeps every
   * path to it, as on disk: the GCP reader reads what each path names.
   */
  isFileOnce?: boolean;
}

export async function followWalk(root: string, opts: FollowWalkOptions = {}): Promise<FollowWalk> {
  const accept = opts.accept ?? LOG_FILE_NAME;
  const isFileOnce = opts.isFileOnce ?? true;
  const out: FollowWalk = { files: [], ignored: [], problems: [] };
  const seen = new Set<string>();
  const walk = async (dir: string): Promise<void> => {
    let real: string;
    let entries: Dirent[];
    try {
      real = await realpath(dir);
      if (seen.has(real)) return;
      seen.add(real);
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      out.problems.push({ path: dir, kind: 'folder', error });
      return;
    }
    entries.sort((a, b) => compare(a.name, b.name));
    for (const e of entries) {
      const full = join(dir, e.name);
      let isDirectory = e.isDirectory();
      let isFile = e.isFile();
      let realFile = join(real, e.name);
      if (e.isSymbolicLink()) {
        try {
          const target = await stat(full);
          isDirectory = target.isDirectory();
          isFile = target.isFile();
          if (isFile) realFile = await realpath(full);
        } catch (error) {
          out.problems.push({ path: full, kind: 'link', error });
          continue;
        }
      }
      if (isDirectory) await walk(full);
      else if (isFile && accept.test(e.name)) {
        if (isFileOnce) {
          if (seen.has(realFile)) continue;
          seen.add(realFile);
        }
        out.files.push(full);
      } else out.ignored.push(full);
    }
  };
  await walk(root);
  out.files.sort(compare);
  out.ignored.sort(compare);
  return out;
}
