import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../src/handlers/http.ts';
import { httpErrors, MAX_DETAILS } from '../../../src/handlers/middleware/http-errors.ts';
import { fakeRequest } from './request.ts';

const logger = new Logger({ logLevel: 'SILENT' });
const shape = async (error: Error) => {
  const request = fakeRequest({ error });
  await httpErrors(logger).onError?.(request);
  const res = request.response;
  return { status: res?.statusCode, headers: res?.headers, body: JSON.parse(res?.body ?? 'null') };
};

describe('httpErrors', () => {
  it("answers an ApiError in the contract's shape, with its headers and the gateway's request id", async () => {
    const err = new ApiError(429, 'TooManyRequests', 'slow down');
    err.headers = { 'retry-after': '7' };
    expect(await shape(err)).toEqual({
      status: 429,
      headers: { 'content-type': 'application/json', 'cache-control': 'no-store', 'retry-after': '7' },
      body: { error: { code: 'TooManyRequests', message: 'slow down' }, requestId: 'JKJaXmPLvHcESHA=' },
    });
  });

  it('keeps the shallowest details past the cap, in their order, and counts the rest', async () => {
    const details = [
      ...Array.from({ length: MAX_DETAILS + 5 }, (_, i) => ({ path: `s3[${i}].bucket`, message: 'x' })),
      { path: 'tenantId', message: 'unknown field' },
    ];
    const { body } = await shape(new ApiError(400, 'InvalidRequest', 'many', details));
    expect(body.error.details).toHaveLength(MAX_DETAILS);
    expect(body.error.details[MAX_DETAILS - 1]).toEqual({ path: 'tenantId', message: 'unknown field' });
    expect(body.error.detailsOmitted).toBe(6);
  });

  it('answers anything else with a 500 that says nothing of its cause', async () => {
    const res = await shape(new Error('boom at /src/core/secret.ts:1'));
    expect(res.status).toBe(500);
    expect(JSON.stringify(res.body)).not.toContain('boom');
    expect(res.body.error.code).toBe('InternalError');
  });
});
