/**
 * The floor `npm run bench` holds verify against, measured in the same run: the staging chain
 * and nothing else, with the same SDK against the same sandbox and latency. AssumeRole, then
 * per bucket PutObject → GetObject → DeleteObject of one probe object: no other check, no
 * report, no external-ID probes, no listing, no clean-up of stranded probes. Its clients are
 * built per run with verify's own bounds (`bounded()`: time-outs, retries, and a lease on the
 * container's keep-alive pool), as verify's are.
 */
import { randomUUID } from 'node:crypto';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { bounded, CALL_LIMITS, s3PathStyle } from '../src/core/bounds.ts';

export interface ChainTarget {
  roleArn: string;
  externalId: string;
  region: string;
  buckets: { bucket: string; prefix?: string }[];
}

export async function minimalChain(t: ChainTarget): Promise<void> {
  const sts = new STSClient({ region: t.region, ...bounded(CALL_LIMITS, 256) });
  const { Credentials: c } = await sts
    .send(
      new AssumeRoleCommand({
        RoleArn: t.roleArn,
        RoleSessionName: 'minimal-chain',
        ExternalId: t.externalId,
        DurationSeconds: 900,
      }),
    )
    .finally(() => sts.destroy());
  if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error('AssumeRole gave no credentials');
  const s3 = new S3Client({
    region: t.region,
    ...bounded(CALL_LIMITS, 256),
    forcePathStyle: s3PathStyle(),
    credentials: {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
    },
  });
  await Promise.all(
    t.buckets.map(async ({ bucket, prefix = '' }) => {
      const Key = `${prefix}.minimal-chain-${randomUUID()}`;
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: 'probe', IfNoneMatch: '*' }));
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key }));
      await got.Body?.transformToString();
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key }));
    }),
  ).finally(() => s3.destroy());
}
