import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Sealed } from './seal.ts';
import type { ConnectionSpec, DriftRef, RunRecord } from './types.ts';

/**
 * One table, keys shaped by what is asked of it:
 *
 * | item       | pk                        | sk                      | gsi1pk     | gsi1sk            |
 * | ---------- | ------------------------- | ----------------------- | ---------- | ----------------- |
 * | connection | `T#<tenant>`              | `C#<connection id>`     | `S#<0-15>` | `<connection id>` |
 * | run        | `H#<tenant>#<connection>` | `R#<started at>`        |            |                   |
 *
 * A tenant's connections are one partition (list, get, delete); its runs one partition per
 * connection, newest first, expiring by TTL (`expiresAt`). Only connections carry the GSI keys,
 * so the sparse index `byShard` is exactly the list the dispatcher pages through, spread over
 * 16 shards it reads in parallel. Every key starts from the tenant the authorizer gave: no
 * input of a caller can name another tenant's item.
 */
export const SHARDS = 16;
export const BY_SHARD = 'byShard';

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
}

const connectionKey = (tenantId: string, connectionId: string) => ({
  pk: `T#${tenantId}`,
  sk: `C#${connectionId}`,
});
const historyPk = (tenantId: string, connectionId: string) => `H#${tenantId}#${connectionId}`;

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
 * later: if that run dies, its claim goes stale and this one takes over); `gone`: deleted.
 */
export type Claim =
  | { kind: 'claimed'; connection: StoredConnection }
  | { kind: 'duplicate' }
  | { kind: 'busy' }
  | { kind: 'gone' };

/** A run that claimed its period but never finished may be taken over after this long. */
export const STALE_CLAIM_MS = 15 * 60 * 1000;

export function connectionStore(client: DynamoDBClient, table: string, counter?: OpCounter) {
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const read = () => counter && counter.reads++;
  const write = () => counter && counter.writes++;
  const strip = (item: Record<string, unknown> | undefined): StoredConnection | undefined => {
    if (!item) return undefined;
    const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, ...rest } = item;
    return rest as unknown as StoredConnection;
  };

  return {
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
     * redelivered message finds the period taken and does not verify twice. A claim left by a
     * run that died is taken over once stale. A deleted connection is `gone`.
     */
    async claim(ref: DriftRef, now: number): Promise<Claim> {
      write();
      try {
        const out = await doc.send(
          new UpdateCommand({
            TableName: table,
            Key: connectionKey(ref.tenantId, ref.connectionId),
            UpdateExpression: 'SET lastPeriod = :p, runState = :running, claimedAt = :now',
            ConditionExpression:
              'attribute_exists(pk) AND (attribute_not_exists(lastPeriod) OR lastPeriod <> :p OR (runState = :running AND claimedAt < :stale))',
            ExpressionAttributeValues: {
              ':p': ref.period,
              ':running': 'running',
              ':now': now,
              ':stale': now - STALE_CLAIM_MS,
            },
            ReturnValues: 'ALL_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        const connection = strip(out.Attributes);
        return connection ? { kind: 'claimed', connection } : { kind: 'gone' };
      } catch (err) {
        if (!(err instanceof ConditionalCheckFailedException)) throw err;
        // DynamoDB returns the item that failed the condition (as attribute values); a store
        // that does not (dynalite) costs one read, on this rare path only.
        let state: string | undefined;
        if (err.Item) state = err.Item.runState?.S;
        else {
          const item = await this.get(ref.tenantId, ref.connectionId);
          if (!item) return { kind: 'gone' };
          state = item.runState;
        }
        return state === 'running' ? { kind: 'busy' } : { kind: 'duplicate' };
      }
    },

    /** The run, kept as history until its TTL. */
    async addRun(tenantId: string, connectionId: string, run: RunRecord, ttlDays: number): Promise<void> {
      write();
      await doc.send(
        new PutCommand({
          TableName: table,
          Item: {
            pk: historyPk(tenantId, connectionId),
            sk: `R#${run.startedAt}`,
            ...run,
            expiresAt: Math.floor(Date.parse(run.startedAt) / 1000) + ttlDays * 86_400,
          },
        }),
      );
    },

    /** What the next run compares against; nothing if the connection was deleted meanwhile. */
    async finish(tenantId: string, connectionId: string, run: RunRecord): Promise<void> {
      write();
      await conditionally(
        doc.send(
          new UpdateCommand({
            TableName: table,
            Key: connectionKey(tenantId, connectionId),
            UpdateExpression: 'SET lastStatus = :s, lastChecks = :c, lastRunAt = :at, runState = :done',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: {
              ':s': run.status,
              ':c': checksOf(run),
              ':at': run.startedAt,
              ':done': 'done',
            },
          }),
        ),
      );
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
      return (out.Items ?? []).map(({ pk: _pk, sk: _sk, expiresAt: _e, ...run }) => run as RunRecord);
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

/** A conditional write: false when its condition did not hold (the item was not there). */
async function conditionally(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return false;
    throw err;
  }
}
