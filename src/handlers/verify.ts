import { LIMITS, parseVerifyRequest } from '../core/request.ts';
import { verifyForTenant } from '../core/tenant-use-cases.ts';
import { createServices, httpHandler } from './app.ts';
import { invalid, json, readJsonBody } from './http.ts';
import { rateLimiterFor } from './rate-limit.ts';
import { tracer } from './tracing.ts';

export const services = { ...createServices(), tracer };

/** POST /verify: a failed probe is a result (200 with the report), never an HTTP error. */
export const handler = httpHandler(
  services,
  async (event, context) => {
    const parsed = parseVerifyRequest(
      readJsonBody(event, LIMITS.bodyBytes),
      services.config.profiles,
      services.config.region,
    );
    if (!parsed.ok) throw invalid(parsed.errors);
    const report = await verifyForTenant(services, context.tenantId, context.externalIdSecret, parsed.value);
    return json(200, report);
  },
  rateLimiterFor(services),
);
