import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { s3Write } from '../../../src/checks/s3/write.ts';
import { s3Error } from '../../support/aws-errors.ts';
import { ACCOUNT, bucketContext, run } from '../../support/context.ts';

const s3 = mockClient(S3Client);
const MARKER = 'vendor/.aws-access-verifier-marker-acme';
const preconditionFailed = () =>
  s3Error('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold');

/** s3.write's drift side: the marker a destination keeps, and the zero-write probe on it. */
describe('s3.write and the drift marker', () => {
  beforeEach(() => {
    s3.reset();
  });

  it('in drift, proves write access with a conditional write S3 declines (412): nothing is written', async () => {
    s3.on(PutObjectCommand).rejects(preconditionFailed());
    const ctx = bucketContext({ bucket: 'acme-destination', prefix: 'vendor/' });
    ctx.target.marker = 'probe';

    const outcome = await run(s3Write, ctx);

    expect(outcome.status).toBe('pass');
    expect(outcome.message).toContain('412');
    expect(s3).toReceiveCommandExactlyOnceWith(PutObjectCommand, {
      Bucket: 'acme-destination',
      Key: MARKER,
      IfNoneMatch: '*',
      ExpectedBucketOwner: ACCOUNT,
    });
    // No probe: nothing for s3.read or s3.delete to find, nothing left behind.
    expect(ctx.facts.probe).toBeUndefined();
  });

  it('in drift, fails when S3 refuses the conditional write: the customer revoked s3:PutObject', async () => {
    s3.on(PutObjectCommand).rejects(
      s3Error(
        'AccessDenied',
        403,
        `User: arn:aws:sts::${ACCOUNT}:assumed-role/VendorAccess/s is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::acme-destination/${MARKER}" because no identity-based policy allows the s3:PutObject action`,
      ),
    );
    const ctx = bucketContext({ bucket: 'acme-destination', prefix: 'vendor/' });
    ctx.target.marker = 'probe';

    const outcome = await run(s3Write, ctx);

    expect(outcome.status).toBe('fail');
    expect(outcome.missing).toEqual([
      { actions: ['s3:PutObject'], resources: ['arn:aws:s3:::acme-destination/vendor/*'] },
    ]);
  });

  it('in drift, writes the marker again if the customer deleted it, and says so', async () => {
    s3.on(PutObjectCommand).resolves({});
    const ctx = bucketContext({ bucket: 'acme-destination', prefix: 'vendor/' });
    ctx.target.marker = 'probe';
    const outcome = await run(s3Write, ctx);
    expect(outcome).toMatchObject({ status: 'pass' });
    expect(outcome.message).toContain('written again');
  });

  it('at onboarding, leaves the marker beside the probe, and is content when it is already there', async () => {
    // The general answer first: aws-sdk-client-mock lets the last matching rule win.
    s3.on(PutObjectCommand).resolves({});
    s3.on(PutObjectCommand, { Key: MARKER }).rejects(preconditionFailed());
    const ctx = bucketContext({ bucket: 'acme-destination', prefix: 'vendor/' });
    ctx.target.marker = 'place';

    const outcome = await run(s3Write, ctx);

    expect(outcome.status).toBe('pass');
    expect(outcome.message).toContain(`Left the drift marker ${MARKER}`);
    expect(s3).toReceiveCommandTimes(PutObjectCommand, 2);
    expect(s3).toReceiveCommandWith(PutObjectCommand, { Key: MARKER, IfNoneMatch: '*' });
  });

  it('at onboarding, sends both writes before either answers: the marker adds no call to the chain', async () => {
    let answer: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      answer = resolve;
    });
    const sent: string[] = [];
    s3.on(PutObjectCommand).callsFake(async (input) => {
      sent.push(input.Key);
      // Neither answers until both were sent: a marker written after the probe never would be.
      if (sent.length === 2) answer();
      await gate;
      return {};
    });
    const ctx = bucketContext({ bucket: 'acme-destination', prefix: 'vendor/' });
    ctx.target.marker = 'place';

    const outcome = await run(s3Write, ctx);

    expect(outcome.status).toBe('pass');
    expect(sent).toHaveLength(2);
    expect(sent).toContain(MARKER);
  });

  it('at onboarding, still passes when the marker cannot be left: the first drift run writes it', async () => {
    s3.on(PutObjectCommand).resolves({});
    s3.on(PutObjectCommand, { Key: MARKER }).rejects(
      s3Error('SlowDown', 503, 'Please reduce your request rate.'),
    );
    const ctx = bucketContext({ bucket: 'acme-destination', prefix: 'vendor/' });
    ctx.target.marker = 'place';
    const outcome = await run(s3Write, ctx);
    expect(outcome.status).toBe('pass');
    expect(outcome.message).toContain('could not be left');
  });

  it('in drift, sends the bucket’s KMS key when a bucket policy demands it, as the probe write does', async () => {
    s3.on(PutObjectCommand).rejects(s3Error('AccessDenied', 403, 'Access Denied'));
    s3.on(PutObjectCommand, { ServerSideEncryption: 'aws:kms' }).rejects(preconditionFailed());
    const key = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const ctx = bucketContext(
      { bucket: 'acme-destination', prefix: 'vendor/' },
      { facts: { encryption: { algorithm: 'aws:kms', kmsKeyId: key } } },
    );
    ctx.target.marker = 'probe';

    const outcome = await run(s3Write, ctx);

    expect(outcome.status).toBe('pass');
    expect(s3).toReceiveNthCommandWith(PutObjectCommand, 2, {
      Key: MARKER,
      SSEKMSKeyId: key,
      IfNoneMatch: '*',
    });
  });
});
