import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_TABLE, savedDestination, startDrift } from '../../sandbox/drift.ts';
import { type Sandbox, startSandbox } from '../../sandbox/server.ts';
import { WORLDS } from '../../sandbox/worlds/index.ts';
import { connectionStore } from '../../src/core/drift/store.ts';
import { externalIdFor, localDevSecret } from '../../src/core/external-id.ts';

/** `npm start` and `npm run drift:local` as a developer runs them, in child processes. */
const ROOT = join(import.meta.dirname, '..', '..');
let home: string;
beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'aav-start-'));
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

function node(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(ROOT, script), ...args],
      { cwd: ROOT, env: { ...process.env, ...env }, timeout: 90_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
  });
}

async function occupy(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { server, port: (server.address() as { port: number }).port };
}

describe('npm start: ports', () => {
  it('says in one line that the page’s port is busy, and starts nothing', async () => {
    const { server, port } = await occupy();
    try {
      const state = join(home, 'busy.json');
      const run = await node('scripts/start.ts', ['--port', String(port), '--sandbox-port', '0'], {
        START_STATE_FILE: state,
      });
      expect(run.code).toBe(1);
      expect(run.stderr.trim().split('\n')).toEqual([
        `npm start: port ${port} (the page and API) is in use; stop what holds it or pass --port <another port>`,
      ]);
      expect(run.stdout).not.toMatch(/ready|sandbox/);
    } finally {
      server.close();
    }
  }, 90_000);

  it('says in one line that the sandbox’s port is busy', async () => {
    const { server, port } = await occupy();
    try {
      const run = await node('scripts/start.ts', ['--port', '0', '--sandbox-port', String(port)], {
        START_STATE_FILE: join(home, 'busy-sandbox.json'),
      });
      expect(run.code).toBe(1);
      expect(run.stderr.trim().split('\n')).toEqual([
        `npm start: port ${port} (the sandbox) is in use; stop what holds it or pass --sandbox-port <another port>`,
      ]);
    } finally {
      server.close();
    }
  }, 90_000);

  it.each([
    [['--port', 'http'], /--port http is not a TCP port/],
    [['--port', '70000'], /--port 70000 is not a TCP port/],
    [['--nope'], /Unknown option '--nope'/],
    [['no-such-world'], /no world no-such-world; one of: seed-001-destination/],
  ])(
    'refuses %j with exit 2',
    async (args, says) => {
      const run = await node('scripts/start.ts', args);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(says);
    },
    60_000,
  );
});

describe('npm start: the page and the API', () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill('SIGTERM');
  });

  it('prints progress while it starts, then serves the page, its settings and the API on one port', async () => {
    const state = join(home, 'start.json');
    child = spawn(process.execPath, [join(ROOT, 'scripts/start.ts'), '--port', '0', '--sandbox-port', '0'], {
      cwd: ROOT,
      env: { ...process.env, START_STATE_FILE: state },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr?.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const deadline = Date.now() + 240_000;
    while (!/The onboarding page: (http:\/\/localhost:\d+)\//.test(out)) {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`npm start never got ready:\n${out}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const url = /The onboarding page: (http:\/\/localhost:\d+)\//.exec(out)?.[1] ?? '';
    const lines = out.split('\n');
    // Progress, each line stamped, before the banner: never a silent wait.
    expect(lines.filter((l) => /^\[\d+\.\d s\] /.test(l)).map((l) => l.replace(/^\[[^\]]+\] /, ''))).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^page server listening on port \d+$/),
        expect.stringMatching(/^starting the sandbox/),
        expect.stringMatching(/^starting the API: serverless-offline bundles the handlers/),
        'ready',
      ]),
    );
    expect(out).toContain('npm run drift:local');

    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script src="app.js" defer></script>');
    const config = (await (await fetch(`${url}/config.json`)).json()) as { token: string; roleArn: string };
    expect(config.roleArn).toBe('arn:aws:iam::111122223333:role/VendorAccess');
    const verified = await fetch(`${url}/verify`, {
      method: 'POST',
      headers: { authorization: `Bearer ${config.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(WORLDS['seed-003-staging']?.request),
    });
    expect(verified.status).toBe(200);
    expect(((await verified.json()) as { status: string }).status).toBe('pass');
    const saved = JSON.parse(readFileSync(state, 'utf8')) as {
      env: Record<string, string>;
      queueUrl: string;
    };
    expect(saved.env.CONNECTIONS_TABLE).toBe(LOCAL_TABLE);
    expect(saved.queueUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
  }, 270_000);
});

describe('npm run drift:local', () => {
  let sandbox: Sandbox;
  let drift: Awaited<ReturnType<typeof startDrift>>;
  let store: ReturnType<typeof connectionStore>;
  const tenant = 't-demo';
  const CONNECTION = '3f0c2b1a-6d4e-4a8b-9c7d-2e1f0a9b8c7d';
  beforeAll(async () => {
    const world = WORLDS['seed-001-destination']?.world(externalIdFor(localDevSecret(), tenant));
    if (!world) throw new Error('the library lost seed-001-destination');
    sandbox = await startSandbox({ world });
    drift = await startDrift(sandbox, { credentials: world.vendor });
    const env = {
      AWS_ENDPOINT_URL_STS: sandbox.url,
      AWS_ENDPOINT_URL_S3: sandbox.url,
      AWS_ENDPOINT_URL_IAM: sandbox.url,
      ...drift.env,
      AWS_ACCESS_KEY_ID: world.vendor.accessKeyId,
      AWS_SECRET_ACCESS_KEY: world.vendor.secretAccessKey,
      AWS_SESSION_TOKEN: world.vendor.sessionToken,
      AWS_REGION: 'us-east-1',
    };
    store = connectionStore(
      new DynamoDBClient({ endpoint: drift.dynamo.url, region: 'us-east-1', credentials: world.vendor }),
      LOCAL_TABLE,
    );
    await store.create(savedDestination(tenant, CONNECTION, 'arn:aws:iam::111122223333:role/VendorAccess'));
    // As npm start leaves it, naming this (running) process.
    writeFileSync(
      join(home, 'drift.json'),
      JSON.stringify({ env, queueUrl: drift.queueUrl, pid: process.pid }),
    );
  });
  afterAll(async () => {
    await drift?.close();
    await sandbox?.close();
  });

  it('dispatches every saved connection and has the worker re-verify it, against the running sandbox', async () => {
    const before = sandbox.requests.filter((r) => r.operation === 'AssumeRole').length;
    const run = await node('scripts/drift-local.ts', ['--at', '2026-12-02T10:00:00Z'], {
      START_STATE_FILE: join(home, 'drift.json'),
      POWERTOOLS_LOG_LEVEL: 'WARN',
    });
    expect(run.stderr).toBe('');
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toMatch(/dispatched \{.*"period":"2026-12-02".*\}/);
    expect(run.stdout).toMatch(/worked 1 messages in 1 batches; 0 failed; queue empty/);
    expect(sandbox.requests.filter((r) => r.operation === 'AssumeRole').length).toBeGreaterThan(before);
    const runs = await store.history(tenant, CONNECTION, 10);
    expect(runs.map((r) => `${r.period} ${r.kind} ${r.status}`)).toEqual(['2026-12-02 drift pass']);
  }, 90_000);

  it('says npm start is not running when its file is missing', async () => {
    const run = await node('scripts/drift-local.ts', [], { START_STATE_FILE: join(home, 'nothing.json') });
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toMatch(/^drift:local: no running npm start \(.*nothing\.json is missing\)/);
  }, 60_000);
});
