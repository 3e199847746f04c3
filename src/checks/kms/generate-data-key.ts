import type { CheckDescriptor } from '../../core/check.ts';
import { kmsCheck, kmsGrants, kmsOf } from './kms.ts';

export const kmsGenerateDataKey: CheckDescriptor<'kms', 'kms.generate-data-key'> = {
  id: 'kms.generate-data-key',
  title: 'The principal may generate data keys under the KMS key',
  scope: 'kms',
  calls: ['GenerateDataKey'],
  mayCall: ['DescribeKey'],
  // Asked, never awaited first: whether S3 used the key for a bucket's write, when KMS refuses.
  dependsOn: [{ id: 's3.write', kind: 'asked', on: 'viaBuckets' }],
  appliesTo: (t) => t.operations.includes('generate-data-key'),
  grants: (t) => kmsGrants(t.keyArn, 'generate-data-key'),
  run: (ctx) =>
    kmsCheck(ctx, 'generate-data-key', async () => {
      const { kms, sdk } = await kmsOf(ctx);
      const out = await kms.send(
        new sdk.GenerateDataKeyCommand({ KeyId: ctx.target.keyArn, KeySpec: 'AES_256' }),
        {
          abortSignal: ctx.signal,
        },
      );
      // The plaintext key is never kept: only its encrypted copy, for kms.decrypt to open.
      out.Plaintext?.fill(0);
      if (out.CiphertextBlob)
        ctx.facts.ciphertext ??= { blob: out.CiphertextBlob, from: 'kms.generate-data-key' };
      return `Generated a data key under ${ctx.target.keyArn}.`;
    }),
  explainDenial: (t) => ({ message: `The principal may not generate data keys under ${t.keyArn}.` }),
};
