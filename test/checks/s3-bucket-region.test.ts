import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { s3BucketRegion } from '../../src/checks/s3-bucket-region.ts';
import { headError, s3Error } from '../support/aws-errors.ts';
import { ACCOUNT, bucketContext, run } from '../support/context.ts';

const s3 = mockClient(S3Client);

/** HeadBucket as S3 answers it: 301 with the real region from any other region's endpoint. */
function bucketIn(region: string, allowed = true) {
  s3.on(HeadBucketCommand).callsFake(async (_input, getClient) => {
    const asked = await getClient().config.region();
    if (asked !== region) throw headError(301, { 'x-amz-bucket-region': region });
    if (!allowed) throw headError(403, { 'x-amz-bucket-region': region });
    return { BucketRegion: region };
  });
}

describe('s3.bucket-region', () => {
  beforeEach(() => {
    s3.reset();
  });

  it('passes and confirms the owner when HeadBucket answers 200, naming the expected owner', async () => {
    // Prepare
    bucketIn('us-east-1');
    const ctx = bucketContext({ bucket: 'acme-exports' });

    // Act
    const outcome = await run(s3BucketRegion, ctx);

    // Assess
    expect(outcome).toEqual({
      status: 'pass',
      message: `Bucket acme-exports exists in us-east-1 and belongs to account ${ACCOUNT}.`,
    });
    expect(s3).toReceiveCommandExactlyOnceWith(HeadBucketCommand, {
      Bucket: 'acme-exports',
      ExpectedBucketOwner: ACCOUNT,
    });
    expect(ctx.facts).toMatchObject({ region: 'us-east-1', regionKnown: true, ownerConfirmed: true });
  });

  it('passes on a 403 (no s3:ListBucket) from the region header alone, saying the owner is not confirmed', async () => {
    bucketIn('us-east-1', false);
    const ctx = bucketContext({ bucket: 'acme-exports' });

    const outcome = await run(s3BucketRegion, ctx);

    expect(outcome.status).toBe('pass');
    expect(outcome.message).toMatch(/not confirmed yet/);
    expect(ctx.facts.ownerConfirmed).toBe(false);
  });

  it('warns when the declared region is wrong, and probes the real one', async () => {
    bucketIn('eu-west-1');
    const ctx = bucketContext({ bucket: 'acme-exports', region: 'us-east-1' });

    const outcome = await run(s3BucketRegion, ctx);

    expect(outcome).toMatchObject({
      status: 'warn',
      remediation: 'Declare region eu-west-1 for acme-exports.',
    });
    expect(outcome.message).toMatch(/is in eu-west-1, not us-east-1 as declared/);
    expect(ctx.facts.region).toBe('eu-west-1');
    expect(await s3.commandCalls(HeadBucketCommand)[1]?.thisValue.config.region()).toBe('eu-west-1');
  });

  it('passes without a warning when no region was declared', async () => {
    bucketIn('ap-southeast-2');
    const ctx = bucketContext({ bucket: 'acme-exports' });

    expect((await run(s3BucketRegion, ctx)).status).toBe('pass');
    expect(ctx.facts.region).toBe('ap-southeast-2');
  });

  it('follows the 400 the global endpoint gives for another region', async () => {
    s3.on(HeadBucketCommand)
      .rejectsOnce(headError(400, { 'x-amz-bucket-region': 'eu-central-1' }))
      .resolves({ BucketRegion: 'eu-central-1' });
    const ctx = bucketContext({ bucket: 'acme-exports' });

    expect((await run(s3BucketRegion, ctx)).status).toBe('pass');
    expect(ctx.facts.region).toBe('eu-central-1');
  });

  it('fails when no such bucket exists', async () => {
    s3.on(HeadBucketCommand).rejects(s3Error('NotFound', 404, 'UnknownError'));

    const outcome = await run(s3BucketRegion, bucketContext({ bucket: 'acme-typo' }));

    expect(outcome).toMatchObject({ status: 'fail', error: { code: 'NoSuchBucket', httpStatus: 404 } });
    expect(outcome.message).toMatch(/No bucket named acme-typo exists/);
  });

  it('is inconclusive on 503 and on a region this service does not know', async () => {
    s3.on(HeadBucketCommand).rejects(headError(503));
    expect((await run(s3BucketRegion, bucketContext({ bucket: 'acme-exports' }))).status).toBe('error');

    s3.on(HeadBucketCommand).rejects(headError(301, { 'x-amz-bucket-region': 'xx-newregion-9' }));
    expect((await run(s3BucketRegion, bucketContext({ bucket: 'acme-exports' }))).status).toBe('error');
  });
});
