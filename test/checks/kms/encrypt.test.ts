import { EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { kmsEncrypt } from '../../../src/checks/kms/encrypt.ts';
import { kmsError } from '../../support/aws-errors.ts';
import { KEY_ARN, kmsContext, run } from '../../support/context.ts';

const kms = mockClient(KMSClient);

describe('kms.encrypt', () => {
  beforeEach(() => {
    kms.reset();
  });

  it('encrypts a probe and keeps the ciphertext with the plaintext’s checksum for kms.decrypt', async () => {
    kms.on(EncryptCommand).resolves({ CiphertextBlob: new Uint8Array([7]), KeyId: KEY_ARN });
    const ctx = kmsContext();

    const outcome = await run(kmsEncrypt, ctx);

    expect(outcome.status).toBe('pass');
    expect(kms).toReceiveCommandWith(EncryptCommand, { KeyId: KEY_ARN });
    expect(ctx.facts.ciphertext?.from).toBe('kms.encrypt');
    expect(ctx.facts.ciphertext?.plaintextSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is not run for a key whose operations leave encrypt out', () => {
    expect(kmsEncrypt.appliesTo?.(kmsContext({ keyArn: KEY_ARN, operations: ['decrypt'] }).target)).toBe(
      false,
    );
  });

  it('fails on a refusal', async () => {
    kms
      .on(EncryptCommand)
      .rejects(kmsError('AccessDeniedException', 400, 'User: x is not authorized to perform: kms:Encrypt'));
    expect((await run(kmsEncrypt, kmsContext())).status).toBe('fail');
  });
});
