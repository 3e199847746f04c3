import { createHash, randomUUID } from 'node:crypto';

/**
 * The vendor's own infrastructure in the sandbox: SQS (AWS JSON 1.0, with the query-compatible
 * error header real SQS sends), EventBridge's PutEvents (AWS JSON 1.1), whose events are
 * captured rather than routed, and SSM Parameter Store's PutParameter and GetParameterHistory
 * (AWS JSON 1.1: the external-ID secret and its versions). Both belong to the service, not to a customer, so they outlive
 * `setWorld` and nothing here evaluates IAM policies: the server has already checked the
 * signature. Queues are keyed by account and name (the URL carries no region).
 */

export interface CapturedEvent {
  eventId: string;
  source: string;
  detailType: string;
  /** As sent: a JSON text. */
  detail: string;
  eventBusName: string;
  resources: string[];
  /** ISO 8601: the entry's Time, or the sandbox's clock when it had none. */
  time: string;
  region: string;
  account: string;
}

export interface QueueMessageView {
  messageId: string;
  body: string;
  receiveCount: number;
  state: 'visible' | 'in-flight' | 'delayed';
}

export interface QueueView {
  name: string;
  url: string;
  arn: string;
  account: string;
  region: string;
  visible: number;
  inFlight: number;
  delayed: number;
  messages: QueueMessageView[];
}

export interface SandboxQueues {
  /** Every queue with its messages, oldest first. */
  list(): QueueView[];
  /** The queue of that name (in any account), if it exists. */
  get(name: string): QueueView | undefined;
  /** Deletes every queue and message: a clean slate between tests. */
  reset(): void;
}

export interface VendorReply {
  status: number;
  headers: Record<string, string>;
  body: string;
  code?: string;
}

export interface VendorCaller {
  account: string;
  userid: string;
  region: string;
}

export interface VendorServices {
  queues: SandboxQueues;
  events: CapturedEvent[];
  handle(
    service: string,
    operation: string,
    body: Buffer,
    caller: VendorCaller,
    /** PutEvents: fail every entry with this code (a fault), capturing none. */
    failEntries?: { code: string; message?: string },
  ): Promise<VendorReply>;
  /** An error (a fault, a refused signature) worded as the service words it. */
  errorReply(service: string, status: number, code: string, message: string): VendorReply;
  advanceClock(ms: number): void;
  /** Ends every long poll, so that closing the server does not wait on them. */
  close(): void;
}

type Json = Record<string, unknown>;

class ServiceError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** The SDK finds a modeled SQS error by the code of `x-amzn-query-error`, which is not always its name. */
const SQS_QUERY_CODES: Record<string, string> = {
  QueueDoesNotExist: 'AWS.SimpleQueueService.NonExistentQueue',
  QueueNameExists: 'QueueAlreadyExists',
  BatchEntryIdsNotDistinct: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
  BatchRequestTooLong: 'AWS.SimpleQueueService.BatchRequestTooLong',
  EmptyBatchRequest: 'AWS.SimpleQueueService.EmptyBatchRequest',
  InvalidBatchEntryId: 'AWS.SimpleQueueService.InvalidBatchEntryId',
  MessageNotInflight: 'AWS.SimpleQueueService.MessageNotInflight',
  TooManyEntriesInBatchRequest: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
  UnsupportedOperation: 'AWS.SimpleQueueService.UnsupportedOperation',
  PurgeQueueInProgress: 'AWS.SimpleQueueService.PurgeQueueInProgress',
};

/** One version of an SSM parameter, as GetParameterHistory describes it. */
interface ParameterVersion {
  Name: string;
  Type: string;
  Value: string;
  Version: number;
  LastModifiedDate: number;
  LastModifiedUser: string;
  Description?: string;
  KeyId?: string;
}
/** Parameter Store keeps this many versions of a parameter, deleting the oldest beyond it. */
const MAX_PARAMETER_VERSIONS = 100;
const STANDARD_VALUE_LIMIT = 4096;
const PARAMETER_TYPES = new Set(['String', 'StringList', 'SecureString']);

/** SQS's quota since August 2025 (it was 256 KiB before). */
const MAX_MESSAGE_BYTES = 1_048_576;
const MAX_EVENT_ENTRY_BYTES = 256 * 1024;
/** A long poll answers within this much real time even when asked for 20 s, to keep tests quick. */
const LONG_POLL_CAP_MS = 1_000;
/** How often a long poll looks again for messages whose visibility ran out in real time. */
const LONG_POLL_TICK_MS = 20;
const BATCH_ID = /^[A-Za-z0-9_-]{1,80}$/;
const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
// The characters SQS accepts in a body: #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF.
const INVALID_BODY_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

interface MessageAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

interface StoredMessage {
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

interface Queue {
  name: string;
  account: string;
  region: string;
  arn: string;
  url: string;
  createdAt: number;
  attributes: Record<string, string>;
  messages: StoredMessage[];
}

const ATTRIBUTE_DEFAULTS: Record<string, string> = {
  VisibilityTimeout: '30',
  DelaySeconds: '0',
  MaximumMessageSize: String(MAX_MESSAGE_BYTES),
  MessageRetentionPeriod: '345600',
  ReceiveMessageWaitTimeSeconds: '0',
};
const ATTRIBUTE_RANGES: Record<string, [number, number]> = {
  VisibilityTimeout: [0, 43_200],
  DelaySeconds: [0, 900],
  MaximumMessageSize: [1024, MAX_MESSAGE_BYTES],
  MessageRetentionPeriod: [60, 1_209_600],
  ReceiveMessageWaitTimeSeconds: [0, 20],
};
/** Accepted and kept, with no effect in the sandbox. */
const INERT_ATTRIBUTES = new Set([
  'Policy',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'SqsManagedSseEnabled',
  'RedriveAllowPolicy',
]);
const SYSTEM_ATTRIBUTES = [
  'SenderId',
  'SentTimestamp',
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
  'AWSTraceHeader',
  'DeadLetterQueueSourceArn',
];

const md5 = (data: string | Buffer) => createHash('md5').update(data).digest('hex');
const asString = (v: unknown) => (typeof v === 'string' ? v : undefined);
const asObject = (v: unknown): Json | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
const asArray = (v: unknown): unknown[] | undefined => (Array.isArray(v) ? v : undefined);
const asStrings = (v: unknown) => (asArray(v) ?? []).filter((x): x is string => typeof x === 'string');

function required(input: Json, name: string): string {
  const value = asString(input[name]);
  if (!value)
    throw new ServiceError(400, 'MissingParameter', `The request must contain the parameter ${name}.`);
  return value;
}

function integer(input: Json, name: string, [min, max]: [number, number]): number | undefined {
  const raw = input[name];
  if (raw === undefined || raw === null) return undefined;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > max)
    throw new ServiceError(
      400,
      'InvalidParameterValue',
      `Value ${String(raw)} for parameter ${name} is invalid. Reason: Must be between ${min} and ${max}, if provided.`,
    );
  return n;
}

/** SQS's digest of message attributes: sorted names, each length-prefixed with its type and value. */
function md5OfAttributes(attributes: Record<string, MessageAttribute>): string | undefined {
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const parts: Buffer[] = [];
  const field = (bytes: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    parts.push(length, bytes);
  };
  for (const name of names) {
    const a = attributes[name] as MessageAttribute;
    field(Buffer.from(name));
    field(Buffer.from(a.DataType));
    const binary = a.DataType.startsWith('Binary');
    parts.push(Buffer.from([binary ? 2 : 1]));
    field(binary ? Buffer.from(a.BinaryValue ?? '', 'base64') : Buffer.from(a.StringValue ?? ''));
  }
  return md5(Buffer.concat(parts));
}

function parseMessageAttributes(raw: unknown): Record<string, MessageAttribute> {
  const out: Record<string, MessageAttribute> = {};
  for (const [name, value] of Object.entries(asObject(raw) ?? {})) {
    const a = asObject(value) ?? {};
    const dataType = asString(a.DataType);
    if (!dataType)
      throw new ServiceError(
        400,
        'InvalidParameterValue',
        `The message attribute '${name}' must contain a DataType.`,
      );
    const stringValue = asString(a.StringValue);
    const binaryValue = asString(a.BinaryValue);
    if (stringValue === undefined && binaryValue === undefined)
      throw new ServiceError(
        400,
        'InvalidParameterValue',
        `The message attribute '${name}' must contain a non-empty message attribute value.`,
      );
    out[name] = {
      DataType: dataType,
      ...(stringValue !== undefined ? { StringValue: stringValue } : {}),
      ...(binaryValue !== undefined ? { BinaryValue: binaryValue } : {}),
    };
  }
  if (Object.keys(out).length > 10)
    throw new ServiceError(
      400,
      'InvalidParameterValue',
      'Number of message attributes exceeds the limit of 10.',
    );
  return out;
}

const attributeBytes = (attributes: Record<string, MessageAttribute>) =>
  Object.entries(attributes).reduce(
    (n, [name, a]) =>
      n +
      Buffer.byteLength(name) +
      Buffer.byteLength(a.DataType) +
      (a.BinaryValue ? Buffer.from(a.BinaryValue, 'base64').length : Buffer.byteLength(a.StringValue ?? '')),
    0,
  );

export function startVendorServices(opts: { url: () => string }): VendorServices {
  let clockOffset = 0;
  // The queues keep their own clock offset: `setWorld` rewinds the customer's clock, and a
  // message's visibility must not move backwards with it.
  const now = () => Date.now() + clockOffset;
  const queues = new Map<string, Queue>();
  const events: CapturedEvent[] = [];
  /** SSM parameters by account, region and name: every version kept, oldest first. */
  const parameters = new Map<string, ParameterVersion[]>();
  const waiters = new Set<() => void>();
  let closed = false;
  const wake = () => {
    for (const w of [...waiters]) w();
  };

  const stateOf = (m: StoredMessage, at: number): QueueMessageView['state'] =>
    m.visibleAt <= at ? 'visible' : m.receipt ? 'in-flight' : 'delayed';
  const view = (q: Queue): QueueView => {
    const at = now();
    const messages = q.messages.map((m) => ({
      messageId: m.id,
      body: m.body,
      receiveCount: m.receiveCount,
      state: stateOf(m, at),
    }));
    const count = (s: QueueMessageView['state']) => messages.filter((m) => m.state === s).length;
    return {
      name: q.name,
      url: q.url,
      arn: q.arn,
      account: q.account,
      region: q.region,
      visible: count('visible'),
      inFlight: count('in-flight'),
      delayed: count('delayed'),
      messages,
    };
  };

  const queueByUrl = (url: string): Queue => {
    let path: string;
    try {
      path = new URL(url).pathname;
    } catch {
      throw new ServiceError(404, 'InvalidAddress', `The address ${url} is not valid for this endpoint.`);
    }
    const [, account = '', name = ''] = path.split('/');
    const q = queues.get(`${account}/${name}`);
    if (!q) throw new ServiceError(400, 'QueueDoesNotExist', 'The specified queue does not exist.');
    return q;
  };
  const queueByArn = (arn: string) => [...queues.values()].find((q) => q.arn === arn);

  /** Validated attributes of CreateQueue and SetQueueAttributes, as SQS stores them: strings. */
  function queueAttributes(raw: unknown): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(asObject(raw) ?? {})) {
      const text = typeof value === 'string' ? value : String(value);
      if (name === 'FifoQueue' || name === 'ContentBasedDeduplication')
        throw new ServiceError(400, 'UnsupportedOperation', 'The sandbox does not model FIFO queues.');
      const range = ATTRIBUTE_RANGES[name];
      if (range) {
        integer({ [name]: text }, name, range);
      } else if (name === 'RedrivePolicy') {
        redrivePolicy(text);
      } else if (!INERT_ATTRIBUTES.has(name)) {
        throw new ServiceError(400, 'InvalidAttributeName', `Unknown Attribute ${name}.`);
      }
      out[name] = text;
    }
    return out;
  }

  function redrivePolicy(text: string): { targetArn: string; maxReceiveCount: number } {
    const invalid = (reason: string) =>
      new ServiceError(
        400,
        'InvalidParameterValue',
        `Value ${text} for parameter RedrivePolicy is invalid. Reason: ${reason}`,
      );
    let parsed: Json | undefined;
    try {
      parsed = asObject(JSON.parse(text));
    } catch {
      throw invalid('Redrive policy is not a valid JSON map.');
    }
    const targetArn = asString(parsed?.deadLetterTargetArn);
    const maxReceiveCount = Number(parsed?.maxReceiveCount);
    if (!targetArn)
      throw invalid('Redrive policy does not contain mandatory attribute: deadLetterTargetArn.');
    if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1 || maxReceiveCount > 1000)
      throw invalid('Invalid value for maxReceiveCount: must be an integer from 1 to 1000.');
    if (!queueByArn(targetArn)) throw invalid('Dead letter target does not exist.');
    return { targetArn, maxReceiveCount };
  }

  const attribute = (q: Queue, name: string) => q.attributes[name] ?? ATTRIBUTE_DEFAULTS[name] ?? '';

  const receiptFor = (q: Queue, m: StoredMessage) =>
    Buffer.from(`${q.arn}\n${m.id}\n${randomUUID()}`).toString('base64');
  function messageOf(q: Queue, handle: string): StoredMessage | undefined {
    const [arn, id] = Buffer.from(handle, 'base64').toString().split('\n');
    if (arn !== q.arn || !id)
      throw new ServiceError(
        404,
        'ReceiptHandleIsInvalid',
        `The input receipt handle "${handle}" is not a valid receipt handle.`,
      );
    return q.messages.find((m) => m.id === id);
  }

  /** One message of SendMessage or SendMessageBatch, checked as SQS checks it. */
  function enqueue(q: Queue, entry: Json, senderId: string) {
    const body = asString(entry.MessageBody);
    if (!body)
      throw new ServiceError(400, 'MissingParameter', 'The request must contain the parameter MessageBody.');
    if (INVALID_BODY_CHAR.test(body))
      throw new ServiceError(
        400,
        'InvalidMessageContents',
        'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
      );
    const attributes = parseMessageAttributes(entry.MessageAttributes);
    const max = Number(attribute(q, 'MaximumMessageSize'));
    if (Buffer.byteLength(body) + attributeBytes(attributes) > max)
      throw new ServiceError(
        400,
        'InvalidParameterValue',
        `One or more parameters are invalid. Reason: Message must be shorter than ${max} bytes.`,
      );
    const delay =
      integer(entry, 'DelaySeconds', ATTRIBUTE_RANGES.DelaySeconds as [number, number]) ??
      Number(attribute(q, 'DelaySeconds'));
    const trace = asString(asObject(asObject(entry.MessageSystemAttributes)?.AWSTraceHeader)?.StringValue);
    const at = now();
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
    wake();
    const attributesMd5 = md5OfAttributes(attributes);
    return {
      MessageId: m.id,
      MD5OfMessageBody: md5(body),
      ...(attributesMd5 ? { MD5OfMessageAttributes: attributesMd5 } : {}),
    };
  }

  /** The checks SQS makes of a whole batch before it looks at any entry. */
  function batchEntries(input: Json, maxBytes?: number): Json[] {
    const entries = (asArray(input.Entries) ?? []).map((e) => asObject(e) ?? {});
    if (entries.length === 0)
      throw new ServiceError(400, 'EmptyBatchRequest', 'There should be at least one entry in the request.');
    if (entries.length > 10)
      throw new ServiceError(
        400,
        'TooManyEntriesInBatchRequest',
        `Maximum number of entries per request are 10. You have sent ${entries.length}.`,
      );
    const ids = entries.map((e) => asString(e.Id) ?? '');
    const bad = ids.find((id) => !BATCH_ID.test(id));
    if (bad !== undefined)
      throw new ServiceError(
        400,
        'InvalidBatchEntryId',
        'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
      );
    const repeated = ids.find((id, i) => ids.indexOf(id) !== i);
    if (repeated !== undefined)
      throw new ServiceError(400, 'BatchEntryIdsNotDistinct', `Id ${repeated} repeated.`);
    if (maxBytes !== undefined) {
      const total = entries.reduce(
        (n, e) =>
          n +
          Buffer.byteLength(asString(e.MessageBody) ?? '') +
          attributeBytes(parseLenient(e.MessageAttributes)),
        0,
      );
      if (total > maxBytes)
        throw new ServiceError(
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
  function perEntry<T extends Json>(entries: Json[], run: (e: Json) => T) {
    const Successful: (T & { Id: string })[] = [];
    const Failed: { Id: string; SenderFault: boolean; Code: string; Message: string }[] = [];
    for (const e of entries) {
      const Id = asString(e.Id) ?? '';
      try {
        Successful.push({ Id, ...run(e) });
      } catch (err) {
        if (!(err instanceof ServiceError)) throw err;
        Failed.push({ Id, SenderFault: err.status < 500, Code: err.code, Message: err.message });
      }
    }
    return { Successful, Failed };
  }

  /** Takes what can be delivered now; a message received maxReceiveCount times goes to the DLQ instead. */
  function take(q: Queue, max: number, visibility: number): StoredMessage[] {
    const at = now();
    const redrive = q.attributes.RedrivePolicy ? redriveOf(q.attributes.RedrivePolicy) : undefined;
    const taken: StoredMessage[] = [];
    for (const m of [...q.messages]) {
      if (taken.length >= max) break;
      if (m.visibleAt > at) continue;
      const dlq = redrive ? queueByArn(redrive.targetArn) : undefined;
      if (redrive && dlq && m.receiveCount >= redrive.maxReceiveCount) {
        q.messages.splice(q.messages.indexOf(m), 1);
        const { receipt: _stale, ...rest } = m;
        dlq.messages.push({ ...rest, visibleAt: at, deadLetterSourceArn: q.arn });
        wake();
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

  function delivered(m: StoredMessage, systemNames: string[], attributeNames: string[]) {
    const all = systemNames.includes('All');
    const system: Record<string, string | undefined> = {
      SenderId: m.senderId,
      SentTimestamp: String(m.sentAt),
      ApproximateReceiveCount: String(m.receiveCount),
      ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt ?? m.sentAt),
      AWSTraceHeader: m.traceHeader,
      DeadLetterQueueSourceArn: m.deadLetterSourceArn,
    };
    const Attributes: Record<string, string> = {};
    for (const name of SYSTEM_ATTRIBUTES) {
      const value = system[name];
      if (value !== undefined && (all || systemNames.includes(name))) Attributes[name] = value;
    }
    const wanted = (name: string) =>
      attributeNames.some(
        (w) =>
          w === 'All' || w === '.*' || w === name || (w.endsWith('.*') && name.startsWith(w.slice(0, -1))),
      );
    const MessageAttributes = Object.fromEntries(
      Object.entries(m.attributes).filter(([name]) => wanted(name)),
    );
    const attributesMd5 = md5OfAttributes(MessageAttributes);
    return {
      MessageId: m.id,
      ReceiptHandle: m.receipt,
      MD5OfBody: md5(m.body),
      Body: m.body,
      ...(Object.keys(Attributes).length ? { Attributes } : {}),
      ...(attributesMd5 ? { MessageAttributes, MD5OfMessageAttributes: attributesMd5 } : {}),
    };
  }

  /** Waits until something may have become deliverable, or the deadline. */
  const pause = (deadline: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, Math.min(LONG_POLL_TICK_MS, deadline - Date.now())));
      waiters.add(done);
    });

  async function sqs(op: string, input: Json, caller: VendorCaller): Promise<Json> {
    switch (op) {
      case 'CreateQueue': {
        const name = required(input, 'QueueName');
        if (name.endsWith('.fifo'))
          throw new ServiceError(400, 'UnsupportedOperation', 'The sandbox does not model FIFO queues.');
        if (!QUEUE_NAME.test(name))
          throw new ServiceError(
            400,
            'InvalidParameterValue',
            'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
          );
        const attributes = queueAttributes(input.Attributes);
        const key = `${caller.account}/${name}`;
        const existing = queues.get(key);
        if (existing) {
          const differs = Object.entries(attributes).find(([k, v]) => attribute(existing, k) !== v);
          if (differs)
            throw new ServiceError(
              400,
              'QueueNameExists',
              `A queue already exists with the same name and a different value for attribute ${differs[0]}`,
            );
          return { QueueUrl: existing.url };
        }
        const q: Queue = {
          name,
          account: caller.account,
          region: caller.region,
          arn: `arn:aws:sqs:${caller.region}:${caller.account}:${name}`,
          url: `${opts.url()}/${caller.account}/${name}`,
          createdAt: now(),
          attributes,
          messages: [],
        };
        queues.set(key, q);
        return { QueueUrl: q.url };
      }
      case 'GetQueueUrl': {
        const name = required(input, 'QueueName');
        const q = queues.get(`${asString(input.QueueOwnerAWSAccountId) ?? caller.account}/${name}`);
        if (!q) throw new ServiceError(400, 'QueueDoesNotExist', 'The specified queue does not exist.');
        return { QueueUrl: q.url };
      }
      case 'ListQueues': {
        const prefix = asString(input.QueueNamePrefix) ?? '';
        const max = integer(input, 'MaxResults', [1, 1000]) ?? 1000;
        return {
          QueueUrls: [...queues.values()]
            .filter((q) => q.account === caller.account && q.name.startsWith(prefix))
            .slice(0, max)
            .map((q) => q.url),
        };
      }
      case 'DeleteQueue': {
        const q = queueByUrl(required(input, 'QueueUrl'));
        queues.delete(`${q.account}/${q.name}`);
        wake();
        return {};
      }
      case 'GetQueueAttributes': {
        const q = queueByUrl(required(input, 'QueueUrl'));
        const names = asStrings(input.AttributeNames);
        const v = view(q);
        const known: Record<string, string> = {
          QueueArn: q.arn,
          ApproximateNumberOfMessages: String(v.visible),
          ApproximateNumberOfMessagesNotVisible: String(v.inFlight),
          ApproximateNumberOfMessagesDelayed: String(v.delayed),
          CreatedTimestamp: String(Math.floor(q.createdAt / 1000)),
          LastModifiedTimestamp: String(Math.floor(q.createdAt / 1000)),
          ...ATTRIBUTE_DEFAULTS,
          ...q.attributes,
        };
        const Attributes: Record<string, string> = {};
        for (const name of names.includes('All') ? Object.keys(known) : names) {
          const value = known[name];
          if (value === undefined && !INERT_ATTRIBUTES.has(name))
            throw new ServiceError(400, 'InvalidAttributeName', `Unknown Attribute ${name}.`);
          if (value !== undefined) Attributes[name] = value;
        }
        return { Attributes };
      }
      case 'SetQueueAttributes': {
        const q = queueByUrl(required(input, 'QueueUrl'));
        Object.assign(q.attributes, queueAttributes(input.Attributes));
        return {};
      }
      case 'PurgeQueue':
        queueByUrl(required(input, 'QueueUrl')).messages = [];
        return {};
      case 'SendMessage': {
        const q = queueByUrl(required(input, 'QueueUrl'));
        return enqueue(q, input, caller.userid);
      }
      case 'SendMessageBatch': {
        const q = queueByUrl(required(input, 'QueueUrl'));
        const entries = batchEntries(input, Number(attribute(q, 'MaximumMessageSize')));
        return perEntry(entries, (e) => enqueue(q, e, caller.userid));
      }
      case 'ReceiveMessage': {
        const q = queueByUrl(required(input, 'QueueUrl'));
        const max = integer(input, 'MaxNumberOfMessages', [1, 10]) ?? 1;
        const visibility =
          integer(input, 'VisibilityTimeout', ATTRIBUTE_RANGES.VisibilityTimeout as [number, number]) ??
          Number(attribute(q, 'VisibilityTimeout'));
        const wait =
          integer(input, 'WaitTimeSeconds', [0, 20]) ?? Number(attribute(q, 'ReceiveMessageWaitTimeSeconds'));
        const deadline = Date.now() + Math.min(wait * 1000, LONG_POLL_CAP_MS);
        let taken = take(q, max, visibility);
        while (
          taken.length === 0 &&
          !closed &&
          Date.now() < deadline &&
          queues.get(`${q.account}/${q.name}`)
        ) {
          await pause(deadline);
          taken = take(q, max, visibility);
        }
        const systemNames = [
          ...asStrings(input.MessageSystemAttributeNames),
          ...asStrings(input.AttributeNames),
        ];
        const attributeNames = asStrings(input.MessageAttributeNames);
        return taken.length ? { Messages: taken.map((m) => delivered(m, systemNames, attributeNames)) } : {};
      }
      case 'DeleteMessage': {
        const q = queueByUrl(required(input, 'QueueUrl'));
        deleteMessage(q, required(input, 'ReceiptHandle'));
        return {};
      }
      case 'DeleteMessageBatch': {
        const q = queueByUrl(required(input, 'QueueUrl'));
        return perEntry(batchEntries(input), (e) => {
          deleteMessage(q, required(e, 'ReceiptHandle'));
          return {};
        });
      }
      case 'ChangeMessageVisibility': {
        const q = queueByUrl(required(input, 'QueueUrl'));
        changeVisibility(q, input);
        return {};
      }
      case 'ChangeMessageVisibilityBatch': {
        const q = queueByUrl(required(input, 'QueueUrl'));
        return perEntry(batchEntries(input), (e) => {
          changeVisibility(q, e);
          return {};
        });
      }
      default:
        throw new ServiceError(400, 'UnsupportedOperation', `The sandbox does not implement SQS ${op}.`);
    }
  }

  /** A stale receipt handle succeeds and deletes nothing: the message was received again since. */
  function deleteMessage(q: Queue, handle: string) {
    const m = messageOf(q, handle);
    if (m && m.receipt === handle) q.messages.splice(q.messages.indexOf(m), 1);
  }

  function changeVisibility(q: Queue, input: Json) {
    const handle = required(input, 'ReceiptHandle');
    const timeout = integer(
      input,
      'VisibilityTimeout',
      ATTRIBUTE_RANGES.VisibilityTimeout as [number, number],
    );
    if (timeout === undefined)
      throw new ServiceError(
        400,
        'MissingParameter',
        'The request must contain the parameter VisibilityTimeout.',
      );
    const m = messageOf(q, handle);
    if (!m || m.receipt !== handle || m.visibleAt <= now())
      throw new ServiceError(400, 'MessageNotInflight', 'Message is not in flight.');
    m.visibleAt = now() + timeout * 1000;
    wake();
  }

  function putEvents(
    input: Json,
    caller: VendorCaller,
    failEntries?: { code: string; message?: string },
  ): Json {
    const entries = (asArray(input.Entries) ?? []).map((e) => asObject(e) ?? {});
    if (entries.length === 0 || entries.length > 10)
      throw new ServiceError(
        400,
        'ValidationException',
        `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length ${entries.length === 0 ? 'greater than or equal to 1' : 'less than or equal to 10'}`,
      );
    const results = entries.map((e) => {
      const source = asString(e.Source);
      const detailType = asString(e.DetailType);
      const detail = asString(e.Detail);
      const resources = asStrings(e.Resources);
      const fail = (ErrorCode: string, ErrorMessage: string) => ({ ErrorCode, ErrorMessage });
      if (failEntries) return fail(failEntries.code, failEntries.message ?? failEntries.code);
      for (const [name, value] of [
        ['Source', source],
        ['DetailType', detailType],
        ['Detail', detail],
      ] as const) {
        if (!value)
          return fail(
            'InvalidArgument',
            `Parameter ${name} is not valid. Reason: ${name} is a required argument.`,
          );
      }
      try {
        if (!asObject(JSON.parse(detail ?? ''))) throw new Error('not an object');
      } catch {
        return fail('MalformedDetail', 'Detail is malformed.');
      }
      // EventBridge's own measure of an entry: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html
      const size =
        (e.Time !== undefined ? 14 : 0) +
        Buffer.byteLength(source ?? '') +
        Buffer.byteLength(detailType ?? '') +
        Buffer.byteLength(detail ?? '') +
        resources.reduce((n, r) => n + Buffer.byteLength(r), 0);
      if (size > MAX_EVENT_ENTRY_BYTES)
        return fail(
          'InvalidArgument',
          `Event size ${size} exceeds the limit of ${MAX_EVENT_ENTRY_BYTES} bytes.`,
        );
      const time = typeof e.Time === 'number' ? new Date(e.Time * 1000) : new Date(now());
      const eventId = randomUUID();
      events.push({
        eventId,
        source: source ?? '',
        detailType: detailType ?? '',
        detail: detail ?? '',
        eventBusName: asString(e.EventBusName) ?? 'default',
        resources,
        time: time.toISOString(),
        region: caller.region,
        account: caller.account,
      });
      return { EventId: eventId };
    });
    return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
  }

  // ---- SSM Parameter Store ---------------------------------------------------------------------

  const parameterKey = (caller: VendorCaller, name: string) => `${caller.account}/${caller.region}/${name}`;

  function putParameter(input: Json, caller: VendorCaller): Json {
    const name = required(input, 'Name');
    const value = required(input, 'Value');
    const type = asString(input.Type);
    if (type !== undefined && !PARAMETER_TYPES.has(type))
      throw new ServiceError(
        400,
        'ValidationException',
        `1 validation error detected: Value '${type}' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [SecureString, StringList, String]`,
      );
    if (value.length > STANDARD_VALUE_LIMIT)
      throw new ServiceError(
        400,
        'ValidationException',
        `1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length less than or equal to ${STANDARD_VALUE_LIMIT}`,
      );
    const key = parameterKey(caller, name);
    const versions = parameters.get(key) ?? [];
    const last = versions.at(-1);
    if (last && input.Overwrite !== true)
      throw new ServiceError(
        400,
        'ParameterAlreadyExists',
        'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
      );
    if (!last && !type)
      throw new ServiceError(
        400,
        'ValidationException',
        'A parameter type is required when you create a parameter.',
      );
    const finalType = type ?? last?.Type ?? 'String';
    const version: ParameterVersion = {
      Name: name,
      Type: finalType,
      Value: value,
      Version: (last?.Version ?? 0) + 1,
      LastModifiedDate: now() / 1000,
      LastModifiedUser: `arn:aws:sts::${caller.account}:assumed-role/${caller.userid.split(':')[0] ?? 'vendor'}`,
      ...(asString(input.Description) ? { Description: asString(input.Description) } : {}),
      ...(finalType === 'SecureString' ? { KeyId: asString(input.KeyId) ?? 'alias/aws/ssm' } : {}),
    };
    versions.push(version);
    if (versions.length > MAX_PARAMETER_VERSIONS) versions.shift();
    parameters.set(key, versions);
    return { Version: version.Version, Tier: 'Standard' };
  }

  function getParameterHistory(input: Json, caller: VendorCaller): Json {
    const name = required(input, 'Name');
    const max = integer(input, 'MaxResults', [1, 50]) ?? 50;
    const versions = parameters.get(parameterKey(caller, name));
    if (!versions) throw new ServiceError(400, 'ParameterNotFound', '');
    const token = asString(input.NextToken);
    const start = token === undefined ? 0 : Number(Buffer.from(token, 'base64').toString());
    if (!Number.isInteger(start) || start < 0 || start > versions.length)
      throw new ServiceError(400, 'InvalidNextToken', 'The specified token is not valid.');
    const page = versions.slice(start, start + max);
    const decrypt = input.WithDecryption === true;
    return {
      Parameters: page.map((v) => ({
        ...v,
        // Without decryption, a SecureString's value is its ciphertext, never the secret.
        Value:
          v.Type === 'SecureString' && !decrypt
            ? createHash('sha256').update(`ciphertext\0${v.Value}`).digest('base64')
            : v.Value,
        Labels: [],
        Tier: 'Standard',
        Policies: [],
        DataType: 'text',
      })),
      ...(start + max < versions.length
        ? { NextToken: Buffer.from(String(start + max)).toString('base64') }
        : {}),
    };
  }

  function ssm(operation: string, input: Json, caller: VendorCaller): Json {
    if (operation === 'PutParameter') return putParameter(input, caller);
    if (operation === 'GetParameterHistory') return getParameterHistory(input, caller);
    throw new ServiceError(
      400,
      'UnknownOperationException',
      `The sandbox does not implement SSM ${operation}.`,
    );
  }

  function errorReply(service: string, status: number, code: string, message: string): VendorReply {
    if (service === 'sqs') {
      return {
        status,
        code,
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amzn-query-error': `${SQS_QUERY_CODES[code] ?? code};${status >= 500 ? 'Receiver' : 'Sender'}`,
        },
        body: JSON.stringify({ __type: `com.amazonaws.sqs#${code}`, message }),
      };
    }
    return {
      status,
      code,
      headers: { 'content-type': 'application/x-amz-json-1.1' },
      body: JSON.stringify({ __type: code, message }),
    };
  }

  return {
    events,
    queues: {
      list: () => [...queues.values()].map(view),
      get: (name) => {
        const q = [...queues.values()].find((x) => x.name === name);
        return q ? view(q) : undefined;
      },
      reset: () => {
        queues.clear();
        wake();
      },
    },
    async handle(service, operation, body, caller, failEntries) {
      try {
        const input = asObject(JSON.parse(body.toString() || '{}')) ?? {};
        if (service === 'sqs')
          return {
            status: 200,
            headers: { 'content-type': 'application/x-amz-json-1.0' },
            body: JSON.stringify(await sqs(operation, input, caller)),
          };
        if (service === 'ssm')
          return {
            status: 200,
            headers: { 'content-type': 'application/x-amz-json-1.1' },
            body: JSON.stringify(ssm(operation, input, caller)),
          };
        if (operation !== 'PutEvents')
          throw new ServiceError(
            400,
            'UnknownOperationException',
            `The sandbox does not implement EventBridge ${operation}.`,
          );
        return {
          status: 200,
          headers: { 'content-type': 'application/x-amz-json-1.1' },
          body: JSON.stringify(putEvents(input, caller, failEntries)),
        };
      } catch (err) {
        if (err instanceof SyntaxError)
          return errorReply(service, 400, 'SerializationException', err.message);
        if (!(err instanceof ServiceError)) throw err;
        return errorReply(service, err.status, err.code, err.message);
      }
    },
    errorReply,
    advanceClock: (ms) => {
      clockOffset += ms;
      wake();
    },
    close: () => {
      closed = true;
      wake();
    },
  };
}
