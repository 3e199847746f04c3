import * as v from 'valibot';
import { KMS_KEY_ARN, parseKmsKeyArn, parseRoleArn } from './arn.ts';
import { bucketNameProblem } from './bucket-name.ts';
import type { Catalogue } from './catalogue.ts';
import { grantsOf } from './check.ts';
import { planChecks } from './plan.ts';
import { planSessions, SESSION_POLICY_LIMIT, SessionPolicyTooLong } from './policy.ts';
import { BUILTIN_PROFILES, type ProfileRegistry, profileNamed } from './profiles.ts';
import { ALL_REGIONS, isRegion, type Partition, partitionOfRegion, type Region } from './regions.ts';
import type { BucketInput, RedshiftInput, VerifyRequest } from './wire.ts';

/** The contract's limits (verify-api.md, "Fields and defaults"). */
export const LIMITS = {
  bodyBytes: 64 * 1024,
  buckets: 50,
  kmsKeys: 20,
  redshiftTargets: 10,
  prefixChars: 512,
};

export { bucketNameProblem };

export interface FieldError {
  path: string;
  message: string;
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
const profileName = v.pipe(v.string('must be a string'), v.maxLength(64, 'too long'));

const dbName = v.pipe(
  v.string('must be a string'),
  v.regex(/^[a-z_][a-z0-9_$]{0,63}$/, 'not a Redshift database name (lowercase, at most 64 characters)'),
);

/**
 * A provisioned cluster (clusterIdentifier + dbUser) or a Serverless workgroup (workgroupName):
 * one shape with both names optional, so a typo is still named field by field; which of the two
 * it is gets checked after the schema.
 */
const redshiftTarget = v.strictObject({
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

/**
 * Checks across fields: every region and ARN must belong to the partition of the credentials.
 * A key pair's partition is its region's, or without one the service's, where verify calls it.
 */
function partitionErrors(req: VerifyRequest, serviceRegion: Region): FieldError[] {
  const errors: FieldError[] = [];
  const c = req.credentials;
  const partition: Partition | undefined =
    c.type === 'role' ? parseRoleArn(c.roleArn)?.partition : partitionOfRegion(req.region ?? serviceRegion);
  if (!partition) return errors;
  const check = (path: string, p: Partition | undefined) => {
    if (p && p !== partition)
      errors.push({ path, message: `is in partition ${p}, the credentials in ${partition}` });
  };
  if (req.region) check('region', partitionOfRegion(req.region));
  // Without a region, STS is called in the service's: a role of another partition needs its own.
  else if (partitionOfRegion(serviceRegion) !== partition)
    errors.push({
      path: 'region',
      message: `required: the credentials are in partition ${partition}, this service's region ${serviceRegion} is not`,
    });
  req.s3?.forEach((b, i) => {
    if (b.region) check(`s3[${i}].region`, partitionOfRegion(b.region));
    if (b.kmsKeyArn) check(`s3[${i}].kmsKeyArn`, parseKmsKeyArn(b.kmsKeyArn)?.partition);
  });
  req.kms?.forEach((k, i) => {
    check(`kms[${i}].keyArn`, parseKmsKeyArn(k.keyArn)?.partition);
  });
  req.redshift?.forEach((r, i) => {
    if (r.region) check(`redshift[${i}].region`, partitionOfRegion(r.region));
    if (r.copyRoleArn) check(`redshift[${i}].copyRoleArn`, parseRoleArn(r.copyRoleArn)?.partition);
  });
  return errors;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/** A profile the deployment does not offer, named whatever else is wrong with the input. */
function profileErrors(input: unknown, profiles: ProfileRegistry): FieldError[] {
  const name =
    typeof input === 'object' && input !== null ? (input as { profile?: unknown }).profile : undefined;
  if (typeof name !== 'string' || Object.hasOwn(profiles, name)) return [];
  return [{ path: 'profile', message: `one of ${Object.keys(profiles).join(', ')}` }];
}

/** A Redshift target is a cluster with its db user, or a workgroup: never both, never neither. */
function redshiftErrors(targets: readonly RedshiftInput[] | undefined): FieldError[] {
  const errors: FieldError[] = [];
  targets?.forEach((t, i) => {
    const at = `redshift[${i}]`;
    if (t.clusterIdentifier && t.workgroupName) {
      errors.push({ path: at, message: 'name a clusterIdentifier or a workgroupName, not both' });
    } else if (t.clusterIdentifier) {
      if (!t.dbUser)
        errors.push({
          path: `${at}.dbUser`,
          message: 'required with clusterIdentifier: the user GetClusterCredentials is asked for',
        });
    } else if (t.workgroupName) {
      if (t.dbUser)
        errors.push({
          path: `${at}.dbUser`,
          message: 'a workgroup maps the IAM identity to its user: leave dbUser out',
        });
      if (t.dbGroups) errors.push({ path: `${at}.dbGroups`, message: 'only for a provisioned cluster' });
    } else {
      errors.push({ path: at, message: 'name a clusterIdentifier (with dbUser) or a workgroupName' });
    }
  });
  return errors;
}

/**
 * AWS takes at most 2,048 characters of session policy per AssumeRole. Targets share sessions
 * when they fit, but one Redshift target's own grants (a db group ARN each) can exceed it alone:
 * measured here with the planner verify uses, in both modes, so it is a 400 and not a failure
 * deep in the verification. A key pair has no session policy, so no such limit.
 */
function sessionPolicyErrors(
  req: VerifyRequest,
  profiles: ProfileRegistry,
  serviceRegion: Region,
  catalogue: Catalogue,
) {
  const errors: FieldError[] = [];
  const role = req.credentials.type === 'role' ? parseRoleArn(req.credentials.roleArn) : undefined;
  if (!role) return errors;
  const profile = profileNamed(req.profile, profiles);
  const where = { partition: role.partition, region: req.region ?? serviceRegion, account: role.account };
  req.redshift?.forEach((input, i) => {
    const [target] = catalogue.planTargets({ redshift: [input] }, where);
    if (!target) return;
    for (const mode of ['onboarding', 'drift'] as const) {
      const grants = planChecks(catalogue.checks, [target], profile, mode).flatMap((p) =>
        grantsOf(p.check, target),
      );
      try {
        planSessions([grants], role.partition);
      } catch (err) {
        if (!(err instanceof SessionPolicyTooLong)) throw err;
        errors.push({
          path: input.dbGroups?.length ? `redshift[${i}].dbGroups` : `redshift[${i}]`,
          message: `the access to verify needs ${err.length} characters of session policy, over AWS's ${SESSION_POLICY_LIMIT.toLocaleString('en-US')}: name fewer or shorter groups`,
        });
        return;
      }
    }
  });
  return errors;
}

export function parseVerifyRequest(
  /** What sizes the session policies: the checks and how their targets are planned. */
  catalogue: Catalogue,
  body: unknown,
  profiles: ProfileRegistry = BUILTIN_PROFILES,
  /** Where STS is called when the request names no region; its partition is a key pair's. */
  serviceRegion: Region = 'us-east-1',
): Parsed<VerifyRequest> {
  const result = v.safeParse(verifyRequestSchema, body, { abortEarly: false, abortPipeEarly: true });
  const unknownProfile = profileErrors(body, profiles);
  if (!result.success) return { ok: false, errors: [...fieldErrors(result.issues), ...unknownProfile] };
  const value = result.output as VerifyRequest;
  const errors = [
    ...unknownProfile,
    ...redshiftErrors(value.redshift),
    ...partitionErrors(value, serviceRegion),
  ];
  // Sized only once every target is whole and in the credentials' partition.
  if (!errors.length) errors.push(...sessionPolicyErrors(value, profiles, serviceRegion, catalogue));
  return errors.length ? { ok: false, errors } : { ok: true, value };
}

const setupQuerySchema = v.strictObject({
  profile: v.optional(profileName),
  s3: v.pipe(v.array(bucket), v.maxLength(LIMITS.buckets, `at most ${LIMITS.buckets} buckets`)),
  redshift: v.pipe(
    v.array(redshiftTarget),
    v.maxLength(LIMITS.redshiftTargets, `at most ${LIMITS.redshiftTargets} Redshift targets`),
  ),
});

export interface SetupQuery {
  profile?: string;
  buckets: BucketInput[];
  redshift: RedshiftInput[];
  /** The name of the COPY/UNLOAD role to generate for the clusters (seed 002). */
  copyRole?: string;
}

/** Per-bucket query parameters, paired with the `bucket` of the same position. */
const PER_BUCKET = ['prefix', 'access', 'region', 'kmsKeyArn'] as const;
/** Per-cluster query parameters, paired with the `redshiftCluster` of the same position. */
const PER_CLUSTER = { dbUser: 'dbUser', dbName: 'dbName' } as const;
const SINGLE = ['profile', 'account', 'redshiftRegion', 'copyRole'] as const;
/** IAM's rule for role names. */
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

/** Repeated parameters paired by position with the repeats of `owner`, each named on a 400. */
function paired(
  params: URLSearchParams,
  owners: Record<string, string>[],
  ownerName: string,
  keys: Record<string, string>,
  errors: FieldError[],
) {
  for (const [param, field] of Object.entries(keys)) {
    const values = params.getAll(param);
    if (values.length > owners.length)
      errors.push({
        path: param,
        message: `given ${values.length} times for ${owners.length} ${ownerName}(s)`,
      });
    values.forEach((value, i) => {
      const o = owners[i];
      if (o && value !== '') o[field] = value;
    });
  }
}

/**
 * GET /setup?profile=staging&bucket=a&prefix=in/&bucket=b&redshiftCluster=c&dbUser=u&account=…:
 * repeated parameters are read from the raw query string, because API Gateway joins repeats
 * with commas in queryStringParameters. Redshift ARNs name the account and region, so a
 * Redshift target needs `account` (and `redshiftRegion`, default the service's).
 */
export function parseSetupQuery(
  raw: string,
  profiles: ProfileRegistry = BUILTIN_PROFILES,
): Parsed<SetupQuery> {
  const params = new URLSearchParams(raw);
  const errors: FieldError[] = [];
  const known = new Set<string>([
    'bucket',
    ...PER_BUCKET,
    'redshiftCluster',
    'redshiftWorkgroup',
    ...Object.keys(PER_CLUSTER),
    ...SINGLE,
  ]);
  for (const key of new Set(params.keys())) {
    if (!known.has(key)) errors.push({ path: key, message: 'unknown parameter' });
  }
  const single: Record<string, string> = {};
  for (const key of SINGLE) {
    const values = params.getAll(key);
    if (values.length > 1) errors.push({ path: key, message: 'given more than once' });
    if (values[0] !== undefined) single[key] = values[0];
  }
  const buckets: Record<string, string>[] = params.getAll('bucket').map((bucket) => ({ bucket }));
  paired(params, buckets, 'bucket', Object.fromEntries(PER_BUCKET.map((k) => [k, k])), errors);
  const clusters: Record<string, string>[] = params
    .getAll('redshiftCluster')
    .map((clusterIdentifier) => ({ clusterIdentifier }));
  paired(params, clusters, 'redshiftCluster', PER_CLUSTER, errors);
  const workgroups = params.getAll('redshiftWorkgroup').map((workgroupName) => ({ workgroupName }));
  const redshift = [...clusters, ...workgroups].map((r) => ({
    ...r,
    ...(single.redshiftRegion ? { region: single.redshiftRegion } : {}),
    ...(single.account ? { accountId: single.account } : {}),
  }));
  if (redshift.length && !single.account)
    errors.push({ path: 'account', message: 'required with a Redshift target: its ARNs name the account' });
  if (single.copyRole !== undefined) {
    if (!ROLE_NAME.test(single.copyRole))
      errors.push({
        path: 'copyRole',
        message: 'not a role name (1 to 64 letters, digits and + = , . @ _ -)',
      });
    if (!clusters.length)
      errors.push({
        path: 'copyRole',
        message: 'needs a redshiftCluster with its dbUser: the COPY role is restricted to those db users',
      });
  }
  const input = {
    s3: buckets,
    redshift,
    ...(single.profile !== undefined ? { profile: single.profile } : {}),
  };
  const result = v.safeParse(setupQuerySchema, input, { abortEarly: false, abortPipeEarly: true });
  if (!result.success) errors.push(...fieldErrors(result.issues));
  errors.push(...profileErrors(input, profiles));
  if (result.success) errors.push(...redshiftErrors(result.output.redshift as RedshiftInput[]));
  if (errors.length || !result.success) return { ok: false, errors };
  const out = result.output;
  return {
    ok: true,
    value: {
      buckets: out.s3 as BucketInput[],
      redshift: out.redshift as RedshiftInput[],
      ...(out.profile ? { profile: out.profile } : {}),
      ...(single.copyRole ? { copyRole: single.copyRole } : {}),
    },
  };
}
