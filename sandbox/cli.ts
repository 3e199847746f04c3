/**
 * `node sandbox/cli.ts [--port 4566] [--world <name>] [--evaluators N]`: the sandbox on its own,
 * with the endpoint variables to export. Control it over /__sandbox/{world,faults,requests}.
 * `--evaluators N` decides the calls' policies on N worker threads, side by side as AWS does
 * (iam-pool.ts); without it, on the server's own thread.
 */
import { externalIdFor, localDevSecret } from '../src/core/external-id.ts';
import { sandboxEnv } from './env.ts';
import { evaluateWith } from './iam.ts';
import { evaluatorPool } from './iam-pool.ts';
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
const evaluators = Number(arg('evaluators') ?? 0);
if (!Number.isInteger(evaluators) || evaluators < 0 || evaluators > 16) {
  console.error(`--evaluators takes a whole number from 0 to 16, not ${arg('evaluators')}`);
  process.exit(2);
}
if (evaluators > 0) evaluateWith(evaluatorPool(evaluators).evaluate);
const world = c.world(externalIdFor(localDevSecret(), arg('tenant') ?? 't-demo'));
const sandbox = await startSandbox({ world, port: Number(arg('port') ?? 4566) });
console.log(`sandbox ready on ${sandbox.url} with world ${name}
export ${Object.entries(sandboxEnv(sandbox.url, world.vendor))
  .map(([k, val]) => `${k}=${val}`)
  .join(' ')}`);
process.on('SIGTERM', () => void sandbox.close().then(() => process.exit(0)));
process.on('SIGINT', () => void sandbox.close().then(() => process.exit(0)));
