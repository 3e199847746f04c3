import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsCommandOutput,
} from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { GetQueueUrlCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { bounded as boundedClient, CALL_LIMITS } from '../aws.ts';
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
import { kmsSealer, localSealer, type Sealer } from './seal.ts';
import { connectionStore, type OpCounter } from './store.ts';
import type { DriftRef } from './types.ts';

export { permissions } from './infra.permissions.ts';

/**
 * The service's own infrastructure (its table, queue, bus and key), reached with the
 * function's own credentials, bounded like every customer call. Clients live as long as the
 * container: unlike a verification's, their credentials never change.
 */
const bounded = (region: Region) => ({ region, ...boundedClient(CALL_LIMITS, 64) });
/** SendMessageBatch calls in flight per page the dispatcher sends. */
const SEND_CONCURRENCY = 4;

export function driftInfra(config: DriftConfig, region: Region, counter?: OpCounter) {
  const dynamo = new DynamoDBClient(bounded(region));
  let sqs: SQSClient | undefined;
  let events: EventBridgeClient | undefined;
  let kms: KMSClient | undefined;
  let queueUrl: Promise<string> | undefined;
  const queueUrlOf = (client: SQSClient): Promise<string> => {
    const q = config.queue;
    if (!q) throw new Error('neither DRIFT_QUEUE_URL nor DRIFT_QUEUE_NAME is set');
    queueUrl ??=
      'url' in q
        ? Promise.resolve(q.url)
        : client.send(new GetQueueUrlCommand({ QueueName: q.name })).then((out) => {
            if (!out.QueueUrl) throw new Error(`no queue ${q.name}`);
            return out.QueueUrl;
          });
    // A failed lookup is asked again next time, not remembered.
    queueUrl.catch(() => {
      queueUrl = undefined;
    });
    return queueUrl;
  };
  return {
    store: connectionStore(dynamo, config.table, counter),
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
    /** Sends references in batches of ten; entries SQS refused are sent again, twice at most. */
    async send(refs: readonly DriftRef[]): Promise<{ sent: number; failed: number }> {
      sqs ??= new SQSClient(bounded(region));
      const client = sqs;
      const url = await queueUrlOf(client);
      let pending = refs.map((ref, i) => ({ Id: String(i), MessageBody: JSON.stringify(ref) }));
      let sent = 0;
      for (let attempt = 0; attempt < 3 && pending.length; attempt++) {
        const batches: (typeof pending)[] = [];
        for (let i = 0; i < pending.length; i += 10) batches.push(pending.slice(i, i + 10));
        const failed: (typeof pending)[] = [];
        // Four batches at a time per page: 16 shards then fill the 64 sockets, and no request
        // waits for a socket long enough to hit the connection timeout (a page is ~100 batches).
        for (let i = 0; i < batches.length; i += SEND_CONCURRENCY) {
          failed.push(
            ...(await Promise.all(
              batches.slice(i, i + SEND_CONCURRENCY).map(async (Entries) => {
                const out = await client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries }));
                sent += out.Successful?.length ?? 0;
                const ids = new Set((out.Failed ?? []).map((f) => f.Id));
                return Entries.filter((e) => ids.has(e.Id));
              }),
            )),
          );
        }
        pending = failed.flat();
      }
      return { sent, failed: pending.length };
    },
    close() {
      dynamo.destroy();
      sqs?.destroy();
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
