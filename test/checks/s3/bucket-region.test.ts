import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { s3BucketRegion, settleBucketRegion } from '../../../src/checks/s3/bucket-region.ts';
import type { Outcome } from '../../../src/core/outcome.ts';
import { headError, s3Error } from '../../support/aws-errors.ts';
import { ACCOUNT, bucketContext, run } from '../../support/context.ts';

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

  it('leaves a 403 (no s3:ListBucket) to the probes: the owner is not confirmed by it', async () => {
    bucketIn('us-east-1', false);
    const ctx = bucketContext({ bucket: 'acme-exports' });

    const outcome = await run(s3BucketRegion, ctx);

    expect(outcome.status).toBe('pass');
    expect(outcome.message).toMatch(/decided by the probes/);
    expect(ctx.facts).toMatchObject({ regionKnown: true, ownerConfirmed: false });
  });

  it('warns on a 200 whose region header differs from the declared region', async () => {
    s3.on(HeadBucketCommand).resolves({ BucketRegion: 'eu-west-1' });
    const ctx = bucketContext({ bucket: 'acme-exports', region: 'us-east-1' });

    const outcome = await run(s3BucketRegion, ctx);

    expect(outcome).toMatchObject({
      status: 'warn',
      remediation: 'Declare region eu-west-1 for acme-exports.',
    });
    expect(ctx.facts.region).toBe('eu-west-1');
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

    expect(outcome).toMatchObject({
      status: 'fail',
      error: { code: 'NoSuchBucket', httpStatus: 404 },
      missing: [],
      remediation: expect.stringMatching(/^Check the bucket name and owner: is acme-typo/),
    });
    expect(outcome.message).toMatch(/No bucket named acme-typo exists/);
  });

  it('is inconclusive on 503 and on a region this service does not know', async () => {
    s3.on(HeadBucketCommand).rejects(headError(503));
    expect((await run(s3BucketRegion, bucketContext({ bucket: 'acme-exports' }))).status).toBe('error');

    s3.on(HeadBucketCommand).rejects(headError(301, { 'x-amz-bucket-region': 'xx-newregion-9' }));
    expect((await run(s3BucketRegion, bucketContext({ bucket: 'acme-exports' }))).status).toBe('error');
  });
});

describe('settleBucketRegion: a bucket HeadBucket did not confirm', () => {
  const refused = () => {
    const ctx = bucketContext({ bucket: 'acme-exprots' });
    ctx.facts.regionKnown = true;
    return ctx;
  };
  const provisional: Outcome = { status: 'pass', message: 'decided by the probes' };

  it('passes once another call naming the owner succeeded', () => {
    const ctx = refused();

    const outcome = settleBucketRegion(ctx.target, ctx.facts, ACCOUNT, provisional, [
      { id: 's3.write', outcome: { status: 'pass', message: 'Wrote the probe.' } },
    ]);

    expect(outcome.status).toBe('pass');
    expect(outcome.message).toMatch(`belongs to account ${ACCOUNT}: s3.write succeeded naming that owner`);
    expect(ctx.facts.ownerConfirmed).toBe(true);
  });

  it('fails otherwise, leading with the name and owner, and offers no policy for the bucket', () => {
    const ctx = refused();
    const write: Outcome = {
      status: 'fail',
      message: 'The role may not write.',
      missing: [{ actions: ['s3:PutObject'], resources: ['arn:aws:s3:::acme-exprots/*'] }],
      remediation: 'Allow s3:PutObject on arn:aws:s3:::acme-exprots/*',
    };

    const outcome = settleBucketRegion(ctx.target, ctx.facts, ACCOUNT, provisional, [
      { id: 's3.write', outcome: write },
      { id: 's3.delete', outcome: { status: 'skip', message: 'Skipped' } },
    ]);

    expect(outcome).toMatchObject({ status: 'fail', missing: [] });
    expect(outcome.remediation).toMatch(
      /^Check the bucket name and owner: is acme-exprots the exact name, and does account 111122223333 own it/,
    );
    expect(write.missing).toEqual([]);
    expect(write.remediation).toMatch(/^Check the bucket name and owner/);
  });

  it('keeps the fix of a refusal S3 worded for a caller of the bucket’s own account, and still does not pass', () => {
    const ctx = refused();
    const write: Outcome = {
      status: 'fail',
      message: 'The role may not write.',
      error: {
        code: 'AccessDenied',
        message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/VendorAccess/s is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::acme-exprots/x" because no identity-based policy allows the s3:PutObject action`,
      },
      missing: [{ actions: ['s3:PutObject'], resources: ['arn:aws:s3:::acme-exprots/*'] }],
      remediation: 'Allow s3:PutObject on arn:aws:s3:::acme-exprots/*',
    };

    const outcome = settleBucketRegion(ctx.target, ctx.facts, ACCOUNT, provisional, [
      { id: 's3.write', outcome: write },
    ]);

    expect(outcome.status).toBe('fail');
    expect(outcome.remediation).toMatch(/^Check the bucket name and owner/);
    expect(outcome.message).toMatch(/likely there/);
    expect(write.remediation).toBe('Allow s3:PutObject on arn:aws:s3:::acme-exprots/*');
  });

  it('does not take a 403 without the region header as proof the bucket exists', () => {
    const ctx = refused();
    ctx.facts.regionKnown = false;

    const outcome = settleBucketRegion(ctx.target, ctx.facts, ACCOUNT, provisional, []);

    expect(outcome.status).toBe('fail');
    expect(outcome.message).toMatch(/does not show that the bucket exists/);
  });

  it('is inconclusive, not failed, when the probes only errored', () => {
    const ctx = refused();

    const outcome = settleBucketRegion(ctx.target, ctx.facts, ACCOUNT, provisional, [
      { id: 's3.write', outcome: { status: 'error', message: 'time-out' } },
    ]);

    expect(outcome.status).toBe('error');
  });

  it('leaves a confirmed bucket as it is', () => {
    const ctx = refused();
    ctx.facts.ownerConfirmed = true;
    expect(settleBucketRegion(ctx.target, ctx.facts, ACCOUNT, provisional, [])).toBe(provisional);
  });
});
