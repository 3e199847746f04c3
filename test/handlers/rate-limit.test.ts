import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalDynamo, startDynamo } from '../../sandbox/dynamo.ts';
import { CHECK_IDS } from '../../src/checks/index.ts';
import { dynamoRateLimiter } from '../../src/core/rate-limit.ts';
import { createDeps } from '../../src/handlers/deps.ts';
import { createVerifyHandler } from '../../src/handlers/factories/verify.ts';
import type { HttpEvent } from '../../src/handlers/http.ts';
import { secretsFor } from '../../src/handlers/middleware/external-id-secret.ts';
import { contractChecked } from '../support/contract.ts';
import { httpEvent, lambdaContext } from '../support/events.ts';

/** The contract's 429: per tenant, across every instance (the count is in the table). */
let dynamo: LocalDynamo;
let verify: (
  e: HttpEvent,
  c: ReturnType<typeof lambdaContext>,
) => Promise<{
  statusCode: number;
  headers?: Record<string, string | number | boolean>;
  body?: string;
}>;

const logger = new Logger({ logLevel: 'SILENT' });
// dynalite accepts any signature, but the SDK must have something to sign with.
const credentials = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};
const tableClient = (endpoint: string, maxAttempts?: number) =>
  new DynamoDBClient({ endpoint, region: 'us-east-1', credentials, ...(maxAttempts ? { maxAttempts } : {}) });

beforeAll(async () => {
  dynamo = await startDynamo('aws-access-verifier-test-rate');
  const deps = createDeps(CHECK_IDS);
  verify = contractChecked(
    createVerifyHandler({
      ...deps,
      secrets: secretsFor(deps.config),
      limiter: dynamoRateLimiter(tableClient(dynamo.url), dynamo.table, 2, logger),
    }),
  ) as unknown as typeof verify;
});
afterAll(async () => {
  await dynamo.close();
});

const post = (tenant: string) =>
  verify(httpEvent({ body: '{"credentials":{}}', claims: { tenant_id: tenant } }), lambdaContext());

describe('the per-tenant rate', () => {
  it('answers 429 with Retry-After past the limit, in the contract’s error shape; other tenants are unaffected', async () => {
    expect((await post('t-busy')).statusCode).toBe(400);
    expect((await post('t-busy')).statusCode).toBe(400);
    const refused = await post('t-busy');
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers?.['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers?.['retry-after'])).toBeLessThanOrEqual(60);
    expect(JSON.parse(refused.body ?? '{}')).toMatchObject({
      error: { code: 'TooManyRequests' },
      requestId: expect.any(String),
    });
    expect((await post('t-quiet')).statusCode).toBe(400);
  });

  it('counts per minute: the next minute starts afresh', async () => {
    const limiter = dynamoRateLimiter(tableClient(dynamo.url), dynamo.table, 1, logger);
    const t = Date.parse('2026-12-01T10:00:30Z');
    expect(await limiter.take('t-min', t)).toEqual({ allowed: true });
    expect(await limiter.take('t-min', t + 1_000)).toEqual({ allowed: false, retryAfterSeconds: 29 });
    expect(await limiter.take('t-min', t + 30_000)).toEqual({ allowed: true });
  });

  it('lets requests through when the table itself fails: a limiter must not become an outage', async () => {
    const limiter = dynamoRateLimiter(tableClient('http://127.0.0.1:9', 1), dynamo.table, 1, logger);
    expect(await limiter.take('t-any')).toEqual({ allowed: true });
  });
});
