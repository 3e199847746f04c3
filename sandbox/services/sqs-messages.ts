import { randomUUID } from 'node:crypto';
import { type SandboxState, vendorNow, wake } from '../state.ts';
import { AwsError } from './aws.ts';
import { asArray, asObject, asString, asStrings, integer, type Json, required } from './json.ts';
import {
  attributeBytes,
  delivered,
  type MessageAttribute,
  md5,
  md5OfAttributes,
  parseMessageAttributes,
} from './sqs-attributes.ts';
import { ATTRIBUTE_RANGES, attribute, type Queue, queueByArn } from './sqs-queues.ts';

/** SQS's messages: sent, received (with visibility, long polls and redrive), deleted. */

export interface StoredMessage {
  id: string;
  body: string;
  attributes: Record<string, MessageAttribute>;
  traceHeader?: string;
  senderId: string;
  sentAt: number;
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  /** Only the latest receipt handle deletes or changes the message, as in SQS. */
  receipt?: string;
  deadLetterSourceArn?: string;
}

/** A long poll answers within this much real time even when asked for 20 s, to keep tests quick. */
const LONG_POLL_CAP_MS = 1_000;

/** How often a long poll looks again for messages whose visibility ran out in real time. */
const LONG_POLL_TICK_MS = 20;

const BATCH_ID = /^[A-Za-z0-9_-]{1,80}$/;

// The characters SQS accepts in a body: #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF.
const INVALID_BODY_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

const receiptFor = (q: Queue, m: StoredMessage) =>
  Buffer.from(`${q.arn}\n${m.id}\n${randomUUID()}`).toString('base64');

function messageOf(q: Queue, handle: string): StoredMessage | undefined {
  const [arn, id] = Buffer.from(handle, 'base64').toString().split('\n');
  if (arn !== q.arn || !id)
    throw new AwsError(
      404,
      'ReceiptHandleIsInvalid',
      `The input receipt handle "${handle}" is not a valid receipt handle.`,
    );
  return q.messages.find((m) => m.id === id);
}

/** One message of SendMessage or SendMessageBatch, checked as SQS checks it. */
export function enqueue(state: SandboxState, q: Queue, entry: Json, senderId: string) {
  const body = asString(entry.MessageBody);
  if (!body)
    throw new AwsError(400, 'MissingParameter', 'The request must contain the parameter MessageBody.');
  if (INVALID_BODY_CHAR.test(body))
    throw new AwsError(
      400,
      'InvalidMessageContents',
      'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
    );
  const attributes = parseMessageAttributes(entry.MessageAttributes);
  const max = Number(attribute(q, 'MaximumMessageSize'));
  if (Buffer.byteLength(body) + attributeBytes(attributes) > max)
    throw new AwsError(
      400,
      'InvalidParameterValue',
      `One or more parameters are invalid. Reason: Message must be shorter than ${max} bytes.`,
    );
  const delay =
    integer(entry, 'DelaySeconds', ATTRIBUTE_RANGES.DelaySeconds as [number, number]) ??
    Number(attribute(q, 'DelaySeconds'));
  const trace = asString(asObject(asObject(entry.MessageSystemAttributes)?.AWSTraceHeader)?.StringValue);
  const at = vendorNow(state);
  const m: StoredMessage = {
    id: randomUUID(),
    body,
    attributes,
    senderId,
    sentAt: at,
    visibleAt: at + delay * 1000,
    receiveCount: 0,
    ...(trace ? { traceHeader: trace } : {}),
  };
  q.messages.push(m);
  wake(state);
  const attributesMd5 = md5OfAttributes(attributes);
  return {
    MessageId: m.id,
    MD5OfMessageBody: md5(body),
    ...(attributesMd5 ? { MD5OfMessageAttributes: attributesMd5 } : {}),
  };
}

/** The checks SQS makes of a whole batch before it looks at any entry. */
export function batchEntries(input: Json, maxBytes?: number): Json[] {
  const entries = (asArray(input.Entries) ?? []).map((e) => asObject(e) ?? {});
  if (entries.length === 0)
    throw new AwsError(400, 'EmptyBatchRequest', 'There should be at least one entry in the request.');
  if (entries.length > 10)
    throw new AwsError(
      400,
      'TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are 10. You have sent ${entries.length}.`,
    );
  const ids = entries.map((e) => asString(e.Id) ?? '');
  const bad = ids.find((id) => !BATCH_ID.test(id));
  if (bad !== undefined)
    throw new AwsError(
      400,
      'InvalidBatchEntryId',
      'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
    );
  const repeated = ids.find((id, i) => ids.indexOf(id) !== i);
  if (repeated !== undefined) throw new AwsError(400, 'BatchEntryIdsNotDistinct', `Id ${repeated} repeated.`);
  if (maxBytes !== undefined) {
    const total = entries.reduce(
      (n, e) =>
        n +
        Buffer.byteLength(asString(e.MessageBody) ?? '') +
        attributeBytes(parseLenient(e.MessageAttributes)),
      0,
    );
    if (total > maxBytes)
      throw new AwsError(
        400,
        'BatchRequestTooLong',
        `Batch requests cannot be longer than ${maxBytes} bytes. You have sent ${total} bytes.`,
      );
  }
  return entries;
}

const parseLenient = (raw: unknown) => {
  try {
    return parseMessageAttributes(raw);
  } catch {
    return {};
  }
};

/** Runs each entry on its own: an entry's error is its own, the others go on. */
export function perEntry<T extends Json>(entries: Json[], run: (e: Json) => T) {
  const Successful: (T & { Id: string })[] = [];
  const Failed: { Id: string; SenderFault: boolean; Code: string; Message: string }[] = [];
  for (const e of entries) {
    const Id = asString(e.Id) ?? '';
    try {
      Successful.push({ Id, ...run(e) });
    } catch (err) {
      if (!(err instanceof AwsError)) throw err;
      Failed.push({ Id, SenderFault: err.status < 500, Code: err.code, Message: err.message });
    }
  }
  return { Successful, Failed };
}

export async function receiveMessage(state: SandboxState, q: Queue, input: Json) {
  const max = integer(input, 'MaxNumberOfMessages', [1, 10]) ?? 1;
  const visibility =
    integer(input, 'VisibilityTimeout', ATTRIBUTE_RANGES.VisibilityTimeout as [number, number]) ??
    Number(attribute(q, 'VisibilityTimeout'));
  const wait =
    integer(input, 'WaitTimeSeconds', [0, 20]) ?? Number(attribute(q, 'ReceiveMessageWaitTimeSeconds'));
  const deadline = Date.now() + Math.min(wait * 1000, LONG_POLL_CAP_MS);
  let taken = take(state, q, max, visibility);
  while (
    taken.length === 0 &&
    !state.closed &&
    Date.now() < deadline &&
    state.queues.get(`${q.account}/${q.name}`)
  ) {
    await pause(state, deadline);
    taken = take(state, q, max, visibility);
  }
  const systemNames = [...asStrings(input.MessageSystemAttributeNames), ...asStrings(input.AttributeNames)];
  const attributeNames = asStrings(input.MessageAttributeNames);
  return taken.length ? { Messages: taken.map((m) => delivered(m, systemNames, attributeNames)) } : {};
}

/** Takes what can be delivered now; a message received maxReceiveCount times goes to the DLQ instead. */
function take(state: SandboxState, q: Queue, max: number, visibility: number): StoredMessage[] {
  const at = vendorNow(state);
  const redrive = q.attributes.RedrivePolicy ? redriveOf(q.attributes.RedrivePolicy) : undefined;
  const taken: StoredMessage[] = [];
  for (const m of [...q.messages]) {
    if (taken.length >= max) break;
    if (m.visibleAt > at) continue;
    const dlq = redrive ? queueByArn(state, redrive.targetArn) : undefined;
    if (redrive && dlq && m.receiveCount >= redrive.maxReceiveCount) {
      q.messages.splice(q.messages.indexOf(m), 1);
      const { receipt: _stale, ...rest } = m;
      dlq.messages.push({ ...rest, visibleAt: at, deadLetterSourceArn: q.arn });
      wake(state);
      continue;
    }
    m.receiveCount++;
    m.firstReceivedAt ??= at;
    m.receipt = receiptFor(q, m);
    m.visibleAt = at + visibility * 1000;
    taken.push(m);
  }
  return taken;
}

const redriveOf = (text: string) => {
  const parsed = asObject(JSON.parse(text)) ?? {};
  return {
    targetArn: asString(parsed.deadLetterTargetArn) ?? '',
    maxReceiveCount: Number(parsed.maxReceiveCount),
  };
};

/** Waits until something may have become deliverable, or the deadline. */
const pause = (state: SandboxState, deadline: number) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      state.waiters.delete(done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, Math.min(LONG_POLL_TICK_MS, deadline - Date.now())));
    state.waiters.add(done);
  });

/** A stale receipt handle succeeds and deletes nothing: the message was received again since. */
export function deleteMessage(q: Queue, handle: string) {
  const m = messageOf(q, handle);
  if (m && m.receipt === handle) q.messages.splice(q.messages.indexOf(m), 1);
}

export function changeVisibility(state: SandboxState, q: Queue, input: Json) {
  const handle = required(input, 'ReceiptHandle');
  const timeout = integer(input, 'VisibilityTimeout', ATTRIBUTE_RANGES.VisibilityTimeout as [number, number]);
  if (timeout === undefined)
    throw new AwsError(400, 'MissingParameter', 'The request must contain the parameter VisibilityTimeout.');
  const m = messageOf(q, handle);
  if (!m || m.receipt !== handle || m.visibleAt <= vendorNow(state))
    throw new AwsError(400, 'MessageNotInflight', 'Message is not in flight.');
  m.visibleAt = vendorNow(state) + timeout * 1000;
  wake(state);
}
