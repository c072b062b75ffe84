/**
 * Who made a call, from a CloudTrail `userIdentity` element.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
 */

import type { CallerType } from '../../../model/aws/activity.js';

export interface Caller {
  callerType: CallerType;
  callerArn: string | null;
}

const KNOWN_TYPES: ReadonlySet<string> = new Set<CallerType>([
  'IAMUser',
  'AssumedRole',
  'Root',
  'FederatedUser',
  'AWSService',
  'AWSAccount',
  'IdentityCenterUser',
  'WebIdentityUser',
  'SAMLUser',
  'Unknown',
]);

function isCallerType(value: string): value is CallerType {
  return KNOWN_TYPES.has(value);
}

function str(obj: Record<string, unknown>, key: string): string | null {
  const v = obj[key];
  return typeof v === 'string' && v !== '' ? v : null;
}

function obj(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/**
 * `arn:aws:sts::123:assumed-role/Name/session` → `arn:aws:iam::123:role/Name`. The role's path is
 * not in the session ARN, which is why the engine also matches roles by name.
 */
function roleArnFromAssumedRoleArn(arn: string): string | null {
  const m = /^arn:([^:]+):sts::(\d*):assumed-role\/([^/]+)\/.*$/.exec(arn);
  if (m === null) return null;
  return `arn:${m[1]}:iam::${m[2]}:role/${m[3]}`;
}

const NO_CALLER: Caller = { callerType: 'Unknown', callerArn: null };

export function resolveCaller(userIdentity: unknown): Caller {
  const ui = obj(userIdentity);
  if (ui === null) return NO_CALLER;
  const type = str(ui, 'type');
  const arn = str(ui, 'arn');
  if (type === null) {
    // Service events (eventType AwsServiceEvent) carry only accountId + invokedBy.
    const invokedBy = str(ui, 'invokedBy');
    return invokedBy !== null ? { callerType: 'AWSService', callerArn: invokedBy } : { callerType: 'Unknown', callerArn: arn };
  }
  switch (type) {
    case 'IAMUser': {
      if (arn !== null) return { callerType: 'IAMUser', callerArn: arn };
      // Console sign-in events (e.g. CheckMfa) omit the ARN but name the user. The path is unknown,
      // so the engine has to match the user by name.
      const userName = str(ui, 'userName');
      const account = str(ui, 'accountId');
      return { callerType: 'IAMUser', callerArn: userName !== null && account !== null ? `arn:aws:iam::${account}:user/${userName}` : null };
    }
    case 'AssumedRole': {
      const issuer = obj(obj(ui['sessionContext'])?.['sessionIssuer']);
      const issuerArn = issuer !== null ? str(issuer, 'arn') : null;
      // The issuer ARN keeps the role path (role/service-role/x), which the session ARN drops.
      if (issuer !== null && str(issuer, 'type') === 'Role' && issuerArn !== null) return { callerType: 'AssumedRole', callerArn: issuerArn };
      return { callerType: 'AssumedRole', callerArn: arn !== null ? (roleArnFromAssumedRoleArn(arn) ?? arn) : null };
    }
    case 'AWSService':
      return { callerType: 'AWSService', callerArn: str(ui, 'invokedBy') ?? arn };
    default:
      return { callerType: isCallerType(type) ? type : 'Unknown', callerArn: arn };
  }
}
