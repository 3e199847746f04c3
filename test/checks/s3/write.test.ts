import { crc32 } from 'node:zlib';
import { HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { probeBody, sha256 } from '../../../src/checks/s3/probe.ts';
import { s3Write } from '../../../src/checks/s3/write.ts';
import { s3Error } from '../../support/aws-errors.ts';
import { ACCOUNT, bucketContext, run, verificationInfo } from '../../support/context.ts';

const s3 = mockClient(S3Client);
const PROBE_KEY =
  'vendor/.aws-access-verifier-probe-acme-20261122T100000Z-7f0c1a2b-0000-4000-8000-000000000001';

describe('s3.write', () => {
  beforeEach(() => {
    s3.reset();
  });

  it('writes a uniquely named probe that can never overwrite, naming the expected owner', async () => {
    // Prepare
    s3.on(PutObjectCommand).resolves({ ETag: '"e"' });
    const ctx = bucketContext({ bucket: 'acme-exports', prefix: 'vendor/' });

    // Act
    const outcome = await run(s3Write, ctx);

    // Assess
    expect(outcome.status).toBe('pass');
    expect(s3).toReceiveCommandExactlyOnceWith(PutObjectCommand, {
      Bucket: 'acme-exports',
      Key: PROBE_KEY,
      ExpectedBucketOwner: ACCOUNT,
      IfNoneMatch: '*',
      ChecksumAlgorithm: 'CRC32',
      ContentType: 'text/plain; charset=utf-8',
    });
    const input = s3.commandCalls(PutObjectCommand)[0]?.args[0].input;
    expect(input).not.toHaveProperty('ACL');
    expect(input).not.toHaveProperty('RequestPayer');
    expect(ctx.facts.probe?.key).toBe(PROBE_KEY);
  });

  it('keeps the version id a versioned bucket returns, for the delete', async () => {
    s3.on(PutObjectCommand).resolves({ VersionId: 'v-probe-1' });
    const ctx = bucketContext({ bucket: 'acme-exports' });

    const outcome = await run(s3Write, ctx);

    expect(outcome.status).toBe('pass');
    expect(ctx.facts.probe?.versionId).toBe('v-probe-1');
  });

  it('fails with AWS’s code, message and request id when the policy does not allow s3:PutObject', async () => {
    const message = `User: arn:aws:sts::${ACCOUNT}:assumed-role/VendorAccess/s is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::acme-exports/vendor/x" because no identity-based policy allows the s3:PutObject action`;
    s3.on(PutObjectCommand).rejects(s3Error('AccessDenied', 403, message));
    const ctx = bucketContext({ bucket: 'acme-exports', prefix: 'vendor/' });

    const outcome = await run(s3Write, ctx);

    expect(outcome).toMatchObject({
      status: 'fail',
      message: 'The role may not write to s3://acme-exports/vendor/.',
      error: { code: 'AccessDenied', message, requestId: 'EXAMPLE0REQUEST0ID', httpStatus: 403 },
      missing: [{ actions: ['s3:PutObject'], resources: ['arn:aws:s3:::acme-exports/vendor/*'] }],
      remediation: 'Allow s3:PutObject on arn:aws:s3:::acme-exports/vendor/*',
    });
    expect(outcome.hint).toMatch(/identity-based policy/);
  });

  it('is our error, not the customer’s fail, when S3 rejects the signature of the session STS issued us', async () => {
    s3.on(PutObjectCommand).rejects(
      s3Error(
        'SignatureDoesNotMatch',
        403,
        'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      ),
    );

    const outcome = await run(s3Write, bucketContext({ bucket: 'acme-exports', prefix: 'vendor/' }));

    expect(outcome).toMatchObject({ status: 'error', error: { code: 'SignatureDoesNotMatch' } });
    expect(outcome.hint).toMatch(/defect of this service/);
    expect(outcome.hint).not.toMatch(/secret access key does not belong/);
  });

  it('is an error, never a fail, when S3 keeps answering 503', async () => {
    s3.on(PutObjectCommand).rejects(s3Error('SlowDown', 503, 'Please reduce your request rate.'));

    const outcome = await run(s3Write, bucketContext({ bucket: 'acme-exports' }));

    expect(outcome.status).toBe('error');
    expect(outcome.error?.code).toBe('SlowDown');
  });

  it('retries with SSE-KMS headers when a denial meets a bucket whose default encryption is SSE-KMS', async () => {
    const key = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    s3.on(PutObjectCommand)
      .rejectsOnce(s3Error('AccessDenied', 403, 'Access Denied'))
      .resolves({});
    const ctx = bucketContext(
      { bucket: 'acme-exports' },
      { outcomes: { 's3.encryption': { status: 'pass', message: 'kms' } } },
    );
    ctx.facts.encryption = { algorithm: 'aws:kms', kmsKeyId: key };

    const outcome = await run(s3Write, ctx);

    expect(outcome.status).toBe('pass');
    expect(s3).toReceiveNthCommandWith(PutObjectCommand, 2, {
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: key,
    });
  });

  it('sends the declared KMS key from the first write', async () => {
    const key = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    s3.on(PutObjectCommand).resolves({});

    await run(s3Write, bucketContext({ bucket: 'acme-exports', kmsKeyArn: key }));

    expect(s3).toReceiveCommandWith(PutObjectCommand, { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: key });
  });

  it('reports a 412 as inconclusive: the unique key already existed, nothing was overwritten', async () => {
    s3.on(PutObjectCommand).rejects(
      s3Error('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold'),
    );

    const outcome = await run(s3Write, bucketContext({ bucket: 'acme-exports' }));

    expect(outcome.status).toBe('error');
    expect(outcome.message).toMatch(/nothing was written/);
  });

  describe('a write the SDK retried, answered 412', () => {
    /** The 412 as the SDK surfaces it after its second attempt. */
    const retried412 = () => {
      const err = s3Error(
        'PreconditionFailed',
        412,
        'At least one of the pre-conditions you specified did not hold',
      );
      err.$metadata.attempts = 2;
      return err;
    };
    const body = probeBody(verificationInfo());
    const crc = () => {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(crc32(body));
      return b.toString('base64');
    };

    it('records the probe its first attempt stored, confirmed by size and checksum, with its version', async () => {
      // Prepare
      s3.on(PutObjectCommand).rejects(retried412());
      s3.on(HeadObjectCommand).resolves({
        ContentLength: Buffer.byteLength(body),
        ChecksumCRC32: crc(),
        VersionId: 'v-probe',
      });
      const ctx = bucketContext({ bucket: 'acme-exports', prefix: 'vendor/' });

      // Act
      const outcome = await run(s3Write, ctx);

      // Assess
      expect(outcome.status).toBe('pass');
      expect(outcome.message).toMatch(/retry was told the key exists \(412\)/);
      expect(ctx.facts.probe).toEqual({ key: PROBE_KEY, sha256: sha256(body), versionId: 'v-probe' });
      expect(s3).toReceiveCommandWith(HeadObjectCommand, {
        Bucket: 'acme-exports',
        Key: PROBE_KEY,
        ExpectedBucketOwner: ACCOUNT,
        ChecksumMode: 'ENABLED',
      });
    });

    it('leaves alone an object of another size or checksum', async () => {
      s3.on(PutObjectCommand).rejects(retried412());
      s3.on(HeadObjectCommand).resolves({
        ContentLength: Buffer.byteLength(body),
        ChecksumCRC32: 'AAAAAA==',
      });
      const ctx = bucketContext({ bucket: 'acme-exports', prefix: 'vendor/' });

      const outcome = await run(s3Write, ctx);

      expect(outcome.status).toBe('error');
      expect(ctx.facts.probe).toBeUndefined();
    });

    it('takes the key as the proof when S3 will not describe the object (no s3:GetObject)', async () => {
      s3.on(PutObjectCommand).rejects(retried412());
      s3.on(HeadObjectCommand).rejects(s3Error('Forbidden', 403, 'UnknownError'));
      const ctx = bucketContext({ bucket: 'acme-exports', prefix: 'vendor/' });

      const outcome = await run(s3Write, ctx);

      expect(outcome.status).toBe('pass');
      expect(ctx.facts.probe?.key).toBe(PROBE_KEY);
    });

    it('does not ask when the SDK made one attempt: that 412 is not ours', async () => {
      s3.on(PutObjectCommand).rejects(
        s3Error('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold'),
      );

      await run(s3Write, bucketContext({ bucket: 'acme-exports' }));

      expect(s3.commandCalls(HeadObjectCommand)).toHaveLength(0);
    });
  });
});
