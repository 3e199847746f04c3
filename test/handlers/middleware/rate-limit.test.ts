import { describe, expect, it } from 'vitest';
import type { RateLimiter, Take } from '../../../src/core/rate-limit.ts';
import { type AdmissionContext, ApiError } from '../../../src/handlers/http.ts';
import { tenantRateLimit } from '../../../src/handlers/middleware/rate-limit.ts';
import { fakeRequest } from './request.ts';

/** A limiter whose answer the test gives, and which records whom it counted. */
function heldLimiter() {
  const counted: string[] = [];
  let answer: (take: Take) => void = () => {};
  const limiter: RateLimiter = {
    perMinute: 5,
    take: (tenantId) => {
      counted.push(tenantId);
      return new Promise((resolve) => {
        answer = resolve;
      });
    },
  };
  return { limiter, counted, answer: (take: Take) => answer(take) };
}

const request = () => fakeRequest<AdmissionContext>({ context: { tenantId: 't-1' } });

describe('tenantRateLimit', () => {
  it('waits for the count before the handler where the work is not beside it, and refuses with 429', async () => {
    const held = heldLimiter();
    const r = request();
    let passed = false;
    const before = Promise.resolve(tenantRateLimit(held.limiter).before?.(r)).then(() => {
      passed = true;
    });
    await Promise.resolve();
    expect(held.counted).toEqual(['t-1']);
    expect(passed).toBe(false);
    held.answer({ allowed: false, retryAfterSeconds: 9 });
    await expect(before).rejects.toMatchObject({
      statusCode: 429,
      code: 'TooManyRequests',
      headers: { 'retry-after': '9' },
    });
  });

  it('lets the handler start beside the count, and hands it the admission to wait on', async () => {
    const held = heldLimiter();
    const r = request();
    await tenantRateLimit(held.limiter, { beside: () => true }).before?.(r);
    expect(held.counted).toEqual(['t-1']);
    let admitted = false;
    const waiting = r.context.admission.then(() => {
      admitted = true;
    });
    await Promise.resolve();
    expect(admitted).toBe(false);
    held.answer({ allowed: true });
    await waiting;
    expect(admitted).toBe(true);
  });

  it('lets no response out past a refused count: after throws the 429, onError puts it in place of the error', async () => {
    const held = heldLimiter();
    const middleware = tenantRateLimit(held.limiter, { beside: () => true });
    const ok = request();
    await middleware.before?.(ok);
    held.answer({ allowed: false, retryAfterSeconds: 2 });
    await expect(middleware.after?.(ok)).rejects.toBeInstanceOf(ApiError);

    const failed = request();
    await middleware.before?.(failed);
    failed.error = new ApiError(400, 'InvalidRequest', 'bad body');
    held.answer({ allowed: false, retryAfterSeconds: 2 });
    await middleware.onError?.(failed);
    expect(failed.error).toMatchObject({ statusCode: 429 });
  });

  it('leaves the error alone when the count allowed the request, and admits everything without a limiter', async () => {
    const held = heldLimiter();
    const middleware = tenantRateLimit(held.limiter, { beside: () => true });
    const failed = request();
    await middleware.before?.(failed);
    const bad = new ApiError(400, 'InvalidRequest', 'bad body');
    failed.error = bad;
    held.answer({ allowed: true });
    await middleware.onError?.(failed);
    expect(failed.error).toBe(bad);

    const unlimited = request();
    await tenantRateLimit(undefined).before?.(unlimited);
    await expect(unlimited.context.admission).resolves.toBeUndefined();
  });
});
