import { parseSetupQuery } from '../core/request.ts';
import { setupForTenant } from '../core/service.ts';
import { createServices, httpHandler } from './app.ts';
import { invalid, json } from './http.ts';
import { tracer } from './tracing.ts';

export const services = { ...createServices(), tracer };

/** GET /setup: what the tenant must create, from the same catalogue that checks it. */
export const handler = httpHandler(services, async (event, context) => {
  const parsed = parseSetupQuery(event.rawQueryString ?? '', services.config.profiles);
  if (!parsed.ok) throw invalid(parsed.errors);
  return json(200, await setupForTenant(services, context.tenantId, context.externalIdSecret, parsed.value));
});
