/**
 * `npm start [-- <world>] [--port 3000] [--sandbox-port 4566]`: a local AWS (the sandbox) with
 * a demo tenant's world, the API through serverless-offline as API Gateway would serve it (JWT
 * claims decoded, not verified, as serverless-offline does), and the onboarding page in front
 * of it on http://localhost:<port>/ with the demo tenant's token filled in.
 *
 * The page's server takes the port first, so a busy port is one line and nothing else starts;
 * serverless-offline listens on free ports of its own behind it.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { startDrift } from '../sandbox/drift.ts';
import { sandboxEnv } from '../sandbox/env.ts';
import { startSandbox } from '../sandbox/server.ts';
import { WORLDS } from '../sandbox/worlds/index.ts';
import { externalIdFor, localDevSecret } from '../src/core/external-id.ts';
import { proxyTo, startWebServer } from './web-server.ts';

const TENANT = 't-demo';
const USAGE = `usage: npm start -- [world] [--port 3000] [--sandbox-port 4566]
worlds: ${Object.keys(WORLDS).join(', ')}`;

const fail = (line: string, code = 1): never => {
  console.error(line);
  process.exit(code);
};

let args: ReturnType<typeof parseArgsOf>;
function parseArgsOf(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string', default: process.env.PORT ?? '3000' },
      'sandbox-port': { type: 'string', default: process.env.SANDBOX_PORT ?? '4566' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}
try {
  args = parseArgsOf(process.argv.slice(2));
} catch (err) {
  fail(`${(err as Error).message}\n${USAGE}`, 2);
  throw err;
}
if (args.values.help) {
  console.log(USAGE);
  process.exit(0);
}
const portOf = (name: string, raw: string) => {
  const n = Number(raw);
  if (!/^\d{1,5}$/.test(raw) || n > 65_535)
    fail(`--${name} ${raw} is not a TCP port (0 to 65535)\n${USAGE}`, 2);
  return n;
};
const PORT = portOf('port', args.values.port);
const SANDBOX_PORT = portOf('sandbox-port', args.values['sandbox-port']);
if (args.positionals.length > 1) fail(`one world at a time\n${USAGE}`, 2);
const worldName = args.positionals[0] ?? 'seed-003-staging';
const demo = WORLDS[worldName];
if (!demo) fail(`no world ${worldName}; one of: ${Object.keys(WORLDS).join(', ')}`, 2);
const worldCase = demo as NonNullable<typeof demo>;

const began = Date.now();
const step = (line: string) => console.log(`[${((Date.now() - began) / 1000).toFixed(1)} s] ${line}`);
const busy = (err: unknown, what: string, flag: string, port: number) => {
  if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE')
    fail(`npm start: port ${port} (${what}) is in use; stop what holds it or pass ${flag} <another port>`);
  throw err;
};

const externalId = externalIdFor(localDevSecret(), TENANT);
const world = worldCase.world(externalId);
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

/** A port the kernel says is free now, for serverless-offline's own listeners behind the page. */
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
const [httpPort, lambdaPort] = [await freePort(), await freePort()];

// What the demo world asks for, so the page opens ready to verify.
const request = worldCase.request as {
  credentials?: { type?: string; roleArn?: string };
  profile?: string;
  region?: string;
  s3?: { bucket: string; prefix?: string }[];
};
const web = await startWebServer({
  port: PORT,
  config: {
    apiBase: '',
    token,
    profile: request.profile ?? '',
    region: request.region ?? '',
    roleArn: request.credentials?.type === 'role' ? (request.credentials.roleArn ?? '') : '',
    buckets: (request.s3 ?? []).map((b) => `${b.bucket}/${b.prefix ?? ''}`.replace(/\/$/, '')),
  },
  api: proxyTo(`http://127.0.0.1:${httpPort}`),
}).catch((err) => busy(err, 'the page and API', '--port', PORT));
step(`page server listening on port ${web.port}`);

step(`starting the sandbox (a local AWS) with the world "${worldName}"…`);
const sandbox = await startSandbox({ world, port: SANDBOX_PORT }).catch((err) =>
  busy(err, 'the sandbox', '--sandbox-port', SANDBOX_PORT),
);
step(`sandbox ready on ${sandbox.url}; starting the local DynamoDB and the drift queue…`);
// Saved connections: their table in a local DynamoDB, their queue in the sandbox.
const drift = await startDrift(sandbox, { credentials: world.vendor });

const root = join(import.meta.dirname, '..');
const bin = join(root, 'node_modules', '.bin');
const awsEnv = { ...sandboxEnv(sandbox.url, world.vendor), ...drift.env };
// For `npm run drift:local`, which runs the schedule's dispatcher and the queue's worker by hand.
// Tests name their own file, so they never clobber a developer's.
const stateFile = process.env.START_STATE_FILE ?? join(root, '.local', 'start.json');
mkdirSync(dirname(stateFile), { recursive: true });
writeFileSync(
  stateFile,
  `${JSON.stringify({ env: awsEnv, queueUrl: drift.queueUrl, pid: process.pid }, null, 2)}\n`,
  { mode: 0o600 },
);

step('starting the API: serverless-offline bundles the handlers with esbuild (15–60 s)…');
const api = spawn(
  join(bin, 'sls'),
  ['offline', 'start', '--httpPort', String(httpPort), '--lambdaPort', String(lambdaPort)],
  {
    cwd: root,
    env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, ...awsEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  },
);
const waiting = setInterval(() => step('…still bundling'), 5_000);
let ready = false;
let offlineLog = '';
const onOutput = (chunk: Buffer) => {
  // serverless-offline's own banner names its internal port, not the page's: kept until ready,
  // shown only if it fails to start.
  if (!ready) offlineLog += chunk.toString();
  else process.stdout.write(chunk);
  if (!ready && /Server ready/.test(offlineLog)) {
    ready = true;
    clearInterval(waiting);
    const url = `http://localhost:${web.port}`;
    step('ready');
    console.log(`
The onboarding page: ${url}/  (the demo tenant's token is filled in)

The sandbox (a local AWS) runs on ${sandbox.url} with the world "${worldName}": ${world.description}
Tenant ${TENANT}; its external ID is ${externalId}.

Verify the demo role:
  curl -s ${url}/verify -H 'authorization: Bearer ${token}' \\
    -H 'content-type: application/json' -d '${JSON.stringify(worldCase.request)}'

Save it as a connection (verified first; drift re-verifies it), then list the tenant's:
  curl -s ${url}/connections -H 'authorization: Bearer ${token}' \\
    -H 'content-type: application/json' -d '${JSON.stringify(worldCase.request)}'
  curl -s ${url}/connections -H 'authorization: Bearer ${token}'

Re-verify every saved connection now, as the schedule would (dispatcher, queue, worker):
  npm run drift:local

What the tenant must create:
  curl -s '${url}/setup?profile=staging&bucket=syncoutput' -H 'authorization: Bearer ${token}'

Another world: npm start -- <name> (${Object.keys(WORLDS).join(', ')}). Every world at once: npm run demo.
`);
  }
};
api.stdout.on('data', onOutput);
api.stderr.on('data', (chunk: Buffer) => (ready ? process.stderr.write(chunk) : onOutput(chunk)));

const closeAll = async () => {
  clearInterval(waiting);
  await Promise.allSettled([web.close(), sandbox.close(), drift.close()]);
};
const stop = async () => {
  api.kill('SIGTERM');
  await closeAll();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
api.on('exit', async (code) => {
  if (!ready) {
    // The last lines say why (esbuild's error, a bad serverless.ts); the rest is noise.
    console.error(offlineLog.trim().split('\n').slice(-15).join('\n'));
    console.error(`npm start: serverless-offline exited (code ${code ?? 'none'}) before it was ready`);
  }
  await closeAll();
  process.exit(code || 1);
});
