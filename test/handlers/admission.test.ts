import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CHECK_IDS } from '../../src/checks/index.ts';
import { loadConfig } from '../../src/core/config.ts';
import { externalIdFor, localDevSecret } from '../../src/core/external-id.ts';
import { externalIdSecrets, type TenantVersionStore } from '../../src/core/external-id-versions.ts';
import type { RateLimiter, Take } from '../../src/core/rate-limit.ts';
import { createDeps } from '../../src/handlers/deps.ts';
import { createChecksHandler } from '../../src/handlers/factories/checks.ts';
import { createOpenApiHandler } from '../../src/handlers/factories/openapi.ts';
import { createVerifyHandler } from '../../src/handlers/factories/verify.ts';
import { assumeRoleDenied } from '../support/aws-errors.ts';
import { contractChecked } from '../support/contract.ts';
import { httpEvent, lambdaContext } from '../support/events.ts';
import { refuseSimulation } from '../support/iam-simulation.ts';

/**
 * POST /verify does its work in the right order (issue 10): the tenant's rate is counted beside
 * AssumeRole, not before it; no customer's resource is touched before the count allowed the
 * request; a refused count answers 429 with nothing written; and a warm container that saw the
 * tenant within the minute reads nothing from the table before AssumeRole. Orderings, not timings.
 */
const sts = mockClient(STSClient);
const s3 = mockClient(S3Client);
refuseSimulation();
const TENANT = 't-123';
const secret = localDevSecret();
const ROLE = 'arn:aws:iam::111122223333:role/VendorAccess';
const body = JSON.stringify({
  credentials: { type: 'role', roleArn: ROLE },
  profile: 'destination',
  s3: [{ bucket: 'acme-destination' }],
});

/** What happened, in order: the count asked and answered, the table read, AWS called. */
let timeline: string[];
/** Settled by the test: the count's answer for each request, in turn. */
let answers: ((take: Take) => void)[];
let versionReads: number;
let onAsked: () => void = () => {};

const limiter: RateLimiter = {
  perMinute: 1,
  take: () => {
    timeline.push('count asked');
    onAsked();
    return new Promise<Take>((resolve) =>
      answers.push((take) => {
        timeline.push('count answered');
        resolve(take);
      }),
    );
  },
};
const tenants: TenantVersionStore = {
  externalIdVersion: async () => {
    versionReads++;
    timeline.push('version read');
    return secret.version;
  },
  issueExternalIdVersion: async (_, version) => version,
};

/** Resolves when the tenant's own AssumeRole has been sent. */
let assumed: Promise<void>;

/** The tenant's AssumeRole succeeds (recorded, and `assumed` resolves); the probes are refused. */
function stsAnswering() {
  let sent: () => void = () => {};
  assumed = new Promise((resolve) => {
    sent = resolve;
  });
  sts.on(AssumeRoleCommand).callsFake((input) => {
    // The external-ID probes (none, a wrong one) are refused, as a role that requires it does.
    if (input.ExternalId !== externalIdFor(secret, TENANT)) throw assumeRoleDenied(ROLE);
    timeline.push('AssumeRole');
    sent();
    return {
      Credentials: {
        AccessKeyId: 'ASIAIOSFODNN7EXAMPLE',
        SecretAccessKey: 'secret',
        SessionToken: 'token',
        Expiration: new Date(Date.now() + 3_600_000),
      },
      AssumedRoleUser: { Arn: 'arn:aws:sts::111122223333:assumed-role/VendorAccess/s', AssumedRoleId: 'x' },
    };
  });
}

/** Resolves once the count has been asked for (the first request's). */
let asked: Promise<void>;

beforeEach(() => {
  timeline = [];
  answers = [];
  versionReads = 0;
  asked = new Promise((resolve) => {
    onAsked = resolve;
  });
  sts.reset();
  s3.reset();
  stsAnswering();
  s3.on(HeadBucketCommand).resolves({ BucketRegion: 'us-east-1' });
  s3.on(ListObjectsV2Command).resolves({});
  s3.on(PutObjectCommand).callsFake(() => {
    timeline.push('PutObject');
    return {};
  });
  s3.on(GetObjectCommand).resolves({});
  s3.on(DeleteObjectCommand).resolves({});
});

const handlerWith = () =>
  contractChecked(
    createVerifyHandler({
      config: loadConfig({ AWS_REGION: 'us-east-1', VENDOR_NAME: 'acme' }, CHECK_IDS),
      logger: new Logger({ logLevel: 'SILENT' }),
      secrets: externalIdSecrets(async () => [`${secret.version}:${secret.key}`], tenants),
      limiter,
      metrics: { emit: () => void timeline.push('metrics') },
    }),
  );
const post = (handler: ReturnType<typeof handlerWith>) =>
  handler(httpEvent({ body, claims: { tenant_id: TENANT } }), lambdaContext());

describe('POST /verify: the rate is counted beside AssumeRole', () => {
  it('sends AssumeRole while the count is unanswered, and touches no resource until it is', async () => {
    const pending = post(handlerWith());
    await assumed;
    expect(timeline).toEqual(['count asked', 'version read', 'AssumeRole']);
    expect(s3.calls()).toHaveLength(0);

    answers[0]?.({ allowed: true });
    const res = await pending;

    expect(res.statusCode).toBe(200);
    expect(timeline.indexOf('count answered')).toBeLessThan(timeline.indexOf('PutObject'));
    expect(timeline).toContain('metrics');
    expect(s3.commandCalls(HeadBucketCommand).length).toBeGreaterThan(0);
  });

  it('answers 429 for a refused count, with the report discarded and nothing written in the bucket', async () => {
    const pending = post(handlerWith());
    await assumed;
    answers[0]?.({ allowed: false, retryAfterSeconds: 12 });
    const res = await pending;

    expect(res.statusCode).toBe(429);
    expect(res.headers?.['retry-after']).toBe('12');
    expect(JSON.parse(res.body ?? '{}')).toMatchObject({ error: { code: 'TooManyRequests' } });
    expect(JSON.parse(res.body ?? '{}')).not.toHaveProperty('checks');
    expect(timeline).not.toContain('PutObject');
    expect(s3.calls()).toHaveLength(0);
    // A discarded report is not counted either.
    expect(timeline).not.toContain('metrics');
  });

  it('reads nothing from the table before AssumeRole for a tenant this container saw within the minute', async () => {
    const handler = handlerWith();
    const first = post(handler);
    await assumed;
    answers[0]?.({ allowed: true });
    expect((await first).statusCode).toBe(200);
    expect(versionReads).toBe(1);

    timeline = [];
    stsAnswering();
    const second = post(handler);
    await assumed;
    // The only table call of the request (the count) is still unanswered: none sits before AssumeRole.
    expect(timeline).toEqual(['count asked', 'AssumeRole']);
    answers[1]?.({ allowed: true });
    expect((await second).statusCode).toBe(200);
    expect(versionReads).toBe(1);
  });

  it('answers a limited tenant 429 even when its body is bad', async () => {
    const pending = contractChecked(handlerWith())(
      httpEvent({ body: '{"credentials":{}}', claims: { tenant_id: TENANT } }),
      lambdaContext(),
    );
    // The handler refuses the body at once; the answer waits for the count.
    await asked;
    answers[0]?.({ allowed: false, retryAfterSeconds: 3 });
    expect((await pending).statusCode).toBe(429);
  });
});

describe('only the handlers that use the external ID resolve it', () => {
  it('answers GET /checks and GET /openapi.json without reading the secret or the table', async () => {
    const ssm = mockClient(SSMClient);
    const dynamo = mockClient(DynamoDBClient);
    // A deployed stage's configuration: a parameter and a table to read, were they asked for.
    const deps = createDeps(CHECK_IDS, {
      AWS_REGION: 'us-east-1',
      AWS_LAMBDA_FUNCTION_NAME: 'aws-access-verifier-test-checks',
      VENDOR_PRINCIPAL_ARN: 'arn:aws:iam::999988887777:role/vendor',
      EXTERNAL_ID_SECRET_PARAMETER: '/aws-access-verifier/test/external-id-secret',
      CONNECTIONS_TABLE: 'connections',
      CONNECTIONS_KMS_KEY_ID: 'alias/connections',
      RATE_LIMIT_TABLE: 'connections',
    });
    const checks = await createChecksHandler(deps)(
      httpEvent({ method: 'GET', path: '/checks' }),
      lambdaContext('checks'),
    );
    const openapi = await createOpenApiHandler(deps)(
      httpEvent({ method: 'GET', path: '/openapi.json', claims: null }),
      lambdaContext('openapi'),
    );
    expect([checks.statusCode, openapi.statusCode]).toEqual([200, 200]);
    expect(ssm.calls()).toHaveLength(0);
    expect(dynamo.calls()).toHaveLength(0);
    ssm.restore();
    dynamo.restore();
  });
});
