import { GetBucketLocationCommand } from '@aws-sdk/client-s3';
import { s3BucketArn } from '../../core/arn.ts';
import type { CheckDescriptor } from '../../core/check.ts';
import { bucketParams, s3Of, who } from './probe.ts';

export const s3BucketLocation: CheckDescriptor<'bucket', 's3.bucket-location'> = {
  id: 's3.bucket-location',
  title: 'The principal may call GetBucketLocation',
  scope: 'bucket',
  calls: ['GetBucketLocation'],
  dependsOn: [{ id: 's3.bucket-region', kind: 'hard' }],
  grants: (t) => [{ actions: ['s3:GetBucketLocation'], resources: [s3BucketArn(t.partition, t.bucket)] }],
  async run(ctx) {
    const out = await s3Of(ctx).send(new GetBucketLocationCommand(bucketParams(ctx)), {
      abortSignal: ctx.signal,
    });
    // S3 answers nothing for us-east-1 and the legacy "EU" for eu-west-1.
    const raw = out.LocationConstraint as string | undefined;
    const region = !raw ? 'us-east-1' : raw === 'EU' ? 'eu-west-1' : raw;
    return { status: 'pass', message: `GetBucketLocation answers ${region}.` };
  },
  explainDenial: (t, ctx) => ({ message: `${who(ctx)} may not call GetBucketLocation on ${t.bucket}.` }),
};
