import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { ConfigError } from '../core/config.ts';
import { type DispatchResult, dispatch, periodOf } from '../core/drift/dispatch.ts';
import { driftInfra } from '../core/drift/infra.ts';
import { createServices } from './app.ts';
import { tracer } from './tracing.ts';

export const services = { ...createServices(), tracer };
const drift = services.config.drift;
if (!drift?.queue)
  throw new ConfigError('the dispatcher needs CONNECTIONS_TABLE and DRIFT_QUEUE_NAME (or _URL)');
const infra = driftInfra(drift, services.config.region);
const every = drift.period;

/**
 * The schedule's target: every saved connection, as a reference, onto the queue. The period
 * comes from the schedule's own time, so a retried invocation dispatches the same period (and
 * the worker's claim makes the duplicates free).
 */
export const handler = middy<ScheduledEvent, DispatchResult>()
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(services.logger, { resetKeys: true }))
  .handler(async (event) => {
    const time = new Date(event.time ?? Date.now());
    const result = await dispatch(
      infra.store,
      (refs) => infra.send(refs),
      periodOf(Number.isNaN(time.getTime()) ? new Date() : time, every),
    );
    services.logger.info('drift dispatched', { ...result });
    // Refs SQS would not take are lost for this period: fail loudly so the schedule retries.
    if (result.failed > 0)
      throw new Error(`${result.failed} connections could not be queued for ${result.period}`);
    return result;
  });
