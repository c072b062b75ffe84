/**
 * `<dir>/gcp/<P>/collect-manifest.json`, written by `permdrift collect gcp`: which span of each
 * audit log (`cloudaudit.googleapis.com/activity`, …) was read in full, which failed, and when the
 * logs were read. The engine takes a stream's coverage from it (engine/gcp/coverage.ts).
 */

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { COLLECT_MANIFEST_FILE, type CollectManifest } from '../../model/collect-manifest.js';
import { parseCollectManifest } from '../shared/collect-manifest-file.js';
import { readJsonFile } from './validate.js';

export type GcpManifestRead = { file: string; manifest: CollectManifest } | { file: string; problem: string } | undefined;

/** A manifest of the wrong shape, or of another project, proves nothing: the caller warns and goes on without it. */
export function readGcpCollectManifest(dir: string, projectId: string): GcpManifestRead {
  const file = join(dir, 'gcp', projectId, COLLECT_MANIFEST_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const json = readJsonFile(file, 'collect the project again with `permdrift collect gcp`, or remove the file');
    return { file, manifest: parseCollectManifest(json, COLLECT_MANIFEST_FILE, { provider: 'gcp', scope: projectId }) };
  } catch (err) {
    return { file, problem: (err as Error).message.replace(file, COLLECT_MANIFEST_FILE) };
  }
}
