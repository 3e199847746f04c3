import { GetObjectCommand } from '@aws-sdk/client-s3';
import { s3ObjectsArn } from '../../core/arn.ts';
import type { CheckContext, CheckDescriptor } from '../../core/check.ts';
import { classify, codeOf } from '../../core/classify.ts';
import type { Outcome } from '../../core/outcome.ts';
import { kmsGrant } from '../kms/kms.ts';
import { bucketParams, PROBE_MARKER, place, s3Of, sha256, throughKms, who } from './probe.ts';

async function get(ctx: CheckContext<'bucket'>, key: string, range?: string) {
  const out = await s3Of(ctx).send(
    new GetObjectCommand({ ...bucketParams(ctx), Key: key, ...(range ? { Range: range } : {}) }),
    { abortSignal: ctx.signal },
  );
  const bytes = out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
  // S3 names the key it decrypted with: kms.decrypt may claim S3's use of a key only from this.
  const kmsKeyId = out.ServerSideEncryption?.startsWith('aws:kms') ? out.SSEKMSKeyId : undefined;
  return { bytes, ...(kmsKeyId ? { kmsKeyId } : {}) };
}

/** A pass, carrying the KMS key S3 decrypted the object with, if it did. */
const read = (message: string, kmsKeyId: string | undefined): Outcome => ({
  status: 'pass',
  message,
  ...(kmsKeyId ? { kmsKeysUsed: [kmsKeyId] } : {}),
});

export const s3Read: CheckDescriptor<'bucket', 's3.read'> = {
  id: 's3.read',
  title: 'The principal may read objects under the prefix',
  scope: 'bucket',
  calls: ['GetObject'],
  dependsOn: [
    { id: 's3.bucket-region', kind: 'hard' },
    { id: 's3.write', kind: 'soft' },
    { id: 's3.list', kind: 'soft' },
  ],
  grants: (t) => [
    { actions: ['s3:GetObject'], resources: [s3ObjectsArn(t.partition, t.bucket, t.prefix)] },
    ...kmsGrant(t.kmsKeyArn, 'decrypt'),
  ],
  async run(ctx) {
    const { facts, target } = ctx;
    if (facts.probe) {
      const { bytes, kmsKeyId } = await get(ctx, facts.probe.key);
      if (sha256(bytes) !== facts.probe.sha256) {
        return { status: 'error', message: 'The probe read back differs from what was written.' };
      }
      return read('Read the probe back; its checksum matches.', kmsKeyId);
    }
    const listed = facts.listing?.firstKey;
    if (listed) {
      // Someone else's object: one byte, never the whole of it.
      try {
        const { kmsKeyId } = await get(ctx, listed, 'bytes=0-0');
        return read(`Read the first byte of ${listed}.`, kmsKeyId);
      } catch (err) {
        const code = codeOf(err);
        if (code === 'InvalidRange') return { status: 'pass', message: `Read ${listed} (it is empty).` };
        if (code === 'InvalidObjectState') {
          return {
            status: 'pass',
            message: `Reading ${listed} is allowed, but it is archived; restore it or read another object.`,
          };
        }
        throw err;
      }
    }
    if (facts.listing) {
      // S3 answers 404 for a missing key only to callers it lets read it and list the bucket.
      try {
        await get(ctx, `${target.prefix}${PROBE_MARKER}absent-${ctx.verification.id}`);
      } catch (err) {
        const c = classify(err);
        if (codeOf(err) !== 'NoSuchKey' && (c.kind !== 'denied' || c.action === 's3:GetObject')) throw err;
        if (c.kind === 'denied') {
          // A GetObject request carries no s3:prefix, so a ListBucket grant scoped to the prefix
          // does not apply to it and S3 hides the missing key behind a 403: nothing to conclude.
          return {
            status: 'skip',
            message:
              'The prefix is empty and S3 would not say whether reading is allowed (its s3:ListBucket grant is scoped to the prefix); write an object there to test reading.',
          };
        }
      }
      return {
        status: 'pass',
        message: 'The prefix is empty; reading is allowed (S3 answered "no such key", not "access denied").',
      };
    }
    const outcome: Outcome = {
      status: 'skip',
      message: 'Nothing to read: no probe was written and nothing could be listed under the prefix.',
    };
    return outcome;
  },
  explainDenial: (t, ctx, refusal) =>
    refusal?.action?.startsWith('kms:')
      ? { message: throughKms(ctx, 'read from', t, refusal) }
      : { message: `${who(ctx)} may not read objects in ${place(t)}.` },
};
