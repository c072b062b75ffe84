/** The provider-neutral words a grant is described in, shared by both wings and the report. */

/** `direct`: attached to the identity itself; `inherited`: reaches it through a group (or, on GCP, a parent resource). */
export type Provenance = 'direct' | 'inherited';

/**
 * How much a permission can do, in the AWS Service Authorization Reference's access levels; GCP
 * permissions are mapped onto the same scale so one severity rule serves both.
 */
export type AccessLevel = 'Permissions management' | 'Write' | 'Tagging' | 'Read' | 'List' | 'Unknown';
