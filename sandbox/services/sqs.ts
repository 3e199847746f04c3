import type { SandboxState } from '../state.ts';
import { wake } from '../state.ts';
import { AwsError, type ServiceReply } from './aws.ts';
import { asString, integer, type Json, jsonService, required, type VendorCaller } from './json.ts';
import {
  batchEntries,
  changeVisibility,
  deleteMessage,
  enqueue,
  perEntry,
  receiveMessage,
} from './sqs-messages.ts';
import {
  attribute,
  createQueue,
  getQueueAttributes,
  type QueueView,
  queueAttributes,
  queueByUrl,
  view,
} from './sqs-queues.ts';

/**
 * The vendor's SQS (AWS JSON 1.0, with the query-compatible error header real SQS sends). It
 * belongs to the service, not to a customer: its queues outlive `setWorld` and nothing here
 * evaluates IAM policies (the front has checked the signature). Queues are keyed by account and
 * name (the URL carries no region).
 */

export type { QueueMessageView, QueueView } from './sqs-queues.ts';

export interface SandboxQueues {
  /** Every queue with its messages, oldest first. */
  list(): QueueView[];
  /** The queue of that name (in any account), if it exists. */
  get(name: string): QueueView | undefined;
  /** Deletes every queue and message: a clean slate between tests. */
  reset(): void;
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

export const sqsError = (e: AwsError): ServiceReply => ({
  status: e.status,
  code: e.code,
  headers: {
    'content-type': 'application/x-amz-json-1.0',
    'x-amzn-query-error': `${SQS_QUERY_CODES[e.code] ?? e.code};${e.status >= 500 ? 'Receiver' : 'Sender'}`,
    ...e.headers,
  },
  body: JSON.stringify({ __type: `com.amazonaws.sqs#${e.code}`, message: e.message }),
});

export const sqsService = (state: SandboxState) =>
  jsonService(sqsError, (op, input, caller) => sqs(state, op, input, caller), 'application/x-amz-json-1.0');

/** What the sandbox shows of its queues, to tests and to `GET /__sandbox/queues`. */
export const sandboxQueues = (state: SandboxState): SandboxQueues => ({
  list: () => [...state.queues.values()].map((q) => view(state, q)),
  get: (name) => {
    const q = [...state.queues.values()].find((x) => x.name === name);
    return q ? view(state, q) : undefined;
  },
  reset: () => {
    state.queues.clear();
    wake(state);
  },
});

async function sqs(state: SandboxState, op: string, input: Json, caller: VendorCaller): Promise<Json> {
  switch (op) {
    case 'CreateQueue':
      return createQueue(state, input, caller);
    case 'GetQueueUrl': {
      const name = required(input, 'QueueName');
      const q = state.queues.get(`${asString(input.QueueOwnerAWSAccountId) ?? caller.account}/${name}`);
      if (!q) throw new AwsError(400, 'QueueDoesNotExist', 'The specified queue does not exist.');
      return { QueueUrl: q.url };
    }
    case 'ListQueues': {
      const prefix = asString(input.QueueNamePrefix) ?? '';
      const max = integer(input, 'MaxResults', [1, 1000]) ?? 1000;
      return {
        QueueUrls: [...state.queues.values()]
          .filter((q) => q.account === caller.account && q.name.startsWith(prefix))
          .slice(0, max)
          .map((q) => q.url),
      };
    }
    case 'DeleteQueue': {
      const q = queueByUrl(state, required(input, 'QueueUrl'));
      state.queues.delete(`${q.account}/${q.name}`);
      wake(state);
      return {};
    }
    case 'GetQueueAttributes':
      return getQueueAttributes(state, queueByUrl(state, required(input, 'QueueUrl')), input);
    case 'SetQueueAttributes': {
      const q = queueByUrl(state, required(input, 'QueueUrl'));
      Object.assign(q.attributes, queueAttributes(state, input.Attributes));
      return {};
    }
    case 'PurgeQueue':
      queueByUrl(state, required(input, 'QueueUrl')).messages = [];
      return {};
    case 'SendMessage': {
      const q = queueByUrl(state, required(input, 'QueueUrl'));
      return enqueue(state, q, input, caller.userid);
    }
    case 'SendMessageBatch': {
      const q = queueByUrl(state, required(input, 'QueueUrl'));
      const entries = batchEntries(input, Number(attribute(q, 'MaximumMessageSize')));
      return perEntry(entries, (e) => enqueue(state, q, e, caller.userid));
    }
    case 'ReceiveMessage':
      return receiveMessage(state, queueByUrl(state, required(input, 'QueueUrl')), input);
    case 'DeleteMessage': {
      const q = queueByUrl(state, required(input, 'QueueUrl'));
      deleteMessage(q, required(input, 'ReceiptHandle'));
      return {};
    }
    case 'DeleteMessageBatch': {
      const q = queueByUrl(state, required(input, 'QueueUrl'));
      return perEntry(batchEntries(input), (e) => {
        deleteMessage(q, required(e, 'ReceiptHandle'));
        return {};
      });
    }
    case 'ChangeMessageVisibility': {
      const q = queueByUrl(state, required(input, 'QueueUrl'));
      changeVisibility(state, q, input);
      return {};
    }
    case 'ChangeMessageVisibilityBatch': {
      const q = queueByUrl(state, required(input, 'QueueUrl'));
      return perEntry(batchEntries(input), (e) => {
        changeVisibility(state, q, e);
        return {};
      });
    }
    default:
      throw new AwsError(400, 'UnsupportedOperation', `The sandbox does not implement SQS ${op}.`);
  }
}
