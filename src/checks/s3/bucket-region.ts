import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { s3BucketArn } from '../../core/arn.ts';
import type { CheckContext, CheckDescriptor } from '../../core/check.ts';
import { headerOf, httpStatusOf } from '../../core/classify.ts';
import type { BucketFacts } from '../../core/facts.ts';
import type { Outcome } from '../../core/outcome.ts';
import { isRegion, type Region } from '../../core/regions.ts';
import type { BucketTarget } from '../../core/targets.ts';
import { bucketParams, s3Of } from './probe.ts';

type Head = { status: 200 | 403; region: string | undefined } | { status: 'moved'; region: string };

/**
 * HeadBucket answers the bucket's region in `x-amz-bucket-region` even when it refuses the
 * caller (403) or the region is wrong (301, or 400 on the global endpoint), so one call tells
 * where the bucket is whether or not the role may list it.
 */
async function head(ctx: CheckContext<'bucket'>, region: Region): Promise<Head> {
  try {
    const out = await s3Of(ctx, region).send(new HeadBucketCommand(bucketParams(ctx)), {
      abortSignal: ctx.signal,
    });
    return { status: 200, region: out.BucketRegion };
  } catch (err) {
    const status = httpStatusOf(err);
    const actual = headerOf(err, 'x-amz-bucket-region');
    if (actual && actual !== region) return { status: 'moved', region: actual };
    if (status === 403) return { status: 403, region: actual };
    throw err;
  }
}

/** What a customer must look at first when the bucket is not shown to be theirs. */
export const checkNameAndOwner = (bucket: string, owner: string) =>
  `Check the bucket name and owner: is ${bucket} the exact name, and does account ${owner} own it (expectedBucketOwner)?`;

/** The verdict once the bucket's place is known: `warn` where the declared region is wrong. */
function located(target: BucketTarget, facts: BucketFacts, confirmed: string): Outcome {
  const outcome: Outcome = { status: 'pass', message: confirmed };
  if (target.declaredRegion && target.declaredRegion !== facts.region) {
    outcome.status = 'warn';
    outcome.message = `Bucket ${target.bucket} is in ${facts.region}, not ${target.declaredRegion} as declared; the probes used ${facts.region}. ${confirmed}`;
    outcome.remediation = `Declare region ${facts.region} for ${target.bucket}.`;
  }
  return outcome;
}

export const s3BucketRegion: CheckDescriptor<'bucket', 's3.bucket-region'> = {
  id: 's3.bucket-region',
  title: 'The bucket exists, in the region declared, for the expected owner',
  scope: 'bucket',
  // A second HeadBucket, in the region the first named, only for a bucket elsewhere.
  calls: ['HeadBucket'],
  // The report shows the call it makes (HeadBucket, as s3:ListBucket), though no customer is asked for it.
  showsSessionOnlyGrants: true,
  dependsOn: [],
  // HeadBucket is authorized as s3:ListBucket; its region header answers without it, so it is not asked for.
  grants: (t) => [
    { actions: ['s3:ListBucket'], resources: [s3BucketArn(t.partition, t.bucket)], sessionOnly: true },
  ],
  async run(ctx) {
    const { target, facts } = ctx;
    const owner = bucketParams(ctx).ExpectedBucketOwner;
    let answer: Head;
    try {
      answer = await head(ctx, facts.region);
      if (answer.status === 'moved') {
        if (!isRegion(answer.region)) {
          return {
            status: 'error',
            message: `The bucket is in ${answer.region}, a region this service does not know yet.`,
          };
        }
        facts.region = answer.region;
        answer = await head(ctx, answer.region);
      }
    } catch (err) {
      if (httpStatusOf(err) === 404) {
        return {
          status: 'fail',
          message: `No bucket named ${target.bucket} exists: check the name (bucket names are global, so a typo may even name someone else's).`,
          error: { code: 'NoSuchBucket', message: 'Not Found', httpStatus: 404 },
          remediation: checkNameAndOwner(target.bucket, owner),
          missing: [],
        };
      }
      throw err;
    }
    if (answer.status === 'moved') {
      return { status: 'error', message: 'S3 kept redirecting between regions for this bucket.' };
    }
    if (answer.status === 200) {
      // A 200 names the bucket's region too: one other than the region asked is still a mismatch.
      if (answer.region && answer.region !== facts.region) {
        if (!isRegion(answer.region)) {
          return {
            status: 'error',
            message: `The bucket is in ${answer.region}, a region this service does not know yet.`,
          };
        }
        facts.region = answer.region;
      }
      facts.regionKnown = true;
      facts.ownerConfirmed = true;
      return located(
        target,
        facts,
        `Bucket ${target.bucket} exists in ${facts.region} and belongs to account ${owner}.`,
      );
    }
    // A 403 proves nothing about the owner, and without the region header not even that the
    // bucket exists. The probes go on (each names the owner, so none touches a stranger's
    // bucket); settleBucketRegion turns this into a verdict once they have answered.
    facts.regionKnown = answer.region !== undefined;
    return {
      status: 'pass',
      message: `S3 refused HeadBucket for ${target.bucket}; whether account ${owner} owns it is decided by the probes.`,
    };
  },
  explainDenial: (t) => ({ message: `S3 refused to say whether ${t.bucket} exists.` }),
};

/**
 * The final verdict on a bucket HeadBucket did not confirm, once the other checks of the
 * bucket have answered: a call of theirs that S3 answered while naming the expected owner
 * confirms it; otherwise the bucket is not shown to be the customer's, and nothing else on it
 * may be offered as a fix (a policy granting access to a typo helps no one).
 */
export function settleBucketRegion(
  target: BucketTarget,
  facts: BucketFacts,
  owner: string | undefined,
  region: Outcome,
  others: { id: string; outcome: Outcome }[],
): Outcome {
  if (facts.ownerConfirmed || !owner || (region.status !== 'pass' && region.status !== 'warn')) return region;
  const by = others.find((o) => o.outcome.status === 'pass' || o.outcome.status === 'warn');
  if (by) {
    facts.ownerConfirmed = true;
    return located(
      target,
      facts,
      `Bucket ${target.bucket} exists in ${facts.region} and belongs to account ${owner}: ${by.id} succeeded naming that owner (HeadBucket was refused: it needs s3:ListBucket).`,
    );
  }
  for (const o of others) {
    // S3 words a refusal in full (naming the caller, the action and the policy type) only to a
    // caller of the bucket's own account: that bucket is no stranger's, and its fix stands.
    const asked = o.outcome.missing?.length || o.outcome.resourcePolicyFix?.length || o.outcome.note;
    if (!asked || inFull(o.outcome)) continue;
    o.outcome.missing = [];
    delete o.outcome.resourcePolicyFix;
    delete o.outcome.note;
    o.outcome.remediation = `${checkNameAndOwner(target.bucket, owner)} S3 refuses every call that names an owner the bucket does not have; see s3.bucket-region.`;
  }
  const worded = others.find((o) => o.outcome.status === 'fail' && inFull(o.outcome));
  const likely = worded
    ? ` S3 worded its refusal of ${worded.id} for a caller of the bucket’s own account, so the bucket is likely there; only a call that succeeds confirms it.`
    : '';
  const why = facts.regionKnown
    ? 'S3 refused HeadBucket (it answers only with s3:ListBucket)'
    : 'S3 refused HeadBucket without naming the bucket’s region, which does not show that the bucket exists';
  const errored = others.some((o) => o.outcome.status === 'error');
  const refused = others.some((o) => o.outcome.status === 'fail');
  return {
    status: errored && !refused ? 'error' : 'fail',
    message: `Bucket ${target.bucket} is not confirmed to exist in account ${owner}: ${why}, and no call naming that owner succeeded.${likely}`,
    remediation: `${checkNameAndOwner(target.bucket, owner)} If both are right, allow s3:ListBucket on ${s3BucketArn(target.partition, target.bucket)} so HeadBucket can confirm it.`,
    missing: [],
  };
}

const inFull = (o: Outcome) => /\bis not authorized to perform\b/.test(o.error?.message ?? '');
