/**
 * A live collection writes only into a folder that holds no snapshot yet: mixing two collections
 * in one folder would mix their logs and manifests. `collect aws` and `collect gcp` check each
 * account or project folder with this before they write anything.
 */

import { readdir } from 'node:fs/promises';
import { UsageError } from '../../model/errors.js';

async function isEmptyOrMissing(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch {
    return true;
  }
}

/** Throws a usage error when `dir` exists and is not empty. */
export async function assertFreshFolder(dir: string): Promise<void> {
  if (!(await isEmptyOrMissing(dir)))
    throw new UsageError(
      `${dir} already holds a snapshot`,
      'collect into a new folder (e.g. a dated one) or delete the old one first; mixing two collections would mix their logs',
    );
}
