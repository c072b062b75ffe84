/**
 * Tells Google-managed service agents from service accounts the customer manages.
 *
 * Service agents are created and managed by Google, are not listed by `gcloud iam
 * service-accounts list` (they live outside the project) and hold roles the service needs; like AWS
 * service-linked roles they are reported apart, never as the customer's drift.
 * https://cloud.google.com/iam/docs/service-agents — per-service agent addresses, almost all
 *   `service-PROJECT_NUMBER@gcp-sa-SERVICE.iam.gserviceaccount.com`, some older ones
 *   `service-PROJECT_NUMBER@compute-system.iam.gserviceaccount.com`,
 *   `…@container-engine-robot.iam.gserviceaccount.com`, `…@gs-project-accounts.iam.gserviceaccount.com`,
 *   organization- and folder-level ones `service-org-ORG_NUMBER@gcp-sa-….iam.gserviceaccount.com`,
 *   and the Google APIs Service Agent `PROJECT_NUMBER@cloudservices.gserviceaccount.com`.
 * https://cloud.google.com/iam/docs/service-account-types — default service accounts
 *   (`PROJECT_NUMBER-compute@developer.gserviceaccount.com`, `PROJECT_ID@appspot.gserviceaccount.com`)
 *   are user-managed: they are NOT service agents and their grants are the customer's to trim.
 */

const IAM_SA_SUFFIX = '.iam.gserviceaccount.com';
const AGENT_LOCAL_PART = /^service-(?:org-|folder-)?\d+$/;

/**
 * `projectId`: the audited project, so that a user-managed account that merely happens to be
 * called `service-123` inside that project is not mistaken for an agent.
 */
export function isServiceAgentEmail(email: string, projectId?: string): boolean {
  const at = email.lastIndexOf('@');
  if (at <= 0) return false;
  const local = email.slice(0, at).toLowerCase();
  const domain = email.slice(at + 1).toLowerCase();
  if (domain.startsWith('gcp-sa-') && domain.endsWith(IAM_SA_SUFFIX)) return true;
  if (AGENT_LOCAL_PART.test(local) && domain.endsWith(IAM_SA_SUFFIX)) {
    return projectId === undefined || domain !== `${projectId.toLowerCase()}${IAM_SA_SUFFIX}`;
  }
  if (domain === 'cloudservices.gserviceaccount.com' && /^\d+$/.test(local)) return true;
  // Legacy Google-owned identities such as cloud-logs@system.gserviceaccount.com.
  if (domain === 'system.gserviceaccount.com') return true;
  return false;
}
