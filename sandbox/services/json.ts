import type { Session } from '../state.ts';
import { AwsError, type Service, type ServiceReply, targetOperation } from './aws.ts';

/**
 * The services that speak AWS JSON (the vendor's SQS, EventBridge and SSM; the customer's KMS
 * and Redshift Serverless): their input, read as SQS reads it, and their common front, which
 * answers a malformed body as they do.
 */

export type Json = Record<string, unknown>;

/** Who calls the vendor's services: its account, its unique id and the region it signed for. */
export interface VendorCaller {
  account: string;
  userid: string;
  region: string;
}

export const asString = (v: unknown) => (typeof v === 'string' ? v : undefined);
export const asObject = (v: unknown): Json | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
export const asArray = (v: unknown): unknown[] | undefined => (Array.isArray(v) ? v : undefined);
export const asStrings = (v: unknown) => (asArray(v) ?? []).filter((x): x is string => typeof x === 'string');

export function required(input: Json, name: string): string {
  const value = asString(input[name]);
  if (!value) throw new AwsError(400, 'MissingParameter', `The request must contain the parameter ${name}.`);
  return value;
}

export function integer(input: Json, name: string, [min, max]: [number, number]): number | undefined {
  const raw = input[name];
  if (raw === undefined || raw === null) return undefined;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > max)
    throw new AwsError(
      400,
      'InvalidParameterValue',
      `Value ${String(raw)} for parameter ${name} is invalid. Reason: Must be between ${min} and ${max}, if provided.`,
    );
  return n;
}

/** A JSON service: the body parsed, its own errors worded by `error`, the others the front's. */
export function jsonService(
  error: (e: AwsError, rid: string) => ServiceReply,
  run: (
    op: string,
    input: Json,
    caller: VendorCaller,
    failEntries: { code: string; message?: string } | undefined,
    /** The caller's whole session, for a service that authorizes against the customer's policies. */
    session: Session,
  ) => Json | Promise<Json>,
  contentType: string,
): Service {
  return {
    operation: (req) => targetOperation(req.headers['x-amz-target']),
    error,
    async handle({ session, body, region, record, fault, rid }) {
      const caller = { account: session.caller.account, userid: session.caller.userid, region };
      try {
        const input = asObject(JSON.parse(body.toString() || '{}')) ?? {};
        const failEntries = fault?.failEntries ? fault.error : undefined;
        const out = await run(record.operation, input, caller, failEntries, session);
        return { status: 200, headers: { 'content-type': contentType }, body: JSON.stringify(out) };
      } catch (err) {
        if (err instanceof SyntaxError)
          return error(new AwsError(400, 'SerializationException', err.message), rid);
        if (!(err instanceof AwsError)) throw err;
        return error(err, rid);
      }
    },
  };
}
