import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { externalIdFor, localDevSecret } from '../src/core/external-id.ts';
import { WORLDS } from './worlds/index.ts';

/** `node sandbox/cli.ts`, as `npm run bench` runs it: a process of its own, with evaluator threads. */
const cli = join(import.meta.dirname, 'cli.ts');
const world = WORLDS['seed-003-staging']?.world(externalIdFor(localDevSecret(), 't-demo'));
const roleArn = world?.roles?.[0]?.arn ?? '';

let child: ChildProcess | undefined;
let env: Record<string, string> = {};
beforeAll(async () => {
  child = spawn(process.execPath, [cli, '--port', '0', '--evaluators', '2'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ready = await new Promise<string>((resolve, reject) => {
    let out = '';
    child?.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('\nexport ')) resolve(out);
    });
    child?.once('exit', (code) => reject(new Error(`the sandbox exited (${code}): ${out}`)));
  });
  const exports = ready.split('\n').find((l) => l.startsWith('export ')) ?? '';
  env = Object.fromEntries(
    exports
      .slice('export '.length)
      .split(' ')
      .map((kv) => kv.split('=') as [string, string]),
  );
}, 30_000);
afterAll(() => {
  child?.kill('SIGTERM');
});

const sts = () =>
  new STSClient({
    region: 'us-east-1',
    endpoint: env.AWS_ENDPOINT_URL_STS ?? '',
    credentials: {
      accessKeyId: env.AWS_ACCESS_KEY_ID ?? '',
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '',
      ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
    },
  });

describe('sandbox/cli.ts --evaluators 2', () => {
  it('decides on its evaluator threads: the tenant’s external ID is let in, a wrong one refused', async () => {
    const client = sts();
    const assume = (ExternalId: string) =>
      client.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'cli-test', ExternalId }));
    const ok = await assume(externalIdFor(localDevSecret(), 't-demo'));
    expect(ok.Credentials?.AccessKeyId).toMatch(/^ASIA/);
    await expect(assume('not-the-tenants')).rejects.toMatchObject({ name: 'AccessDenied' });
    client.destroy();
  });

  it('refuses an evaluator count it cannot use, before it listens', () => {
    const r = spawnSync(process.execPath, [cli, '--port', '0', '--evaluators', 'many'], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--evaluators takes a whole number from 0 to 16, not many/);
  });
});
