import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { conditionally } from './conditionally.ts';
import type { Sealed } from './seal.ts';
import { BY_SHARD } from './table.ts';
import { tenantVersions } from './tenant-versions.ts';
import { STALE_CLAIM_MS } from './timing.ts';
import type { ConnectionSpec, DriftRef, RunRecord } from './types.ts';

/**
 * One table, keys shaped by what is asked of it:
 *
 * | item       | pk                        | sk                      | gsi1pk     | gsi1sk            |
 * | ---------- | ------------------------- | ----------------------- | ---------- | ----------------- |
 * | connection | `T#<tenant>`              | `C#<connection id>`     | `S#<0-15>` | `<connection id>` |
 * | run        | `H#<tenant>#<connection>` | `R#<period>`            |            |                   |
 * | tenant     | `T#<tenant>`              | `X#external-id`         |            |                   |
 *
 * A tenant's connections are one partition (list, get, delete); its runs one partition per
 * connection, newest first, one per period (a redelivery overwrites nothing), expiring by TTL
 * (`expiresAt`). The tenant item records the external-ID version the tenant was issued. Only connections carry the GSI keys,
 * so the sparse index `byShard` is exactly the list the dispatcher pages through, spread over
 * 16 shards it reads in parallel. Every key starts from the tenant the authorizer gave: no
 * input of a caller can name another tenant's item.
 */
export const SHARDS = 16;
export { permissions } from './store.permissions.ts';

export interface StoredConnection {
  tenantId: string;
  connectionId: string;
  name?: string;
  createdAt: string;
  /** What the connection re-verifies: its POST /verify body, the secret apart. */
  request: ConnectionSpec;
  /** The key pair's secret, sealed; never returned or logged. */
  sealed?: Sealed;
  lastStatus?: string;
  /** `<check id> <target>` → status, as of the last run. */
  lastChecks?: Record<string, string>;
  lastRunAt?: string;
  lastPeriod?: string;
  runState?: 'running' | 'done';
  claimedAt?: number;
  /** Which delivery holds the claim: only it may finish the period. */
  claimToken?: string;
}

const connectionKey = (tenantId: string, connectionId: string) => ({
  pk: `T#${tenantId}`,
  sk: `C#${connectionId}`,
});
const historyPk = (tenantId: string, connectionId: string) => `H#${tenantId}#${connectionId}`;
/**
 * One run per period. Onboarding sorts before every period (`!` is below every digit): it is
 * always a connection's first run, whatever period a late dispatch gives the next.
 */
const runKey = (tenantId: string, connectionId: string, period: string) => ({
  pk: historyPk(tenantId, connectionId),
  sk: period === 'onboarding' ? 'R#!onboarding' : `R#${period}`,
});

/** BatchWriteItem takes 25 requests; what DynamoDB leaves unprocessed is sent again, this often. */
const BATCH = 25;
const BATCH_ATTEMPTS = 5;

/** A stable shard per connection, so a connection is listed once per period. */
export function shardOf(connectionId: string): number {
  let h = 0;
  for (const c of connectionId) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h % SHARDS;
}

/** Counts DynamoDB operations: the benchmark reports them per connection. */
export interface OpCounter {
  reads: number;
  writes: number;
}

/**
 * `duplicate`: this period already ran; `busy`: another delivery is running it now (retry
 * later: if that run dies, its claim goes stale and this one takes over); `superseded`: a later
 * period already claimed the connection (a late delivery or a redrive: acknowledged, not run);
 * `gone`: deleted.
 */
export type Claim =
  /** `takeover`: a delivery of this period claimed it before and died; its run may be kept. */
  | { kind: 'claimed'; connection: StoredConnection; takeover: boolean; token: string }
  | { kind: 'duplicate' }
  | { kind: 'superseded' }
  | { kind: 'busy' }
  | { kind: 'gone' };

/** The run's event mark once EventBridge took the event. */
const EVENT_SENT = 'sent';

export function connectionStore(client: DynamoDBClient, table: string, counter?: OpCounter) {
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const read = () => counter && counter.reads++;
  const write = () => counter && counter.writes++;
  /** One conditional UpdateItem, counted as a write: false when its condition did not hold. */
  const updateIf = (key: Record<string, string>, update: Omit<UpdateCommandInput, 'TableName' | 'Key'>) => {
    write();
    return conditionally(doc.send(new UpdateCommand({ TableName: table, Key: key, ...update })));
  };
  const strip = (item: Record<string, unknown> | undefined): StoredConnection | undefined => {
    if (!item) return undefined;
    const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, ...rest } = item;
    return rest as unknown as StoredConnection;
  };

  return {
    ...tenantVersions(doc, table, counter),

    async create(c: StoredConnection): Promise<void> {
      write();
      await doc.send(
        new PutCommand({
          TableName: table,
          Item: {
            ...connectionKey(c.tenantId, c.connectionId),
            gsi1pk: `S#${shardOf(c.connectionId)}`,
            gsi1sk: c.connectionId,
            ...c,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    },

    async get(tenantId: string, connectionId: string): Promise<StoredConnection | undefined> {
      read();
      const out = await doc.send(
        new GetCommand({
          TableName: table,
          Key: connectionKey(tenantId, connectionId),
          ConsistentRead: true,
        }),
      );
      return strip(out.Item);
    },

    /** A page of the tenant's connections, after the connection id given (the page token). */
    async list(tenantId: string, limit: number, after?: string) {
      read();
      const out = await doc.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :c)',
          ExpressionAttributeValues: { ':pk': `T#${tenantId}`, ':c': 'C#' },
          Limit: limit,
          ...(after ? { ExclusiveStartKey: connectionKey(tenantId, after) } : {}),
        }),
      );
      const items = (out.Items ?? []).map((i) => strip(i) as StoredConnection);
      const last = out.LastEvaluatedKey ? String(out.LastEvaluatedKey.sk).slice(2) : undefined;
      return { items, ...(last ? { next: last } : {}) };
    },

    /** Deletes the connection, its sealed secret with it. False when there was none. */
    async remove(tenantId: string, connectionId: string): Promise<boolean> {
      write();
      return conditionally(
        doc.send(
          new DeleteCommand({
            TableName: table,
            Key: connectionKey(tenantId, connectionId),
            ConditionExpression: 'attribute_exists(pk)',
          }),
        ),
      );
    },

    /**
     * Claims the connection's run for a period, and reads it, in one conditional write: a
     * redelivered message finds the period taken and does not verify twice; a period older
     * than the last one claimed never runs (periods sort as strings), so `lastPeriod` only
     * moves forward. A claim left by a run that died is taken over once stale. A deleted
     * connection is `gone`.
     */
    async claim(ref: DriftRef, now: number): Promise<Claim> {
      write();
      const token = randomUUID();
      try {
        const out = await doc.send(
          new UpdateCommand({
            TableName: table,
            Key: connectionKey(ref.tenantId, ref.connectionId),
            UpdateExpression:
              'SET lastPeriod = :p, runState = :running, claimedAt = :now, claimToken = :token',
            ConditionExpression:
              'attribute_exists(pk) AND (attribute_not_exists(lastPeriod) OR lastPeriod < :p OR (lastPeriod = :p AND runState = :running AND claimedAt < :stale))',
            ExpressionAttributeValues: {
              ':p': ref.period,
              ':running': 'running',
              ':now': now,
              ':stale': now - STALE_CLAIM_MS,
              ':token': token,
            },
            // The item as it was: whether this takes over a claim of the same period shows there.
            ReturnValues: 'ALL_OLD',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        const before = strip(out.Attributes);
        if (!before) return { kind: 'gone' };
        return {
          kind: 'claimed',
          connection: {
            ...before,
            lastPeriod: ref.period,
            runState: 'running',
            claimedAt: now,
            claimToken: token,
          },
          takeover: before.lastPeriod === ref.period,
          token,
        };
      } catch (err) {
        if (!(err instanceof ConditionalCheckFailedException)) throw err;
        // DynamoDB returns the item that failed the condition (as attribute values); a store
        // that does not (dynalite) costs one read, on this rare path only.
        const item = err.Item ? strip(unmarshall(err.Item)) : await this.get(ref.tenantId, ref.connectionId);
        if (!item) return { kind: 'gone' };
        // Its own claim: the SDK sent the claim again after the first answer was lost. Taken as
        // a takeover, since what the first attempt's answer would have said is unknown.
        if (item.claimToken === token) return { kind: 'claimed', connection: item, takeover: true, token };
        if (item.lastPeriod !== undefined && item.lastPeriod > ref.period) return { kind: 'superseded' };
        return item.runState === 'running' ? { kind: 'busy' } : { kind: 'duplicate' };
      }
    },

    /** The run, kept as history until its TTL; the period's run already kept, if any, stays. */
    async addRun(tenantId: string, connectionId: string, run: RunRecord, ttlDays: number): Promise<boolean> {
      write();
      return conditionally(
        doc.send(
          new PutCommand({
            TableName: table,
            Item: {
              ...runKey(tenantId, connectionId, run.period),
              ...run,
              expiresAt: Math.floor(Date.parse(run.startedAt) / 1000) + ttlDays * 86_400,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
    },

    /** The run kept for a period. */
    async run(tenantId: string, connectionId: string, period: string): Promise<RunRecord | undefined> {
      read();
      const out = await doc.send(
        new GetCommand({
          TableName: table,
          Key: runKey(tenantId, connectionId, period),
          ConsistentRead: true,
        }),
      );
      if (!out.Item) return undefined;
      const { pk: _pk, sk: _sk, expiresAt: _e, published: _p, publishingAt: _pa, ...run } = out.Item;
      return run as RunRecord;
    },

    /**
     * Claims the period's change event for publishing, on its run: the deterministic key
     * (connection and period) checked before PutEvents. Otherwise: `sent` (published and
     * confirmed), `pending` (another delivery is publishing it now) or `stale` (a delivery died
     * publishing it: whether EventBridge took it is unknown, so it is not sent again).
     */
    async claimEvent(
      tenantId: string,
      connectionId: string,
      period: string,
      token: string,
      now: number,
    ): Promise<'claimed' | 'sent' | 'pending' | 'stale'> {
      const claimed = await updateIf(runKey(tenantId, connectionId, period), {
        UpdateExpression: 'SET published = :t, publishingAt = :now',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(published)',
        ExpressionAttributeValues: { ':t': token, ':now': now },
      });
      if (claimed) return 'claimed';
      read();
      const out = await doc.send(
        new GetCommand({
          TableName: table,
          Key: runKey(tenantId, connectionId, period),
          ConsistentRead: true,
        }),
      );
      if (out.Item?.published === EVENT_SENT) return 'sent';
      // Its own mark: the SDK sent the claim again after its first answer was lost.
      if (out.Item?.published === token) return 'claimed';
      return Number(out.Item?.publishingAt ?? 0) < now - STALE_CLAIM_MS ? 'stale' : 'pending';
    },

    /** EventBridge took the event: no delivery sends it again. */
    async confirmEvent(tenantId: string, connectionId: string, period: string, token: string): Promise<void> {
      await updateIf(runKey(tenantId, connectionId, period), {
        UpdateExpression: 'SET published = :sent',
        ConditionExpression: 'published = :t',
        ExpressionAttributeValues: { ':t': token, ':sent': EVENT_SENT },
      });
    },

    /** Gives the event back when EventBridge refused it, so that the next delivery publishes it. */
    async releaseEvent(tenantId: string, connectionId: string, period: string, token: string): Promise<void> {
      await updateIf(runKey(tenantId, connectionId, period), {
        UpdateExpression: 'REMOVE published, publishingAt',
        ConditionExpression: 'published = :t',
        ExpressionAttributeValues: { ':t': token },
      });
    },

    /** A run kept for a connection deleted while it ran. */
    async removeRun(tenantId: string, connectionId: string, period: string): Promise<void> {
      write();
      await doc.send(new DeleteCommand({ TableName: table, Key: runKey(tenantId, connectionId, period) }));
    },

    /**
     * Deletes every run of the connection, a page of keys at a time, in batches of 25; what
     * DynamoDB leaves unprocessed is sent again with a growing pause, a bounded number of times,
     * then the whole call fails (a repeated DELETE finishes the job). Returns how many went.
     */
    async removeHistory(tenantId: string, connectionId: string): Promise<number> {
      let removed = 0;
      let startKey: Record<string, unknown> | undefined;
      do {
        read();
        const page = await doc.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': historyPk(tenantId, connectionId) },
            ProjectionExpression: 'pk, sk',
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        );
        const keys = (page.Items ?? []).map((i) => ({ pk: i.pk, sk: i.sk }));
        for (let i = 0; i < keys.length; i += BATCH) {
          let pending = keys.slice(i, i + BATCH).map((Key) => ({ DeleteRequest: { Key } }));
          for (let attempt = 0; pending.length > 0; attempt++) {
            if (attempt === BATCH_ATTEMPTS)
              throw new Error(
                `${pending.length} runs of the history left unprocessed after ${attempt} attempts`,
              );
            if (attempt > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
            write();
            const out = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
            const left = (out.UnprocessedItems?.[table] ?? []) as typeof pending;
            removed += pending.length - left.length;
            pending = left;
          }
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return removed;
    },

    /**
     * Gives up a claim after a failed run (a refused PutEvents, a throttled write), so that the
     * message's next delivery takes the period over at once instead of waiting out the stale
     * limit: only a worker that died leaves its claim to go stale.
     */
    async release(tenantId: string, connectionId: string, token: string): Promise<void> {
      await updateIf(connectionKey(tenantId, connectionId), {
        UpdateExpression: 'SET claimedAt = :released',
        ConditionExpression: 'claimToken = :token AND runState = :running',
        ExpressionAttributeValues: { ':released': 0, ':token': token, ':running': 'running' },
      });
    },

    /**
     * What the next run compares against, written only by the delivery that holds the claim:
     * `lost` when a takeover claimed the period since (it finishes it), `gone` when the
     * connection was deleted meanwhile.
     */
    async finish(
      tenantId: string,
      connectionId: string,
      run: RunRecord,
      token: string,
    ): Promise<'done' | 'lost' | 'gone'> {
      const done = await updateIf(connectionKey(tenantId, connectionId), {
        UpdateExpression: 'SET lastStatus = :s, lastChecks = :c, lastRunAt = :at, runState = :done',
        ConditionExpression: 'attribute_exists(pk) AND claimToken = :token',
        ExpressionAttributeValues: {
          ':s': run.status,
          ':c': checksOf(run),
          ':at': run.startedAt,
          ':done': 'done',
          ':token': token,
        },
      });
      if (done) return 'done';
      return (await this.get(tenantId, connectionId)) ? 'lost' : 'gone';
    },

    async history(tenantId: string, connectionId: string, limit: number): Promise<RunRecord[]> {
      read();
      const out = await doc.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': historyPk(tenantId, connectionId) },
          ScanIndexForward: false,
          Limit: limit,
        }),
      );
      return (out.Items ?? []).map(
        ({ pk: _pk, sk: _sk, expiresAt: _e, published: _p, publishingAt: _pa, ...run }) => run as RunRecord,
      );
    },

    /** One page of a shard of the due list: references only. */
    async duePage(shard: number, startKey?: Record<string, unknown>) {
      read();
      const out = await doc.send(
        new QueryCommand({
          TableName: table,
          IndexName: BY_SHARD,
          KeyConditionExpression: 'gsi1pk = :s',
          ExpressionAttributeValues: { ':s': `S#${shard}` },
          ProjectionExpression: 'tenantId, connectionId',
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      const refs = (out.Items ?? []).map((i) => ({
        tenantId: String(i.tenantId),
        connectionId: String(i.connectionId),
      }));
      return { refs, ...(out.LastEvaluatedKey ? { next: out.LastEvaluatedKey } : {}) };
    },
  };
}

export type ConnectionStore = ReturnType<typeof connectionStore>;

export const checksOf = (run: RunRecord): Record<string, string> =>
  Object.fromEntries(run.checks.map((c) => [`${c.id} ${c.target}`, c.status]));
