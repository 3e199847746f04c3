import { PutObjectCommand, type PutObjectCommandInput } from '@aws-sdk/client-s3';
import { s3ObjectsArn } from '../core/arn.ts';
import { classify, codeOf } from '../core/classify.ts';
import {
  bucketParams,
  markerBody,
  markerKey,
  place,
  probeBody,
  probeKey,
  s3Of,
  sha256,
  who,
} from '../core/probe.ts';
import type { CheckContext, CheckDescriptor, Grant } from '../core/types.ts';

function kmsGrant(keyArn: string | undefined, actions: string[]): Grant[] {
  return keyArn ? [{ actions, resources: [keyArn] }] : [];
}

async function put(ctx: CheckContext<'bucket'>, input: PutObjectCommandInput) {
  return s3Of(ctx).send(new PutObjectCommand(input), { abortSignal: ctx.signal });
}

export const s3Write: CheckDescriptor<'bucket'> = {
  id: 's3.write',
  title: 'The principal may write a new object under the prefix',
  scope: 'bucket',
  dependsOn: [{ id: 's3.bucket-region', kind: 'hard' }],
  grants: (t) => [
    { actions: ['s3:PutObject'], resources: [s3ObjectsArn(t.partition, t.bucket, t.prefix)] },
    ...kmsGrant(t.kmsKeyArn, ['kms:GenerateDataKey']),
  ],
  async run(ctx) {
    const { target, facts, verification } = ctx;
    if (target.marker === 'probe') return zeroWrite(ctx);
    const key = probeKey(target.prefix, verification);
    const body = probeBody(verification);
    const input: PutObjectCommandInput = {
      ...bucketParams(ctx),
      Key: key,
      Body: body,
      ContentType: 'text/plain; charset=utf-8',
      // Never overwrite: S3 refuses with 412 if anything already has this key.
      IfNoneMatch: '*',
      // Object Lock buckets refuse writes without an integrity checksum.
      ChecksumAlgorithm: 'CRC32',
    };
    const sse = (keyId: string | undefined): Partial<PutObjectCommandInput> => ({
      ServerSideEncryption: 'aws:kms',
      ...(keyId ? { SSEKMSKeyId: keyId } : {}),
    });
    if (target.kmsKeyArn) Object.assign(input, sse(target.kmsKeyArn));

    let out: Awaited<ReturnType<typeof put>>;
    try {
      out = await put(ctx, input);
    } catch (err) {
      if (codeOf(err) === 'PreconditionFailed') {
        return {
          status: 'error',
          message: `An object already has the probe's unique key ${key}; nothing was written.`,
        };
      }
      // A bucket policy may demand SSE-KMS headers; only then is the encryption rule worth waiting for.
      if (classify(err).kind !== 'denied' || input.ServerSideEncryption) throw err;
      await ctx.outcomeOf('s3.encryption');
      if (!facts.encryption?.algorithm.startsWith('aws:kms')) throw err;
      Object.assign(input, sse(facts.encryption.kmsKeyId));
      out = await put(ctx, input);
    }
    facts.probe = { key, sha256: sha256(body), ...(out.VersionId ? { versionId: out.VersionId } : {}) };
    const version = out.VersionId ? ` (version ${out.VersionId})` : '';
    const kms = input.ServerSideEncryption ? ' with SSE-KMS' : '';
    const marker = target.marker === 'place' ? await placeMarker(ctx, input) : '';
    return {
      status: 'pass',
      message: `Wrote the probe s3://${target.bucket}/${key}${version}${kms}.${marker}`,
    };
  },
  explainDenial: (t, ctx) => ({ message: `${who(ctx)} may not write to ${place(t)}.` }),
};

/** Leaves the marker drift will probe; one that is already there (412) is just as good. */
async function placeMarker(ctx: CheckContext<'bucket'>, probeInput: PutObjectCommandInput): Promise<string> {
  const key = markerKey(ctx.target.prefix, ctx.verification);
  try {
    await put(ctx, { ...probeInput, Key: key, Body: markerBody(ctx.verification) });
  } catch (err) {
    if (codeOf(err) !== 'PreconditionFailed') {
      return ` The drift marker ${key} could not be left (${codeOf(err)}): the first scheduled check will write it.`;
    }
  }
  return ` Left the drift marker ${key}.`;
}

/**
 * The zero-write probe: S3 documents that a conditional write needs s3:PutObject ("this
 * enables the caller to check whether an object exists"), so a PutObject with If-None-Match: *
 * on the marker answers 412 to a caller still allowed to write and 403 to one that is not,
 * and writes nothing either way. Only a missing marker is written (again).
 */
async function zeroWrite(ctx: CheckContext<'bucket'>) {
  const { target, verification } = ctx;
  const key = markerKey(target.prefix, verification);
  try {
    await put(ctx, {
      ...bucketParams(ctx),
      Key: key,
      Body: markerBody(verification),
      ContentType: 'text/plain; charset=utf-8',
      IfNoneMatch: '*',
      ChecksumAlgorithm: 'CRC32',
      ...(target.kmsKeyArn ? { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: target.kmsKeyArn } : {}),
    });
  } catch (err) {
    if (codeOf(err) === 'PreconditionFailed') {
      return {
        status: 'pass' as const,
        message: `Write access holds: S3 declined to overwrite the marker s3://${target.bucket}/${key} (412), an answer it gives only to a caller allowed s3:PutObject. Nothing was written.`,
      };
    }
    throw err;
  }
  return {
    status: 'pass' as const,
    message: `Write access holds; the marker s3://${target.bucket}/${key} was missing and has been written again.`,
  };
}
