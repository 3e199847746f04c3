import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type LocalDynamo, startDynamo } from './dynamo.ts';
import type { Sandbox } from './server.ts';

/**
 * Drift's own infrastructure, locally: the table in dynalite, the queue and its dead-letter
 * queue in the sandbox, named as serverless.ts names them for the `dev` stage, and the
 * environment the connection, dispatcher and worker functions read.
 */
export const LOCAL_TABLE = 'aws-access-verifier-dev-connections';
export const LOCAL_QUEUE = 'aws-access-verifier-dev-drift';
/** As serverless.ts's redrive policy says. */
export const MAX_RECEIVE_COUNT = 5;

export interface LocalDrift {
  dynamo: LocalDynamo;
  queueUrl: string;
  deadLetterUrl: string;
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startDrift(
  sandbox: Sandbox,
  opts: { visibilityTimeout?: number } = {},
): Promise<LocalDrift> {
  const dynamo = await startDynamo(LOCAL_TABLE);
  const sqs = new SQSClient({ endpoint: sandbox.url, region: 'us-east-1' });
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${LOCAL_QUEUE}-dlq` }));
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: LOCAL_QUEUE,
      Attributes: {
        VisibilityTimeout: String(opts.visibilityTimeout ?? 360),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: `arn:aws:sqs:us-east-1:${accountOf(dlq.QueueUrl)}:${LOCAL_QUEUE}-dlq`,
          maxReceiveCount: MAX_RECEIVE_COUNT,
        }),
      },
    }),
  );
  sqs.destroy();
  const env = {
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.url,
    AWS_ENDPOINT_URL_SQS: sandbox.url,
    AWS_ENDPOINT_URL_EVENTBRIDGE: sandbox.url,
    CONNECTIONS_TABLE: LOCAL_TABLE,
    DRIFT_QUEUE_NAME: LOCAL_QUEUE,
  };
  return {
    dynamo,
    queueUrl: queue.QueueUrl ?? '',
    deadLetterUrl: dlq.QueueUrl ?? '',
    env,
    close: () => dynamo.close(),
  };
}

const accountOf = (url: string | undefined) => url?.split('/').at(-2) ?? '000000000000';
