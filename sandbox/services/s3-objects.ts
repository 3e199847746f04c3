import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { authorize, refusalMessage } from '../iam.ts';
import { decodeAwsChunked } from '../sigv4.ts';
import { rcpsOf, type SandboxState, type Session } from '../state.ts';
import type { SandboxBucket } from '../world.ts';
import { AwsError, type ServiceReply } from './aws.ts';
import { keyDecision } from './kms.ts';
import { crc32Base64, etag, type S3Call, type StoredVersion } from './s3.ts';

/** S3's object calls (the probes' writes, reads and deletes), and KMS as S3 calls it for them. */

export async function putObject(c: S3Call): Promise<ServiceReply> {
  const { state, session, req, raw, key, bucket, regionHeader, objectArn, check, store, latest } = c;
  const sseHeader = req.headers['x-amz-server-side-encryption'];
  await check(
    's3:PutObject',
    objectArn,
    typeof sseHeader === 'string' ? { 's3:x-amz-server-side-encryption': sseHeader } : {},
  );
  // Authorization comes first: only an authorized caller learns from a 412 that the key exists.
  if (req.headers['if-none-match'] === '*' && latest(key) && !latest(key)?.deleteMarker) {
    throw new AwsError(
      412,
      'PreconditionFailed',
      'At least one of the pre-conditions you specified did not hold',
    );
  }
  if (
    bucket.objectLock &&
    !Object.keys(req.headers).some(
      (h) => h === 'content-md5' || h.startsWith('x-amz-checksum-') || h === 'x-amz-trailer',
    )
  ) {
    throw new AwsError(
      400,
      'InvalidRequest',
      'Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters',
    );
  }
  const kmsKey = sseKmsKeyOf(req, bucket);
  if (kmsKey) await kmsViaS3(state, session, 'kms:GenerateDataKey', kmsKey, bucket, regionHeader);
  const data =
    req.headers['content-encoding']?.includes('aws-chunked') ||
    String(req.headers['x-amz-content-sha256']).startsWith('STREAMING')
      ? decodeAwsChunked(raw)
      : raw;
  const sentCrc32 = sentCrc32Of(req, data);
  const version: StoredVersion = {
    versionId: bucket.versioning ? randomUUID() : 'null',
    body: data,
    lastModified: new Date(),
    ...(kmsKey ? { sse: { algorithm: 'aws:kms', kmsKeyId: kmsKey } } : {}),
    ...(sentCrc32 ? { crc32: sentCrc32 } : {}),
  };
  store.set(key, bucket.versioning ? [...(store.get(key) ?? []), version] : [version]);
  return {
    status: 200,
    headers: {
      ETag: `"${etag(data)}"`,
      ...(bucket.versioning ? { 'x-amz-version-id': version.versionId } : {}),
      ...(kmsKey
        ? {
            'x-amz-server-side-encryption': 'aws:kms',
            'x-amz-server-side-encryption-aws-kms-key-id': kmsKey,
          }
        : {}),
    },
    body: '',
  };
}

/** The KMS key a write is encrypted with: the one the request names, else the bucket's default. */
function sseKmsKeyOf(req: IncomingMessage, bucket: SandboxBucket): string {
  const sseHeader = req.headers['x-amz-server-side-encryption'];
  return typeof sseHeader === 'string' && sseHeader === 'aws:kms'
    ? String(req.headers['x-amz-server-side-encryption-aws-kms-key-id'] ?? bucket.encryption?.kmsKeyId ?? '')
    : bucket.encryption?.algorithm === 'aws:kms'
      ? (bucket.encryption.kmsKeyId ?? '')
      : '';
}

/** The CRC32 S3 keeps of a write whose writer sent one (in a header or a trailer), not CRC32C. */
const sentCrc32Of = (req: IncomingMessage, data: Buffer) =>
  [
    req.headers['x-amz-checksum-crc32'],
    req.headers['x-amz-sdk-checksum-algorithm'],
    req.headers['x-amz-trailer'],
  ].some((h) => typeof h === 'string' && /crc32$/i.test(h) && !/crc32c$/i.test(h))
    ? crc32Base64(data)
    : undefined;

export async function getObject(c: S3Call): Promise<ServiceReply> {
  const {
    state,
    session,
    req,
    op,
    key,
    versionId,
    bucket,
    regionHeader,
    bucketArn,
    objectArn,
    check,
    store,
    latest,
  } = c;
  await check(versionId ? 's3:GetObjectVersion' : 's3:GetObject', objectArn);
  const v = versionId ? store.get(key)?.find((x) => x.versionId === versionId) : latest(key);
  if (!v || v.deleteMarker) {
    // Without s3:ListBucket, S3 will not say whether a key exists.
    const canList = await authorize(
      session.caller,
      's3:ListBucket',
      { arn: bucketArn, account: bucket.account },
      { ...(bucket.policy ? { resourcePolicy: bucket.policy } : {}), ...rcpsOf(state, bucket.account) },
    );
    if (!canList.allowed) throw new AwsError(403, 'AccessDenied', 'Access Denied');
    throw new AwsError(404, 'NoSuchKey', 'The specified key does not exist.');
  }
  if (v.sse?.kmsKeyId) await kmsViaS3(state, session, 'kms:Decrypt', v.sse.kmsKeyId, bucket, regionHeader);
  const body = v.body ?? Buffer.alloc(0);
  const range = req.headers.range;
  const common = {
    ETag: `"${etag(body)}"`,
    'Last-Modified': v.lastModified.toUTCString(),
    ...(bucket.versioning ? { 'x-amz-version-id': v.versionId } : {}),
    // As S3 does: an SSE-KMS object's answer names the key it was decrypted with.
    ...(v.sse?.kmsKeyId
      ? {
          'x-amz-server-side-encryption': 'aws:kms',
          'x-amz-server-side-encryption-aws-kms-key-id': v.sse.kmsKeyId,
        }
      : {}),
    ...(v.crc32 && req.headers['x-amz-checksum-mode'] === 'ENABLED'
      ? { 'x-amz-checksum-crc32': v.crc32 }
      : {}),
  };
  if (typeof range === 'string' && op === 'GetObject') {
    const m = /^bytes=(\d+)-(\d+)?$/.exec(range);
    const start = Number(m?.[1] ?? 0);
    if (start >= body.length)
      throw new AwsError(416, 'InvalidRange', 'The requested range is not satisfiable');
    const end = Math.min(Number(m?.[2] ?? body.length - 1), body.length - 1);
    return {
      status: 206,
      headers: {
        ...common,
        'Content-Range': `bytes ${start}-${end}/${body.length}`,
        'Content-Length': String(end - start + 1),
      },
      body: body.subarray(start, end + 1),
    };
  }
  return { status: 200, headers: { ...common, 'Content-Length': String(body.length) }, body };
}

export async function deleteObject(c: S3Call): Promise<ServiceReply> {
  const { key, versionId, bucket, objectArn, check, store } = c;
  await check(versionId ? 's3:DeleteObjectVersion' : 's3:DeleteObject', objectArn);
  const versions = store.get(key) ?? [];
  if (versionId) {
    if (bucket.objectLock && versions.some((x) => x.versionId === versionId && !x.deleteMarker)) {
      throw new AwsError(403, 'AccessDenied', 'Access Denied because object protected by object lock.');
    }
    store.set(
      key,
      versions.filter((x) => x.versionId !== versionId),
    );
    if (store.get(key)?.length === 0) store.delete(key);
    return { status: 204, headers: { 'x-amz-version-id': versionId }, body: '' };
  }
  if (bucket.versioning) {
    const marker: StoredVersion = {
      versionId: randomUUID(),
      deleteMarker: true,
      lastModified: new Date(),
    };
    store.set(key, [...versions, marker]);
    return {
      status: 204,
      headers: { 'x-amz-delete-marker': 'true', 'x-amz-version-id': marker.versionId },
      body: '',
    };
  }
  store.delete(key);
  return { status: 204, headers: {}, body: '' };
}

/** S3 calls KMS as the caller: the caller's own KMS permissions decide, through S3. */
async function kmsViaS3(
  state: SandboxState,
  session: Session,
  action: string,
  keyArn: string,
  bucket: SandboxBucket,
  headers: Record<string, string>,
) {
  const key = state.world.keys?.find((k) => k.arn === keyArn);
  if (!key) throw new AwsError(400, 'KMS.NotFoundException', `Invalid keyId ${keyArn}`, headers);
  if ((key.state ?? 'Enabled') !== 'Enabled')
    throw new AwsError(400, 'KMS.DisabledException', `${keyArn} is disabled.`, headers);
  const v = await keyDecision(state, session, action, key, `s3.${bucket.region}.amazonaws.com`);
  if (!v.allowed)
    throw new AwsError(
      403,
      'AccessDenied',
      refusalMessage(session.caller, action, keyArn, v, false),
      headers,
    );
}
