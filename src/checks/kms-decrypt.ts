import { DecryptCommand } from '@aws-sdk/client-kms';
import { kmsCheck, kmsGrants, kmsOf } from '../core/kms.ts';
import { sha256 } from '../core/probe.ts';
import type { CheckDescriptor } from '../core/types.ts';

export const kmsDecrypt: CheckDescriptor<'kms'> = {
  id: 'kms.decrypt',
  title: 'The principal may decrypt with the KMS key',
  scope: 'kms',
  // Decrypt needs a ciphertext of this key: the encrypt probe's, or the generated data key's.
  dependsOn: [
    { id: 'kms.encrypt', kind: 'soft' },
    { id: 'kms.generate-data-key', kind: 'soft' },
  ],
  appliesTo: (t) => t.operations.includes('decrypt'),
  grants: (t) => kmsGrants(t.keyArn, 'decrypt'),
  async run(ctx) {
    const sample = ctx.facts.ciphertext;
    if (!sample) {
      return ctx.target.viaBuckets.length > 0
        ? {
            status: 'skip',
            message: 'No ciphertext of this key to open directly; S3’s use of it is tested by s3.read.',
          }
        : {
            status: 'skip',
            message: 'No ciphertext of this key to open: neither encrypt nor generate-data-key passed.',
          };
    }
    return kmsCheck(ctx, 'decrypt', async () => {
      const out = await kmsOf(ctx).send(
        new DecryptCommand({ KeyId: ctx.target.keyArn, CiphertextBlob: sample.blob }),
        {
          abortSignal: ctx.signal,
        },
      );
      const matches =
        !sample.plaintextSha256 || (out.Plaintext && sha256(out.Plaintext) === sample.plaintextSha256);
      out.Plaintext?.fill(0);
      if (!matches) throw new Error('Decrypt returned other bytes than were encrypted');
      return `Decrypted a ciphertext of ${ctx.target.keyArn} (from ${sample.from}).`;
    });
  },
  explainDenial: (t) => ({ message: `The principal may not decrypt with ${t.keyArn}.` }),
};
