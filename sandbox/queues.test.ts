import { createHash } from 'node:crypto';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { drain, pollQueue } from './event-source.ts';
import { type Sandbox, startSandbox } from './server.ts';
import { VENDOR_ACCOUNT, vendor, type World } from './world.ts';

/** The vendor's queues and bus, through the real SQS and EventBridge clients. */
const world: World = { name: 'queues', description: 'the vendor’s own infrastructure', vendor: vendor() };
const v = vendor();
const credentials = {
  accessKeyId: v.accessKeyId,
  secretAccessKey: v.secretAccessKey,
  sessionToken: v.sessionToken,
};

let sandbox: Sandbox;
const sqs = (maxAttempts = 1, secretAccessKey = credentials.secretAccessKey) =>
  new SQSClient({
    region: 'us-east-1',
    endpoint: sandbox.url,
    credentials: { ...credentials, secretAccessKey },
    maxAttempts,
  });
const events = (maxAttempts = 1) =>
  new EventBridgeClient({ region: 'us-east-1', endpoint: sandbox.url, credentials, maxAttempts });

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const failure = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    const e = err as { name: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected a failure');
};
const createQueue = async (name: string, attributes: Record<string, string> = {}) =>
  (await sqs().send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl ?? '';
const counts = async (url: string) =>
  (
    await sqs().send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    )
  ).Attributes;

beforeAll(async () => {
  sandbox = await startSandbox({ world });
  // pollQueue without a client signs with the environment's credentials, as the worker would.
  process.env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
  process.env.AWS_SESSION_TOKEN = credentials.sessionToken;
  delete process.env.AWS_PROFILE;
});
beforeEach(() => {
  sandbox.setWorld(world);
  sandbox.setFaults([]);
  sandbox.queues.reset();
  sandbox.events.length = 0;
});
afterAll(async () => {
  await sandbox.close();
});

describe('SQS in the sandbox, through the real SDK', () => {
  it('creates, finds, sends, receives and deletes in batches', async () => {
    const url = await createQueue('drift-jobs');
    expect(url).toBe(`${sandbox.url}/${VENDOR_ACCOUNT}/drift-jobs`);
    expect(await createQueue('drift-jobs')).toBe(url);
    expect((await sqs().send(new GetQueueUrlCommand({ QueueName: 'drift-jobs' }))).QueueUrl).toBe(url);
    expect(
      (await sqs().send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] })))
        .Attributes?.QueueArn,
    ).toBe(`arn:aws:sqs:us-east-1:${VENDOR_ACCOUNT}:drift-jobs`);

    const bodies = ['{"tenant":"t-1"}', '{"tenant":"t-2"}', 'ünïcödé ✓ 𝄞'];
    const sent = await sqs().send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: bodies.map((b, i) => ({ Id: `e${i}`, MessageBody: b })),
      }),
    );
    expect(sent.Failed ?? []).toEqual([]);
    expect(sent.Successful?.map((s) => s.MD5OfMessageBody)).toEqual(bodies.map(md5));
    expect(await counts(url)).toEqual({
      ApproximateNumberOfMessages: '3',
      ApproximateNumberOfMessagesNotVisible: '0',
    });

    // The SDK checks MD5OfBody itself: a wrong digest would make this call throw.
    const got = await sqs().send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
      }),
    );
    expect(got.Messages?.map((m) => m.Body)).toEqual(bodies);
    expect(got.Messages?.[0]?.Attributes).toEqual({
      ApproximateReceiveCount: '1',
      SentTimestamp: expect.stringMatching(/^\d{13}$/),
    });
    expect(await counts(url)).toEqual({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '3',
    });

    const deleted = await sqs().send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: (got.Messages ?? []).map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })),
      }),
    );
    expect(deleted.Successful?.map((s) => s.Id)).toEqual(['d0', 'd1', 'd2']);
    expect(sandbox.queues.get('drift-jobs')?.messages).toEqual([]);
    expect((await sqs().send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toBeUndefined();
  });

  it('fails entries on their own, whole batches on theirs, and names errors as the SDK models them', async () => {
    const url = await createQueue('entries');
    const out = await sqs().send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'ok', MessageBody: 'fine' },
          { Id: 'control', MessageBody: 'bad \u0000 byte' },
          { Id: 'delay', MessageBody: 'late', DelaySeconds: 901 },
        ],
      }),
    );
    expect(out.Successful?.map((s) => s.Id)).toEqual(['ok']);
    expect(out.Failed).toEqual([
      { Id: 'control', SenderFault: true, Code: 'InvalidMessageContents', Message: expect.any(String) },
      { Id: 'delay', SenderFault: true, Code: 'InvalidParameterValue', Message: expect.any(String) },
    ]);

    const send = (entries: { Id: string; MessageBody: string }[]) =>
      sqs().send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }));
    expect(
      await failure(
        send([
          { Id: 'a', MessageBody: '1' },
          { Id: 'a', MessageBody: '2' },
        ]),
      ),
    ).toEqual({ name: 'BatchEntryIdsNotDistinct', status: 400 });
    expect(
      await failure(send(Array.from({ length: 11 }, (_, i) => ({ Id: `m${i}`, MessageBody: 'x' })))),
    ).toEqual({ name: 'TooManyEntriesInBatchRequest', status: 400 });
    expect(await failure(send([]))).toMatchObject({ name: 'EmptyBatchRequest' });
    expect(await failure(sqs().send(new GetQueueUrlCommand({ QueueName: 'missing' })))).toEqual({
      name: 'QueueDoesNotExist',
      status: 400,
    });
    expect(
      await failure(
        sqs().send(new ReceiveMessageCommand({ QueueUrl: `${sandbox.url}/${VENDOR_ACCOUNT}/missing` })),
      ),
    ).toMatchObject({ name: 'QueueDoesNotExist' });
    expect(
      await failure(sqs().send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 11 }))),
    ).toEqual({ name: 'InvalidParameterValue', status: 400 });
    expect(
      await failure(
        sqs().send(new CreateQueueCommand({ QueueName: 'entries', Attributes: { VisibilityTimeout: '5' } })),
      ),
    ).toMatchObject({ name: 'QueueNameExists' });
    // An attribute the SDK's types do not know, as a caller without them could send.
    const unknownAttribute: Record<string, string> = { Colour: 'blue' };
    expect(
      await failure(sqs().send(new CreateQueueCommand({ QueueName: 'odd', Attributes: unknownAttribute }))),
    ).toEqual({ name: 'InvalidAttributeName', status: 400 });
    expect(
      await failure(
        sqs().send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: 'not-a-receipt-handle' })),
      ),
    ).toEqual({ name: 'ReceiptHandleIsInvalid', status: 404 });
    expect(await failure(sqs(1, 'wrong').send(new GetQueueUrlCommand({ QueueName: 'entries' })))).toEqual({
      name: 'SignatureDoesNotMatch',
      status: 403,
    });
  });

  it('gives message attributes back with the digest the SDK expects', async () => {
    const url = await createQueue('attributes');
    const attributes = {
      tenant: { DataType: 'String', StringValue: 't-1' },
      attempt: { DataType: 'Number', StringValue: '3' },
      blob: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2, 3]) },
    };
    const sent = await sqs().send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: 'with attributes',
        MessageAttributes: attributes,
      }),
    );
    const got = await sqs().send(
      new ReceiveMessageCommand({ QueueUrl: url, MessageAttributeNames: ['All'] }),
    );
    const m = got.Messages?.[0];
    expect(m?.MD5OfBody).toBe(md5('with attributes'));
    expect(m?.MD5OfMessageAttributes).toBe(sent.MD5OfMessageAttributes);
    expect(m?.MessageAttributes?.tenant).toEqual({ DataType: 'String', StringValue: 't-1' });
    expect([...(m?.MessageAttributes?.blob?.BinaryValue ?? [])]).toEqual([1, 2, 3]);
  });

  it('hides a received message for its visibility timeout, on the sandbox clock, then redelivers it', async () => {
    const url = await createQueue('visibility', { VisibilityTimeout: '30' });
    await sqs().send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'job' }));
    const receive = () =>
      sqs().send(new ReceiveMessageCommand({ QueueUrl: url, MessageSystemAttributeNames: ['All'] }));
    const first = (await receive()).Messages?.[0];
    expect(first?.Attributes?.ApproximateReceiveCount).toBe('1');
    expect((await receive()).Messages).toBeUndefined();

    sandbox.advanceClock(31_000);
    const second = (await receive()).Messages?.[0];
    expect(second?.MessageId).toBe(first?.MessageId);
    expect(second?.Attributes?.ApproximateReceiveCount).toBe('2');

    // The first receipt is stale: SQS accepts the delete and keeps the message.
    await sqs().send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first?.ReceiptHandle }));
    expect(sandbox.queues.get('visibility')?.inFlight).toBe(1);
    await sqs().send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: second?.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    const third = (await receive()).Messages?.[0];
    expect(third?.Attributes?.ApproximateReceiveCount).toBe('3');
    await sqs().send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: third?.ReceiptHandle }));
    expect(sandbox.queues.get('visibility')?.messages).toEqual([]);

    // Queues are the vendor's, not the customer's: a new world keeps them.
    await sqs().send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'kept' }));
    sandbox.setWorld(world);
    expect(sandbox.queues.get('visibility')?.visible).toBe(1);
    await sqs().send(new PurgeQueueCommand({ QueueUrl: url }));
    expect(sandbox.queues.get('visibility')?.visible).toBe(0);
  });

  it('answers a long poll as soon as a message arrives', async () => {
    const url = await createQueue('long-poll');
    const started = Date.now();
    const pending = sqs().send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }));
    setTimeout(() => void sqs().send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'late' })), 50);
    expect((await pending).Messages?.[0]?.Body).toBe('late');
    expect(Date.now() - started).toBeLessThan(1_000);
    // An empty queue answers empty within the sandbox's cap, not after 20 s.
    expect(
      (await sqs().send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }))).Messages,
    ).toBeUndefined();
  });

  it('moves a message received more than maxReceiveCount times to the dead-letter queue', async () => {
    const dlqUrl = await createQueue('jobs-dlq');
    const dlqArn = sandbox.queues.get('jobs-dlq')?.arn;
    expect(
      await failure(
        createQueue('orphan', {
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: `${dlqArn}-missing`, maxReceiveCount: 2 }),
        }),
      ),
    ).toMatchObject({ name: 'InvalidParameterValue' });
    const url = await createQueue('jobs', {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }),
    });
    const sent = await sqs().send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'poison' }));
    const receive = (queue: string) =>
      sqs().send(
        new ReceiveMessageCommand({
          QueueUrl: queue,
          VisibilityTimeout: 0,
          MessageSystemAttributeNames: ['All'],
        }),
      );
    expect((await receive(url)).Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('1');
    expect((await receive(url)).Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
    expect((await receive(url)).Messages).toBeUndefined();
    expect(sandbox.queues.get('jobs')?.messages).toEqual([]);
    const dead = (await receive(dlqUrl)).Messages?.[0];
    expect(dead?.MessageId).toBe(sent.MessageId);
    expect(dead?.Body).toBe('poison');
    expect(dead?.Attributes?.DeadLetterQueueSourceArn).toBe(sandbox.queues.get('jobs')?.arn);
  });

  it('is retried by the SDK on an injected 503', async () => {
    const url = await createQueue('faulty');
    sandbox.setFaults([
      {
        service: 'sqs',
        operation: 'SendMessage',
        error: { status: 503, code: 'ServiceUnavailable' },
        times: 1,
      },
    ]);
    expect(
      (await sqs(3).send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'retried' }))).MD5OfMessageBody,
    ).toBe(md5('retried'));
    expect(
      sandbox.requests
        .filter((r) => r.service === 'sqs' && r.operation === 'SendMessage')
        .map((r) => r.status)
        .slice(-2),
    ).toEqual([503, 200]);
    expect(sandbox.queues.get('faulty')?.visible).toBe(1);

    sandbox.setFaults([
      { service: 'sqs', operation: 'ReceiveMessage', error: { status: 503, code: 'ServiceUnavailable' } },
    ]);
    expect(await failure(sqs(1).send(new ReceiveMessageCommand({ QueueUrl: url })))).toEqual({
      name: 'ServiceUnavailable',
      status: 503,
    });
  });
});

describe('EventBridge capture', () => {
  it('records accepted entries, fails bad ones on their own, and refuses more than ten', async () => {
    const detail = JSON.stringify({ tenant: 't-1', drift: ['s3.write'] });
    const out = await events().send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'aws-access-verifier',
            DetailType: 'AccessDrifted',
            Detail: detail,
            EventBusName: 'vendor-bus',
            Resources: ['arn:aws:iam::111122223333:role/VendorAccess'],
            Time: new Date('2026-11-22T10:00:00Z'),
          },
          { Source: 'aws-access-verifier', DetailType: 'AccessDrifted', Detail: 'not json' },
          {
            Source: 'aws-access-verifier',
            DetailType: 'Huge',
            Detail: JSON.stringify({ x: 'x'.repeat(262_144) }),
          },
        ],
      }),
    );
    expect(out.FailedEntryCount).toBe(2);
    expect(out.Entries?.map((e) => e.ErrorCode)).toEqual([undefined, 'MalformedDetail', 'InvalidArgument']);
    expect(sandbox.events).toEqual([
      {
        eventId: out.Entries?.[0]?.EventId,
        source: 'aws-access-verifier',
        detailType: 'AccessDrifted',
        detail,
        eventBusName: 'vendor-bus',
        resources: ['arn:aws:iam::111122223333:role/VendorAccess'],
        time: '2026-11-22T10:00:00.000Z',
        region: 'us-east-1',
        account: VENDOR_ACCOUNT,
      },
    ]);
    const viaAdmin = (await (await fetch(`${sandbox.url}/__sandbox/events`)).json()) as unknown[];
    expect(viaAdmin).toHaveLength(1);

    const many = Array.from({ length: 11 }, () => ({ Source: 's', DetailType: 'd', Detail: '{}' }));
    expect(await failure(events().send(new PutEventsCommand({ Entries: many })))).toEqual({
      name: 'ValidationException',
      status: 400,
    });
    sandbox.setFaults([{ service: 'events', error: { status: 503, code: 'ServiceUnavailable' }, times: 1 }]);
    await events(3).send(new PutEventsCommand({ Entries: [{ Source: 's', DetailType: 'd', Detail: '{}' }] }));
    expect(sandbox.events).toHaveLength(2);
  });
});

describe('the local event source mapping', () => {
  it('deletes what the handler did not report as failed, and redelivers the rest', async () => {
    const url = await createQueue('worker', { VisibilityTimeout: '30' });
    await sqs().send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: ['a', 'b', 'c', 'd'].map((t) => ({ Id: t, MessageBody: JSON.stringify({ tenant: t }) })),
      }),
    );
    const seen: SQSEvent[] = [];
    const failB = async (event: SQSEvent): Promise<SQSBatchResponse> => {
      seen.push(event);
      return {
        batchItemFailures: event.Records.filter((r) => r.body.includes('"b"')).map((r) => ({
          itemIdentifier: r.messageId,
        })),
      };
    };
    const first = await pollQueue({ sqs: sqs(), queueUrl: url, handler: failB, batchSize: 10 });
    expect(first).toMatchObject({ batches: 1, received: 4, stopped: 'maxBatches' });
    expect(first.deleted).toHaveLength(3);
    expect(first.failed).toHaveLength(1);
    const record = seen[0]?.Records[0];
    expect(record).toMatchObject({
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:us-east-1:${VENDOR_ACCOUNT}:worker`,
      awsRegion: 'us-east-1',
      md5OfBody: md5('{"tenant":"a"}'),
      attributes: { ApproximateReceiveCount: '1', SenderId: expect.any(String) },
    });
    expect(sandbox.queues.get('worker')).toMatchObject({ visible: 0, inFlight: 1 });

    // Nothing to take until the failure's visibility timeout runs out.
    expect(await pollQueue({ queueUrl: url, handler: failB, region: 'us-east-1' })).toMatchObject({
      batches: 0,
      stopped: 'empty',
    });
    sandbox.advanceClock(30_000);
    const throwing = async () => {
      throw new Error('downstream unavailable');
    };
    const second = await pollQueue({ sqs: sqs(), queueUrl: url, handler: throwing });
    expect(second).toMatchObject({ received: 1, deleted: [], failed: first.failed });
    expect(second.errors).toHaveLength(1);

    // A response Lambda cannot read fails the whole batch, as in Lambda.
    sandbox.advanceClock(30_000);
    const unknownId = async () => ({ batchItemFailures: [{ itemIdentifier: 'not-in-batch' }] });
    expect(await pollQueue({ sqs: sqs(), queueUrl: url, handler: unknownId })).toMatchObject({ deleted: [] });

    const attempts: string[] = [];
    const result = await drain({
      sqs: sqs(),
      queueUrl: url,
      handler: async (event: SQSEvent) => {
        attempts.push(...event.Records.map((r) => r.attributes.ApproximateReceiveCount));
      },
      idle: () => sandbox.advanceClock(30_000),
    });
    expect(result).toMatchObject({ drained: true, remaining: 0, deleted: first.failed });
    expect(attempts).toEqual(['4']);
  });

  it('stops draining at its bound when a message keeps failing and has nowhere to go', async () => {
    const url = await createQueue('stuck', { VisibilityTimeout: '0' });
    await sqs().send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'poison' }));
    const result = await drain({
      sqs: sqs(),
      queueUrl: url,
      handler: async () => {
        throw new Error('always');
      },
      maxIterations: 5,
    });
    expect(result).toMatchObject({ drained: false, remaining: 1, batches: 5 });
    expect(sandbox.queues.get('stuck')?.messages[0]?.receiveCount).toBe(5);
  });

  it('polls until a condition holds', async () => {
    const url = await createQueue('until');
    const bodies: string[] = [];
    setTimeout(
      () => void sqs().send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'eventually' })),
      50,
    );
    const out = await pollQueue({
      sqs: sqs(),
      queueUrl: url,
      handler: async (event: SQSEvent) => {
        bodies.push(...event.Records.map((r) => r.body));
      },
      until: () => bodies.length > 0,
    });
    expect(out).toMatchObject({ stopped: 'until', batches: 1 });
    expect(bodies).toEqual(['eventually']);
  });
});
