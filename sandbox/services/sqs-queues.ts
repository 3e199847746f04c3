import { type SandboxState, vendorNow } from '../state.ts';
import { AwsError } from './aws.ts';
import { asObject, asString, asStrings, integer, type Json, required, type VendorCaller } from './json.ts';
import type { StoredMessage } from './sqs-messages.ts';

/** SQS's queues: their names, URLs and attributes, and the views the sandbox gives of them. */

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

export interface Queue {
  name: string;
  account: string;
  region: string;
  arn: string;
  url: string;
  createdAt: number;
  attributes: Record<string, string>;
  messages: StoredMessage[];
}

/** SQS's quota since August 2025 (it was 256 KiB before). */
const MAX_MESSAGE_BYTES = 1_048_576;

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;

export const ATTRIBUTE_DEFAULTS: Record<string, string> = {
  VisibilityTimeout: '30',
  DelaySeconds: '0',
  MaximumMessageSize: String(MAX_MESSAGE_BYTES),
  MessageRetentionPeriod: '345600',
  ReceiveMessageWaitTimeSeconds: '0',
};

export const ATTRIBUTE_RANGES: Record<string, [number, number]> = {
  VisibilityTimeout: [0, 43_200],
  DelaySeconds: [0, 900],
  MaximumMessageSize: [1024, MAX_MESSAGE_BYTES],
  MessageRetentionPeriod: [60, 1_209_600],
  ReceiveMessageWaitTimeSeconds: [0, 20],
};

/** Accepted and kept, with no effect in the sandbox. */
export const INERT_ATTRIBUTES = new Set([
  'Policy',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'SqsManagedSseEnabled',
  'RedriveAllowPolicy',
]);

const stateOf = (m: StoredMessage, at: number): QueueMessageView['state'] =>
  m.visibleAt <= at ? 'visible' : m.receipt ? 'in-flight' : 'delayed';

export const view = (state: SandboxState, q: Queue): QueueView => {
  const at = vendorNow(state);
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

export const queueByUrl = (state: SandboxState, url: string): Queue => {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    throw new AwsError(404, 'InvalidAddress', `The address ${url} is not valid for this endpoint.`);
  }
  const [, account = '', name = ''] = path.split('/');
  const q = state.queues.get(`${account}/${name}`);
  if (!q) throw new AwsError(400, 'QueueDoesNotExist', 'The specified queue does not exist.');
  return q;
};

export const queueByArn = (state: SandboxState, arn: string) =>
  [...state.queues.values()].find((q) => q.arn === arn);

/** Validated attributes of CreateQueue and SetQueueAttributes, as SQS stores them: strings. */
export function queueAttributes(state: SandboxState, raw: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(asObject(raw) ?? {})) {
    const text = typeof value === 'string' ? value : String(value);
    if (name === 'FifoQueue' || name === 'ContentBasedDeduplication')
      throw new AwsError(400, 'UnsupportedOperation', 'The sandbox does not model FIFO queues.');
    const range = ATTRIBUTE_RANGES[name];
    if (range) {
      integer({ [name]: text }, name, range);
    } else if (name === 'RedrivePolicy') {
      redrivePolicy(state, text);
    } else if (!INERT_ATTRIBUTES.has(name)) {
      throw new AwsError(400, 'InvalidAttributeName', `Unknown Attribute ${name}.`);
    }
    out[name] = text;
  }
  return out;
}

function redrivePolicy(state: SandboxState, text: string): { targetArn: string; maxReceiveCount: number } {
  const invalid = (reason: string) =>
    new AwsError(
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
  if (!targetArn) throw invalid('Redrive policy does not contain mandatory attribute: deadLetterTargetArn.');
  if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1 || maxReceiveCount > 1000)
    throw invalid('Invalid value for maxReceiveCount: must be an integer from 1 to 1000.');
  if (!queueByArn(state, targetArn)) throw invalid('Dead letter target does not exist.');
  return { targetArn, maxReceiveCount };
}

export const attribute = (q: Queue, name: string) => q.attributes[name] ?? ATTRIBUTE_DEFAULTS[name] ?? '';

export function createQueue(state: SandboxState, input: Json, caller: VendorCaller) {
  const name = required(input, 'QueueName');
  if (name.endsWith('.fifo'))
    throw new AwsError(400, 'UnsupportedOperation', 'The sandbox does not model FIFO queues.');
  if (!QUEUE_NAME.test(name))
    throw new AwsError(
      400,
      'InvalidParameterValue',
      'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
    );
  const attributes = queueAttributes(state, input.Attributes);
  const key = `${caller.account}/${name}`;
  const existing = state.queues.get(key);
  if (existing) {
    const differs = Object.entries(attributes).find(([k, v]) => attribute(existing, k) !== v);
    if (differs)
      throw new AwsError(
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
    url: `${state.url}/${caller.account}/${name}`,
    createdAt: vendorNow(state),
    attributes,
    messages: [],
  };
  state.queues.set(key, q);
  return { QueueUrl: q.url };
}

export function getQueueAttributes(state: SandboxState, q: Queue, input: Json) {
  const names = asStrings(input.AttributeNames);
  const v = view(state, q);
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
      throw new AwsError(400, 'InvalidAttributeName', `Unknown Attribute ${name}.`);
    if (value !== undefined) Attributes[name] = value;
  }
  return { Attributes };
}
