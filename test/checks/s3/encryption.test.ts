import { GetBucketEncryptionCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { s3Encryption } from '../../../src/checks/s3/encryption.ts';
import { s3Error } from '../../support/aws-errors.ts';
import { ACCOUNT, bucketContext, KEY_ARN, run } from '../../support/context.ts';

const s3 = mockClient(S3Client);
const rule = (SSEAlgorithm: 'AES256' | 'aws:kms', KMSMasterKeyID?: string) => ({
  ServerSideEncryptionConfiguration: {
    Rules: [
      {
        ApplyServerSideEncryptionByDefault: { SSEAlgorithm, ...(KMSMasterKeyID ? { KMSMasterKeyID } : {}) },
        BucketKeyEnabled: true,
      },
    ],
  },
});

describe('s3.encryption', () => {
  beforeEach(() => {
    s3.reset();
  });

  it('reports SSE-KMS with its key and hands the key to the write probe', async () => {
    // Prepare
    s3.on(GetBucketEncryptionCommand).resolves(rule('aws:kms', KEY_ARN));
    const ctx = bucketContext({ bucket: 'acme-exports' });

    // Act
    const outcome = await run(s3Encryption, ctx);

    // Assess
    expect(outcome.status).toBe('pass');
    expect(outcome.message).toContain(`SSE-KMS with ${KEY_ARN}, S3 Bucket Key on`);
    expect(ctx.facts.encryption).toEqual({ algorithm: 'aws:kms', kmsKeyId: KEY_ARN, bucketKeyEnabled: true });
    expect(s3).toReceiveCommandWith(GetBucketEncryptionCommand, {
      Bucket: 'acme-exports',
      ExpectedBucketOwner: ACCOUNT,
    });
  });

  it('reports SSE-S3', async () => {
    s3.on(GetBucketEncryptionCommand).resolves(rule('AES256'));
    expect((await run(s3Encryption, bucketContext({ bucket: 'acme-exports' }))).message).toBe(
      'Default encryption: SSE-S3.',
    );
  });

  it('passes with no rule at all (ServerSideEncryptionConfigurationNotFoundError)', async () => {
    s3.on(GetBucketEncryptionCommand).rejects(
      s3Error(
        'ServerSideEncryptionConfigurationNotFoundError',
        404,
        'The server side encryption configuration was not found',
      ),
    );
    const ctx = bucketContext({ bucket: 'acme-exports' });

    expect((await run(s3Encryption, ctx)).status).toBe('pass');
    expect(ctx.facts.encryption).toBeNull();
  });

  it('warns when the bucket’s key is not the one declared', async () => {
    const other = KEY_ARN.replace('1234abcd', '9999abcd');
    s3.on(GetBucketEncryptionCommand).resolves(rule('aws:kms', other));

    const outcome = await run(s3Encryption, bucketContext({ bucket: 'acme-exports', kmsKeyArn: KEY_ARN }));

    expect(outcome).toMatchObject({
      status: 'warn',
      remediation: `Declare kmsKeyArn ${other}, or change the bucket's default key.`,
    });
  });

  it('fails when s3:GetEncryptionConfiguration is not granted', async () => {
    s3.on(GetBucketEncryptionCommand).rejects(s3Error('AccessDenied', 403));
    expect((await run(s3Encryption, bucketContext({ bucket: 'acme-exports' }))).status).toBe('fail');
  });
});
