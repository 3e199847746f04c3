import { randomUUID } from 'node:crypto';
import { type SandboxState, vendorNow } from '../state.ts';
import { AwsError, type ServiceReply } from './aws.ts';
import { asArray, asObject, asString, asStrings, type Json, jsonService, type VendorCaller } from './json.ts';

/**
 * EventBridge's PutEvents (AWS JSON 1.1): the vendor's events are captured in the state, in the
 * order accepted, rather than routed.
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

const MAX_EVENT_ENTRY_BYTES = 256 * 1024;

/** EventBridge's and SSM's error: AWS JSON 1.1, the status as given. */
export const json11Error = (e: AwsError): ServiceReply => ({
  status: e.status,
  code: e.code,
  headers: { 'content-type': 'application/x-amz-json-1.1', ...e.headers },
  body: JSON.stringify({ __type: e.code, message: e.message }),
});

export const eventsService = (state: SandboxState) =>
  jsonService(
    json11Error,
    (operation, input, caller, failEntries) => {
      if (operation !== 'PutEvents')
        throw new AwsError(
          400,
          'UnknownOperationException',
          `The sandbox does not implement EventBridge ${operation}.`,
        );
      return putEvents(state, input, caller, failEntries);
    },
    'application/x-amz-json-1.1',
  );

function putEvents(
  state: SandboxState,
  input: Json,
  caller: VendorCaller,
  failEntries?: { code: string; message?: string },
): Json {
  const entries = (asArray(input.Entries) ?? []).map((e) => asObject(e) ?? {});
  if (entries.length === 0 || entries.length > 10)
    throw new AwsError(
      400,
      'ValidationException',
      `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length ${entries.length === 0 ? 'greater than or equal to 1' : 'less than or equal to 10'}`,
    );
  const results = entries.map((e) => {
    if (failEntries)
      return { ErrorCode: failEntries.code, ErrorMessage: failEntries.message ?? failEntries.code };
    return capture(state, e, caller);
  });
  return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
}

/** One entry: checked as EventBridge checks it, then captured, or failed on its own. */
function capture(state: SandboxState, e: Json, caller: VendorCaller) {
  const source = asString(e.Source);
  const detailType = asString(e.DetailType);
  const detail = asString(e.Detail);
  const resources = asStrings(e.Resources);
  const fail = (ErrorCode: string, ErrorMessage: string) => ({ ErrorCode, ErrorMessage });
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
    return fail('InvalidArgument', `Event size ${size} exceeds the limit of ${MAX_EVENT_ENTRY_BYTES} bytes.`);
  const time = typeof e.Time === 'number' ? new Date(e.Time * 1000) : new Date(vendorNow(state));
  const eventId = randomUUID();
  state.events.push({
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
}
