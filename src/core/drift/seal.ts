import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { ExternalIdSecret } from '../external-id.ts';
import { SEAL_CONTEXT_SERVICE } from './seal.permissions.ts';

export { permissions } from './seal.permissions.ts';

/**
 * Envelope encryption for the one secret a saved connection holds (a key pair's secret access
 * key and session token): a fresh 256-bit data key per secret, AES-256-GCM with the encryption
 * context as additional data, and the data key itself encrypted by KMS under the same context.
 * The context binds tenant and connection, so a sealed secret copied onto another tenant's or
 * connection's item does not open.
 */
export interface Sealed {
  /** The data key, encrypted by KMS (or by the local development key). */
  key: string;
  iv: string;
  tag: string;
  data: string;
  /** `kms` or `local`: which opener this needs, so a local secret never meets a deployed stage. */
  by: 'kms' | 'local';
}

export interface SealContext {
  tenantId: string;
  connectionId: string;
}

export interface Sealer {
  seal(plaintext: string, context: SealContext): Promise<Sealed>;
  open(sealed: Sealed, context: SealContext): Promise<string>;
}

const aad = (c: SealContext) => Buffer.from(`aws-access-verifier\0${c.tenantId}\0${c.connectionId}`);
const kmsContext = (c: SealContext) => ({
  service: SEAL_CONTEXT_SERVICE,
  tenant: c.tenantId,
  connection: c.connectionId,
});

function gcmSeal(dataKey: Buffer, plaintext: string, context: SealContext) {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', dataKey, iv).setAAD(aad(context));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return {
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    data: data.toString('base64'),
  };
}

function gcmOpen(dataKey: Buffer, s: Pick<Sealed, 'iv' | 'tag' | 'data'>, context: SealContext): string {
  const decipher = createDecipheriv('aes-256-gcm', dataKey, Buffer.from(s.iv, 'base64')).setAAD(aad(context));
  decipher.setAuthTag(Buffer.from(s.tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(s.data, 'base64')), decipher.final()]).toString('utf8');
}

/** Deployed: data keys from the service's own KMS key, bound to the context KMS checks too. */
export function kmsSealer(kms: KMSClient, keyId: string): Sealer {
  return {
    async seal(plaintext, context) {
      const out = await kms.send(
        new GenerateDataKeyCommand({
          KeyId: keyId,
          KeySpec: 'AES_256',
          EncryptionContext: kmsContext(context),
        }),
      );
      if (!out.Plaintext || !out.CiphertextBlob) throw new Error('KMS returned no data key');
      const dataKey = Buffer.from(out.Plaintext);
      try {
        return {
          key: Buffer.from(out.CiphertextBlob).toString('base64'),
          by: 'kms',
          ...gcmSeal(dataKey, plaintext, context),
        };
      } finally {
        dataKey.fill(0);
      }
    },
    async open(sealed, context) {
      if (sealed.by !== 'kms') throw new Error('this secret was sealed by a local development key');
      const out = await kms.send(
        new DecryptCommand({
          KeyId: keyId,
          CiphertextBlob: Buffer.from(sealed.key, 'base64'),
          EncryptionContext: kmsContext(context),
        }),
      );
      if (!out.Plaintext) throw new Error('KMS returned no data key');
      const dataKey = Buffer.from(out.Plaintext);
      try {
        return gcmOpen(dataKey, sealed, context);
      } finally {
        dataKey.fill(0);
      }
    },
  };
}

/**
 * Local runs (no KMS): the data key is wrapped with AES-GCM under a key derived from the
 * development secret, which never leaves the developer's machine.
 */
export function localSealer(secret: ExternalIdSecret): Sealer {
  const master = Buffer.from(
    hkdfSync('sha256', secret.key, 'aws-access-verifier', 'connection-secrets-v1', 32),
  );
  return {
    async seal(plaintext, context) {
      const dataKey = randomBytes(32);
      const wrapped = gcmSeal(master, dataKey.toString('base64'), context);
      return { key: JSON.stringify(wrapped), by: 'local', ...gcmSeal(dataKey, plaintext, context) };
    },
    async open(sealed, context) {
      if (sealed.by !== 'local') throw new Error('this secret was sealed by KMS');
      const dataKey = Buffer.from(gcmOpen(master, JSON.parse(sealed.key) as Sealed, context), 'base64');
      return gcmOpen(dataKey, sealed, context);
    },
  };
}
