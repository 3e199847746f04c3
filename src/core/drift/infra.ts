import {
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsCommandOutput,
} from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { StandardRetryStrategy } from '@smithy/core/retry';
import type { RetryErrorInfo, StandardRetryToken } from '@smithy/types';
import { CALL_LIMITS } from '../bounds.ts';
import type { DriftConfig } from '../config.ts';
import type { ExternalIdSecret } from '../external-id.ts';
import type { Region } from '../regions.ts';
import type { AppDeps } from '../tenant-use-cases.ts';
import {
  CHANGE_DETAIL_TYPE,
  CHANGE_SOURCE,
  type ChangeEvent,
  type DriftDeps,
  EventNotPublished,
} from './connections.ts';
import { bounded, driftQueue } from './queue.ts';
import { kmsSealer, localSealer, type Sealer } from './seal.ts';
import type { OpCounter } from './store.ts';

export { permissions } from './infra.permissions.ts';

/**
 * The service's own infrastructure (its table, queue, bus and key), reached with the
 * function's own credentials, bounded like every customer call: ./queue.ts's table and queue,
 * and the worker's key and bus.
 */
export function driftInfra(config: DriftConfig, region: Region, counter?: OpCounter) {
  const queue = driftQueue(config, region, counter);
  let events: EventBridgeClient | undefined;
  let kms: KMSClient | undefined;
  return {
    store: queue.store,
    send: queue.send,
    sealer(secret: ExternalIdSecret): Sealer {
      if (!config.kmsKeyId) return localSealer(secret);
      kms ??= new KMSClient(bounded(region));
      return kmsSealer(kms, config.kmsKeyId);
    },
    async publish(event: ChangeEvent): Promise<void> {
      events ??= new EventBridgeClient({
        ...bounded(region),
        retryStrategy: new RetryWhatWasNotTaken(CALL_LIMITS.maxAttempts),
      });
      let out: PutEventsCommandOutput;
      try {
        out = await events.send(
          new PutEventsCommand({
            Entries: [
              {
                Source: CHANGE_SOURCE,
                DetailType: CHANGE_DETAIL_TYPE,
                Detail: JSON.stringify(event),
                EventBusName: config.eventBus,
              },
            ],
          }),
        );
      } catch (err) {
        // Every attempt was refused or never sent (RetryWhatWasNotTaken stops at any other):
        // the next delivery may send it. Any other failure may hide a success.
        if (notTaken(err))
          throw new EventNotPublished(`PutEvents refused: ${(err as Error).name}`, { cause: err });
        throw err;
      }
      // PutEvents answers 200 with per-entry failures: one unpublished change must be retried.
      if (out.FailedEntryCount) {
        throw new EventNotPublished(
          `change event not published: ${out.Entries?.[0]?.ErrorCode ?? 'unknown error'}`,
        );
      }
    },
    close() {
      queue.close();
      events?.destroy();
      kms?.destroy();
    },
  };
}

export type DriftInfra = ReturnType<typeof driftInfra>;

/**
 * Whether a failed PutEvents certainly published nothing: an error answer is a refusal, and so
 * is a connection never made. A time-out or a reset after sending may hide a success.
 */
function notTaken(err: unknown): boolean {
  const meta = (err as { $metadata?: { httpStatusCode?: number } }).$metadata;
  return (
    typeof meta?.httpStatusCode === 'number' ||
    /did not establish a connection|ECONNREFUSED/.test((err as Error).message)
  );
}

/**
 * The SDK's standard retries, except after a failure that may hide a success: the SDK would
 * send the event again after a lost answer, and the bus would carry it twice. That failure
 * ends the run instead, and the event's claim keeps any later delivery from sending it.
 */
export class RetryWhatWasNotTaken extends StandardRetryStrategy {
  override async refreshRetryTokenForRetry(
    token: StandardRetryToken,
    info: RetryErrorInfo,
  ): Promise<StandardRetryToken> {
    if (!notTaken(info.error)) throw new Error('PutEvents may have been taken: not sent again');
    return super.refreshRetryTokenForRetry(token, info);
  }
}

/** The drift dependencies of one container: its infrastructure, sealing with the secret of the call. */
export function infraDeps(deps: AppDeps, config: DriftConfig, counter?: OpCounter) {
  const infra = driftInfra(config, deps.config.region, counter);
  return (secret: ExternalIdSecret): DriftDeps => ({
    ...deps,
    store: infra.store,
    sealer: infra.sealer(secret),
    historyDays: config.historyDays,
    publish: (e) => infra.publish(e),
  });
}
