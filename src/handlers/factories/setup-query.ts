import * as v from 'valibot';
import {
  type FieldError,
  fieldErrors,
  type Parsed,
  profileErrors,
  redshiftErrors,
} from '../../core/field-errors.ts';
import { BUILTIN_PROFILES, type ProfileRegistry } from '../../core/profiles.ts';
import { bucket, LIMITS, profileName, redshiftTarget } from '../../core/request-schema.ts';
import type { BucketInput, RedshiftInput } from '../../core/wire.ts';

/* GET /setup's query string is HTTP's shape (repeats paired by position), so its parser is the handler's. */

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
  const { single, input } = readQuery(params, errors);
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

/** The query's parameters as the schema's input, with what only the raw query shows (unknown, repeated, unpaired). */
function readQuery(params: URLSearchParams, errors: FieldError[]) {
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
  return { single, input };
}
