import * as v from 'valibot';
import { KMS_KEY_ARN, parseKmsKeyArn, parseRoleArn } from './arn.ts';
import { PROFILE_NAMES } from './profiles.ts';
import { ALL_REGIONS, isRegion, type Partition, partitionOfRegion } from './regions.ts';
import type { BucketInput, VerifyRequest } from './types.ts';

/** The contract's limits (verify-api.md, "Fields and defaults"). */
export const LIMITS = {
  bodyBytes: 64 * 1024,
  buckets: 50,
  kmsKeys: 20,
  redshiftTargets: 10,
  prefixChars: 512,
};

export interface FieldError {
  path: string;
  message: string;
}

/** S3's bucket naming rules for general purpose buckets. */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return 'must be 3 to 63 characters';
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) {
    return 'not a valid bucket name: lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit';
  }
  if (name.includes('..')) return 'not a valid bucket name: two adjacent dots';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return 'not a valid bucket name: formatted as an IP address';
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(name) || /(-s3alias|--ol-s3|--x-s3|--table-s3)$/.test(name)) {
    return 'not a valid bucket name: reserved prefix or suffix';
  }
  return undefined;
}

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
);

const bucket = v.strictObject({
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
    ),
  ),
  access: v.optional(v.picklist(['read', 'write', 'readwrite'], 'one of read, write, readwrite')),
  region: v.optional(region),
  kmsKeyArn: v.optional(kmsKeyArn),
  expectedBucketOwner: v.optional(
    v.pipe(v.string('must be a string'), v.regex(/^\d{12}$/, 'a 12-digit AWS account id')),
  ),
});

const NOT_YET = 'not available in this version of the service';

export const verifyRequestSchema = v.strictObject({
  credentials: v.variant('type', [roleCredentials, accessKeyCredentials], 'role or accessKey credentials'),
  region: v.optional(region),
  profile: v.optional(v.picklist(PROFILE_NAMES, `one of ${PROFILE_NAMES.join(', ')}`)),
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
  // In the contract, probed by a later version: refused rather than silently verifying less.
  redshift: v.optional(v.custom<never>(() => false, NOT_YET)),
});

/** Maps valibot's issues to the contract's `details`, never echoing the value (it may be a secret). */
export function fieldErrors(issues: readonly v.BaseIssue<unknown>[]): FieldError[] {
  return issues.map((issue) => {
    const path = pathOf(issue.path?.map((p) => p.key) ?? []);
    let message = issue.message;
    if (issue.type === 'strict_object' && issue.expected === 'never') message = 'unknown field';
    else if (issue.received === 'undefined' && issue.kind === 'schema') message = 'required';
    else if (message.startsWith('Invalid ')) message = `expected ${issue.expected ?? 'another value'}`;
    return { path: path || '(body)', message };
  });
}

function pathOf(keys: unknown[]): string {
  let out = '';
  for (const k of keys) {
    if (typeof k === 'number') out += `[${k}]`;
    else out += out ? `.${String(k)}` : String(k);
  }
  return out;
}

/** Checks across fields: every region and ARN must belong to the partition of the credentials. */
function partitionErrors(req: VerifyRequest): FieldError[] {
  const errors: FieldError[] = [];
  const c = req.credentials;
  const partition: Partition | undefined =
    c.type === 'role'
      ? parseRoleArn(c.roleArn)?.partition
      : req.region
        ? partitionOfRegion(req.region)
        : undefined;
  if (!partition) return errors;
  const check = (path: string, p: Partition | undefined) => {
    if (p && p !== partition)
      errors.push({ path, message: `is in partition ${p}, the credentials in ${partition}` });
  };
  if (req.region) check('region', partitionOfRegion(req.region));
  req.s3?.forEach((b, i) => {
    if (b.region) check(`s3[${i}].region`, partitionOfRegion(b.region));
    if (b.kmsKeyArn) check(`s3[${i}].kmsKeyArn`, parseKmsKeyArn(b.kmsKeyArn)?.partition);
  });
  req.kms?.forEach((k, i) => {
    check(`kms[${i}].keyArn`, parseKmsKeyArn(k.keyArn)?.partition);
  });
  return errors;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

export function parseVerifyRequest(body: unknown): Parsed<VerifyRequest> {
  const result = v.safeParse(verifyRequestSchema, body, { abortEarly: false, abortPipeEarly: true });
  if (!result.success) return { ok: false, errors: fieldErrors(result.issues) };
  const value = result.output as VerifyRequest;
  const errors = partitionErrors(value);
  return errors.length ? { ok: false, errors } : { ok: true, value };
}

const setupQuerySchema = v.strictObject({
  profile: v.optional(v.picklist(PROFILE_NAMES, `one of ${PROFILE_NAMES.join(', ')}`)),
  s3: v.pipe(v.array(bucket), v.maxLength(LIMITS.buckets, `at most ${LIMITS.buckets} buckets`)),
});

/** Per-bucket query parameters, paired with the `bucket` of the same position. */
const PER_BUCKET = ['prefix', 'access', 'region', 'kmsKeyArn'] as const;

/**
 * GET /setup?profile=staging&bucket=a&prefix=in/&bucket=b: repeated parameters are read from
 * the raw query string, because API Gateway joins repeats with commas in queryStringParameters.
 */
export function parseSetupQuery(raw: string): Parsed<{ profile?: string; buckets: BucketInput[] }> {
  const params = new URLSearchParams(raw);
  const errors: FieldError[] = [];
  const known = new Set<string>(['profile', 'bucket', ...PER_BUCKET]);
  for (const key of new Set(params.keys())) {
    if (!known.has(key))
      errors.push({ path: key, message: key.startsWith('redshift') ? NOT_YET : 'unknown parameter' });
  }
  const buckets: Record<string, string>[] = params.getAll('bucket').map((bucket) => ({ bucket }));
  for (const key of PER_BUCKET) {
    const values = params.getAll(key);
    if (values.length > buckets.length)
      errors.push({ path: key, message: `given ${values.length} times for ${buckets.length} bucket(s)` });
    values.forEach((value, i) => {
      const b = buckets[i];
      if (b && value !== '') b[key] = value;
    });
  }
  const profiles = params.getAll('profile');
  if (profiles.length > 1) errors.push({ path: 'profile', message: 'given more than once' });
  const input = { s3: buckets, ...(profiles[0] !== undefined ? { profile: profiles[0] } : {}) };
  const result = v.safeParse(setupQuerySchema, input, { abortEarly: false, abortPipeEarly: true });
  if (!result.success) errors.push(...fieldErrors(result.issues));
  if (errors.length || !result.success) return { ok: false, errors };
  const out = result.output;
  return {
    ok: true,
    value: { buckets: out.s3 as BucketInput[], ...(out.profile ? { profile: out.profile } : {}) },
  };
}
