import type { CheckDescriptor, CheckId, Grant, Target } from '../core/types.ts';
import { iamSimulate } from './iam/simulate.ts';
import { kmsDecrypt } from './kms/decrypt.ts';
import { kmsEncrypt } from './kms/encrypt.ts';
import { kmsGenerateDataKey } from './kms/generate-data-key.ts';
import { redshiftCopyRole } from './redshift/copy-role.ts';
import { redshiftCredentials } from './redshift/credentials.ts';
import { redshiftReachable } from './redshift/reachable.ts';
import { redshiftServerlessCredentials } from './redshift/serverless-credentials.ts';
import { s3BucketLocation } from './s3/bucket-location.ts';
import { s3BucketRegion } from './s3/bucket-region.ts';
import { s3Delete } from './s3/delete.ts';
import { s3Encryption } from './s3/encryption.ts';
import { s3List } from './s3/list.ts';
import { s3ListBuckets } from './s3/list-buckets.ts';
import { s3Read } from './s3/read.ts';
import { s3Write } from './s3/write.ts';
import { stsAssumeRole } from './sts/assume-role.ts';
import { stsCallerIdentity } from './sts/caller-identity.ts';
import { stsExternalIdRequired } from './sts/external-id-required.ts';

/**
 * The catalogue, in report order. Static imports on purpose: esbuild bundles only what it can
 * see, so a folder walk would ship an empty catalogue.
 */
export const CATALOGUE = [
  stsAssumeRole,
  stsExternalIdRequired,
  stsCallerIdentity,
  s3ListBuckets,
  s3BucketRegion,
  s3BucketLocation,
  s3List,
  s3Encryption,
  s3Write,
  s3Read,
  s3Delete,
  kmsGenerateDataKey,
  kmsEncrypt,
  kmsDecrypt,
  redshiftCredentials,
  redshiftServerlessCredentials,
  redshiftReachable,
  redshiftCopyRole,
  iamSimulate,
] as const satisfies readonly AnyCheck[];

export type AnyCheck =
  | CheckDescriptor<'principal'>
  | CheckDescriptor<'bucket'>
  | CheckDescriptor<'kms'>
  | CheckDescriptor<'redshift'>;

const byId = new Map<CheckId, AnyCheck>(CATALOGUE.map((c) => [c.id, c as AnyCheck]));

export function checkById(id: CheckId): AnyCheck {
  const check = byId.get(id);
  if (!check) throw new Error(`unknown check ${id}`);
  return check;
}

export const CHECK_IDS: readonly CheckId[] = CATALOGUE.map((c) => c.id);

/** Whether a check runs on a target: of its scope, and not excluded by its `appliesTo`. */
export function appliesTo(check: AnyCheck, target: Target): boolean {
  if (check.scope !== target.kind) return false;
  // The scope test above is what makes this call type-safe.
  return (check.appliesTo as ((t: Target) => boolean) | undefined)?.(target) ?? true;
}

/** A check's grants for a target of its scope. */
export const grantsOf = (check: AnyCheck, target: Target): Grant[] =>
  (check.grants as (t: Target) => Grant[])(target);
