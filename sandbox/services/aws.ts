import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Fault, RecordedRequest, Session } from '../state.ts';

/** What every service of the sandbox shares: AWS's error, its escaping, its ids. */

export class AwsError extends Error {
  readonly status: number;
  readonly code: string;
  readonly headers: Record<string, string>;
  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

export interface ServiceReply {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
  /** The error code a service answered with inside a 200-shaped flow (the vendor's services). */
  code?: string;
}

/** One authenticated call, as the HTTP front hands it to a service. */
export interface ServiceCall {
  req: IncomingMessage;
  body: Buffer;
  session: Session;
  /** The region the request was signed for. */
  region: string;
  rid: string;
  record: RecordedRequest;
  fault: Fault | undefined;
}

/** A service of the sandbox, over the shared state its factory was given. */
export interface Service {
  /** The operation a request names, read before it is authenticated (faults and the log use it). */
  operation(req: IncomingMessage, body: Buffer): string;
  handle(call: ServiceCall): Promise<ServiceReply>;
  /** An error (a fault, a refused signature, the service's own) worded as this service words it. */
  error(e: AwsError, rid: string): ServiceReply;
}

export const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
export const accountOf = (arn: string) => arn.split(':')[4] ?? '';
export const requestId = () => randomBytes(8).toString('hex').toUpperCase();

/** A user's (AIDA…) or role's (AROA…) unique id, derived from its ARN when the world gives none. */
export const uniqueIdOf = (prefix: 'AIDA' | 'AROA', arn: string) =>
  `${prefix}${createHash('sha1').update(arn).digest('hex').slice(0, 16).toUpperCase()}`;

/** The query protocol's error (STS, IAM, Redshift): the service's namespace, Sender or Receiver. */
export const queryError =
  (xmlns: string) =>
  (e: AwsError, rid: string): ServiceReply => ({
    status: e.status,
    headers: { 'content-type': 'text/xml', ...e.headers },
    body: `<ErrorResponse xmlns="${xmlns}"><Error><Type>${e.status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${e.code}</Code><Message>${esc(e.message)}</Message></Error><RequestId>${rid}</RequestId></ErrorResponse>`,
  });

/** AWS JSON 1.1's error as KMS and Redshift Serverless send it: a refusal is a 400 there. */
export const jsonError = (e: AwsError): ServiceReply => ({
  status: e.status === 403 ? 400 : e.status,
  headers: { 'content-type': 'application/x-amz-json-1.1', ...e.headers },
  body: JSON.stringify({ __type: e.code, message: e.message }),
});

/** The query protocol's operation: the form's `Action`. */
export const queryAction = (body: Buffer) => new URLSearchParams(body.toString()).get('Action') ?? 'unknown';

/** The JSON protocols' operation: `X-Amz-Target: <Service>.<Operation>`. */
export const targetOperation = (target: string | string[] | undefined) =>
  String(target ?? '').split('.')[1] ?? 'unknown';
