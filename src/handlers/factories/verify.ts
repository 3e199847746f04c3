import { CATALOGUE } from '../../checks/index.ts';
import { parseVerifyRequest } from '../../core/request.ts';
import { LIMITS } from '../../core/request-schema.ts';
import { verifyForTenant } from '../../core/tenant-use-cases.ts';
import { httpHandler } from '../app.ts';
import {
  type AdmissionContext,
  invalid,
  json,
  type LambdaHttpHandler,
  readJsonBody,
  type TenantSecretContext,
} from '../http.ts';
import { externalIdSecret } from '../middleware/external-id-secret.ts';
import { tenantRateLimit } from '../middleware/rate-limit.ts';
import type { TenantWorkDeps } from './tenant-work.ts';

type VerifyContext = TenantSecretContext & AdmissionContext;

/** POST /verify: a failed probe is a result (200 with the report), never an HTTP error. */
export function createVerifyHandler(deps: TenantWorkDeps): LambdaHttpHandler {
  return httpHandler<VerifyContext>(
    deps,
    async (event, context) => {
      const parsed = parseVerifyRequest(
        CATALOGUE,
        readJsonBody(event, LIMITS.bodyBytes),
        deps.config.profiles,
        deps.config.region,
      );
      if (!parsed.ok) throw invalid(parsed.errors);
      const report = await verifyForTenant(deps, context.tenantId, context.externalIdSecret, parsed.value, {
        admission: context.admission,
      });
      // A refused count: the report is discarded, the 429 answers.
      await context.admission;
      return json(200, report);
    },
    // AssumeRole is the first call: the count runs beside it (middleware/rate-limit.ts).
    tenantRateLimit(deps.limiter, { beside: () => true }),
    externalIdSecret(deps.secrets),
  );
}
