import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { s3List } from '../../../src/checks/s3/list.ts';
import { s3Error } from '../../support/aws-errors.ts';
import { ACCOUNT, bucketContext, principalTarget, run } from '../../support/context.ts';

const s3 = mockClient(S3Client);

describe('s3.list', () => {
  beforeEach(() => {
    s3.reset();
  });

  it('lists one page under the prefix, naming the owner, and passes its first key on to s3.read', async () => {
    // Prepare
    s3.on(ListObjectsV2Command).resolves({
      KeyCount: 1,
      Contents: [{ Key: 'in/2026/part-0.csv', Size: 10 }],
    });
    const ctx = bucketContext({ bucket: 'acme-input', prefix: 'in/' });

    // Act
    const outcome = await run(s3List, ctx);

    // Assess
    expect(outcome).toEqual({ status: 'pass', message: 'Listing under in/ works.' });
    expect(s3).toReceiveCommandExactlyOnceWith(ListObjectsV2Command, {
      Bucket: 'acme-input',
      Prefix: 'in/',
      MaxKeys: 50,
      ExpectedBucketOwner: ACCOUNT,
    });
    expect(ctx.facts).toMatchObject({
      listing: { keyCount: 1, firstKey: 'in/2026/part-0.csv' },
      ownerConfirmed: true,
    });
  });

  it('passes on an empty prefix and says so', async () => {
    s3.on(ListObjectsV2Command).resolves({ KeyCount: 0 });
    const ctx = bucketContext({ bucket: 'acme-input' });

    expect((await run(s3List, ctx)).message).toBe('Listing at the bucket root works; it is empty.');
    expect(ctx.facts.listing).toEqual({ keyCount: 0 });
  });

  it('fails with a fix scoped to the prefix', async () => {
    s3.on(ListObjectsV2Command).rejects(s3Error('AccessDenied', 403));

    const outcome = await run(s3List, bucketContext({ bucket: 'acme-input', prefix: 'in/' }));

    expect(outcome).toMatchObject({
      status: 'fail',
      message: 'The role may not list s3://acme-input/in/.',
      missing: [
        {
          actions: ['s3:ListBucket'],
          resources: ['arn:aws:s3:::acme-input'],
          condition: { StringLike: { 's3:prefix': ['in/*'] } },
        },
      ],
    });
    // Without s3:ListBucket, the bucket's owner is still unconfirmed: the hint says what else it may be.
    expect(outcome.hint).toMatch(/does not belong to account/);
  });
});

describe('messages speak of the principal there is', () => {
  it('says "the key pair" for a key pair, "the role" for a role', () => {
    const keyPair = bucketContext({ bucket: 'acme-input', prefix: 'in/' });
    keyPair.principalTarget = principalTarget({
      credentials: {
        type: 'accessKey',
        accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
        secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      },
    });
    expect(s3List.explainDenial(keyPair.target, keyPair).message).toBe(
      'The key pair may not list s3://acme-input/in/.',
    );
    const role = bucketContext({ bucket: 'acme-input', prefix: 'in/' });
    expect(s3List.explainDenial(role.target, role).message).toBe(
      'The role may not list s3://acme-input/in/.',
    );
  });
});
