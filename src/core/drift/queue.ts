import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueUrlCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { bounded as boundedClient, CALL_LIMITS } from '../bounds.ts';
import type { DriftConfig } from '../config.ts';
import type { Region } from '../regions.ts';
import { connectionStore, type OpCounter } from './store.ts';
import type { DriftRef } from './types.ts';

/**
 * The part of drift's infrastructure the dispatcher needs: the table and the queue. A module of
 * its own, apart from ./infra.ts (the worker's key and bus, and the verification it runs), so
 * that the dispatcher bundles neither KMS, EventBridge nor the check catalogue.
 * Clients live as long as the container: unlike a verification's, their credentials never change.
 */
export const bounded = (region: Region) => ({ region, ...boundedClient(CALL_LIMITS, 64) });
/** SendMessageBatch calls in flight per page the dispatcher sends. */
const SEND_CONCURRENCY = 4;

export function driftQueue(config: DriftConfig, region: Region, counter?: OpCounter) {
  const dynamo = new DynamoDBClient(bounded(region));
  let sqs: SQSClient | undefined;
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
    },
  };
}
