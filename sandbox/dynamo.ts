import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { TABLE_SHAPE } from '../src/core/drift/table.ts';

/**
 * A local DynamoDB (dynalite, in memory) with the service's table: what the connection
 * endpoints, the dispatcher and the worker use in tests, `npm start` and the drift benchmark.
 */
export interface LocalDynamo {
  url: string;
  table: string;
  close(): Promise<void>;
}

export async function startDynamo(table = 'aws-access-verifier-local-connections'): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await client.send(new CreateTableCommand({ TableName: table, ...structuredClone(TABLE_SHAPE) }));
  client.destroy();
  return {
    url,
    table,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
