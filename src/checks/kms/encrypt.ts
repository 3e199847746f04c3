import type { CheckDescriptor } from '../../core/check.ts';
import { sha256 } from '../s3/probe.ts';
import { kmsCheck, kmsGrants, kmsOf } from './kms.ts';

export const kmsEncrypt: CheckDescriptor<'kms', 'kms.encrypt'> = {
  id: 'kms.encrypt',
  title: 'The principal may encrypt with the KMS key',
  scope: 'kms',
  calls: ['Encrypt'],
  mayCall: ['DescribeKey'],
  // Asked, never awaited first: whether S3 used the key for a bucket's write, when KMS refuses.
  dependsOn: [{ id: 's3.write', kind: 'asked', on: 'viaBuckets' }],
  appliesTo: (t) => t.operations.includes('encrypt'),
  grants: (t) => kmsGrants(t.keyArn, 'encrypt'),
  run: (ctx) =>
    kmsCheck(ctx, 'encrypt', async () => {
      const plaintext = new TextEncoder().encode(`aws-access-verifier probe ${ctx.verification.id}`);
      const { kms, sdk } = await kmsOf(ctx);
      const out = await kms.send(new sdk.EncryptCommand({ KeyId: ctx.target.keyArn, Plaintext: plaintext }), {
        abortSignal: ctx.signal,
      });
      if (out.CiphertextBlob) {
        ctx.facts.ciphertext = {
          blob: out.CiphertextBlob,
          plaintextSha256: sha256(plaintext),
          from: 'kms.encrypt',
        };
      }
      return `Encrypted a probe with ${ctx.target.keyArn}.`;
    }),
  explainDenial: (t) => ({ message: `The principal may not encrypt with ${t.keyArn}.` }),
};
