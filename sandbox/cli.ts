/**
 * `node sandbox/cli.ts [--port 4566] [--world <name>]`: the sandbox on its own, with the
 * endpoint variables to export. Control it over /__sandbox/{world,faults,requests}.
 */
import { externalIdFor, localDevSecret } from '../src/core/external-id.ts';
import { sandboxEnv } from './env.ts';
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
export ${Object.entries(sandboxEnv(sandbox.url, world.vendor))
  .map(([k, val]) => `${k}=${val}`)
  .join(' ')}`);
process.on('SIGTERM', () => void sandbox.close().then(() => process.exit(0)));
process.on('SIGINT', () => void sandbox.close().then(() => process.exit(0)));
