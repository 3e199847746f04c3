import { createServer, request as forward } from 'node:http';
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
  /** Writes answered with DynamoDB's throttling error (with `throttleWrites`). */
  throttled(): number;
  close(): Promise<void>;
}

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);
/** What DynamoDB answers an on-demand table's write beyond its partition's capacity. */
const THROTTLED = JSON.stringify({
  __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
  message:
    'Throughput exceeds the current capacity of your table or index. DynamoDB is automatically scaling your table or index so please try again shortly. If exceptions persist, check if you have a hot key: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html',
});

/**
 * `throttleWrites`: the share of writes (0 to 1) answered with DynamoDB's throttling error
 * instead of reaching the table, by a proxy in front of dynalite (the fault soak's).
 */
export async function startDynamo(
  table = 'aws-access-verifier-local-connections',
  port = 0,
  opts: { throttleWrites?: number } = {},
): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const rate = opts.throttleWrites ?? 0;
  await new Promise<void>((resolve) => server.listen(rate > 0 ? 0 : port, '127.0.0.1', () => resolve()));
  const inner = (server.address() as AddressInfo).port;
  let throttled = 0;
  const proxy =
    rate > 0
      ? createServer((req, res) => {
          // How many writes were throttled, for a soak in another process.
          if (req.method === 'GET' && req.url === '/__throttled') {
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ throttled }));
            return;
          }
          const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
          if (WRITES.has(operation) && Math.random() < rate) {
            throttled++;
            req.resume();
            res.writeHead(400, {
              'content-type': 'application/x-amz-json-1.0',
              'x-amzn-requestid': 'THROTTLED',
            });
            res.end(THROTTLED);
            return;
          }
          const out = forward(
            { host: '127.0.0.1', port: inner, method: req.method, path: req.url, headers: req.headers },
            (answer) => {
              res.writeHead(answer.statusCode ?? 500, answer.headers);
              answer.pipe(res);
            },
          );
          out.on('error', () => res.destroy());
          req.pipe(out);
        })
      : undefined;
  if (proxy) await new Promise<void>((resolve) => proxy.listen(port, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${proxy ? (proxy.address() as AddressInfo).port : inner}`;
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
    throttled: () => throttled,
    close: async () => {
      if (proxy) await new Promise<void>((resolve) => proxy.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
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
    { throttleWrites: Number(arg('throttle-writes') ?? 0) },
  );
  console.log(`dynamo ready on ${local.url} with table ${local.table}`);

  process.on('SIGTERM', () => void local.close().then(() => process.exit(0)));
}
