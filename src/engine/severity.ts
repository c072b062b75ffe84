/** Severity by access level: the provider-neutral part of the severity rule (AWS and GCP alike). */

import type { AccessLevel } from '../model/grant.js';
import type { Severity } from '../model/report.js';

/** Severity by access level alone (AWS: the catalogue's level; GCP: derived from the verb). */
export const SEVERITY_BY_LEVEL: Readonly<Record<AccessLevel, Severity>> = {
  'Permissions management': 'high',
  Write: 'medium',
  Unknown: 'medium',
  Tagging: 'low',
  Read: 'low',
  List: 'low',
};
