import { S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CHECK_IDS } from '../../src/checks/index.ts';
import { createDeps } from '../../src/handlers/deps.ts';
import { tenantWorkDeps } from '../../src/handlers/factories/tenant-work.ts';
import { createVerifyHandler } from '../../src/handlers/factories/verify.ts';
import { assumeRoleDenied } from '../support/aws-errors.ts';
import { contractChecked } from '../support/contract.ts';
import { httpEvent, lambdaContext } from '../support/events.ts';
import { refuseSimulation } from '../support/iam-simulation.ts';

const deps = tenantWorkDeps(createDeps(CHECK_IDS));
const handler = contractChecked(createVerifyHandler(deps));
const sts = mockClient(STSClient);
refuseSimulation();
const s3 = mockClient(S3Client);

const role = { type: 'role', roleArn: 'arn:aws:iam::111122223333:role/VendorAccess' };

async function call(event = httpEvent(), through = handler) {
  const res = await through(event, lambdaContext());
  return { status: res.statusCode, body: JSON.parse(res.body ?? 'null') };
}

const post = (body: unknown, over: Parameters<typeof httpEvent>[0] = {}) =>
  call(httpEvent({ body: typeof body === 'string' ? body : JSON.stringify(body), ...over }));

describe('POST /verify', () => {
  beforeEach(() => {
    sts.reset();
    s3.reset();
    sts.on(AssumeRoleCommand).rejects(assumeRoleDenied());
  });

  it('answers a failed probe with 200 and the report, for the tenant of the authorizer only', async () => {
    const res = await post(
      { credentials: role, s3: [{ bucket: 'acme-exports' }] },
      { headers: { 'x-tenant-id': 't-evil' }, rawQueryString: 'tenantId=t-evil' },
    );

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ tenantId: 't-123', status: 'fail' });
    expect(res.body.checks[0]).toMatchObject({ id: 'sts.assume-role', status: 'fail' });
  });

  it('refuses a request without a tenant in the authorizer context with 401', async () => {
    const res = await post({ credentials: role }, { claims: null });

    expect(res).toEqual({
      status: 401,
      body: {
        error: { code: 'Unauthorized', message: 'The authorizer context carries no tenant.' },
        requestId: 'JKJaXmPLvHcESHA=',
      },
    });
  });

  it.each([[{ tenant_id: 42 }], [{ tenant_id: 'has spaces' }], [{ tenant_id: { nested: 't-1' } }]])(
    'refuses a tenant claim that is not a tenant id (%j) with 403',
    async (claims) => {
      expect((await post({ credentials: role }, { claims })).status).toBe(403);
    },
  );

  it('names every offending field, refuses unknown ones (a tenant or external ID among them)', async () => {
    const res = await post({
      credentials: { ...role, externalId: 'mine' },
      tenantId: 't-other',
      region: 'mars-north-1',
      s3: [{ bucketName: 'acme', bucket: 'Not_A_Bucket', access: 'all' }],
    });

    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('InvalidRequest');
    expect(res.body.error.details).toEqual(
      expect.arrayContaining([
        { path: 'credentials.externalId', message: 'unknown field' },
        { path: 'tenantId', message: 'unknown field' },
        { path: 'region', message: 'not a known AWS region' },
        { path: 's3[0].bucketName', message: 'unknown field' },
        { path: 's3[0].bucket', message: 'not a valid bucket name' },
        { path: 's3[0].access', message: 'one of read, write, readwrite' },
      ]),
    );
    expect(res.body.error.message).toBe(`${res.body.error.details.length} fields are invalid`);
  });

  it('answers malformed JSON with 400, not 422', async () => {
    const res = await post('{"credentials": ');
    expect(res).toMatchObject({
      status: 400,
      body: { error: { details: [{ path: '(body)', message: 'not valid JSON' }] } },
    });
  });

  it('answers a body over 64 KiB with 413', async () => {
    const res = await post({ credentials: role, pad: 'x'.repeat(64 * 1024) });
    expect(res).toMatchObject({ status: 413, body: { error: { code: 'PayloadTooLarge' } } });
  });

  it('reads a base64-encoded body as API Gateway sends it', async () => {
    const body = Buffer.from(JSON.stringify({ credentials: role })).toString('base64');
    expect((await call(httpEvent({ body, isBase64Encoded: true }))).status).toBe(200);
  });

  it('refuses more than 50 buckets, regions of another partition, malformed Redshift targets and unknown profiles', async () => {
    const many = Array.from({ length: 51 }, (_, i) => ({ bucket: `bucket-${i}` }));
    expect((await post({ credentials: role, s3: many })).body.error.details).toEqual([
      { path: 's3', message: 'at most 50 buckets' },
    ]);
    expect((await post({ credentials: role, region: 'cn-north-1' })).body.error.details).toEqual([
      { path: 'region', message: 'is in partition aws-cn, the credentials in aws' },
    ]);
    expect(
      (
        await post({
          credentials: role,
          redshift: [{ clusterIdentifier: 'analytics', dbUser: 'vendor', copyRoleArn: 'RedshiftCopyUnload' }],
        })
      ).body.error.details,
    ).toEqual([
      {
        path: 'redshift[0].copyRoleArn',
        message: 'not an IAM role ARN (arn:<partition>:iam::<account>:role/<name>)',
      },
    ]);
    // The no-write mode is named, never guessed.
    expect((await post({ credentials: role, probe: 'none' })).body.error.details).toEqual([
      { path: 'probe', message: 'one of objects, simulate' },
    ]);
    expect(
      (await post({ credentials: role, redshift: [{ workgroupName: 'etl', region: 'cn-north-1' }] })).body
        .error.details,
    ).toEqual([{ path: 'redshift[0].region', message: 'is in partition aws-cn, the credentials in aws' }]);
    // Each shape is valid on its own: which of cluster or workgroup it is gets checked after the schema.
    const halfTargets = [
      { clusterIdentifier: 'analytics' },
      { workgroupName: 'etl', dbUser: 'vendor' },
      { clusterIdentifier: 'a', workgroupName: 'etl', dbUser: 'x' },
      {},
    ];
    expect(
      (
        await post({
          credentials: role,
          redshift: [...halfTargets, { clusterIdentifier: 'Bad_Name', dbUser: 'vendor' }],
        })
      ).body.error.details,
    ).toEqual([
      {
        path: 'redshift[4].clusterIdentifier',
        message:
          'not a cluster identifier (lowercase letters, digits, single hyphens, at most 63 characters)',
      },
    ]);
    expect((await post({ credentials: role, redshift: halfTargets })).body.error.details).toEqual([
      {
        path: 'redshift[0].dbUser',
        message: 'required with clusterIdentifier: the user GetClusterCredentials is asked for',
      },
      {
        path: 'redshift[1].dbUser',
        message: 'a workgroup maps the IAM identity to its user: leave dbUser out',
      },
      { path: 'redshift[2]', message: 'name a clusterIdentifier or a workgroupName, not both' },
      { path: 'redshift[3]', message: 'name a clusterIdentifier (with dbUser) or a workgroupName' },
    ]);
    expect(
      (await post({ credentials: role, redshift: Array(11).fill({ workgroupName: 'etl' }) })).body.error
        .details,
    ).toEqual([{ path: 'redshift', message: 'at most 10 Redshift targets' }]);
    expect((await post({ credentials: role, profile: 'warehouse' })).body.error.details).toEqual([
      { path: 'profile', message: 'one of destination, staging, source' },
    ]);
    expect(
      (
        await post({
          credentials: role,
          kms: [{ keyArn: 'arn:aws:kms:us-east-1:111122223333:alias/x', operations: [] }],
        })
      ).body.error.details,
    ).toEqual([
      {
        path: 'kms[0].keyArn',
        message: 'not a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>)',
      },
      {
        path: 'kms[0].operations',
        message: 'name at least one operation, or leave the field out for all three',
      },
    ]);
  });

  it('refuses a lone UTF-16 surrogate in a prefix by name (S3 keys and IAM policies are UTF-8)', async () => {
    const roleJson = JSON.stringify(role);
    for (const prefix of ['a\\ud800b/', '\\udfff', 'x\\udc00\\ud800/']) {
      const res = await post(
        `{"credentials":${roleJson},"s3":[{"bucket":"acme-exports","prefix":"${prefix}"}]}`,
      );
      expect(res.status, prefix).toBe(400);
      expect(res.body.error.details).toEqual([
        { path: 's3[0].prefix', message: 'contains a lone UTF-16 surrogate: not valid Unicode' },
      ]);
    }
    // A surrogate pair is one character, and fine.
    const pair = await post(
      `{"credentials":${roleJson},"s3":[{"bucket":"acme-exports","prefix":"\\ud83d\\ude00/"}]}`,
    );
    expect(pair.status).toBe(200);
  });

  it('refuses a Redshift target whose grants exceed the 2,048-character session policy, naming it', async () => {
    const groups = Array.from({ length: 10 }, (_, i) => `g${i}_`.padEnd(64, 'x'));
    const target = { clusterIdentifier: 'c'.repeat(63), dbUser: 'u'.repeat(64), dbName: 'd'.repeat(64) };
    const res = await post({
      credentials: role,
      redshift: [{ workgroupName: 'etl' }, { ...target, dbGroups: groups }],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([
      {
        path: 'redshift[1].dbGroups',
        message: expect.stringMatching(
          /^the access to verify needs \d{4} characters of session policy, over AWS's 2,048: name fewer or shorter groups$/,
        ),
      },
    ]);
    // The same target with fewer groups fits; a key pair has no session policy to fit.
    expect(
      (await post({ credentials: role, redshift: [{ ...target, dbGroups: groups.slice(0, 3) }] })).status,
    ).toBe(200);
    const keyPair = {
      type: 'accessKey',
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    };
    const direct = await post({ credentials: keyPair, redshift: [{ ...target, dbGroups: groups }] });
    expect(direct.status).toBe(200);
  });

  it('caps the details of a 400 at 50 entries and counts the rest', async () => {
    const zeros = Array(32_000).fill(0);
    const body = JSON.stringify({ s3: zeros });
    expect(body.length).toBeLessThanOrEqual(64 * 1024);
    const res = await handler(httpEvent({ body }), lambdaContext());
    expect(res.statusCode).toBe(400);
    expect((res.body ?? '').length).toBeLessThan(8 * 1024);
    const { error } = JSON.parse(res.body ?? '');
    expect(error.message).toBe('32001 fields are invalid');
    expect(error.details).toHaveLength(50);
    // The shallowest are kept, in their order: what is wrong with the body as a whole comes first.
    expect(error.details[0]).toEqual({ path: 'credentials', message: 'required' });
    expect(error.details[1]).toEqual({ path: 's3[0]', message: 'expected Object' });
    expect(error.detailsOmitted).toBe(32_001 - 50);
    // Over the cap, a field of the body itself outranks the 51st bucket.
    const late = (await post({ s3: Array(60).fill(0), tenantId: 't-evil' })).body.error;
    expect(late.details).toHaveLength(50);
    expect(late.details.at(-1)).toEqual({ path: 'tenantId', message: 'unknown field' });
    expect(late.detailsOmitted).toBe(12);
    // Under the cap, nothing is counted.
    expect((await post({ s3: [0] })).body.error).not.toHaveProperty('detailsOmitted');
  });

  it("refuses an ARN whose region is outside the ARN's own partition, naming the field", async () => {
    const cnKeyInUsEast = 'arn:aws-cn:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const res = await post({
      credentials: { type: 'role', roleArn: 'arn:aws-cn:iam::111122223333:role/R' },
      region: 'cn-north-1',
      kms: [{ keyArn: cnKeyInUsEast }],
      s3: [{ bucket: 'acme-exports', kmsKeyArn: cnKeyInUsEast }],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([
      { path: 's3[0].kmsKeyArn', message: "names a region outside the ARN's partition" },
      { path: 'kms[0].keyArn', message: "names a region outside the ARN's partition" },
    ]);
  });

  it("holds a key pair without a region to the service's partition, and a role of another partition to a region of its own", async () => {
    const keyPair = {
      type: 'accessKey',
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    };
    // The service runs in us-east-1 (partition aws): that is where the key pair is used.
    const cnKey = 'arn:aws-cn:kms:cn-north-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    expect((await post({ credentials: keyPair, kms: [{ keyArn: cnKey }] })).body.error.details).toEqual([
      { path: 'kms[0].keyArn', message: 'is in partition aws-cn, the credentials in aws' },
    ]);
    expect(
      (await post({ credentials: keyPair, s3: [{ bucket: 'acme-exports', region: 'cn-north-1' }] })).body
        .error.details,
    ).toEqual([{ path: 's3[0].region', message: 'is in partition aws-cn, the credentials in aws' }]);
    expect(
      (await post({ credentials: keyPair, region: 'cn-north-1', kms: [{ keyArn: cnKey }] })).status,
    ).toBe(200);
    expect(
      (await post({ credentials: { type: 'role', roleArn: 'arn:aws-us-gov:iam::111122223333:role/R' } })).body
        .error.details,
    ).toEqual([
      {
        path: 'region',
        message:
          "required: the credentials are in partition aws-us-gov, this service's region us-east-1 is not",
      },
    ]);
  });

  it('accepts ARNs of every partition with a region of the same partition', async () => {
    const res = await post({
      credentials: { type: 'role', roleArn: 'arn:aws-us-gov:iam::111122223333:role/R' },
      region: 'us-gov-west-1',
    });
    expect(res.status).toBe(200);
  });

  it('answers a defect of its own with a 500 that says nothing of the cause', async () => {
    const broken = createVerifyHandler({
      ...deps,
      awsFactory: () => {
        throw new Error('boom at /src/core/secret-place.ts:12');
      },
    });

    const res = await call(
      httpEvent({ body: JSON.stringify({ credentials: role }) }),
      contractChecked(broken),
    );

    expect(res).toEqual({
      status: 500,
      body: {
        error: { code: 'InternalError', message: 'The service failed; this is not caused by your request.' },
        requestId: 'JKJaXmPLvHcESHA=',
      },
    });
  });
});
