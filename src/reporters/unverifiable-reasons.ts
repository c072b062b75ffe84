import type { UnverifiableReason } from '../model/report.js';

/**
 * What each reason code means, in a few words, for the table's unverifiable section. Typed as a
 * total record so that a reason added to the model fails the typecheck until it is explained here
 * (and, through the schema test, in schema/report.schema.json).
 */
export const UNVERIFIABLE_REASON_LABELS: Readonly<Record<UnverifiableReason, string>> = {
  'data-events-not-logged': 'data events the trail does not log',
  'not-logged-by-cloudtrail': 'actions CloudTrail never records',
  'region-not-covered': 'regions the trail does not cover',
  'window-not-covered': 'days of the window the logs do not reach',
  'logging-gap': 'gaps in the logs inside the window',
  'event-time-unknown': 'records without a usable time',
  'no-cloudtrail-logs': 'no CloudTrail logs for the account',
  'management-events-not-logged': 'management events the selectors do not log',
  'dependent-action-unobservable': 'checked only inside other calls, not all observable',
  'source-excluded': 'event sources the trail excludes',
  'unmapped-events': 'calls of the service that map to no catalogue action',
  'log-files-unreadable': 'log files that could not be read',
  'data-access-logs-disabled': 'Data Access audit logs the project leaves off',
  'not-logged-by-cloud-audit-logs': 'permissions Cloud Audit Logs never record',
  'log-type-unknown': 'permissions with no known audit log type',
  'checked-inside-other-calls': 'permissions checked only inside other calls',
  'log-type-not-collected': 'audit logs missing from the snapshot',
  'no-audit-logs': 'no Cloud Audit Logs for the project',
};
