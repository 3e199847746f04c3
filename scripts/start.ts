/**
 * `npm start`: the embedded default. A local AWS (the sandbox) with a demo tenant's world,
 * and the API on http://localhost:3000 through serverless-offline, as API Gateway would
 * serve it (JWT claims decoded, not verified, as serverless-offline does). Prints a curl.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startDrift } from '../sandbox/drift.ts';
import { startSandbox } from '../sandbox/server.ts';
import { WORLDS } from '../sandbox/worlds/index.ts';
import { externalIdFor, localDevSecret } from '../src/core/external-id.ts';

const TENANT = 't-demo';
const PORT = Number(process.env.SANDBOX_PORT ?? 4566);
const worldName = process.argv[2] ?? 'seed-003-staging';
const demo = WORLDS[worldName];
if (!demo) {
  console.error(`no world ${worldName}; one of: ${Object.keys(WORLDS).join(', ')}`);
  process.exit(2);
}
const world = demo.world(externalIdFor(localDevSecret(), TENANT));
const sandbox = await startSandbox({ world, port: PORT });
// Saved connections: their table in a local DynamoDB, their queue in the sandbox.
const drift = await startDrift(sandbox, { credentials: world.vendor });

const root = join(import.meta.dirname, '..');
const bin = join(root, 'node_modules', '.bin');
const env = {
  ...process.env,
  PATH: `${bin}:${process.env.PATH ?? ''}`,
  AWS_ENDPOINT_URL_STS: sandbox.url,
  AWS_ENDPOINT_URL_S3: sandbox.url,
  AWS_ENDPOINT_URL_KMS: sandbox.url,
  AWS_ENDPOINT_URL_REDSHIFT: sandbox.url,
  AWS_ENDPOINT_URL_REDSHIFT_SERVERLESS: sandbox.url,
  ...drift.env,
  AWS_ACCESS_KEY_ID: world.vendor.accessKeyId,
  AWS_SECRET_ACCESS_KEY: world.vendor.secretAccessKey,
  AWS_SESSION_TOKEN: world.vendor.sessionToken,
  AWS_REGION: 'us-east-1',
};
const api = spawn(join(bin, 'sls'), ['offline', 'start'], {
  cwd: root,
  env,
  stdio: ['ignore', 'pipe', 'inherit'],
});

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const token = [
  b64({ alg: 'RS256', typ: 'JWT' }),
  b64({
    sub: 'demo-user',
    iss: 'https://auth.example.com/',
    aud: 'aws-access-verifier',
    tenant_id: TENANT,
    exp: Math.floor(Date.now() / 1000) + 86_400,
  }),
  'unsigned-local-demo',
].join('.');

let ready = false;
api.stdout.on('data', (chunk: Buffer) => {
  process.stdout.write(chunk);
  if (!ready && /Server ready|localhost:3000/.test(chunk.toString())) {
    ready = true;
    console.log(`
The sandbox (a local AWS) runs on ${sandbox.url} with the world "${worldName}": ${world.description}
Tenant ${TENANT}; its external ID is ${externalIdFor(localDevSecret(), TENANT)}.

Verify the demo role:
  curl -s http://localhost:3000/verify -H 'authorization: Bearer ${token}' \\
    -H 'content-type: application/json' -d '${JSON.stringify(demo.request)}'

Save it as a connection (verified first; drift re-verifies it), then list the tenant's:
  curl -s http://localhost:3000/connections -H 'authorization: Bearer ${token}' \\
    -H 'content-type: application/json' -d '${JSON.stringify(demo.request)}'
  curl -s http://localhost:3000/connections -H 'authorization: Bearer ${token}'

What the tenant must create:
  curl -s 'http://localhost:3000/setup?profile=staging&bucket=syncoutput' -H 'authorization: Bearer ${token}'

Another world: npm start -- <name> (${Object.keys(WORLDS).join(', ')}). Every world at once: npm run demo.
`);
  }
});
const stop = async () => {
  api.kill('SIGTERM');
  await sandbox.close();
  await drift.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
api.on('exit', async (code) => {
  await sandbox.close();
  process.exit(code ?? 1);
});
