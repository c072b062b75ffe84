/**
 * `<dir>/gcp/predefined-roles.json`: the predefined and basic roles as IAM `roles.list` (view FULL)
 * returned them when `permdrift collect gcp` ran, in the shape of the bundled data/gcp/roles.json
 * (`{source, generatedFrom?, roles: {"roles/x": [permissions…]}}`). The scan prefers it to the
 * bundled snapshot, which then only answers for roles the live list lacks.
 */

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { jsonRecord } from '../shared/json-record.js';
import { checkShape, readJsonFile } from './validate.js';

export const PREDEFINED_ROLES_FILE = 'predefined-roles.json';

const schema = z.object({
  source: z.string().min(1),
  collectedAt: z.string().optional(),
  generatedFrom: z.object({ repository: z.string(), commit: z.string(), commitDate: z.string() }).optional(),
  roles: jsonRecord(z.string().regex(/^roles\/[^/]+$/, 'expected roles/NAME'), z.array(z.string())),
});

export interface PredefinedRolesFile {
  file: string;
  source: string;
  collectedAt?: string;
  generatedFrom?: { repository: string; commit: string; commitDate: string };
  roles: Record<string, string[]>;
}

const HINT = 'this file is written by `permdrift collect gcp` (IAM roles.list, view FULL); delete it to use the bundled snapshot, or collect again';

/** The live predefined roles of a snapshot, or undefined when the snapshot has none. */
export function readPredefinedRoles(dir: string): PredefinedRolesFile | undefined {
  const file = join(dir, 'gcp', PREDEFINED_ROLES_FILE);
  if (!existsSync(file)) return undefined;
  const data = checkShape(schema, readJsonFile(file, HINT), file, 'a permdrift predefined-roles file', HINT);
  return {
    file,
    source: data.source,
    ...(data.collectedAt !== undefined ? { collectedAt: data.collectedAt } : {}),
    ...(data.generatedFrom ? { generatedFrom: data.generatedFrom } : {}),
    roles: data.roles,
  };
}

/**
 * The file's text: roles sorted by name, permissions sorted, one role a line (as data/gcp/roles.json
 * is written), so two collections of the same roles differ only in their time.
 */
export function predefinedRolesText(source: string, collectedAt: string, roles: Record<string, readonly string[]>): string {
  const names = Object.keys(roles).sort();
  const lines = names.map((name) => `    ${JSON.stringify(name)}: ${JSON.stringify([...new Set(roles[name] ?? [])].sort())}`);
  return `{\n  "source": ${JSON.stringify(source)},\n  "collectedAt": ${JSON.stringify(collectedAt)},\n  "roleCount": ${names.length},\n  "roles": {\n${lines.join(',\n')}${lines.length ? '\n' : ''}  }\n}\n`;
}
