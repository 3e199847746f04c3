import { DecryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { kmsDecrypt } from '../../../src/checks/kms/decrypt.ts';
import { sha256 } from '../../../src/checks/s3/probe.ts';
import { kmsError } from '../../support/aws-errors.ts';
import { KEY_ARN, kmsContext, run } from '../../support/context.ts';

const kms = mockClient(KMSClient);
const plaintext = new TextEncoder().encode('probe');

describe('kms.decrypt', () => {
  beforeEach(() => {
    kms.reset();
  });

  it('opens the encrypt probe’s ciphertext and checks the bytes', async () => {
    kms.on(DecryptCommand).resolves({ Plaintext: new Uint8Array(plaintext), KeyId: KEY_ARN });
    const ctx = kmsContext(undefined, {
      facts: {
        ciphertext: { blob: new Uint8Array([7]), plaintextSha256: sha256(plaintext), from: 'kms.encrypt' },
      },
    });

    const outcome = await run(kmsDecrypt, ctx);

    expect(outcome.status).toBe('pass');
    expect(kms).toReceiveCommandExactlyOnceWith(DecryptCommand, {
      KeyId: KEY_ARN,
      CiphertextBlob: new Uint8Array([7]),
    });
  });

  it('is inconclusive when the bytes differ', async () => {
    kms.on(DecryptCommand).resolves({ Plaintext: new TextEncoder().encode('other') });
    const ctx = kmsContext(undefined, {
      facts: {
        ciphertext: { blob: new Uint8Array([7]), plaintextSha256: sha256(plaintext), from: 'kms.encrypt' },
      },
    });
    expect((await run(kmsDecrypt, ctx)).status).toBe('error');
  });

  it('skips when there is nothing of this key to open', async () => {
    expect(await run(kmsDecrypt, kmsContext())).toMatchObject({ status: 'skip' });
    expect(kms.calls()).toHaveLength(0);
  });

  it('claims no test by s3.read unless S3 decrypted with this key for it', async () => {
    const via = [{ key: 's3:0', label: 's3://acme-exports/vendor/' }];
    // s3.read passed on an empty prefix: nothing was read through the key.
    const nothingRead = kmsContext(undefined, {
      viaBuckets: via,
      outcomes: { 's3.read@s3:0': { status: 'pass', message: 'The prefix is empty; reading is allowed.' } },
    });
    const readThrough = kmsContext(undefined, {
      viaBuckets: via,
      outcomes: {
        's3.read@s3:0': { status: 'pass', message: 'Read the probe back.', kmsKeysUsed: [KEY_ARN] },
      },
    });

    const untested = await run(kmsDecrypt, nothingRead);
    const tested = await run(kmsDecrypt, readThrough);

    expect(untested).toMatchObject({ status: 'skip' });
    expect(untested.message).toBe(
      'Not tested: no ciphertext of this key to open directly, and S3 decrypted nothing with it (s3.read on s3://acme-exports/vendor/ read no object encrypted under it). A probe written under the prefix with this key and read back by s3.read would test it.',
    );
    expect(tested).toMatchObject({
      status: 'skip',
      message:
        'No ciphertext of this key to open directly; S3 decrypted with it for s3.read on s3://acme-exports/vendor/, which passed.',
    });
    expect(kms.calls()).toHaveLength(0);
  });

  it('fails on a refusal', async () => {
    kms
      .on(DecryptCommand)
      .rejects(kmsError('AccessDeniedException', 400, 'User: x is not authorized to perform: kms:Decrypt'));
    const ctx = kmsContext(undefined, {
      facts: { ciphertext: { blob: new Uint8Array([7]), from: 'kms.generate-data-key' } },
    });
    expect(await run(kmsDecrypt, ctx)).toMatchObject({
      status: 'fail',
      remediation: `Allow kms:Decrypt on ${KEY_ARN}`,
    });
  });
});
