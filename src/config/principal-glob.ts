/**
 * The principal globs of the exceptions file, and which of them match every principal: such an
 * entry turns the gate off for whatever else it selects, so the file must say it means it.
 */

import picomatch from 'picomatch';

/** The one way an exception's principal / permission glob is matched (case-insensitive, dots included). */
export function exceptionGlobMatcher(glob: string): (text: string) => boolean {
  return picomatch(glob, { nocase: true, dot: true });
}

interface Probe {
  name: string;
  id: string;
}

function awsProbes(partition: string, kind: 'role' | 'user'): Probe[] {
  const names: [string, string, string][] = [
    ['a', '000000000000', ''],
    ['Zz9_+=,.@-x', '999999999999', 'team/ops/'],
    ['0deploy', '123456789012', 'service-role/'],
    ['AWSServiceRoleForSupport', '555555555555', 'aws-service-role/support.amazonaws.com/'],
  ];
  return names.map(([name, account, path]) => ({ name, id: `arn:${partition}:iam::${account}:${kind}/${path}${name}` }));
}

const GCP_EMAILS = [
  'a@p-1.iam.gserviceaccount.com',
  'z9-reporter@billing-8642.iam.gserviceaccount.com',
  '123456789012-compute@developer.gserviceaccount.com',
  'my-app@appspot.gserviceaccount.com',
  'service-123456789012@gcp-sa-logging.iam.gserviceaccount.com',
];

/**
 * Principals of every shape a finding can name, grouped so that a glob matching a whole group
 * matches every principal of that kind anywhere: every role (or user) of an AWS partition, across
 * accounts and paths, or every GCP service account across projects. A glob scoped to one account,
 * path, project or name prefix misses part of every group.
 */
const PROBE_GROUPS: Probe[][] = [
  ...['aws', 'aws-cn', 'aws-us-gov'].flatMap((partition) => [awsProbes(partition, 'role'), awsProbes(partition, 'user')]),
  GCP_EMAILS.map((email) => ({ name: email, id: `serviceAccount:${email}` })),
];

/** Whether an exception's principal glob matches every principal (a finding matches on name or id). */
export function matchesEveryPrincipal(glob: string): boolean {
  const isMatch = exceptionGlobMatcher(glob);
  return PROBE_GROUPS.some((group) => group.every((p) => isMatch(p.name) || isMatch(p.id)));
}
