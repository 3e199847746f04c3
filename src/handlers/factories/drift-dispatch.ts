import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { ConfigError } from '../../core/config.ts';
import { type DispatchResult, dispatch, periodOf } from '../../core/drift/dispatch.ts';
import { driftQueue } from '../../core/drift/queue.ts';
import type { AppDeps } from '../../core/tenant-use-cases.ts';

export interface DriftDispatchDeps extends AppDeps {
  infra: Pick<ReturnType<typeof driftQueue>, 'store' | 'send'>;
  period: 'hour' | 'day';
}

/** The container's own; a stage without a table and a queue refuses to start. */
export function driftDispatchDeps(deps: AppDeps): DriftDispatchDeps {
  const drift = deps.config.drift;
  if (!drift?.queue)
    throw new ConfigError('the dispatcher needs CONNECTIONS_TABLE and DRIFT_QUEUE_NAME (or _URL)');
  return { ...deps, infra: driftQueue(drift, deps.config.region), period: drift.period };
}

/**
 * The schedule's target: every saved connection, as a reference, onto the queue. The period
 * comes from the schedule's own time, so a retried invocation dispatches the same period (and
 * the worker's claim makes the duplicates free).
 */
export function createDriftDispatchHandler(
  deps: DriftDispatchDeps,
): (event: ScheduledEvent, context: Context) => Promise<DispatchResult> {
  const stack = middy<ScheduledEvent, DispatchResult>();
  if (deps.tracer) stack.use(captureLambdaHandler(deps.tracer));
  return stack.use(injectLambdaContext(deps.logger, { resetKeys: true })).handler(async (event) => {
    const time = new Date(event.time ?? Date.now());
    const result = await dispatch(
      deps.infra.store,
      (refs) => deps.infra.send(refs),
      periodOf(Number.isNaN(time.getTime()) ? new Date() : time, deps.period),
    );
    deps.logger.info('drift dispatched', { ...result });
    // Refs SQS would not take are lost for this period: fail loudly so the schedule retries.
    if (result.failed > 0)
      throw new Error(`${result.failed} connections could not be queued for ${result.period}`);
    return result;
  });
}
