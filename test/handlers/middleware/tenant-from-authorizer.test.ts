import { describe, expect, it } from 'vitest';
import type { HttpContext } from '../../../src/handlers/http.ts';
import { tenantFromAuthorizer } from '../../../src/handlers/middleware/tenant-from-authorizer.ts';
import { httpEvent } from '../../support/events.ts';
import { fakeRequest } from './request.ts';

const run = async (event: ReturnType<typeof httpEvent>, claim?: string) => {
  const request = fakeRequest<HttpContext>({ event });
  await tenantFromAuthorizer(claim).before?.(request);
  return request.context.tenantId;
};

describe('tenantFromAuthorizer', () => {
  it('takes the tenant from the JWT claim, the configured one when named', async () => {
    expect(await run(httpEvent({ claims: { tenant_id: 't-1' } }))).toBe('t-1');
    expect(await run(httpEvent({ claims: { org: 't-2', tenant_id: 't-other' } }), 'org')).toBe('t-2');
  });

  it("takes it from a Lambda authorizer's context", async () => {
    const event = httpEvent({ claims: null });
    event.requestContext.authorizer = { lambda: { tenantId: 't-3' } };
    expect(await run(event)).toBe('t-3');
  });

  it('never from a header, the query or the body: 401 without an authorizer tenant', async () => {
    const event = httpEvent({
      claims: null,
      headers: { 'x-tenant-id': 't-evil' },
      rawQueryString: 'tenantId=t-evil',
      body: '{"tenantId":"t-evil"}',
    });
    await expect(run(event)).rejects.toMatchObject({ statusCode: 401, code: 'Unauthorized' });
  });

  it.each([42, 'has spaces', '', { nested: 't-1' }, 'x'.repeat(129)])(
    'refuses a claim that is not a tenant id (%j) with 403, or 401 when empty',
    async (value) => {
      const status = value === '' ? 401 : 403;
      await expect(run(httpEvent({ claims: { tenant_id: value } }))).rejects.toMatchObject({
        statusCode: status,
      });
    },
  );
});
