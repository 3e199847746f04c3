import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { s3BucketArn } from '../core/arn.ts';
import { headerOf, httpStatusOf } from '../core/classify.ts';
import { bucketParams, s3Of } from '../core/probe.ts';
import { isRegion, type Region } from '../core/regions.ts';
import type { CheckContext, CheckDescriptor, Outcome } from '../core/types.ts';

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

export const s3BucketRegion: CheckDescriptor<'bucket'> = {
  id: 's3.bucket-region',
  title: 'The bucket exists, in the region declared, for the expected owner',
  scope: 'bucket',
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
        };
      }
      throw err;
    }
    if (answer.status === 'moved') {
      return { status: 'error', message: 'S3 kept redirecting between regions for this bucket.' };
    }
    facts.regionKnown = true;
    const parts: string[] = [];
    if (answer.status === 200) {
      facts.ownerConfirmed = true;
      parts.push(`Bucket ${target.bucket} exists in ${facts.region} and belongs to account ${owner}.`);
    } else {
      parts.push(
        `Bucket ${target.bucket} exists in ${facts.region}. Its owner is not confirmed yet (HeadBucket needs s3:ListBucket); every probe names account ${owner} as the expected owner.`,
      );
    }
    const outcome: Outcome = { status: 'pass', message: parts.join(' ') };
    if (target.declaredRegion && target.declaredRegion !== facts.region) {
      outcome.status = 'warn';
      outcome.message = `Bucket ${target.bucket} is in ${facts.region}, not ${target.declaredRegion} as declared; the probes used ${facts.region}. ${parts.join(' ')}`;
      outcome.remediation = `Declare region ${facts.region} for ${target.bucket}.`;
    }
    return outcome;
  },
  explainDenial: (t) => ({ message: `S3 refused to say whether ${t.bucket} exists.` }),
};
