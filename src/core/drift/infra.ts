import {
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsCommandOutput,
} from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
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
      events ??= new EventBridgeClient(bounded(region));
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
        // An error response is a refusal, and so is a first attempt that never connected; any
        // other failure (a time-out after sending, a reset) may hide a success.
        const meta = (err as { $metadata?: { httpStatusCode?: number; attempts?: number } }).$metadata;
        const neverSent =
          meta?.attempts === 1 && /did not establish a connection|ECONNREFUSED/.test((err as Error).message);
        if (typeof meta?.httpStatusCode === 'number' || neverSent)
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
