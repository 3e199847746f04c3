import { S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handler, services } from '../../src/handlers/verify.ts';
import { assumeRoleDenied } from '../support/aws-errors.ts';
import { httpEvent, lambdaContext } from '../support/events.ts';

const sts = mockClient(STSClient);
const s3 = mockClient(S3Client);

const role = { type: 'role', roleArn: 'arn:aws:iam::111122223333:role/VendorAccess' };

async function call(event = httpEvent()) {
  const res = await handler(event, lambdaContext());
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
  afterEach(() => {
    delete services.awsFactory;
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

  it('accepts ARNs of every partition with a region of the same partition', async () => {
    const res = await post({
      credentials: { type: 'role', roleArn: 'arn:aws-us-gov:iam::111122223333:role/R' },
      region: 'us-gov-west-1',
    });
    expect(res.status).toBe(200);
  });

  it('answers a defect of its own with a 500 that says nothing of the cause', async () => {
    services.awsFactory = () => {
      throw new Error('boom at /src/core/secret-place.ts:12');
    };

    const res = await post({ credentials: role });

    expect(res).toEqual({
      status: 500,
      body: {
        error: { code: 'InternalError', message: 'The service failed; this is not caused by your request.' },
        requestId: 'JKJaXmPLvHcESHA=',
      },
    });
  });
});
