import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { ConfigError } from '../core/config.ts';
import { infraDeps } from '../core/drift/infra.ts';
import { workBatch } from '../core/drift/worker.ts';
import { createServices } from './app.ts';
import { externalIdSecret, type SecretContext } from './http.ts';
import { tracer } from './tracing.ts';

export const services = { ...createServices(), tracer };
const drift = services.config.drift;
if (!drift) throw new ConfigError('the drift worker needs CONNECTIONS_TABLE');
const forSecret = infraDeps(services, drift);

/** The queue's consumer, with partial batch responses (`ReportBatchItemFailures`). */
export const handler = middy<SQSEvent, SQSBatchResponse, Error, SecretContext>()
  .use(captureLambdaHandler(tracer, { captureResponse: false }))
  .use(injectLambdaContext(services.logger, { resetKeys: true }))
  .use(externalIdSecret<SQSEvent, SQSBatchResponse, SecretContext>(services.config))
  .handler(async (event, context) => {
    const secrets = context.externalIdSecrets;
    // Sealing derives from the first version (local runs; a deployed stage seals with KMS).
    const failed = await workBatch(
      forSecret((await secrets.keyring()).oldest),
      (tenantId) => secrets.forTenant(tenantId),
      event.Records,
      services.logger,
    );
    return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
  });
