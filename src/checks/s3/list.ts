import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { s3BucketArn } from '../../core/arn.ts';
import type { CheckDescriptor } from '../../core/check.ts';
import { bucketParams, inBucketRegion, place, who } from './probe.ts';
import { startSweep } from './sweep.ts';

/**
 * One page: the first key (what s3.read may read a byte of) and any leftover probes of earlier
 * runs, which sort first under the prefix.
 */
const PAGE = 50;

export const s3List: CheckDescriptor<'bucket', 's3.list'> = {
  id: 's3.list',
  title: 'The principal may list objects under the prefix',
  scope: 'bucket',
  // Beside HeadBucket: a listing names the owner, and one in the wrong region is made again.
  dependsOn: [{ id: 's3.bucket-region', kind: 'beside' }],
  calls: ['ListObjectsV2'],
  // The sweep of earlier runs' leftovers, beside the probe: each read back, then deleted.
  mayCall: ['GetObject', 'DeleteObject'],
  grants: (t) => [
    {
      actions: ['s3:ListBucket'],
      resources: [s3BucketArn(t.partition, t.bucket)],
      ...(t.prefix ? { condition: { StringLike: { 's3:prefix': [`${t.prefix}*`] } } } : {}),
    },
  ],
  async run(ctx) {
    const { target, facts } = ctx;
    const out = await inBucketRegion(ctx, (s3) =>
      s3.send(new ListObjectsV2Command({ ...bucketParams(ctx), Prefix: target.prefix, MaxKeys: PAGE }), {
        abortSignal: ctx.signal,
      }),
    );
    const contents = out.Contents ?? [];
    const firstKey = contents[0]?.Key;
    facts.listing = {
      keyCount: out.KeyCount ?? contents.length,
      ...(firstKey ? { firstKey } : {}),
    };
    facts.ownerConfirmed = true;
    startSweep(ctx, contents);
    const where = target.prefix ? `under ${target.prefix}` : 'at the bucket root';
    return {
      status: 'pass',
      message: firstKey ? `Listing ${where} works.` : `Listing ${where} works; it is empty.`,
    };
  },
  explainDenial: (t, ctx) => ({ message: `${who(ctx)} may not list ${place(t)}.` }),
};
