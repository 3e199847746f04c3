import { randomUUID } from 'node:crypto';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type {
  Callback,
  Context,
  SQSBatchResponse,
  SQSEvent,
  SQSMessageAttributes,
  SQSRecord,
  SQSRecordAttributes,
} from 'aws-lambda';

/**
 * A local Lambda event source mapping for SQS, with `ReportBatchItemFailures` on: what the
 * deployed worker sees, driven by the tests through the real SDK against the sandbox's queues.
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
 */

/** Any SQS Lambda handler: `SQSHandler`, a middy handler, or a plain async function. */
export type SqsBatchHandler = (
  event: SQSEvent,
  context: Context,
  callback: Callback<SQSBatchResponse | undefined>,
) => unknown;

export interface QueueSource {
  queueUrl: string;
  /** The client to poll with; without it, one for `endpoint` with the environment's credentials. */
  sqs?: SQSClient;
  /** Default: the queue URL's origin (the sandbox). */
  endpoint?: string;
  /** Default: AWS_REGION, else us-east-1. */
  region?: string;
}

export interface PollOptions extends QueueSource {
  handler: SqsBatchHandler;
  /** Messages per invocation, 1–10 (default 10). */
  batchSize?: number;
  /** Overrides the queue's visibility timeout for what this poller receives. */
  visibilityTimeout?: number;
  /** Long polling per receive; default 0, or 1 s when waiting on `until`. */
  waitTimeSeconds?: number;
  /** Invocations at most; default 1, or unbounded with `until`. */
  maxBatches?: number;
  /** Checked before each receive: polling stops once it holds. */
  until?: () => boolean | Promise<boolean>;
  /** How long `until` may take to hold (default 10 s). */
  timeoutMs?: number;
  functionName?: string;
}

export interface PollResult {
  /** Invocations of the handler. */
  batches: number;
  received: number;
  /** Message ids deleted after their invocation. */
  deleted: string[];
  /** Message ids left on the queue, to come back after their visibility timeout. */
  failed: string[];
  /** What the handler threw, one per failed invocation. */
  errors: unknown[];
  stopped: 'maxBatches' | 'empty' | 'until' | 'timeout';
}

export interface DrainOptions extends Omit<PollOptions, 'maxBatches' | 'until' | 'timeoutMs'> {
  /** Receives at most (default 50): a message that always fails and has no DLQ cannot loop forever. */
  maxIterations?: number;
  /** Called when a receive finds nothing while messages remain in flight: e.g. advance the sandbox's clock. */
  idle?: () => void | Promise<void>;
}

export interface DrainResult extends Omit<PollResult, 'stopped'> {
  /** Whether the queue ended with no message at all, visible, in flight or delayed. */
  drained: boolean;
  remaining: number;
}

interface Poller {
  sqs: SQSClient;
  arn: string;
  region: string;
  dispose(): void;
}

async function poller(source: QueueSource): Promise<Poller> {
  const sqs =
    source.sqs ??
    new SQSClient({
      region: source.region ?? process.env.AWS_REGION ?? 'us-east-1',
      endpoint: source.endpoint ?? new URL(source.queueUrl).origin,
    });
  const out = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: source.queueUrl, AttributeNames: ['QueueArn'] }),
  );
  const arn = out.Attributes?.QueueArn ?? '';
  return {
    sqs,
    arn,
    region: arn.split(':')[3] ?? '',
    dispose: () => {
      if (!source.sqs) sqs.destroy();
    },
  };
}

function recordOf(m: Message, arn: string, region: string): SQSRecord {
  const a = m.Attributes ?? {};
  const attributes: SQSRecordAttributes = {
    ApproximateReceiveCount: a.ApproximateReceiveCount ?? '1',
    SentTimestamp: a.SentTimestamp ?? '',
    SenderId: a.SenderId ?? '',
    ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? '',
    ...(a.AWSTraceHeader ? { AWSTraceHeader: a.AWSTraceHeader } : {}),
    ...(a.DeadLetterQueueSourceArn ? { DeadLetterQueueSourceArn: a.DeadLetterQueueSourceArn } : {}),
  };
  // Lambda spells message attributes in camel case, binary values in base64.
  const messageAttributes: SQSMessageAttributes = {};
  for (const [name, v] of Object.entries(m.MessageAttributes ?? {})) {
    messageAttributes[name] = {
      dataType: v.DataType ?? 'String',
      stringListValues: [],
      binaryListValues: [],
      ...(v.StringValue !== undefined ? { stringValue: v.StringValue } : {}),
      ...(v.BinaryValue !== undefined ? { binaryValue: Buffer.from(v.BinaryValue).toString('base64') } : {}),
    };
  }
  return {
    messageId: m.MessageId ?? '',
    receiptHandle: m.ReceiptHandle ?? '',
    body: m.Body ?? '',
    attributes,
    messageAttributes,
    md5OfBody: m.MD5OfBody ?? '',
    ...(m.MD5OfMessageAttributes ? { md5OfMessageAttributes: m.MD5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: arn,
    awsRegion: region,
  };
}

function contextFor(functionName: string, region: string): Context {
  const deadline = Date.now() + 30_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `sandbox/[$LATEST]${randomUUID().replace(/-/g, '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * The messages to keep, read as Lambda reads a `ReportBatchItemFailures` response: nothing, null
 * or an empty list is a full success; anything it cannot make sense of fails the whole batch.
 */
function failuresOf(response: unknown, ids: string[]): string[] {
  if (response === undefined || response === null) return [];
  if (typeof response !== 'object' || Array.isArray(response)) return ids;
  const list = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) return ids;
  const failed: string[] = [];
  for (const item of list) {
    const id = (item as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !ids.includes(id)) return ids;
    failed.push(id);
  }
  return failed;
}

// Node.js 24 Lambda runtimes no longer call back: a handler that relies on it is a bug to surface.
const noCallback: Callback<SQSBatchResponse | undefined> = () => {
  throw new Error('callback-style handlers are not supported by the nodejs24.x runtime; return a promise');
};

async function pollWith(p: Poller, opts: PollOptions): Promise<PollResult> {
  const batchSize = opts.batchSize ?? 10;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10)
    throw new Error(`batchSize must be 1 to 10, not ${batchSize}`);
  const limit = opts.maxBatches ?? (opts.until ? Number.POSITIVE_INFINITY : 1);
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  const result: PollResult = {
    batches: 0,
    received: 0,
    deleted: [],
    failed: [],
    errors: [],
    stopped: 'maxBatches',
  };
  while (result.batches < limit) {
    if (opts.until && (await opts.until())) return { ...result, stopped: 'until' };
    if (opts.until && Date.now() > deadline) return { ...result, stopped: 'timeout' };
    const out = await p.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: opts.queueUrl,
        MaxNumberOfMessages: batchSize,
        WaitTimeSeconds: opts.waitTimeSeconds ?? (opts.until ? 1 : 0),
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
        ...(opts.visibilityTimeout !== undefined ? { VisibilityTimeout: opts.visibilityTimeout } : {}),
      }),
    );
    const messages = out.Messages ?? [];
    if (messages.length === 0) {
      if (opts.until) continue;
      return { ...result, stopped: 'empty' };
    }
    result.batches++;
    result.received += messages.length;
    const records = messages.map((m) => recordOf(m, p.arn, p.region));
    const ids = records.map((r) => r.messageId);
    let failed: string[];
    try {
      const response = await opts.handler(
        { Records: records },
        contextFor(opts.functionName ?? 'sandbox-sqs-consumer', p.region),
        noCallback,
      );
      failed = failuresOf(response, ids);
    } catch (err) {
      result.errors.push(err);
      failed = ids;
    }
    const done = records.filter((r) => !failed.includes(r.messageId));
    if (done.length > 0) {
      const deleted = await p.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: opts.queueUrl,
          Entries: done.map((r, i) => ({ Id: `m${i}`, ReceiptHandle: r.receiptHandle })),
        }),
      );
      if (deleted.Failed?.length)
        throw new Error(`DeleteMessageBatch failed: ${JSON.stringify(deleted.Failed)}`);
    }
    result.deleted.push(...done.map((r) => r.messageId));
    result.failed.push(...failed);
  }
  return result;
}

/**
 * Receives up to `batchSize` messages, invokes `handler` with the `SQSEvent` Lambda would build,
 * and deletes every message the response does not list in `batchItemFailures` (none if it throws).
 */
export async function pollQueue(opts: PollOptions): Promise<PollResult> {
  const p = await poller(opts);
  try {
    return await pollWith(p, opts);
  } finally {
    p.dispose();
  }
}

/** Polls one batch at a time until the queue holds no message at all, or `maxIterations` receives. */
export async function drain(opts: DrainOptions): Promise<DrainResult> {
  const p = await poller(opts);
  const total: DrainResult = {
    batches: 0,
    received: 0,
    deleted: [],
    failed: [],
    errors: [],
    drained: false,
    remaining: 0,
  };
  const count = async () => {
    const out = await p.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: opts.queueUrl,
        AttributeNames: [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
        ],
      }),
    );
    return Object.values(out.Attributes ?? {}).reduce((n, v) => n + Number(v), 0);
  };
  try {
    for (let i = 0; i < (opts.maxIterations ?? 50); i++) {
      total.remaining = await count();
      if (total.remaining === 0) return { ...total, drained: true };
      const r = await pollWith(p, { ...opts, maxBatches: 1 });
      total.batches += r.batches;
      total.received += r.received;
      total.deleted.push(...r.deleted);
      total.failed.push(...r.failed);
      total.errors.push(...r.errors);
      if (r.received === 0) await opts.idle?.();
    }
    total.remaining = await count();
    return { ...total, drained: total.remaining === 0 };
  } finally {
    p.dispose();
  }
}
