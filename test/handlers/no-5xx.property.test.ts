import { S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler as setupHandler } from '../../src/handlers/setup.ts';
import { handler as verifyHandler } from '../../src/handlers/verify.ts';
import { assumeRoleDenied, stsError } from '../support/aws-errors.ts';
import { httpEvent, lambdaContext } from '../support/events.ts';

const sts = mockClient(STSClient);
mockClient(S3Client).rejects(new Error('no S3 in this test'));

/** Values that are sometimes right, often nearly right, and sometimes anything at all. */
const nearly = <T>(good: fc.Arbitrary<T>) =>
  fc.oneof(
    { weight: 3, arbitrary: good },
    { weight: 1, arbitrary: fc.jsonValue() },
    fc.string(),
    fc.constant(null),
  );

const bucket = fc.record(
  {
    bucket: nearly(
      fc.constantFrom('acme-exports', 'a', 'Acme', 'acme..x', '192.168.0.1', 'xn--acme', 'a'.repeat(64)),
    ),
    prefix: nearly(
      fc.oneof(
        fc.constant('vendor/'),
        fc.string({ maxLength: 600 }),
        fc.constant('/abs'),
        fc.constant('a\u0000b'),
      ),
    ),
    access: nearly(fc.constantFrom('read', 'write', 'readwrite', 'all')),
    region: nearly(fc.constantFrom('eu-west-1', 'cn-north-1', 'evil.example.com', 'us-east-1 ')),
    kmsKeyArn: nearly(
      fc.constantFrom(
        'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        'arn:aws:kms:zz-1:1:key/x',
      ),
    ),
    expectedBucketOwner: nearly(fc.constantFrom('111122223333', '1234', 'root')),
    bucketName: fc.string(),
  },
  { requiredKeys: [] },
);

const credentials = fc.oneof(
  fc.record(
    {
      type: nearly(fc.constant('role')),
      roleArn: nearly(
        fc.constantFrom(
          'arn:aws:iam::111122223333:role/VendorAccess',
          'arn:aws-cn:iam::111122223333:role/path/R',
          'arn:aws:iam::111122223333:user/u',
          'arn:aws:iam::1:role/x',
        ),
      ),
      externalId: fc.string(),
    },
    { requiredKeys: ['type'] },
  ),
  fc.record(
    {
      type: nearly(fc.constant('accessKey')),
      accessKeyId: nearly(fc.constantFrom('AKIAIOSFODNN7EXAMPLE', 'akia', '')),
      secretAccessKey: nearly(fc.constantFrom('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'short')),
      sessionToken: nearly(fc.string({ maxLength: 40 })),
    },
    { requiredKeys: ['type'] },
  ),
);

const body = fc.record(
  {
    credentials: nearly(credentials),
    region: nearly(fc.constantFrom('us-east-1', 'us-gov-west-1', 'eu-west-9', '')),
    profile: nearly(fc.constantFrom('staging', 'destination', 'source', 'constructor', '__proto__')),
    s3: nearly(fc.array(bucket, { maxLength: 55 })),
    kms: fc.jsonValue(),
    tenantId: fc.string(),
    __proto__: fc.jsonValue(),
  },
  { requiredKeys: [] },
);

/** Requests that should verify: every field drawn from good values only. */
const validBody = fc.record(
  {
    credentials: fc.oneof(
      fc.constant({ type: 'role', roleArn: 'arn:aws:iam::111122223333:role/VendorAccess' }),
      fc.constant({
        type: 'accessKey',
        accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
        secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      }),
    ),
    region: fc.constantFrom('us-east-1', 'eu-west-1'),
    profile: fc.constantFrom('staging', 'destination', 'source'),
    s3: fc.array(
      fc.record(
        {
          bucket: fc.constantFrom('acme-exports', 'acme.data-2'),
          prefix: fc
            .string({ maxLength: 30 })
            .filter(
              (p) =>
                !p.startsWith('/') &&
                [...p].every((ch) => ch.charCodeAt(0) > 0x1f && ch.charCodeAt(0) !== 0x7f),
            ),
          access: fc.constantFrom('read', 'write', 'readwrite'),
        },
        { requiredKeys: ['bucket'] },
      ),
      { maxLength: 5 },
    ),
  },
  { requiredKeys: ['credentials'] },
);

const rawBody = fc.oneof(
  { weight: 3, arbitrary: validBody.map((b) => JSON.stringify(b)) },
  { weight: 6, arbitrary: body.map((b) => JSON.stringify(b)) },
  fc.string(),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.constant('{"credentials":'),
  fc.constant('x'.repeat(70_000)),
  fc.constant(undefined),
);

const claims = fc.oneof(
  { weight: 5, arbitrary: fc.constant({ tenant_id: 't-123' }) },
  fc.constant(null),
  fc.record({ tenant_id: fc.jsonValue() }),
  fc.record({ tenant_id: fc.string() }),
  fc.dictionary(fc.string(), fc.jsonValue()),
);

const headers = fc.dictionary(
  fc.constantFrom('x-tenant-id', 'content-type', 'x-forwarded-for', 'host', 'authorization'),
  fc.string(),
);

const query = fc.oneof(
  fc.constant(''),
  fc.string(),
  fc
    .array(
      fc.tuple(
        fc.constantFrom(
          'bucket',
          'prefix',
          'profile',
          'access',
          'region',
          'kmsKeyArn',
          'tenantId',
          'redshiftCluster',
        ),
        fc.string(),
      ),
      { maxLength: 60 },
    )
    .map((pairs) => new URLSearchParams(pairs).toString()),
);

function assertContractShape(res: { statusCode?: number; body?: string }) {
  expect(res.statusCode).toBeLessThan(500);
  expect([200, 400, 401, 403, 413]).toContain(res.statusCode);
  const parsed = JSON.parse(res.body ?? '');
  expect(res.body).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
  if (res.statusCode !== 200) {
    expect(typeof parsed.error.code).toBe('string');
    expect(typeof parsed.error.message).toBe('string');
    expect(typeof parsed.requestId).toBe('string');
  }
}

describe('no input of any kind produces a 5xx or a stack trace', () => {
  beforeAll(() => {
    sts.on(AssumeRoleCommand).rejects(assumeRoleDenied());
    sts
      .on(GetCallerIdentityCommand)
      .rejects(
        stsError('InvalidClientTokenId', 403, 'The security token included in the request is invalid.'),
      );
  });

  it('POST /verify: 5,000 generated bodies, headers and claims', async () => {
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(rawBody, claims, headers, fc.boolean(), async (b, c, h, b64) => {
        const event = httpEvent({
          claims: c,
          headers: h,
          isBase64Encoded: b64,
          ...(b === undefined ? {} : { body: b64 ? Buffer.from(b).toString('base64') : b }),
        });
        const res = await verifyHandler(event, lambdaContext());
        assertContractShape(res);
        seen.set(res.statusCode ?? 0, (seen.get(res.statusCode ?? 0) ?? 0) + 1);
      }),
      { numRuns: 5_000 },
    );
    // The generators must reach every answer, valid verifications included, or the property proves little.
    for (const status of [200, 400, 401, 403, 413]) expect(seen.get(status) ?? 0).toBeGreaterThan(20);
  }, 120_000);

  it('GET /setup: 2,000 generated query strings and claims', async () => {
    await fc.assert(
      fc.asyncProperty(query, claims, async (q, c) => {
        assertContractShape(
          await setupHandler(
            httpEvent({ method: 'GET', path: '/setup', rawQueryString: q, claims: c }),
            lambdaContext('setup'),
          ),
        );
      }),
      { numRuns: 2_000 },
    );
  }, 120_000);
});
