import { DescribeKeyCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { kmsGenerateDataKey } from '../../../src/checks/kms/generate-data-key.ts';
import { kmsError } from '../../support/aws-errors.ts';
import { ACCOUNT, KEY_ARN, kmsContext, run } from '../../support/context.ts';

const kms = mockClient(KMSClient);

describe('kms.generate-data-key', () => {
  beforeEach(() => {
    kms.reset();
  });

  it('generates a data key, keeps only its ciphertext and wipes the plaintext', async () => {
    // Prepare
    const plaintext = new Uint8Array([1, 2, 3, 4]);
    kms
      .on(GenerateDataKeyCommand)
      .resolves({ Plaintext: plaintext, CiphertextBlob: new Uint8Array([9, 9]), KeyId: KEY_ARN });
    const ctx = kmsContext();

    // Act
    const outcome = await run(kmsGenerateDataKey, ctx);

    // Assess
    expect(outcome.status).toBe('pass');
    expect(kms).toReceiveCommandExactlyOnceWith(GenerateDataKeyCommand, {
      KeyId: KEY_ARN,
      KeySpec: 'AES_256',
    });
    expect([...plaintext]).toEqual([0, 0, 0, 0]);
    expect(ctx.facts.ciphertext).toEqual({ blob: new Uint8Array([9, 9]), from: 'kms.generate-data-key' });
  });

  it('fails naming the key policy when KMS says no resource-based policy allows the principal', async () => {
    kms
      .on(GenerateDataKeyCommand)
      .rejects(
        kmsError(
          'AccessDeniedException',
          400,
          `User: arn:aws:sts::${ACCOUNT}:assumed-role/VendorAccess/s is not authorized to perform: kms:GenerateDataKey on resource: ${KEY_ARN} because no resource-based policy allows the kms:GenerateDataKey action`,
        ),
      );

    const outcome = await run(kmsGenerateDataKey, kmsContext());

    expect(outcome).toMatchObject({
      status: 'fail',
      message: `The principal may not generate data keys under ${KEY_ARN}.`,
      error: { code: 'AccessDeniedException', httpStatus: 400 },
      missing: [],
    });
    expect(outcome.hint).toMatch(/key policy/);
  });

  it('asks for the missing identity grant when no identity-based policy allows it', async () => {
    kms
      .on(GenerateDataKeyCommand)
      .rejects(
        kmsError(
          'AccessDeniedException',
          400,
          `User: arn:aws:sts::${ACCOUNT}:assumed-role/VendorAccess/s is not authorized to perform: kms:GenerateDataKey on resource: ${KEY_ARN} because no identity-based policy allows the kms:GenerateDataKey action`,
        ),
      );

    const outcome = await run(kmsGenerateDataKey, kmsContext());

    expect(outcome.remediation).toBe(`Allow kms:GenerateDataKey on ${KEY_ARN}`);
  });

  it('says a disabled key is disabled, and a key pending deletion when it will go', async () => {
    kms.on(GenerateDataKeyCommand).rejectsOnce(kmsError('DisabledException', 400, `${KEY_ARN} is disabled.`));
    expect((await run(kmsGenerateDataKey, kmsContext())).message).toMatch(/is disabled: enable it/);

    kms
      .on(GenerateDataKeyCommand)
      .rejects(kmsError('KMSInvalidStateException', 400, `${KEY_ARN} is pending deletion.`));
    kms.on(DescribeKeyCommand).resolves({
      KeyMetadata: {
        KeyId: 'k',
        KeyState: 'PendingDeletion',
        DeletionDate: new Date('2026-12-01T00:00:00Z'),
      },
    });
    const pending = await run(kmsGenerateDataKey, kmsContext());
    expect(pending).toMatchObject({ status: 'fail' });
    expect(pending.message).toMatch(/scheduled for deletion \(PendingDeletion \(deleted on 2026-12-01\)\)/);
  });

  it('says a missing key is missing', async () => {
    kms
      .on(GenerateDataKeyCommand)
      .rejects(kmsError('NotFoundException', 400, `Key '${KEY_ARN}' does not exist`));
    expect(await run(kmsGenerateDataKey, kmsContext())).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/No key/),
    });
  });

  it('warns, not fails, when a bucket key refuses direct calls but S3 uses it (kms:ViaService)', async () => {
    kms
      .on(GenerateDataKeyCommand)
      .rejects(
        kmsError('AccessDeniedException', 400, 'User: x is not authorized to perform: kms:GenerateDataKey'),
      );

    const outcome = await run(
      kmsGenerateDataKey,
      kmsContext(
        { keyArn: KEY_ARN },
        {
          viaBuckets: [{ key: 's3:0', label: 's3://acme-exports/vendor/' }],
          outcomes: { 's3.write@s3:0': { status: 'pass', message: '', kmsKeysUsed: [KEY_ARN] } },
        },
      ),
    );

    expect(outcome).toMatchObject({ status: 'warn', missing: [] });
    expect(outcome.message).toMatch(/kms:ViaService/);
    // The customer's bucket, never the internal target key.
    expect(outcome.message).toContain('S3 used the key for s3.write on s3://acme-exports/vendor/');
    expect(outcome.message).not.toMatch(/s3:0/);
  });

  it('fails, not warns, when the S3 write that passed used no object of this key', async () => {
    kms
      .on(GenerateDataKeyCommand)
      .rejects(
        kmsError('AccessDeniedException', 400, 'User: x is not authorized to perform: kms:GenerateDataKey'),
      );

    const outcome = await run(
      kmsGenerateDataKey,
      kmsContext(
        { keyArn: KEY_ARN },
        {
          viaBuckets: [{ key: 's3:0', label: 's3://acme-exports/vendor/' }],
          outcomes: { 's3.write@s3:0': { status: 'pass', message: '' } },
        },
      ),
    );

    expect(outcome.status).toBe('fail');
  });

  it('is inconclusive when KMS throttles', async () => {
    kms.on(GenerateDataKeyCommand).rejects(kmsError('ThrottlingException', 400, 'Rate exceeded'));
    expect((await run(kmsGenerateDataKey, kmsContext())).status).toBe('error');
  });
});
