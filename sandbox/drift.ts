import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { StoredConnection } from '../src/core/drift/store.ts';
import { MAX_RECEIVE_COUNT, VISIBILITY_TIMEOUT_S } from '../src/core/drift/timing.ts';
import { type LocalDynamo, startDynamo } from './dynamo.ts';
import type { Sandbox } from './server.ts';

/**
 * Drift's own infrastructure, locally: the table in dynalite, the queue and its dead-letter
 * queue in the sandbox, named as serverless.ts names them for the `dev` stage, and the
 * environment the connection, dispatcher and worker functions read.
 */
export const LOCAL_TABLE = 'aws-access-verifier-dev-connections';
export const LOCAL_QUEUE = 'aws-access-verifier-dev-drift';
interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface LocalDrift {
  dynamo: LocalDynamo;
  queueUrl: string;
  deadLetterUrl: string;
  env: Record<string, string>;
  close(): Promise<void>;
}

/** The queue and its dead-letter queue, as serverless.ts declares them, in the sandbox at `url`. */
export async function createDriftQueues(
  url: string,
  visibilityTimeout = VISIBILITY_TIMEOUT_S,
  credentials?: Credentials,
) {
  // The vendor's own credentials (the sandbox checks every signature); default: the environment's.
  const sqs = new SQSClient({ endpoint: url, region: 'us-east-1', ...(credentials ? { credentials } : {}) });
  try {
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${LOCAL_QUEUE}-dlq` }));
    const queue = await sqs.send(
      new CreateQueueCommand({
        QueueName: LOCAL_QUEUE,
        Attributes: {
          VisibilityTimeout: String(visibilityTimeout),
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: `arn:aws:sqs:us-east-1:${accountOf(dlq.QueueUrl)}:${LOCAL_QUEUE}-dlq`,
            maxReceiveCount: MAX_RECEIVE_COUNT,
          }),
        },
      }),
    );
    return { queueUrl: queue.QueueUrl ?? '', deadLetterUrl: dlq.QueueUrl ?? '' };
  } finally {
    sqs.destroy();
  }
}

/** What the connection, dispatcher and worker functions read, pointed at the local services. */
export const driftEnv = (sandboxUrl: string, dynamoUrl: string) => ({
  AWS_ENDPOINT_URL_DYNAMODB: dynamoUrl,
  AWS_ENDPOINT_URL_SQS: sandboxUrl,
  AWS_ENDPOINT_URL_EVENTBRIDGE: sandboxUrl,
  CONNECTIONS_TABLE: LOCAL_TABLE,
  DRIFT_QUEUE_NAME: LOCAL_QUEUE,
});

export async function startDrift(
  sandbox: Pick<Sandbox, 'url'>,
  opts: { visibilityTimeout?: number; credentials?: Credentials } = {},
): Promise<LocalDrift> {
  const dynamo = await startDynamo(LOCAL_TABLE);
  const queues = await createDriftQueues(sandbox.url, opts.visibilityTimeout, opts.credentials);
  return { dynamo, ...queues, env: driftEnv(sandbox.url, dynamo.url), close: () => dynamo.close() };
}

const accountOf = (url: string | undefined) => url?.split('/').at(-2) ?? '000000000000';

/** A seed-001 destination as POST /connections saves it once it verified: for tests and benchmarks. */
export const savedDestination = (
  tenantId: string,
  connectionId: string,
  roleArn: string,
  bucket = 'acme-destination',
): StoredConnection => ({
  tenantId,
  connectionId,
  createdAt: '2026-11-30T10:00:00.000Z',
  request: {
    credentials: { type: 'role', roleArn },
    region: 'us-east-1',
    profile: 'destination',
    s3: [{ bucket }],
  },
  lastStatus: 'pass',
  lastChecks: { [`s3.write s3://${bucket}/`]: 'pass' },
  runState: 'done',
});
