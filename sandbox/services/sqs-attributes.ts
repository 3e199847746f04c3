import { createHash } from 'node:crypto';
import { AwsError } from './aws.ts';
import { asObject, asString } from './json.ts';
import type { StoredMessage } from './sqs-messages.ts';

/** SQS's message attributes: as sent, as digested (MD5OfMessageAttributes) and as delivered. */

export interface MessageAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

const SYSTEM_ATTRIBUTES = [
  'SenderId',
  'SentTimestamp',
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
  'AWSTraceHeader',
  'DeadLetterQueueSourceArn',
];

export const md5 = (data: string | Buffer) => createHash('md5').update(data).digest('hex');

/** SQS's digest of message attributes: sorted names, each length-prefixed with its type and value. */
export function md5OfAttributes(attributes: Record<string, MessageAttribute>): string | undefined {
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

export function parseMessageAttributes(raw: unknown): Record<string, MessageAttribute> {
  const out: Record<string, MessageAttribute> = {};
  for (const [name, value] of Object.entries(asObject(raw) ?? {})) {
    const a = asObject(value) ?? {};
    const dataType = asString(a.DataType);
    if (!dataType)
      throw new AwsError(
        400,
        'InvalidParameterValue',
        `The message attribute '${name}' must contain a DataType.`,
      );
    const stringValue = asString(a.StringValue);
    const binaryValue = asString(a.BinaryValue);
    if (stringValue === undefined && binaryValue === undefined)
      throw new AwsError(
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
    throw new AwsError(400, 'InvalidParameterValue', 'Number of message attributes exceeds the limit of 10.');
  return out;
}

export const attributeBytes = (attributes: Record<string, MessageAttribute>) =>
  Object.entries(attributes).reduce(
    (n, [name, a]) =>
      n +
      Buffer.byteLength(name) +
      Buffer.byteLength(a.DataType) +
      (a.BinaryValue ? Buffer.from(a.BinaryValue, 'base64').length : Buffer.byteLength(a.StringValue ?? '')),
    0,
  );

export function delivered(m: StoredMessage, systemNames: string[], attributeNames: string[]) {
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
      (w) => w === 'All' || w === '.*' || w === name || (w.endsWith('.*') && name.startsWith(w.slice(0, -1))),
    );
  const MessageAttributes = Object.fromEntries(Object.entries(m.attributes).filter(([name]) => wanted(name)));
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
