import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { HeadObjectCommand, PutObjectCommand, type PutObjectCommandInput } from '@aws-sdk/client-s3';
import { s3ObjectsArn } from '../../core/arn.ts';
import type { CheckContext, CheckDescriptor } from '../../core/check.ts';
import { classify, codeOf, httpStatusOf } from '../../core/classify.ts';
import type { Outcome } from '../../core/outcome.ts';
import { judgedBySimulation } from '../iam/simulation.ts';
import { kmsGrant } from '../kms/kms.ts';
import {
  bucketParams,
  inBucketRegion,
  markerBody,
  markerKey,
  place,
  probeBody,
  probeKey,
  probeReadGrant,
  s3Of,
  sha256,
  throughKms,
  who,
} from './probe.ts';

/** Runs beside HeadBucket: in the bucket's region once it is known, else where it is expected. */
async function put(ctx: CheckContext<'bucket'>, input: PutObjectCommandInput) {
  return inBucketRegion(ctx, (s3) => s3.send(new PutObjectCommand(input), { abortSignal: ctx.signal }));
}

type NewObject = { exists: false; versionId?: string; sse: boolean; kmsKeyId?: string };
/** `attempts`: how many the SDK made; after a retry, the 412 may answer our own first write. */
type Written = { exists: true; attempts: number } | NewObject;

/**
 * Writes `key` only if nothing has it (If-None-Match: *, so nothing can be overwritten; S3
 * answers 412 otherwise, after authorization). The probe, the marker onboarding leaves and the
 * zero-write probe all go through here, so each sends what the bucket demands: the declared
 * KMS key from the start, or the bucket's own, tried once a refusal meets an SSE-KMS bucket
 * (a bucket policy may require the header).
 */
async function writeNew(ctx: CheckContext<'bucket'>, key: string, body: string): Promise<Written> {
  const input: PutObjectCommandInput = {
    ...bucketParams(ctx),
    Key: key,
    Body: body,
    ContentType: 'text/plain; charset=utf-8',
    IfNoneMatch: '*',
    // Object Lock buckets refuse writes without an integrity checksum.
    ChecksumAlgorithm: 'CRC32',
  };
  const sse = (keyId: string | undefined): Partial<PutObjectCommandInput> => ({
    ServerSideEncryption: 'aws:kms',
    ...(keyId ? { SSEKMSKeyId: keyId } : {}),
  });
  if (ctx.target.kmsKeyArn) Object.assign(input, sse(ctx.target.kmsKeyArn));
  const attempt = async (): Promise<Written> => {
    try {
      const out = await put(ctx, input);
      // The key S3 says it encrypted with, whether asked for or the bucket's default.
      const kmsKeyId = out.ServerSideEncryption?.startsWith('aws:kms') ? out.SSEKMSKeyId : undefined;
      return {
        exists: false,
        sse: Boolean(input.ServerSideEncryption),
        ...(out.VersionId ? { versionId: out.VersionId } : {}),
        ...(kmsKeyId ? { kmsKeyId } : {}),
      };
    } catch (err) {
      if (codeOf(err) === 'PreconditionFailed') return { exists: true, attempts: attemptsOf(err) };
      throw err;
    }
  };
  try {
    return await attempt();
  } catch (err) {
    // Only then is the encryption rule worth waiting for.
    if (classify(err).kind !== 'denied' || input.ServerSideEncryption) throw err;
    await ctx.outcomeOf('s3.encryption');
    if (!ctx.facts.encryption?.algorithm.startsWith('aws:kms')) throw err;
    Object.assign(input, sse(ctx.facts.encryption.kmsKeyId));
    return attempt();
  }
}

export const s3Write: CheckDescriptor<'bucket', 's3.write'> = {
  id: 's3.write',
  title: 'The principal may write a new object under the prefix',
  scope: 'bucket',
  dependsOn: [
    // Beside HeadBucket: the write names the owner and overwrites nothing, so it is safe to try
    // at once; one that reached the wrong region is made again where HeadBucket found the bucket.
    { id: 's3.bucket-region', kind: 'beside' },
    // Not waited for: default encryption applies without headers. Asked only when a refusal
    // may be a bucket policy demanding the SSE-KMS header.
    { id: 's3.encryption', kind: 'asked' },
  ],
  // The marker onboarding leaves is written beside the probe, not after it.
  calls: ['PutObject'],
  // A second PutObject (another region, or with the SSE-KMS header); HeadObject after a retry's
  // 412; in no-write mode, the verification's one simulation if this check asks first.
  mayCall: ['HeadObject', 'SimulatePrincipalPolicy'],
  grants: (t) => [
    { actions: ['s3:PutObject'], resources: [s3ObjectsArn(t.partition, t.bucket, t.prefix)] },
    ...kmsGrant(t.kmsKeyArn, 'generate-data-key'),
    // A retried write answered 412: HeadObject tells whether the object is our probe.
    probeReadGrant(t),
  ],
  async run(ctx) {
    const { target, facts, verification } = ctx;
    if (target.probe === 'simulate') return judgedBySimulation(ctx, s3Write.grants(target), 'writing');
    if (target.marker === 'probe') return zeroWrite(ctx);
    const key = probeKey(target.prefix, verification);
    const body = probeBody(verification);
    const marker = target.marker === 'place' ? placeMarker(ctx) : Promise.resolve('');
    let out = await writeNew(ctx, key, body).catch(async (err: unknown) => {
      await marker;
      throw err;
    });
    let retriedNote = '';
    if (out.exists) {
      const retried = out.attempts > 1 ? await retriedWrite(ctx, key, body) : undefined;
      if (!retried) {
        await marker;
        return {
          status: 'error',
          message: `An object already has the probe's unique key ${key}; nothing was written.`,
        };
      }
      out = retried.written;
      retriedNote = ` ${retried.how}`;
    }
    facts.probe = { key, sha256: sha256(body), ...(out.versionId ? { versionId: out.versionId } : {}) };
    const version = out.versionId ? ` (version ${out.versionId})` : '';
    const kms = out.sse ? ' with SSE-KMS' : '';
    return {
      status: 'pass',
      message: `Wrote the probe s3://${target.bucket}/${key}${version}${kms}.${retriedNote}${await marker}`,
      ...(out.kmsKeyId ? { kmsKeysUsed: [out.kmsKeyId] } : {}),
    };
  },
  explainDenial: (t, ctx, refusal) =>
    refusal?.action?.startsWith('kms:')
      ? { message: throughKms(ctx, 'write to', t, refusal) }
      : { message: `${who(ctx)} may not write to ${place(t)}.` },
};

const attemptsOf = (err: unknown): number => {
  const attempts = (err as { $metadata?: { attempts?: unknown } }).$metadata?.attempts;
  return typeof attempts === 'number' ? attempts : 1;
};

/** CRC32 as S3 returns it in `x-amz-checksum-crc32`: the big-endian value, base64. */
const crc32Of = (body: string) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(crc32(body));
  return b.toString('base64');
};

/**
 * A write the SDK retried was answered 412: the first attempt may have stored our probe before
 * the connection dropped. The key is this verification's alone (its id is a fresh UUID); the
 * object is ours when its size and checksum are the probe's. When S3 will not describe it (no
 * s3:GetObject) the key is what says so. Anything else stored there is left alone.
 */
async function retriedWrite(
  ctx: CheckContext<'bucket'>,
  key: string,
  body: string,
): Promise<{ written: NewObject; how: string } | undefined> {
  const stored =
    "S3 had stored it when the connection dropped, so the SDK's retry was told the key exists (412).";
  try {
    const head = await s3Of(ctx).send(
      new HeadObjectCommand({ ...bucketParams(ctx), Key: key, ChecksumMode: 'ENABLED' }),
      { abortSignal: ctx.signal },
    );
    const kms = head.ServerSideEncryption?.startsWith('aws:kms') === true;
    const sized = head.ContentLength === Buffer.byteLength(body);
    // An SSE-KMS object's ETag is no MD5 of its body: without a checksum, its size must do.
    const summed = head.ChecksumCRC32
      ? head.ChecksumCRC32 === crc32Of(body)
      : kms || head.ETag === `"${md5(body)}"`;
    if (!sized || !summed) return undefined;
    return {
      written: {
        exists: false,
        sse: kms,
        ...(head.VersionId && head.VersionId !== 'null' ? { versionId: head.VersionId } : {}),
        ...(kms && head.SSEKMSKeyId ? { kmsKeyId: head.SSEKMSKeyId } : {}),
      },
      how: `${stored} Its size and checksum are the probe’s: it is this verification’s, and is removed as any probe.`,
    };
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    // Gone again already: nothing of ours to remove.
    if (httpStatusOf(err) === 404) return undefined;
    return {
      written: { exists: false, sse: false },
      how: `${stored} S3 would not describe it (${codeOf(err)}), but its key carries this verification’s id: it is this verification’s, and is removed as any probe.`,
    };
  }
}

const md5 = (body: string) => createHash('md5').update(body).digest('hex');

/**
 * Leaves the marker drift will probe, beside the probe (it finds the SSE-KMS header the bucket
 * demands on its own, as the probe does); one that is already there is just as good.
 */
async function placeMarker(ctx: CheckContext<'bucket'>): Promise<string> {
  const key = markerKey(ctx.target.prefix, ctx.verification);
  try {
    await writeNew(ctx, key, markerBody(ctx.verification));
  } catch (err) {
    return ` The drift marker ${key} could not be left (${codeOf(err)}): the first scheduled check will write it.`;
  }
  return ` Left the drift marker ${key}.`;
}

/**
 * The zero-write probe: S3 documents that a conditional write needs s3:PutObject ("this
 * enables the caller to check whether an object exists"), so a PutObject with If-None-Match: *
 * on the marker answers 412 to a caller still allowed to write and 403 to one that is not,
 * and writes nothing either way. Only a missing marker is written (again).
 */
async function zeroWrite(ctx: CheckContext<'bucket'>): Promise<Outcome> {
  const { target, verification } = ctx;
  const key = markerKey(target.prefix, verification);
  const out = await writeNew(ctx, key, markerBody(verification));
  return {
    status: 'pass',
    message: out.exists
      ? `Write access holds: S3 declined to overwrite the marker s3://${target.bucket}/${key} (412), an answer it gives only to a caller allowed s3:PutObject. Nothing was written.`
      : `Write access holds; the marker s3://${target.bucket}/${key} was missing and has been written again.`,
  };
}
