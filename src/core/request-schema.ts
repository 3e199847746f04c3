import * as v from 'valibot';
import { KMS_KEY_ARN, parseKmsKeyArn, parseRoleArn } from './arn.ts';
import { bucketNameProblem } from './bucket-name.ts';
import { ALL_REGIONS, isRegion, partitionOfRegion } from './regions.ts';

/** The request schemas of the contract (verify-api.md, "Fields and defaults"): POST /verify's body and its targets. */

/** The contract's limits (verify-api.md, "Fields and defaults"). */
export const LIMITS = {
  bodyBytes: 64 * 1024,
  buckets: 50,
  kmsKeys: 20,
  redshiftTargets: 10,
  prefixChars: 512,
};

const region = v.picklist(ALL_REGIONS, 'not a known AWS region');

const roleCredentials = v.strictObject({
  type: v.literal('role'),
  roleArn: v.pipe(
    v.string('must be a string'),
    v.maxLength(2048, 'too long'),
    v.check(
      (s) => parseRoleArn(s) !== undefined,
      'not an IAM role ARN (arn:<partition>:iam::<account>:role/<name>)',
    ),
  ),
});

const accessKeyCredentials = v.strictObject({
  type: v.literal('accessKey'),
  accessKeyId: v.pipe(
    v.string('must be a string'),
    v.regex(/^(AKIA|ASIA)[A-Z0-9]{12,124}$/, 'not an AWS access key id'),
  ),
  secretAccessKey: v.pipe(
    v.string('must be a string'),
    v.regex(/^[A-Za-z0-9/+=]{16,128}$/, 'not an AWS secret access key'),
  ),
  sessionToken: v.optional(
    v.pipe(v.string('must be a string'), v.regex(/^[A-Za-z0-9/+=]{16,4096}$/, 'not an AWS session token')),
  ),
});

const kmsKeyArn = v.pipe(
  v.string('must be a string'),
  v.regex(KMS_KEY_ARN, 'not a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>)'),
  v.check((s) => isRegion(parseKmsKeyArn(s)?.region ?? ''), 'names a region this service does not know'),
  // `arn:aws-cn:kms:us-east-1:…` names no key AWS could have: the region decides the endpoint.
  v.check((s) => {
    const arn = parseKmsKeyArn(s);
    return arn !== undefined && partitionOfRegion(arn.region) === arn.partition;
  }, "names a region outside the ARN's partition"),
);

/**
 * S3 keys and IAM policies are UTF-8: a lone UTF-16 surrogate (`"\ud800"` in the JSON) has no
 * UTF-8 form, and would fail deep inside a call instead of here.
 */
export const WELL_FORMED = 'contains a lone UTF-16 surrogate: not valid Unicode';

export const bucket = v.strictObject({
  bucket: v.pipe(
    v.string('must be a string'),
    v.check((s) => bucketNameProblem(s) === undefined, 'not a valid bucket name'),
  ),
  prefix: v.optional(
    v.pipe(
      v.string('must be a string'),
      v.maxLength(LIMITS.prefixChars, `at most ${LIMITS.prefixChars} characters`),
      // Control characters have no place in a key prefix and would garble logs and reports.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: that is the point of the check
      v.regex(/^[^\u0000-\u001f\u007f]*$/, 'contains control characters'),
      v.check((s) => !s.startsWith('/'), 'must not start with "/": S3 keys have no leading slash'),
      v.check((s) => s.isWellFormed(), WELL_FORMED),
    ),
  ),
  access: v.optional(v.picklist(['read', 'write', 'readwrite'], 'one of read, write, readwrite')),
  region: v.optional(region),
  kmsKeyArn: v.optional(kmsKeyArn),
  expectedBucketOwner: v.optional(
    v.pipe(v.string('must be a string'), v.regex(/^\d{12}$/, 'a 12-digit AWS account id')),
  ),
});

/** Checked against the deployment's profiles after the schema (they come from configuration). */
export const profileName = v.pipe(v.string('must be a string'), v.maxLength(64, 'too long'));

const dbName = v.pipe(
  v.string('must be a string'),
  v.regex(/^[a-z_][a-z0-9_$]{0,63}$/, 'not a Redshift database name (lowercase, at most 64 characters)'),
);

/**
 * A provisioned cluster (clusterIdentifier + dbUser) or a Serverless workgroup (workgroupName):
 * one shape with both names optional, so a typo is still named field by field; which of the two
 * it is gets checked after the schema.
 */
export const redshiftTarget = v.strictObject({
  clusterIdentifier: v.optional(
    v.pipe(
      v.string('must be a string'),
      v.regex(
        /^[a-z](?!.*--)[a-z0-9-]{0,61}[a-z0-9]$|^[a-z]$/,
        'not a cluster identifier (lowercase letters, digits, single hyphens, at most 63 characters)',
      ),
    ),
  ),
  workgroupName: v.optional(
    v.pipe(
      v.string('must be a string'),
      v.regex(/^[a-z0-9-]{3,64}$/, 'not a workgroup name (3 to 64 lowercase letters, digits, hyphens)'),
    ),
  ),
  dbUser: v.optional(
    v.pipe(
      v.string('must be a string'),
      v.regex(/^[A-Za-z_][A-Za-z0-9_.@$-]{0,63}$/, 'not a Redshift user name (at most 64 characters)'),
    ),
  ),
  dbName: v.optional(dbName),
  dbGroups: v.optional(
    v.pipe(
      v.array(
        v.pipe(
          v.string('must be a string'),
          v.regex(/^[a-z_][a-z0-9_$]{0,63}$/, 'not a Redshift group name'),
        ),
      ),
      v.maxLength(10, 'at most 10 groups'),
    ),
  ),
  region: v.optional(region),
  accountId: v.optional(
    v.pipe(v.string('must be a string'), v.regex(/^\d{12}$/, 'a 12-digit AWS account id')),
  ),
  // The role Redshift assumes for COPY/UNLOAD (seed 002): checked attached, never assumed.
  copyRoleArn: v.optional(
    v.pipe(
      v.string('must be a string'),
      v.maxLength(2048, 'too long'),
      v.check(
        (s) => parseRoleArn(s) !== undefined,
        'not an IAM role ARN (arn:<partition>:iam::<account>:role/<name>)',
      ),
    ),
  ),
});

export const verifyRequestSchema = v.strictObject({
  credentials: v.variant('type', [roleCredentials, accessKeyCredentials], 'role or accessKey credentials'),
  region: v.optional(region),
  profile: v.optional(profileName),
  s3: v.optional(
    v.pipe(
      v.array(bucket, 'must be an array'),
      v.maxLength(LIMITS.buckets, `at most ${LIMITS.buckets} buckets`),
    ),
  ),
  kms: v.optional(
    v.pipe(
      v.array(
        v.strictObject({
          keyArn: kmsKeyArn,
          operations: v.optional(
            v.pipe(
              v.array(
                v.picklist(
                  ['encrypt', 'decrypt', 'generate-data-key'],
                  'one of encrypt, decrypt, generate-data-key',
                ),
              ),
              v.minLength(1, 'name at least one operation, or leave the field out for all three'),
              v.maxLength(3, 'at most the three operations'),
            ),
          ),
        }),
        'must be an array',
      ),
      v.maxLength(LIMITS.kmsKeys, `at most ${LIMITS.kmsKeys} KMS keys`),
    ),
  ),
  redshift: v.optional(
    v.pipe(
      v.array(redshiftTarget, 'must be an array'),
      v.maxLength(LIMITS.redshiftTargets, `at most ${LIMITS.redshiftTargets} Redshift targets`),
    ),
  ),
  // `simulate`: write and delete judged by IAM policy simulation, nothing written (no-write mode).
  probe: v.optional(v.picklist(['objects', 'simulate'], 'one of objects, simulate')),
});
