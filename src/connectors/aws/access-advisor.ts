/**
 * Reads `aws iam get-service-last-accessed-details` outputs (service or action level).
 * The output does not name the principal it is about, so the file name does (see README):
 * `access-advisor/<role-or-user-name>.json`, or `<kind>.<name>.json` when a role and a user share a
 * name. A file that holds only `{"JobId": …}` (the `generate-service-last-accessed-details` output)
 * points at `<JobId>.json` in the same folder, the layout CloudMapper's collector writes.
 * Semantics: https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetServiceLastAccessedDetails.html
 */

import { z } from 'zod';
import type { AccessAdvisorRecord } from '../../model/aws/inventory.js';
import { InputError } from '../../model/errors.js';

const details = z.object({
  JobStatus: z.string(),
  JobCompletionDate: z.string().optional(),
  JobCreationDate: z.string().optional(),
  ServicesLastAccessed: z.array(
    z.object({
      ServiceNamespace: z.string(),
      LastAuthenticated: z.string().optional().nullable(),
      LastAuthenticatedEntity: z.string().optional().nullable(),
      TrackedActionsLastAccessed: z
        .array(
          z.object({
            ActionName: z.string(),
            LastAccessedTime: z.string().optional().nullable(),
          }),
        )
        .optional(),
    }),
  ),
});

const jobPointer = z.object({ JobId: z.string() });

export type AccessAdvisorFile = { kind: 'pointer'; jobId: string } | { kind: 'details'; record: Omit<AccessAdvisorRecord, 'principalArn'>; entities: string[] };

export function parseAccessAdvisorFile(json: unknown, source: string): AccessAdvisorFile {
  const pointer = jobPointer.safeParse(json);
  if (pointer.success && !(typeof json === 'object' && json !== null && 'ServicesLastAccessed' in json)) {
    return { kind: 'pointer', jobId: pointer.data.JobId };
  }
  const parsed = details.safeParse(json);
  if (!parsed.success) {
    throw new InputError(
      `${source} is not \`aws iam get-service-last-accessed-details\` output`,
      'produce it with `aws iam get-service-last-accessed-details --job-id <id>` after `generate-service-last-accessed-details --granularity ACTION_LEVEL`',
      { file: source },
    );
  }
  const d = parsed.data;
  if (d.JobStatus !== 'COMPLETED') {
    throw new InputError(`${source}: Access Advisor job status is ${d.JobStatus}, not COMPLETED`, 'wait for the job to complete and fetch the details again', {
      file: source,
    });
  }
  const completion = d.JobCompletionDate ?? d.JobCreationDate;
  if (!completion) {
    throw new InputError(`${source}: no JobCompletionDate`, 'fetch the job details again once it has completed', {
      file: source,
    });
  }
  const entities = new Set<string>();
  const services = d.ServicesLastAccessed.map((s) => {
    if (s.LastAuthenticatedEntity) entities.add(s.LastAuthenticatedEntity);
    return {
      serviceNamespace: s.ServiceNamespace.toLowerCase(),
      lastAuthenticated: s.LastAuthenticated ? new Date(s.LastAuthenticated).toISOString() : null,
      ...(s.TrackedActionsLastAccessed
        ? {
            actions: s.TrackedActionsLastAccessed.map((a) => ({
              actionName: a.ActionName,
              lastAccessed: a.LastAccessedTime ? new Date(a.LastAccessedTime).toISOString() : null,
            })),
          }
        : {}),
    };
  }).sort((a, b) => (a.serviceNamespace < b.serviceNamespace ? -1 : a.serviceNamespace > b.serviceNamespace ? 1 : 0));
  return {
    kind: 'details',
    record: { jobCompletionDate: new Date(completion).toISOString(), services, source },
    entities: [...entities].sort(),
  };
}
