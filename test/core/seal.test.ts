import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { kmsSealer, localSealer } from '../../src/core/drift/seal.ts';
import { parseSecret } from '../../src/core/external-id.ts';

const kms = mockClient(KMSClient);
const SECRET = '{"secretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}';
const ctx = { tenantId: 't-1', connectionId: '6a1f0c52-3b7e-4d2a-9c41-5f8e2d7b9a10' };
const dataKey = new Uint8Array(32).fill(7);

describe('sealing a key pair', () => {
  beforeEach(() => {
    kms.reset();
  });

  it('with KMS: a data key bound to tenant and connection, the secret never in what is stored', async () => {
    kms
      .on(GenerateDataKeyCommand)
      .resolves({ Plaintext: dataKey, CiphertextBlob: new Uint8Array([1, 2, 3]) });
    kms.on(DecryptCommand).resolves({ Plaintext: dataKey });
    const sealer = kmsSealer(
      new KMSClient({ region: 'us-east-1' }),
      'alias/aws-access-verifier-dev-connections',
    );

    const sealed = await sealer.seal(SECRET, ctx);

    const context = { service: 'aws-access-verifier', tenant: 't-1', connection: ctx.connectionId };
    expect(kms).toReceiveCommandWith(GenerateDataKeyCommand, {
      KeyId: 'alias/aws-access-verifier-dev-connections',
      KeySpec: 'AES_256',
      EncryptionContext: context,
    });
    expect(sealed.by).toBe('kms');
    expect(JSON.stringify(sealed)).not.toContain('wJalrXUtnFEMI');
    expect(await sealer.open(sealed, ctx)).toBe(SECRET);
    expect(kms).toReceiveCommandWith(DecryptCommand, { EncryptionContext: context });
    // The same blob on another tenant's item does not open: GCM's additional data differs.
    await expect(sealer.open(sealed, { ...ctx, tenantId: 't-2' })).rejects.toThrow();
  });

  it('locally: AES-GCM under a key derived from the development secret, bound the same way', async () => {
    const sealer = localSealer(parseSecret('v1:local-development-secret-0123456789abcdef'));
    const sealed = await sealer.seal(SECRET, ctx);
    expect(sealed.by).toBe('local');
    expect(JSON.stringify(sealed)).not.toContain('wJalrXUtnFEMI');
    expect(await sealer.open(sealed, ctx)).toBe(SECRET);
    await expect(sealer.open(sealed, { ...ctx, connectionId: 'another' })).rejects.toThrow();
    await expect(
      sealer.open({ ...sealed, data: Buffer.from('tampered').toString('base64') }, ctx),
    ).rejects.toThrow();
    const otherMachine = localSealer(parseSecret('v1:another-development-secret-0123456789ab'));
    await expect(otherMachine.open(sealed, ctx)).rejects.toThrow();
    // A local secret never meets the deployed opener, nor the other way round.
    await expect(kmsSealer(new KMSClient({ region: 'us-east-1' }), 'k').open(sealed, ctx)).rejects.toThrow(
      /local/,
    );
  });
});
