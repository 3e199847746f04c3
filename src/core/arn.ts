import type { Partition } from './regions.ts';

/** ARN builders and parsers for the few resource types this service names. */

export const ROLE_ARN =
  /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role\/((?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64})$/;
export const KMS_KEY_ARN =
  /^arn:(aws|aws-cn|aws-us-gov):kms:([a-z0-9-]+):(\d{12}):key\/((?:mrk-)?[a-f0-9]{32}|[a-f0-9-]{36})$/;

export interface RoleArn {
  partition: Partition;
  account: string;
  /** The role name with its path, as IAM shows it after `role/`. */
  pathAndName: string;
  name: string;
}

export function parseRoleArn(arn: string): RoleArn | undefined {
  const m = ROLE_ARN.exec(arn);
  if (!m) return undefined;
  const pathAndName = m[3] as string;
  return {
    partition: m[1] as Partition,
    account: m[2] as string,
    pathAndName,
    name: pathAndName.split('/').at(-1) as string,
  };
}

export interface KmsKeyArn {
  partition: Partition;
  region: string;
  account: string;
  keyId: string;
}

export function parseKmsKeyArn(arn: string): KmsKeyArn | undefined {
  const m = KMS_KEY_ARN.exec(arn);
  if (!m) return undefined;
  return {
    partition: m[1] as Partition,
    region: m[2] as string,
    account: m[3] as string,
    keyId: m[4] as string,
  };
}

/** The partition of any ARN, if it names one this service knows. */
export function partitionOfArn(arn: string): Partition | undefined {
  const p = arn.split(':')[1];
  return p === 'aws' || p === 'aws-cn' || p === 'aws-us-gov' ? p : undefined;
}

export const s3BucketArn = (partition: Partition, bucket: string) => `arn:${partition}:s3:::${bucket}`;

/** Objects under a prefix: `prefix*`, so `vendor/` gives `bucket/vendor/*` and the root gives `bucket/*`. */
export const s3ObjectsArn = (partition: Partition, bucket: string, prefix: string) =>
  `arn:${partition}:s3:::${bucket}/${prefix}*`;

/** The account an ARN names (its fifth field), if it names one. */
export const accountOfArn = (arn: string): string | undefined =>
  /^arn:[\w-]+:[\w-]+:[\w-]*:(\d{12}):/.exec(arn)?.[1];
