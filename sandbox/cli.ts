/**
 * `node sandbox/cli.ts [--port 4566] [--world <name>]`: the sandbox on its own, with the
 * endpoint variables to export. Control it over /__sandbox/{world,faults,requests}.
 */
import { externalIdFor, localDevSecret } from '../src/core/external-id.ts';
import { startSandbox } from './server.ts';
import { WORLDS } from './worlds/index.ts';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const name = arg('world') ?? 'seed-003-staging';
const c = WORLDS[name];
if (!c) {
  console.error(`no world ${name}; one of: ${Object.keys(WORLDS).join(', ')}`);
  process.exit(2);
}
const world = c.world(externalIdFor(localDevSecret(), arg('tenant') ?? 't-demo'));
const sandbox = await startSandbox({ world, port: Number(arg('port') ?? 4566) });
console.log(`sandbox ready on ${sandbox.url} with world ${name}
export AWS_ENDPOINT_URL_STS=${sandbox.url} AWS_ENDPOINT_URL_S3=${sandbox.url} AWS_ENDPOINT_URL_KMS=${sandbox.url} AWS_ENDPOINT_URL_REDSHIFT=${sandbox.url} AWS_ENDPOINT_URL_REDSHIFT_SERVERLESS=${sandbox.url} AWS_ENDPOINT_URL_SQS=${sandbox.url} AWS_ENDPOINT_URL_EVENTBRIDGE=${sandbox.url} AWS_ENDPOINT_URL_IAM=${sandbox.url}
export AWS_ACCESS_KEY_ID=${world.vendor.accessKeyId} AWS_SECRET_ACCESS_KEY=${world.vendor.secretAccessKey} AWS_SESSION_TOKEN=${world.vendor.sessionToken} AWS_REGION=us-east-1`);
process.on('SIGTERM', () => void sandbox.close().then(() => process.exit(0)));
process.on('SIGINT', () => void sandbox.close().then(() => process.exit(0)));
