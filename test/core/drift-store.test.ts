import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { connectionStore } from '../../src/core/drift/store.ts';

const doc = mockClient(DynamoDBDocumentClient);
const TABLE = 'connections';
const keys = (n: number) => Array.from({ length: n }, (_, i) => ({ pk: 'H#t#c', sk: `R#2026-10-${i}` }));

describe('removeHistory', () => {
  beforeEach(() => {
    doc.reset();
    vi.useRealTimers();
  });

  it('deletes every page in batches of 25, sending again what DynamoDB left unprocessed', async () => {
    // Prepare: two pages (60 + 5 runs); the first batch comes back with 3 unprocessed once.
    doc
      .on(QueryCommand)
      .resolvesOnce({ Items: keys(60), LastEvaluatedKey: { pk: 'H#t#c', sk: 'R#2026-10-59' } })
      .resolvesOnce({ Items: keys(5) });
    const leftOver = keys(3).map((Key) => ({ DeleteRequest: { Key } }));
    doc
      .on(BatchWriteCommand)
      .resolvesOnce({ UnprocessedItems: { [TABLE]: leftOver } })
      .resolves({ UnprocessedItems: {} });
    const store = connectionStore(new DynamoDBClient({ region: 'us-east-1' }), TABLE);

    // Act
    const removed = await store.removeHistory('t', 'c');

    // Assess: 25 + 25 + 10 + 5, plus the 3 sent again alone.
    expect(removed).toBe(65);
    const batches = doc
      .commandCalls(BatchWriteCommand)
      .map((c) => c.args[0].input.RequestItems?.[TABLE]?.length);
    expect(batches).toEqual([25, 3, 25, 10, 5]);
    expect(doc.commandCalls(QueryCommand)[1]?.args[0].input.ExclusiveStartKey).toEqual({
      pk: 'H#t#c',
      sk: 'R#2026-10-59',
    });
  });

  it('gives up after five attempts when DynamoDB keeps leaving items unprocessed', async () => {
    doc.on(QueryCommand).resolves({ Items: keys(2) });
    doc
      .on(BatchWriteCommand)
      .resolves({ UnprocessedItems: { [TABLE]: keys(1).map((Key) => ({ DeleteRequest: { Key } })) } });
    const store = connectionStore(new DynamoDBClient({ region: 'us-east-1' }), TABLE);

    await expect(store.removeHistory('t', 'c')).rejects.toThrow(
      '1 runs of the history left unprocessed after 5 attempts',
    );
    expect(doc.commandCalls(BatchWriteCommand)).toHaveLength(5);
  });
});

describe('claimEvent', () => {
  beforeEach(() => doc.reset());
  const failed = () =>
    new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

  it('knows its own mark when the SDK sent the claim again after a lost answer', async () => {
    // The first attempt wrote `published = token`; its retry fails the condition on that write.
    doc.on(UpdateCommand).rejects(failed());
    doc.on(GetCommand).resolves({ Item: { published: 'token-1', publishingAt: 1_000 } });
    const store = connectionStore(new DynamoDBClient({ region: 'us-east-1' }), TABLE);
    expect(await store.claimEvent('t', 'c', '2026-12-02', 'token-1', 2_000)).toBe('claimed');
    expect(await store.claimEvent('t', 'c', '2026-12-02', 'token-2', 2_000)).toBe('pending');
  });
});

describe('claim', () => {
  beforeEach(() => doc.reset());
  const ref = { tenantId: 't', connectionId: 'c', period: '2026-12-02' };

  it('knows its own claim when the SDK sent it again after a lost answer, from the item DynamoDB returns', async () => {
    // The first attempt claimed the period; its retry fails the condition on that very claim.
    doc.on(UpdateCommand).callsFake((input: { ExpressionAttributeValues: Record<string, unknown> }) => {
      const token = String(input.ExpressionAttributeValues[':token']);
      throw new ConditionalCheckFailedException({
        message: 'The conditional request failed',
        $metadata: {},
        Item: {
          pk: { S: 'T#t' },
          sk: { S: 'C#c' },
          tenantId: { S: 't' },
          connectionId: { S: 'c' },
          lastPeriod: { S: ref.period },
          runState: { S: 'running' },
          claimedAt: { N: '900' },
          claimToken: { S: token },
        },
      });
    });
    const store = connectionStore(new DynamoDBClient({ region: 'us-east-1' }), TABLE);
    const claim = await store.claim(ref, 1_000);
    expect(claim).toMatchObject({
      kind: 'claimed',
      takeover: true,
      connection: {
        tenantId: 't',
        connectionId: 'c',
        lastPeriod: ref.period,
        runState: 'running',
        claimedAt: 900,
      },
    });
    if (claim.kind === 'claimed') expect(claim.connection).not.toHaveProperty('pk');
    // The item came with the refusal: nothing is read again.
    expect(doc.commandCalls(GetCommand)).toHaveLength(0);
  });

  it('reads the item when the store returns none with the refusal (dynalite), and knows its claim there too', async () => {
    doc.on(UpdateCommand).callsFake((input: { ExpressionAttributeValues: Record<string, unknown> }) => {
      const token = String(input.ExpressionAttributeValues[':token']);
      doc.on(GetCommand).resolves({
        Item: {
          pk: 'T#t',
          sk: 'C#c',
          tenantId: 't',
          connectionId: 'c',
          lastPeriod: ref.period,
          runState: 'running',
          claimToken: token,
        },
      });
      throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    });
    const store = connectionStore(new DynamoDBClient({ region: 'us-east-1' }), TABLE);
    expect(await store.claim(ref, 1_000)).toMatchObject({ kind: 'claimed', takeover: true });
    expect(doc.commandCalls(GetCommand)).toHaveLength(1);
  });

  it('is busy when another delivery holds the claim', async () => {
    doc.on(UpdateCommand).rejects(
      new ConditionalCheckFailedException({
        message: 'The conditional request failed',
        $metadata: {},
        Item: { runState: { S: 'running' }, lastPeriod: { S: ref.period }, claimToken: { S: 'another' } },
      }),
    );
    const store = connectionStore(new DynamoDBClient({ region: 'us-east-1' }), TABLE);
    expect(await store.claim(ref, 1_000)).toEqual({ kind: 'busy' });
  });
});
