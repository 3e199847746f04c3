import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { crc32 } from 'node:zlib';
import { authorize, type Caller, forListAllMyBuckets, refusalMessage, type Verdict } from '../iam.ts';
import { rcpsOf, type SandboxState, type Session } from '../state.ts';
import type { SandboxBucket } from '../world.ts';
import { AwsError, esc, type Service, type ServiceCall, type ServiceReply } from './aws.ts';
import { deleteObject, getObject, putObject } from './s3-objects.ts';

/**
 * S3 (REST/XML, path style): the bucket calls the verifier makes and the object calls of its
 * probes, each authorized by the caller's policies, the bucket policy and the account's RCPs.
 */

export interface StoredVersion {
  versionId: string;
  body?: Buffer;
  deleteMarker?: boolean;
  lastModified: Date;
  sse?: { algorithm: string; kmsKeyId?: string };
  /** The CRC32 S3 keeps when the writer sent one (`x-amz-checksum-crc32`, base64). */
  crc32?: string;
}

/** One call on a bucket, once the bucket, its region and its owner are settled. */
export interface S3Call {
  state: SandboxState;
  session: Session;
  req: IncomingMessage;
  raw: Buffer;
  op: string;
  key: string;
  q: URLSearchParams;
  versionId: string | undefined;
  bucket: SandboxBucket;
  regionHeader: Record<string, string>;
  bucketArn: string;
  objectArn: string;
  check: (action: string, arn: string, context?: Record<string, string>) => Promise<void>;
  store: Map<string, StoredVersion[]>;
  latest: (k: string) => StoredVersion | undefined;
  xml: (inner: string) => ServiceReply;
}

export const XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

export const etag = (body: Buffer | undefined) =>
  createHash('md5')
    .update(body ?? Buffer.alloc(0))
    .digest('hex');

/** CRC32 as S3 states it: the big-endian value, base64. */
export const crc32Base64 = (data: Buffer) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(crc32(data));
  return b.toString('base64');
};

/** S3's REST error; also the answer to a request for no service the sandbox knows. */
export const s3Error = (e: AwsError, rid: string): ServiceReply => ({
  status: e.status,
  headers: { 'content-type': 'application/xml', ...e.headers },
  body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${e.code}</Code><Message>${esc(e.message)}</Message><RequestId>${rid}</RequestId><HostId>${rid}host</HostId></Error>`,
});

/** The operation a path-style request names, by its method, path and subresource. */
export function s3Operation(req: IncomingMessage): string {
  const url = new URL(req.url ?? '/', 'http://sandbox');
  const [, bucket, ...rest] = url.pathname.split('/');
  const key = rest.join('/');
  const q = url.searchParams;
  if (!key) {
    if (!bucket && req.method === 'GET') return 'ListBuckets';
    if (req.method === 'HEAD') return 'HeadBucket';
    if (q.has('location')) return 'GetBucketLocation';
    if (q.has('encryption')) return 'GetBucketEncryption';
    if (q.has('versioning')) return 'GetBucketVersioning';
    if (q.has('versions')) return 'ListObjectVersions';
    if (req.method === 'GET' && bucket) return 'ListObjectsV2';
    return 'unknown';
  }
  return (
    { PUT: 'PutObject', GET: 'GetObject', HEAD: 'HeadObject', DELETE: 'DeleteObject' }[req.method ?? ''] ??
    'unknown'
  );
}

export function s3Service(state: SandboxState): Service {
  return {
    operation: (req) => s3Operation(req),
    error: s3Error,
    handle: (call) => s3(state, call),
  };
}

async function s3(state: SandboxState, call: ServiceCall): Promise<ServiceReply> {
  const { session, req, record } = call;
  const url = new URL(req.url ?? '/', 'http://sandbox');
  const [, bucketName = '', ...rest] = url.pathname.split('/');
  const key = decodeURIComponent(rest.join('/'));
  const q = url.searchParams;
  const op = record.operation;
  record.bucket = bucketName;
  if (key) record.key = key;
  const versionId = q.get('versionId') ?? undefined;
  if (versionId) record.versionId = versionId;

  if (op === 'ListBuckets') return listBuckets(state, session, q);
  const c = onBucket(state, call, { bucketName, key, q, op, versionId });
  const { bucket, bucketArn, check, regionHeader, xml } = c;
  switch (op) {
    case 'HeadBucket':
      await check('s3:ListBucket', bucketArn);
      return { status: 200, headers: regionHeader, body: '' };
    case 'GetBucketLocation':
      await check('s3:GetBucketLocation', bucketArn);
      return xml(
        `<LocationConstraint xmlns="${XMLNS}">${bucket.region === 'us-east-1' ? '' : bucket.region}</LocationConstraint>`,
      );
    case 'GetBucketEncryption': {
      await check('s3:GetEncryptionConfiguration', bucketArn);
      const enc = bucket.encryption === undefined ? { algorithm: 'AES256' } : bucket.encryption;
      if (!enc)
        throw new AwsError(
          404,
          'ServerSideEncryptionConfigurationNotFoundError',
          'The server side encryption configuration was not found',
        );
      return xml(
        `<ServerSideEncryptionConfiguration xmlns="${XMLNS}"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>${enc.algorithm}</SSEAlgorithm>${'kmsKeyId' in enc && enc.kmsKeyId ? `<KMSMasterKeyID>${enc.kmsKeyId}</KMSMasterKeyID>` : ''}</ApplyServerSideEncryptionByDefault><BucketKeyEnabled>false</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>`,
      );
    }
    case 'ListObjectsV2':
      return listObjects(c);
    case 'PutObject':
      return putObject(c);
    case 'GetObject':
    case 'HeadObject':
      return getObject(c);
    case 'DeleteObject':
      return deleteObject(c);
    default:
      throw new AwsError(501, 'NotImplemented', `the sandbox does not implement ${op}`);
  }
}

/** A call on a bucket: it must exist, be addressed in its region and belong to the owner expected. */
function onBucket(
  state: SandboxState,
  { session, req, body: raw, region: signedRegion }: ServiceCall,
  {
    bucketName,
    key,
    q,
    op,
    versionId,
  }: Pick<S3Call, 'key' | 'q' | 'op' | 'versionId'> & { bucketName: string },
): S3Call {
  const bucket = state.world.buckets?.find((b) => b.name === bucketName);
  if (!bucket) throw new AwsError(404, 'NoSuchBucket', 'The specified bucket does not exist');
  const regionHeader = { 'x-amz-bucket-region': bucket.region };
  if (signedRegion !== bucket.region) {
    throw new AwsError(
      301,
      'PermanentRedirect',
      'The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.',
      regionHeader,
    );
  }
  const owner = req.headers['x-amz-expected-bucket-owner'];
  if (typeof owner === 'string' && owner !== bucket.account)
    throw new AwsError(403, 'AccessDenied', 'Access Denied', regionHeader);

  const bucketArn = `arn:aws:s3:::${bucket.name}`;
  const objectArn = `${bucketArn}/${key}`;
  const check = async (action: string, arn: string, context: Record<string, string> = {}) => {
    const v = await authorize(
      session.caller,
      action,
      { arn, account: bucket.account },
      {
        ...(bucket.policy ? { resourcePolicy: bucket.policy } : {}),
        ...rcpsOf(state, bucket.account),
        context,
      },
    );
    if (!v.allowed) throw deniedError(session.caller, action, arn, v, bucket, regionHeader);
  };
  const store = state.objects.get(bucket.name) ?? new Map<string, StoredVersion[]>();
  state.objects.set(bucket.name, store);
  const latest = (k: string) => store.get(k)?.at(-1);
  const xml = (inner: string) => ({
    status: 200,
    headers: { 'content-type': 'application/xml', ...regionHeader },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n${inner}`,
  });
  return {
    state,
    session,
    req,
    raw,
    op,
    key,
    q,
    versionId,
    bucket,
    regionHeader,
    bucketArn,
    objectArn,
    check,
    store,
    latest,
    xml,
  };
}

export async function listObjects(c: S3Call): Promise<ServiceReply> {
  const { q, check, bucketArn, store, latest, xml, bucket } = c;
  const prefix = q.get('prefix') ?? '';
  await check('s3:ListBucket', bucketArn, { 's3:prefix': prefix });
  const max = Math.min(Number(q.get('max-keys') ?? 1000), 1000);
  const keys = [...store.entries()]
    .filter(([k, v]) => k.startsWith(prefix) && !v.at(-1)?.deleteMarker)
    .map(([k]) => k)
    .sort();
  const page = keys.slice(0, max);
  const contents = page.map((k) => {
    const v = latest(k) as StoredVersion;
    return `<Contents><Key>${esc(k)}</Key><LastModified>${v.lastModified.toISOString()}</LastModified><ETag>"${etag(v.body)}"</ETag><Size>${v.body?.length ?? 0}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
  });
  return xml(
    `<ListBucketResult xmlns="${XMLNS}"><Name>${bucket.name}</Name><Prefix>${esc(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${max}</MaxKeys><IsTruncated>${keys.length > max}</IsTruncated>${contents.join('')}</ListBucketResult>`,
  );
}

/** ListBuckets: the caller's account's buckets, an action on no resource (`s3:ListAllMyBuckets`). */
async function listBuckets(state: SandboxState, session: Session, q: URLSearchParams) {
  const caller = session.caller;
  const action = 's3:ListAllMyBuckets';
  const v = await authorize(forListAllMyBuckets(caller), action, { arn: '*', account: caller.account });
  if (!v.allowed) {
    const head = `User: ${caller.arn} is not authorized to perform: ${action}`;
    const why = !v.by
      ? ''
      : v.explicit
        ? ` with an explicit deny in a${v.by.startsWith('identity') ? 'n' : ''} ${v.by}`
        : ` because no ${v.by} allows the ${action} action`;
    throw new AwsError(403, 'AccessDenied', `${head}${why}`);
  }
  const max = Number(q.get('max-buckets') ?? 10_000);
  const mine = (state.world.buckets ?? []).filter((b) => b.account === caller.account).slice(0, max);
  const list = mine
    .map(
      (b) =>
        `<Bucket><Name>${esc(b.name)}</Name><CreationDate>2026-01-01T00:00:00.000Z</CreationDate><BucketRegion>${b.region}</BucketRegion></Bucket>`,
    )
    .join('');
  return {
    status: 200,
    headers: { 'content-type': 'application/xml' },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<ListAllMyBucketsResult xmlns="${XMLNS}"><Owner><ID>${caller.account}</ID></Owner><Buckets>${list}</Buckets></ListAllMyBucketsResult>`,
  };
}

function deniedError(
  caller: Caller,
  action: string,
  arn: string,
  v: Verdict,
  bucket: SandboxBucket,
  headers: Record<string, string>,
) {
  // S3 words refusals in full only to callers of the bucket's own account.
  const message =
    caller.account === bucket.account ? refusalMessage(caller, action, arn, v) : 'Access Denied';
  return new AwsError(403, 'AccessDenied', message, headers);
}
