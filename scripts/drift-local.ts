/**
 * `npm run drift:local [-- --at <ISO time>]`: what the schedule does, by hand, against a running
 * `npm start`: the dispatcher queues every saved connection, then the worker drains the queue
 * (as Lambda's SQS event source would), and the change events land in the sandbox. A
 * connection is re-verified once per period: `--at` a later time runs the next period.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { drain } from '../sandbox/event-source.ts';

const fail = (line: string, code = 2): never => {
  console.error(`drift:local: ${line}`);
  process.exit(code);
};

let at: Date;
try {
  const { values } = parseArgs({ options: { at: { type: 'string' } } });
  at = values.at ? new Date(values.at) : new Date();
} catch (err) {
  fail(`${(err as Error).message}; usage: npm run drift:local [-- --at 2026-12-03T00:00:00Z]`);
  throw err;
}
if (Number.isNaN(at.getTime())) fail('--at is not a time, e.g. 2026-12-03T00:00:00Z');

// Tests name their own, so they never read or clobber a developer's.
const file = process.env.START_STATE_FILE ?? join(import.meta.dirname, '..', '.local', 'start.json');
if (!existsSync(file)) fail(`no running npm start (${file} is missing): run npm start first`);
const started = JSON.parse(readFileSync(file, 'utf8')) as {
  env: Record<string, string>;
  queueUrl: string;
  pid: number;
};
try {
  process.kill(started.pid, 0);
} catch {
  fail(`npm start (pid ${started.pid}) is no longer running: run npm start first`);
}
Object.assign(process.env, started.env);
// The handlers read their configuration when loaded: after the environment is npm start's.
const { handler: dispatch } = await import('../src/handlers/drift-dispatch.ts');
const { handler: worker } = await import('../src/handlers/drift-worker.ts');

const lambdaContext = (name: string): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName: `aws-access-verifier-dev-${name}`,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:us-east-1:999988887777:function:aws-access-verifier-dev-${name}`,
  memoryLimitInMB: '1024',
  awsRequestId: `drift-local-${Date.now()}`,
  logGroupName: `/aws/lambda/aws-access-verifier-dev-${name}`,
  logStreamName: 'local',
  getRemainingTimeInMillis: () => 300_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

const event = {
  version: '0',
  id: 'drift-local',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '999988887777',
  time: at.toISOString(),
  region: process.env.AWS_REGION ?? 'us-east-1',
  resources: [],
  detail: {},
} satisfies ScheduledEvent;
const dispatched = await dispatch(event, lambdaContext('driftDispatch'));
console.log(`dispatched ${JSON.stringify(dispatched)}`);
const worked = await drain({
  queueUrl: started.queueUrl,
  handler: worker as never,
  functionName: 'aws-access-verifier-dev-driftWorker',
  // Bounded: a message that keeps failing goes to the dead-letter queue, not round forever.
  maxIterations: 20,
});
console.log(
  `worked ${worked.received} messages in ${worked.batches} batches; ${worked.failed.length} failed; ` +
    `queue ${worked.drained ? 'empty' : `still holds ${worked.remaining}`}`,
);
for (const e of worked.errors) console.error(`  the worker failed: ${(e as Error).message ?? String(e)}`);
const sandboxUrl = started.env.AWS_ENDPOINT_URL_SQS;
const events = (await (await fetch(`${sandboxUrl}/__sandbox/events`)).json()) as unknown[];
console.log(`change events so far (GET ${sandboxUrl}/__sandbox/events): ${events.length}`);
for (const e of events.slice(-5)) console.log(`  ${JSON.stringify(e)}`);
process.exit(worked.failed.length ? 1 : 0);
