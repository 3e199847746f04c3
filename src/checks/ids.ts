import type { CheckId } from '../core/wire.ts';

/**
 * Every check's id, in report order, without the checks themselves: the configuration checks
 * vendor profiles against it, and importing the catalogue (./index.ts) instead would bundle
 * every check's SDK client into the functions that run none (the drift dispatcher, GET
 * /openapi.json). test/catalogue.test.ts keeps it equal to the catalogue's ids.
 */
export const CHECK_IDS = [
  'sts.assume-role',
  'sts.external-id-required',
  'sts.caller-identity',
  's3.list-buckets',
  's3.bucket-region',
  's3.bucket-location',
  's3.list',
  's3.encryption',
  's3.write',
  's3.read',
  's3.delete',
  'kms.generate-data-key',
  'kms.encrypt',
  'kms.decrypt',
  'redshift.credentials',
  'redshift-serverless.credentials',
  'redshift.reachable',
  'redshift.copy-role',
  'iam.simulate',
] as const satisfies readonly CheckId[];

/** Compiles only while every CheckId is listed above. */
const everyIdListed: [Exclude<CheckId, (typeof CHECK_IDS)[number]>] extends [never] ? true : false = true;
void everyIdListed;
