import { ListBucketsCommand } from '@aws-sdk/client-s3';
import type { CheckDescriptor } from '../../core/check.ts';
import type { Grant } from '../../core/iam-documents.ts';
import type { Partition } from '../../core/regions.ts';
import { who } from './probe.ts';

/**
 * ListAllMyBuckets names no resource type: `arn:<partition>:s3:::*` (seed 004's own text) is
 * the narrowest ARN IAM accepts for it.
 */
export const listBucketsGrant = (partition: Partition): Grant => ({
  actions: ['s3:ListAllMyBuckets'],
  resources: [`arn:${partition}:s3:::*`],
});

/** At most this many names are asked for: enough for a picker, and one page. */
const MAX_BUCKETS = 1000;

/** For products with a bucket picker (seed 004): the principal may list its account's buckets. */
export const s3ListBuckets: CheckDescriptor<'principal', 's3.list-buckets'> = {
  id: 's3.list-buckets',
  title: 'The principal may list the account’s buckets (for a bucket picker)',
  scope: 'principal',
  calls: ['ListBuckets'],
  // Whichever identity check applies: soft, so the other's absence does not skip this one.
  dependsOn: [
    { id: 'sts.assume-role', kind: 'soft' },
    { id: 'sts.caller-identity', kind: 'soft' },
  ],
  grants: (t) => [listBucketsGrant(t.partition)],
  async run(ctx) {
    const credentials = ctx.principal.sessions[ctx.target.session ?? 0];
    if (!credentials)
      return { status: 'skip', message: 'Not tested: the principal’s identity was not established.' };
    const out = await ctx.aws
      .s3(ctx.target.region, credentials)
      .send(new ListBucketsCommand({ MaxBuckets: MAX_BUCKETS }), { abortSignal: ctx.signal });
    const count = out.Buckets?.length ?? 0;
    const more = out.ContinuationToken ? ' (and more)' : '';
    return {
      status: 'pass',
      message: `Listing the account's buckets works: ${count} bucket${count === 1 ? '' : 's'}${more}.`,
    };
  },
  explainDenial: (_t, ctx) => ({
    message: `${who(ctx)} may not list the account's buckets, so a bucket picker would show none.`,
  }),
};
