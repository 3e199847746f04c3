import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type LocalDynamo, startDynamo } from '../../sandbox/dynamo.ts';
import { dynamoRateLimiter } from '../../src/core/rate-limit.ts';
import type { HttpEvent } from '../../src/handlers/http.ts';
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

beforeAll(async () => {
  dynamo = await startDynamo('aws-access-verifier-test-rate');
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.url,
    RATE_LIMIT_TABLE: dynamo.table,
    RATE_LIMIT_PER_MINUTE: '2',
    // dynalite accepts any signature, but the SDK must have something to sign with.
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  });
  vi.resetModules();
  verify = contractChecked(
    (await import('../../src/handlers/verify.ts')).handler,
  ) as unknown as typeof verify;
});
afterAll(async () => {
  for (const k of ['AWS_ENDPOINT_URL_DYNAMODB', 'RATE_LIMIT_TABLE', 'RATE_LIMIT_PER_MINUTE'])
    delete process.env[k];
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
    const limiter = dynamoRateLimiter(
      new DynamoDBClient({ endpoint: dynamo.url, region: 'us-east-1' }),
      dynamo.table,
      1,
      new Logger({ logLevel: 'SILENT' }),
    );
    const t = Date.parse('2026-12-01T10:00:30Z');
    expect(await limiter.take('t-min', t)).toEqual({ allowed: true });
    expect(await limiter.take('t-min', t + 1_000)).toEqual({ allowed: false, retryAfterSeconds: 29 });
    expect(await limiter.take('t-min', t + 30_000)).toEqual({ allowed: true });
  });

  it('lets requests through when the table itself fails: a limiter must not become an outage', async () => {
    const limiter = dynamoRateLimiter(
      new DynamoDBClient({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1', maxAttempts: 1 }),
      dynamo.table,
      1,
      new Logger({ logLevel: 'SILENT' }),
    );
    expect(await limiter.take('t-any')).toEqual({ allowed: true });
  });
});
