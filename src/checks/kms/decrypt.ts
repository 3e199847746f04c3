import type { CheckDescriptor } from '../../core/check.ts';
import { sha256 } from '../s3/probe.ts';
import { kmsCheck, kmsGrants, kmsOf, s3UsedTheKey } from './kms.ts';

export const kmsDecrypt: CheckDescriptor<'kms', 'kms.decrypt'> = {
  id: 'kms.decrypt',
  title: 'The principal may decrypt with the KMS key',
  scope: 'kms',
  calls: ['Decrypt'],
  mayCall: ['DescribeKey'],
  // Decrypt needs a ciphertext of this key: the encrypt probe's, or the generated data key's.
  dependsOn: [
    { id: 'kms.encrypt', kind: 'soft' },
    { id: 'kms.generate-data-key', kind: 'soft' },
    // Whether S3 decrypted with the key for a bucket's read: asked when there is nothing to open, or KMS refuses.
    { id: 's3.read', kind: 'asked', on: 'viaBuckets' },
  ],
  appliesTo: (t) => t.operations.includes('decrypt'),
  grants: (t) => kmsGrants(t.keyArn, 'decrypt'),
  async run(ctx) {
    const sample = ctx.facts.ciphertext;
    if (!sample) {
      const buckets = ctx.target.viaBuckets;
      if (buckets.length === 0) {
        return {
          status: 'skip',
          message: 'No ciphertext of this key to open: neither encrypt nor generate-data-key passed.',
        };
      }
      // Claim S3's use of the key only where s3.read really read an object encrypted under it.
      const via = await s3UsedTheKey(ctx, 'decrypt');
      return {
        status: 'skip',
        message: via
          ? `No ciphertext of this key to open directly; S3 decrypted with it for ${via}, which passed.`
          : `Not tested: no ciphertext of this key to open directly, and S3 decrypted nothing with it (${buckets.map((b) => `s3.read on ${b.label}`).join(', ')} read no object encrypted under it). A probe written under the prefix with this key and read back by s3.read would test it.`,
      };
    }
    return kmsCheck(ctx, 'decrypt', async () => {
      const { kms, sdk } = await kmsOf(ctx);
      const out = await kms.send(
        new sdk.DecryptCommand({ KeyId: ctx.target.keyArn, CiphertextBlob: sample.blob }),
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
