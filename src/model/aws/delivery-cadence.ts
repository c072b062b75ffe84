/**
 * CloudTrail delivers a log file about every five minutes per region while there is activity
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/how-cloudtrail-works.html), and a
 * digest file every hour. A hole longer than this, with no other proof, is a gap in the evidence.
 */
export const DELIVERY_CADENCE_MS = 3_600_000;
