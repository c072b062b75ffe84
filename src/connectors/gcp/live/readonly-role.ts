/**
 * The scanner's read-only custom role: exactly the permissions the collector's requests need,
 * each request (REST method id, as the fake endpoint and clients.call name it) mapped to the
 * permissions Google checks for it. A test derives the set from a full collection's request log
 * and checks it equals the role (docs/gcp-readonly-role.json; `permdrift policy gcp`).
 */

export const OPERATION_PERMISSIONS: Record<string, readonly string[]> = {
  'cloudresourcemanager.projects.getIamPolicy': ['resourcemanager.projects.getIamPolicy'],
  'cloudresourcemanager.folders.getIamPolicy': ['resourcemanager.folders.getIamPolicy'],
  'cloudresourcemanager.organizations.getIamPolicy': ['resourcemanager.organizations.getIamPolicy'],
  'cloudresourcemanager.projects.get': ['resourcemanager.projects.get'],
  'cloudresourcemanager.folders.get': ['resourcemanager.folders.get'],
  'cloudresourcemanager.projects.list': ['resourcemanager.projects.list'],
  'cloudresourcemanager.folders.list': ['resourcemanager.folders.list'],
  // --folder / --organization: which projects bind service accounts, and which host them, in two searches at the scope.
  'cloudasset.searchAllIamPolicies': ['cloudasset.assets.searchAllIamPolicies'],
  'cloudasset.searchAllResources': ['cloudasset.assets.searchAllResources'],
  'iam.projects.serviceAccounts.list': ['iam.serviceAccounts.list'],
  'iam.projects.serviceAccounts.keys.list': ['iam.serviceAccountKeys.list'],
  'iam.projects.roles.get': ['iam.roles.get'],
  'iam.organizations.roles.get': ['iam.roles.get'],
  // Predefined roles (no parent): https://cloud.google.com/iam/docs/reference/rest/v1/roles/list
  'iam.roles.list': ['iam.roles.list'],
  'iam.policies.listPolicies': ['iam.denypolicies.list'],
  'iam.policies.get': ['iam.denypolicies.get'],
  // Data Access audit logs are private logs: reading them needs the second permission.
  'logging.entries.list': ['logging.logEntries.list', 'logging.privateLogEntries.list'],
  'policyanalyzer.projects.locations.activityTypes.activities.query:serviceAccountLastAuthentication': [
    'policyanalyzer.serviceAccountLastAuthenticationActivities.query',
  ],
  'policyanalyzer.projects.locations.activityTypes.activities.query:serviceAccountKeyLastAuthentication': [
    'policyanalyzer.serviceAccountKeyLastAuthenticationActivities.query',
  ],
  // --recommender-insights: https://cloud.google.com/iam/docs/insights (Required permissions).
  'recommender.projects.locations.insightTypes.insights.list': ['recommender.iamPolicyInsights.list'],
  // Cloud Identity group membership is governed by Cloud Identity / Workspace (a Groups Reader admin
  // role or the group's "who can view members" setting), not by an IAM permission.
  'cloudidentity.groups.lookup': [],
  'cloudidentity.groups.memberships.list': [],
  'storage.objects.list': ['storage.objects.list'],
  'storage.objects.get': ['storage.objects.get'],
};

export interface CustomRole {
  title: string;
  description: string;
  stage: 'GA';
  includedPermissions: string[];
}

export const READONLY_ROLE: CustomRole = {
  title: 'permdrift read-only scanner',
  description:
    'Reads allow and deny policies and service accounts (one by one, and through Cloud Asset search), keys, custom and predefined roles, audit logs and Policy Analyzer activity for permdrift (collect gcp / scan gcp). Grants nothing that writes.',
  stage: 'GA',
  includedPermissions: [...new Set(Object.values(OPERATION_PERMISSIONS).flat())].sort(),
};

export function readonlyRoleText(): string {
  return `${JSON.stringify(READONLY_ROLE, null, 2)}\n`;
}
