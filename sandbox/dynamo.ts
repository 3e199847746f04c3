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

export async function startDynamo(
  table = 'aws-access-verifier-local-connections',
  port = 0,
): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
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

// `node sandbox/dynamo.ts --port 4567 [--table name]`: the local DynamoDB in a process of its own.
if (import.meta.main) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const local = await startDynamo(
    arg('table') ?? 'aws-access-verifier-dev-connections',
    Number(arg('port') ?? 4567),
  );
  console.log(`dynamo ready on ${local.url} with table ${local.table}`);
  process.on('SIGTERM', () => void local.close().then(() => process.exit(0)));
}
