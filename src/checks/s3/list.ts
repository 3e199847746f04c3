import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { s3BucketArn } from '../../core/arn.ts';
import type { CheckDescriptor } from '../../core/types.ts';
import { bucketParams, place, s3Of, who } from './probe.ts';

export const s3List: CheckDescriptor<'bucket'> = {
  id: 's3.list',
  title: 'The principal may list objects under the prefix',
  scope: 'bucket',
  dependsOn: [{ id: 's3.bucket-region', kind: 'hard' }],
  grants: (t) => [
    {
      actions: ['s3:ListBucket'],
      resources: [s3BucketArn(t.partition, t.bucket)],
      ...(t.prefix ? { condition: { StringLike: { 's3:prefix': [`${t.prefix}*`] } } } : {}),
    },
  ],
  async run(ctx) {
    const { target, facts } = ctx;
    const out = await s3Of(ctx).send(
      new ListObjectsV2Command({ ...bucketParams(ctx), Prefix: target.prefix, MaxKeys: 1 }),
      { abortSignal: ctx.signal },
    );
    const firstKey = out.Contents?.[0]?.Key;
    facts.listing = {
      keyCount: out.KeyCount ?? out.Contents?.length ?? 0,
      ...(firstKey ? { firstKey } : {}),
    };
    facts.ownerConfirmed = true;
    const where = target.prefix ? `under ${target.prefix}` : 'at the bucket root';
    return {
      status: 'pass',
      message: firstKey ? `Listing ${where} works.` : `Listing ${where} works; it is empty.`,
    };
  },
  explainDenial: (t, ctx) => ({ message: `${who(ctx)} may not list ${place(t)}.` }),
};
