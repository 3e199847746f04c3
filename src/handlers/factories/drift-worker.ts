import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { ConfigError } from '../../core/config.ts';
import type { DriftDeps } from '../../core/drift/connections.ts';
import { infraDeps } from '../../core/drift/infra.ts';
import { workBatch } from '../../core/drift/worker.ts';
import type { ExternalIdSecret } from '../../core/external-id.ts';
import type { ExternalIdSecrets } from '../../core/external-id-versions.ts';
import type { AppDeps } from '../../core/tenant-use-cases.ts';
import type { SecretContext } from '../http.ts';
import { externalIdSecret, secretsFor } from '../middleware/external-id-secret.ts';

export interface DriftWorkerDeps extends AppDeps {
  secrets: ExternalIdSecrets;
  forSecret: (secret: ExternalIdSecret) => DriftDeps;
}

/** The container's own; a stage without a table refuses to start. */
export function driftWorkerDeps(deps: AppDeps): DriftWorkerDeps {
  const drift = deps.config.drift;
  if (!drift) throw new ConfigError('the drift worker needs CONNECTIONS_TABLE');
  return { ...deps, secrets: secretsFor(deps.config), forSecret: infraDeps(deps, drift) };
}

/** The queue's consumer, with partial batch responses (`ReportBatchItemFailures`). */
export function createDriftWorkerHandler(
  deps: DriftWorkerDeps,
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const stack = middy<SQSEvent, SQSBatchResponse, Error, SecretContext>();
  if (deps.tracer) stack.use(captureLambdaHandler(deps.tracer, { captureResponse: false }));
  return stack
    .use(injectLambdaContext(deps.logger, { resetKeys: true }))
    .use(externalIdSecret<SQSEvent, SQSBatchResponse, SecretContext>(deps.secrets))
    .handler(async (event, context) => {
      const secrets = context.externalIdSecrets;
      // Sealing derives from the first version (local runs; a deployed stage seals with KMS).
      const failed = await workBatch(
        deps.forSecret((await secrets.keyring()).oldest),
        (tenantId) => secrets.forTenant(tenantId),
        event.Records,
        deps.logger,
      );
      return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
    }) as unknown as (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
}
