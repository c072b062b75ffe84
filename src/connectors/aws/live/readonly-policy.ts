/**
 * permdrift's own IAM policy: exactly the actions the live connector calls, all Read or List.
 * `permdrift policy aws` prints it and docs/permdrift-readonly-policy.json holds the same text (a
 * test keeps the two and the code in step). It lives in code because the npm package ships dist/,
 * not docs/.
 *
 * The two Generate* actions start IAM report jobs (Access Advisor, the credential report); AWS
 * classes them as Read because they change nothing in the account, and the reports they build are
 * the only way to read last-accessed data and key usage.
 */

export const READONLY_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'PermdriftIdentity',
      Effect: 'Allow',
      Action: ['sts:GetCallerIdentity'],
      Resource: '*',
    },
    {
      Sid: 'PermdriftIamInventoryAndLastAccessed',
      Effect: 'Allow',
      Action: [
        'iam:GenerateCredentialReport',
        'iam:GenerateServiceLastAccessedDetails',
        'iam:GetAccountAuthorizationDetails',
        'iam:GetCredentialReport',
        'iam:GetServiceLastAccessedDetails',
      ],
      Resource: '*',
    },
    {
      Sid: 'PermdriftCloudTrail',
      Effect: 'Allow',
      Action: ['cloudtrail:DescribeTrails', 'cloudtrail:GetEventSelectors', 'cloudtrail:GetTrailStatus', 'cloudtrail:LookupEvents'],
      Resource: '*',
    },
    {
      Sid: 'PermdriftCloudTrailArchive',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:ListBucket'],
      Resource: '*',
    },
  ],
} as const;

interface PolicyDocument {
  Version: string;
  Statement: { Sid: string; Effect: string; Action: string[]; Resource: string }[];
}

/**
 * READONLY_POLICY, with the S3 statement narrowed to the trail archive when it is known: ListBucket
 * on the bucket, GetObject on the objects under the prefix (the collector lists and reads only
 * `<prefix>/AWSLogs/…`, digests included). Without a prefix the whole bucket's objects: a trail may
 * deliver under a prefix the caller did not name.
 */
function readonlyPolicy(archive?: { bucket: string; prefix: string }): PolicyDocument {
  const statements = READONLY_POLICY.Statement.flatMap((s) => {
    if (!archive || s.Sid !== 'PermdriftCloudTrailArchive') return [{ ...s, Action: [...s.Action] }];
    const objects = `arn:aws:s3:::${archive.bucket}/${archive.prefix === '' ? '' : `${archive.prefix}/`}*`;
    return [
      { Sid: 'PermdriftCloudTrailArchiveList', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: `arn:aws:s3:::${archive.bucket}` },
      { Sid: 'PermdriftCloudTrailArchiveRead', Effect: 'Allow', Action: ['s3:GetObject'], Resource: objects },
    ];
  });
  return { Version: READONLY_POLICY.Version, Statement: statements };
}

export function readonlyPolicyText(archive?: { bucket: string; prefix: string }): string {
  return `${JSON.stringify(archive ? readonlyPolicy(archive) : READONLY_POLICY, null, 2)}\n`;
}

/**
 * What `--org` / `--accounts` add, for the identity that runs permdrift (in the management account
 * or a delegated administrator): listing the accounts, and entering each one through the role
 * named by --assume-role-name, which in turn needs READONLY_POLICY. `sts:AssumeRole` is the one
 * action AWS does not class Read or List; it is limited to that role name and changes nothing.
 */
export function orgPolicy(roleName: string): { Version: string; Statement: { Sid: string; Effect: string; Action: string[]; Resource: string }[] } {
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'PermdriftListAccounts', Effect: 'Allow', Action: ['organizations:ListAccounts'], Resource: '*' },
      { Sid: 'PermdriftEnterAccounts', Effect: 'Allow', Action: ['sts:AssumeRole'], Resource: `arn:aws:iam::*:role/${roleName}` },
    ],
  };
}

export function orgPolicyText(roleName: string): string {
  return `${JSON.stringify(orgPolicy(roleName), null, 2)}\n`;
}

/** SDK command → the IAM action that authorizes it (S3 names differ from their commands). */
export const COMMAND_ACTIONS: Readonly<Record<string, string>> = {
  'client-sts:GetCallerIdentity': 'sts:GetCallerIdentity',
  'client-iam:GetAccountAuthorizationDetails': 'iam:GetAccountAuthorizationDetails',
  'client-iam:GenerateServiceLastAccessedDetails': 'iam:GenerateServiceLastAccessedDetails',
  'client-iam:GetServiceLastAccessedDetails': 'iam:GetServiceLastAccessedDetails',
  'client-iam:GenerateCredentialReport': 'iam:GenerateCredentialReport',
  'client-iam:GetCredentialReport': 'iam:GetCredentialReport',
  'client-cloudtrail:DescribeTrails': 'cloudtrail:DescribeTrails',
  'client-cloudtrail:GetEventSelectors': 'cloudtrail:GetEventSelectors',
  'client-cloudtrail:GetTrailStatus': 'cloudtrail:GetTrailStatus',
  'client-cloudtrail:LookupEvents': 'cloudtrail:LookupEvents',
  'client-s3:ListObjectsV2': 's3:ListBucket',
  'client-s3:GetObject': 's3:GetObject',
  'client-organizations:ListAccounts': 'organizations:ListAccounts',
  // fromTemporaryCredentials sends it on the connector's behalf.
  'client-sts:AssumeRole': 'sts:AssumeRole',
};
