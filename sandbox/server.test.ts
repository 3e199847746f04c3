import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetObjectCommand, HeadBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from './server.ts';
import { vendor, vendorTrust, type World } from './world.ts';

/** The real SDK clients must accept the sandbox's answers exactly as they accept AWS's. */
const ACCOUNT = '111122223333';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/VendorAccess`;
const world: World = {
  name: 'wire',
  description: 'wire formats',
  vendor: vendor(),
  roles: [
    {
      arn: ROLE,
      trust: vendorTrust('xid-1'),
      policies: [
        {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: ['s3:PutObject', 's3:GetObject', 's3:ListBucket'],
              Resource: ['arn:aws:s3:::wire-bucket', 'arn:aws:s3:::wire-bucket/*'],
            },
          ],
        },
      ],
    },
  ],
  buckets: [
    { name: 'wire-bucket', account: ACCOUNT, region: 'eu-west-1', objects: { 'data/a.txt': 'hello world' } },
    { name: 'closed-bucket', account: ACCOUNT, region: 'us-east-1' },
  ],
};

let sandbox: Sandbox;
const v = vendor();
const vendorCreds = {
  accessKeyId: v.accessKeyId,
  secretAccessKey: v.secretAccessKey,
  sessionToken: v.sessionToken,
};
const sts = (credentials = vendorCreds) =>
  new STSClient({ region: 'us-east-1', endpoint: sandbox.url, credentials, maxAttempts: 1 });
const s3 = (credentials: typeof vendorCreds, region = 'eu-west-1', maxAttempts = 1) =>
  new S3Client({ region, endpoint: sandbox.url, forcePathStyle: true, credentials, maxAttempts });

async function session() {
  const out = await sts().send(
    new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 's', ExternalId: 'xid-1', DurationSeconds: 900 }),
  );
  const c = out.Credentials;
  return {
    accessKeyId: c?.AccessKeyId ?? '',
    secretAccessKey: c?.SecretAccessKey ?? '',
    sessionToken: c?.SessionToken ?? '',
  };
}
const failure = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    const e = err as {
      name: string;
      $metadata?: { httpStatusCode?: number };
      $response?: { headers: Record<string, string> };
    };
    return {
      name: e.name,
      status: e.$metadata?.httpStatusCode,
      region: e.$response?.headers['x-amz-bucket-region'],
    };
  }
  throw new Error('expected a failure');
};

beforeAll(async () => {
  sandbox = await startSandbox({ world });
});
beforeEach(() => {
  sandbox.setWorld(world);
  sandbox.setFaults([]);
});
afterAll(async () => {
  await sandbox.close();
});

describe('the sandbox, through the real SDK', () => {
  it('checks signatures, keys, session tokens and expiry', async () => {
    expect((await sts().send(new GetCallerIdentityCommand({}))).Arn).toMatch(
      /assumed-role\/aws-access-verifier-dev/,
    );
    expect(
      await failure(sts({ ...vendorCreds, secretAccessKey: 'wrong' }).send(new GetCallerIdentityCommand({}))),
    ).toMatchObject({
      name: 'SignatureDoesNotMatch',
      status: 403,
    });
    expect(
      await failure(
        sts({ ...vendorCreds, accessKeyId: 'ASIAUNKNOWNKEYEXAMPLE' }).send(new GetCallerIdentityCommand({})),
      ),
    ).toMatchObject({
      name: 'InvalidClientTokenId',
    });
    const creds = await session();
    sandbox.advanceClock(901_000);
    expect(await failure(sts(creds).send(new GetCallerIdentityCommand({})))).toMatchObject({
      name: 'ExpiredToken',
    });
  });

  it('lets AssumeRole through only with the trusted principal and the right external ID, worded alike', async () => {
    const denied = [
      sts().send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 's' })),
      sts().send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 's', ExternalId: 'other' })),
      sts().send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${ACCOUNT}:role/Missing`,
          RoleSessionName: 's',
          ExternalId: 'xid-1',
        }),
      ),
    ];
    for (const p of denied) expect(await failure(p)).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect((await session()).accessKeyId).toMatch(/^ASIA/);
  });

  it('answers HeadBucket’s region on 200, on the 301 of a wrong region, on 403, and 404 for no bucket', async () => {
    const creds = await session();
    expect((await s3(creds).send(new HeadBucketCommand({ Bucket: 'wire-bucket' }))).BucketRegion).toBe(
      'eu-west-1',
    );
    expect(
      await failure(s3(creds, 'us-east-1').send(new HeadBucketCommand({ Bucket: 'wire-bucket' }))),
    ).toMatchObject({
      status: 301,
      region: 'eu-west-1',
    });
    expect(
      await failure(s3(creds, 'us-east-1').send(new HeadBucketCommand({ Bucket: 'closed-bucket' }))),
    ).toMatchObject({
      status: 403,
      region: 'us-east-1',
    });
    expect(await failure(s3(creds).send(new HeadBucketCommand({ Bucket: 'no-such-bucket' })))).toMatchObject({
      name: 'NotFound',
      status: 404,
    });
    expect(
      await failure(
        s3(creds).send(new HeadBucketCommand({ Bucket: 'wire-bucket', ExpectedBucketOwner: '444455556666' })),
      ),
    ).toMatchObject({ status: 403 });
  });

  it('authorizes a conditional write before its precondition, and serves ranges', async () => {
    const creds = await session();
    expect(
      await failure(
        s3(creds).send(
          new PutObjectCommand({ Bucket: 'wire-bucket', Key: 'data/a.txt', Body: 'x', IfNoneMatch: '*' }),
        ),
      ),
    ).toMatchObject({ name: 'PreconditionFailed', status: 412 });
    const got = await s3(creds).send(
      new GetObjectCommand({ Bucket: 'wire-bucket', Key: 'data/a.txt', Range: 'bytes=0-0' }),
    );
    expect(got.ContentRange).toBe('bytes 0-0/11');
    expect(await got.Body?.transformToString()).toBe('h');
    // Without s3:PutObject the same write is refused: the 412 tells nothing to an unauthorized caller.
    sandbox.setWorld({ ...world, roles: world.roles?.map((r) => ({ ...r, policies: [] })) ?? [] });
    const bare = await session();
    expect(
      await failure(
        s3(bare).send(
          new PutObjectCommand({ Bucket: 'wire-bucket', Key: 'data/a.txt', Body: 'x', IfNoneMatch: '*' }),
        ),
      ),
    ).toMatchObject({ name: 'AccessDenied', status: 403 });
  });

  it('is retried by the SDK on an injected 503, and a connection reset surfaces as a network error', async () => {
    const creds = await session();
    sandbox.setFaults([
      {
        service: 's3',
        operation: 'GetObject',
        error: { status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' },
        times: 1,
      },
    ]);
    const got = await s3(creds, 'eu-west-1', 3).send(
      new GetObjectCommand({ Bucket: 'wire-bucket', Key: 'data/a.txt' }),
    );
    expect(await got.Body?.transformToString()).toBe('hello world');
    expect(
      sandbox.requests
        .filter((r) => r.operation === 'GetObject')
        .map((r) => r.status)
        .slice(-2),
    ).toEqual([503, 200]);

    sandbox.setFaults([{ service: 's3', operation: 'GetObject', reset: true }]);
    const reset = await failure(
      s3(creds).send(new GetObjectCommand({ Bucket: 'wire-bucket', Key: 'data/a.txt' })),
    );
    expect(reset.status).toBeUndefined();
  });

  it("answers a service it does not serve in S3's words, whatever name the request is signed for", async () => {
    for (const service of ['dynamodb', 'constructor', '__proto__', 'toString']) {
      const res = await fetch(`${sandbox.url}/`, {
        method: 'POST',
        headers: {
          authorization: `AWS4-HMAC-SHA256 Credential=${v.accessKeyId}/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=${'0'.repeat(64)}`,
          'x-amz-security-token': v.sessionToken,
        },
      });
      expect(res.status).toBe(403);
      expect(await res.text()).toMatch(/^<\?xml[\s\S]*<Error><Code>SignatureDoesNotMatch<\/Code>/);
      expect(sandbox.requests.at(-1)).toMatchObject({ service, code: 'SignatureDoesNotMatch', status: 403 });
    }
  });
  it('answers a malformed JSON body as KMS does: 400 SerializationException, not a server error', async () => {
    const kms = new KMSClient({
      region: 'us-east-1',
      endpoint: sandbox.url,
      credentials: await session(),
      maxAttempts: 1,
    });
    // Built before signing, so the signature covers the broken body.
    kms.middlewareStack.add(
      (next) => (args) => {
        const request = args.request as { body: string; headers: Record<string, string> };
        request.body = '{"KeyId": ';
        request.headers['content-length'] = String(request.body.length);
        return next(args);
      },
      { step: 'build' },
    );
    const out = await failure(kms.send(new DescribeKeyCommand({ KeyId: 'alias/any' })));
    expect(out).toMatchObject({ name: 'SerializationException', status: 400 });
    kms.destroy();
  });
});
