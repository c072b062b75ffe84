/**
 * What the steps of a `collect gcp` run share: the answers read once per run (projects found
 * through Cloud Asset Inventory, folder parents, ancestors' allow policies, organization roles,
 * deny policies of folders and the organization), so that no level is read twice; and the context
 * every step of one project reads and writes through (its folder, manifest, warnings).
 */

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ManifestRecorder } from '../../shared/collect-manifest-recorder.js';
import { writeFileAtomic, type TempTracker } from '../../shared/atomic-file.js';
import type { GcpClients } from './clients.js';
import type { CollectGcpOptions, CollectGcpResult } from './collect.js';
import { stringify, type Json } from './gcloud-json.js';
import type { ProjectInfo } from './resource-manager.js';

/** Shared across the projects of one run: each folder / organization is read once. */
export interface RunCache {
  /** projects.get answers already read (projects found through Cloud Asset Inventory), by project id. */
  projects: Map<string, ProjectInfo>;
  folderParents: Map<string, string | undefined>;
  /** resource name → policy, or the failure message. */
  policies: Map<string, Promise<{ policy?: Json; error?: unknown }>>;
  orgRoles: Map<string, Promise<{ error?: unknown }>>;
  denies: Map<string, Promise<{ policies?: [string, Json][]; error?: unknown }>>;
}

/** The run, as its steps before and around the projects (discovery, predefined roles) see it. */
export interface RunContext {
  clients: GcpClients;
  opts: CollectGcpOptions;
  /** The progress line. */
  line: (m: string) => void;
  /** Throws the error that ends the run when `err` is a credentials failure; returns otherwise. */
  rethrowCredentials: (err: unknown) => void;
  /** Warnings about the run rather than one project. */
  warnings: CollectGcpResult['warnings'];
  /** Projects (or parents of projects) that could not be read. */
  failed: CollectGcpResult['failed'];
}

/** One project's collection, as each of its steps sees it. */
export interface ProjectContext {
  clients: GcpClients;
  opts: CollectGcpOptions;
  projectId: string;
  /** `<outDir>/gcp`: folders' and organizations' files land below it. */
  root: string;
  /** `<outDir>/gcp/<project-id>`. */
  projectDir: string;
  cache: RunCache;
  manifest: ManifestRecorder;
  now: () => Date;
  /** A warning of this project (its collect-warnings.json). */
  warn: (code: string, message: string) => void;
  /** Throws the error that ends the run when `err` is a credentials failure; returns otherwise. */
  rethrowCredentials: (err: unknown) => void;
}

/** `value` as gcloud JSON in `file`, whole or not at all, its folder made first. */
export async function writeJson(file: string, value: unknown, trackTemp: TempTracker | undefined): Promise<void> {
  await mkdir(join(file, '..'), { recursive: true });
  await writeFileAtomic(file, stringify(value), trackTemp);
}
