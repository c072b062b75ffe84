/** Shared set-up of the resolve scenario tests: one fixture account, parsed and resolved. */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAwsCatalogue } from '../../src/catalogue/aws-catalogue.js';
import { parseAuthorizationDetails } from '../../src/connectors/aws/authorization-details.js';
import { resolveAccount } from '../../src/engine/aws/resolve.js';
import type { ActionCatalogue } from '../../src/model/aws/catalogue.js';
import type { Entitlement, PrincipalEntitlements } from '../../src/model/aws/entitlement.js';

export interface ResolvedScenario {
  catalogue: ActionCatalogue;
  resolved: PrincipalEntitlements[];
  /** Every action of the catalogue. */
  allActions: string[];
  /** The entitlements of one principal, by name; throws when there is no such principal. */
  of(name: string): Entitlement[];
}

export async function resolveScenario(scenario: string, account: string): Promise<ResolvedScenario> {
  const file = join(import.meta.dirname, '..', '..', 'fixtures', 'aws', scenario, 'aws', account, 'iam-get-account-authorization-details.json');
  const catalogue = await loadAwsCatalogue();
  const parsed = parseAuthorizationDetails(JSON.parse(readFileSync(file, 'utf8')), account, file);
  const resolved = resolveAccount({ provider: 'aws', account, principals: parsed.principals, accessAdvisor: [] }, catalogue).principals;
  return {
    catalogue,
    resolved,
    allActions: catalogue.services().flatMap((s) => catalogue.actionsOf(s).map((a) => a.action)),
    of(name) {
      const p = resolved.find((r) => r.principal.name === name);
      if (!p) throw new Error(`no principal ${name}`);
      return p.entitlements;
    },
  };
}
