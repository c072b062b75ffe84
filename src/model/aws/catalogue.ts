import type { AccessLevel } from '../grant.js';

export interface CatalogueAction {
  /** Canonical `service:ActionName`. */
  action: string;
  service: string;
  name: string;
  accessLevel: AccessLevel;
  /** Actions the catalogue lists as dependent on this one (e.g. iam:PassRole for lambda:CreateFunction). */
  dependentActions: string[];
}

/** The AWS action catalogue, preloaded so the engine stays synchronous and pure. */
export interface ActionCatalogue {
  /** Lower-case service prefixes. */
  services(): readonly string[];
  actionsOf(service: string): readonly CatalogueAction[];
  /** Case-insensitive lookup of `service:Action`. */
  lookup(action: string): CatalogueAction | undefined;
  /** Where the data came from (package and version), for the report. */
  readonly source: string;
}
