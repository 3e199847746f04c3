import { createHash } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { s3ObjectsArn } from '../../core/arn.ts';
import type { VerificationInfo } from '../../core/check.ts';
import { type AnyContext, type CheckContext, sessionFor } from '../../core/check.ts';
import { headerOf } from '../../core/classify.ts';
import type { BucketFacts } from '../../core/facts.ts';
import type { Grant, Refusal } from '../../core/iam-documents.ts';
import type { BucketTarget } from '../../core/targets.ts';

/**
 * Probe objects: tiny, uniquely named, and saying whose they are, so a customer who finds one
 * knows what it is and that it is safe to delete. All probes of all runs share one marker, so
 * a later run can find and sweep what an interrupted run left behind.
 */
export const PROBE_MARKER = '.aws-access-verifier-probe-';

/**
 * The one object a destination keeps for drift (its name does not carry PROBE_MARKER, so no
 * sweep removes it): a conditional write on it answers 412 to a caller still allowed to write
 * and 403 to one that is not, writing nothing.
 */
export const markerKey = (prefix: string, v: VerificationInfo) =>
  `${prefix}.aws-access-verifier-marker-${safe(v.vendorName)}`;

export const markerBody = (v: VerificationInfo) =>
  `Kept by ${v.vendorName}'s access verifier (aws-access-verifier): scheduled checks ask S3 to ` +
  'write this key only if it does not exist, which proves write access without writing. ' +
  'Deleting it is harmless (it is put back); deleting the connection is what ends the checks.\n';

/**
 * Reading back what may be a probe, to be sure before deleting it: only keys that carry the
 * marker, and only in the session (a customer is never asked for it).
 */
export const probeReadGrant = (t: BucketTarget): Grant => ({
  actions: ['s3:GetObject'],
  resources: [`${s3ObjectsArn(t.partition, t.bucket, t.prefix).slice(0, -1)}${PROBE_MARKER}*`],
  sessionOnly: true,
});

/** Probes older than this are leftovers of earlier runs, not of a verification still running. */
export const LEFTOVER_AGE_MS = 60 * 60 * 1000;

const stampOf = (at: Date) => at.toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');

export function probeKey(prefix: string, v: VerificationInfo): string {
  return `${prefix}${PROBE_MARKER}${safe(v.vendorName)}-${stampOf(v.startedAt)}-${v.id}`;
}

const PROBE_KEY_TAIL = /^(\d{8}T\d{6}Z)-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/**
 * A key this deployment's probeKey could have written under `prefix`, whatever its time and
 * verification id: this vendor's name, a timestamp and a UUID, nothing more. Another vendor's
 * probes (`acme-2-…` is not `acme-…`) and a customer's look-alikes do not match.
 */
export function parseProbeKey(
  key: string,
  prefix: string,
  v: Pick<VerificationInfo, 'vendorName'>,
): { stamp: string; id: string } | undefined {
  const head = `${prefix}${PROBE_MARKER}${safe(v.vendorName)}-`;
  if (!key.startsWith(head)) return undefined;
  const m = PROBE_KEY_TAIL.exec(key.slice(head.length));
  return m?.[1] && m[2] ? { stamp: m[1], id: m[2] } : undefined;
}

/** The size of every probe body of this deployment: ids and ISO times have one length. */
export const probeSize = (v: VerificationInfo) => Buffer.byteLength(probeBody(v));

/** Whether `body`, stored at `key`, is exactly the probe this deployment wrote there. */
export function isProbeBody(body: string, key: string, prefix: string, v: VerificationInfo): boolean {
  const parsed = parseProbeKey(key, prefix, v);
  const at = / at (\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)\. /.exec(body)?.[1];
  if (!parsed || !at) return false;
  const startedAt = new Date(at);
  if (Number.isNaN(startedAt.getTime()) || stampOf(startedAt) !== parsed.stamp) return false;
  return body === probeBody({ ...v, id: parsed.id, startedAt });
}

export function probeBody(v: VerificationInfo): string {
  return (
    `Written by ${v.vendorName}'s access verifier (aws-access-verifier) to test write access, ` +
    `verification ${v.id} at ${v.startedAt.toISOString()}. It is deleted at once; if you find it, ` +
    'a clean-up failed and you may delete it.\n'
  );
}

export const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

const safe = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 32) || 'vendor';

/** The S3 client for a bucket check: its session's credentials, in the bucket's (real) region. */
export function s3Of(ctx: CheckContext<'bucket'>, region = ctx.facts.region): S3Client {
  return ctx.aws.s3(region, sessionFor(ctx));
}

/**
 * An S3 call made beside HeadBucket (s3.bucket-region), before the bucket's region is known: a
 * bucket elsewhere refuses it naming its region (`x-amz-bucket-region`), and the call is made
 * again in the region HeadBucket found, once it has answered. Safe to try first: every call
 * names the expected owner, and a write never overwrites (If-None-Match: *).
 */
export async function inBucketRegion<T>(
  ctx: CheckContext<'bucket'>,
  call: (s3: S3Client) => Promise<T>,
): Promise<T> {
  const region = ctx.facts.region;
  try {
    return await call(s3Of(ctx, region));
  } catch (err) {
    const named = headerOf(err, 'x-amz-bucket-region');
    if (!named || named === region) throw err;
    await ctx.outcomeOf('s3.bucket-region');
    if (ctx.facts.region === region) throw err;
    return call(s3Of(ctx));
  }
}

/** The bucket, and the owner every S3 call names so a mistyped name never touches a stranger's bucket. */
export function bucketParams(ctx: CheckContext<'bucket'>): { Bucket: string; ExpectedBucketOwner: string } {
  const owner = ctx.target.expectedBucketOwner ?? ctx.principal.account;
  if (!owner) throw new Error('expected bucket owner unknown: the identity check did not report an account');
  return { Bucket: ctx.target.bucket, ExpectedBucketOwner: owner };
}

export function ownerNote(facts: BucketFacts, owner: string | undefined): string | undefined {
  if (facts.ownerConfirmed || !owner) return undefined;
  return `If the bucket does not belong to account ${owner}, S3 refuses every call that names that owner: check the bucket name and expectedBucketOwner.`;
}

/** Every refusal of a bucket check: the owner it named may be why, until some call confirmed it. */
export function bucketDenialHint(ctx: AnyContext): string | undefined {
  if (ctx.target.kind !== 'bucket') return undefined;
  return ownerNote(ctx.facts as BucketFacts, ctx.target.expectedBucketOwner ?? ctx.principal.account);
}

/** Where a bucket check looks, as a customer would write it. */
export const place = (t: { bucket: string; prefix: string }) => `s3://${t.bucket}/${t.prefix}`;

/** Who a message speaks of: the role assumed, or the key pair's user. */
export const who = (ctx: { principalTarget: { credentials: { type: string } } }) =>
  ctx.principalTarget.credentials.type === 'role' ? 'The role' : 'The key pair';

/**
 * S3 refused because the caller may not use the object's KMS key: AWS named the KMS action and
 * the key, and that, not the S3 action, is what the customer must grant.
 */
export function throughKms(
  ctx: { principalTarget: { credentials: { type: string } } },
  verb: string,
  t: { bucket: string; prefix: string },
  refusal: Refusal,
): string {
  const why = refusal.explicitDeny
    ? `an explicit deny${refusal.policyType ? ` in ${article(refusal.policyType)} ${refusal.policyType}` : ''}`
    : refusal.policyType === 'resource-based policy'
      ? 'the key policy does not allow it'
      : refusal.policyType
        ? `no ${refusal.policyType} allows it`
        : 'AWS did not say which policy';
  return `S3 refused to ${verb} ${place(t)} because ${who(ctx).replace(/^The/, 'the')} may not use the KMS key ${refusal.resource ?? 'of the bucket'}: ${refusal.action} is refused (${why}).`;
}

const article = (noun: string) => (/^[aeiou]/i.test(noun) ? 'an' : 'a');
