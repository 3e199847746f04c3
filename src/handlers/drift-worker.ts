import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as v from 'valibot';
import { ConfigError } from '../core/config.ts';
import { type DriftServices, runDrift } from '../core/drift/connections.ts';
import { driftInfra } from '../core/drift/infra.ts';
import type { DriftRef } from '../core/drift/types.ts';
import { createServices } from './app.ts';
import { externalIdSecret, type SecretContext } from './http.ts';

export const services = createServices();
const drift = services.config.drift;
if (!drift) throw new ConfigError('the drift worker needs CONNECTIONS_TABLE');
const infra = driftInfra(drift, services.config.region);

/** What a message must be: a reference, shaped as the dispatcher writes it, and nothing else. */
const refSchema = v.strictObject({
  tenantId: v.pipe(v.string(), v.regex(/^[A-Za-z0-9][A-Za-z0-9._:@|+-]{0,127}$/)),
  connectionId: v.pipe(v.string(), v.uuid()),
  period: v.pipe(v.string(), v.regex(/^\d{4}-\d{2}-\d{2}(T\d{2})?$/)),
});

function refOf(record: SQSRecord): DriftRef {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    throw new Error('message is not JSON');
  }
  const parsed = v.safeParse(refSchema, body);
  if (!parsed.success) throw new Error('message is not a drift reference');
  return parsed.output;
}

/**
 * The queue's consumer, with partial batch responses: each message succeeds or fails alone, so
 * one poisoned message goes back (and on to the dead-letter queue) without its batch. A
 * message whose period another delivery is still running is retried later, not dropped.
 */
export const handler = middy<SQSEvent, SQSBatchResponse, Error, SecretContext>()
  .use(injectLambdaContext(services.logger, { resetKeys: true }))
  .use(externalIdSecret<SQSEvent, SQSBatchResponse, SecretContext>(services.config))
  .handler(async (event, context) => {
    const s: DriftServices = {
      ...services,
      store: infra.store,
      sealer: infra.sealer(context.externalIdSecret),
      historyDays: drift.historyDays,
      publish: (e) => infra.publish(e),
    };
    const failures = await Promise.all(
      event.Records.map(async (record) => {
        try {
          const ref = refOf(record);
          const outcome = await runDrift(s, context.externalIdSecret, ref);
          services.logger.info('drift run', { messageId: record.messageId, ...ref, outcome });
          return outcome === 'busy' ? record.messageId : undefined;
        } catch (err) {
          services.logger.error('drift run failed', {
            messageId: record.messageId,
            error: (err as Error).message,
          });
          return record.messageId;
        }
      }),
    );
    return {
      batchItemFailures: failures
        .filter((id): id is string => id !== undefined)
        .map((itemIdentifier) => ({ itemIdentifier })),
    };
  });
