import { GetBucketLocationCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { s3BucketLocation } from '../../../src/checks/s3/bucket-location.ts';
import { s3Error } from '../../support/aws-errors.ts';
import { ACCOUNT, bucketContext, run } from '../../support/context.ts';

const s3 = mockClient(S3Client);

describe('s3.bucket-location', () => {
  beforeEach(() => {
    s3.reset();
  });

  it.each([
    [undefined, 'us-east-1'],
    ['EU', 'eu-west-1'],
    ['ap-south-1', 'ap-south-1'],
  ])('reads LocationConstraint %s as %s', async (constraint, region) => {
    s3.on(GetBucketLocationCommand).resolves(constraint ? { LocationConstraint: constraint as 'EU' } : {});

    const outcome = await run(s3BucketLocation, bucketContext({ bucket: 'syncoutput' }));

    expect(outcome).toEqual({ status: 'pass', message: `GetBucketLocation answers ${region}.` });
    expect(s3).toReceiveCommandWith(GetBucketLocationCommand, {
      Bucket: 'syncoutput',
      ExpectedBucketOwner: ACCOUNT,
    });
  });

  it('fails when s3:GetBucketLocation is not granted', async () => {
    s3.on(GetBucketLocationCommand).rejects(s3Error('AccessDenied', 403));

    expect(await run(s3BucketLocation, bucketContext({ bucket: 'syncoutput' }))).toMatchObject({
      status: 'fail',
      remediation: 'Allow s3:GetBucketLocation on arn:aws:s3:::syncoutput',
    });
  });
});
