/**
 * The floor `npm run bench` holds verify against, measured in the same run: the staging chain
 * and nothing else, with the same SDK against the same sandbox and latency. AssumeRole, then
 * per bucket PutObject → GetObject → DeleteObject of one probe object: no other check, no
 * report, no external-ID probes, no listing, no clean-up of stranded probes. Its clients are
 * fresh per run, as verify's are, over one keep-alive pool, as verify's are.
 */
import { randomUUID } from 'node:crypto';
import { Agent } from 'node:http';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';

// Never destroyed: a client's destroy() would close the pool the next run reuses.
const requestHandler = new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: 256 }) });

export interface ChainTarget {
  roleArn: string;
  externalId: string;
  region: string;
  buckets: { bucket: string; prefix?: string }[];
}

export async function minimalChain(t: ChainTarget): Promise<void> {
  const sts = new STSClient({ region: t.region, requestHandler });
  const { Credentials: c } = await sts.send(
    new AssumeRoleCommand({
      RoleArn: t.roleArn,
      RoleSessionName: 'minimal-chain',
      ExternalId: t.externalId,
      DurationSeconds: 900,
    }),
  );
  if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error('AssumeRole gave no credentials');
  const s3 = new S3Client({
    region: t.region,
    requestHandler,
    // The sandbox answers on an IP address, where bucket host names cannot resolve.
    forcePathStyle: true,
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
  );
}
