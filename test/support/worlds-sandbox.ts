import { afterAll, beforeAll } from 'vitest';
import { type Sandbox, startSandbox } from '../../sandbox/server.ts';
import { WORLDS } from '../../sandbox/worlds/index.ts';

/**
 * One sandbox for a file that runs worlds of the library in turn, each test setting its own
 * world: started before the file's tests, closed after them. A getter, because the sandbox
 * exists only once `beforeAll` has run.
 */
export function worldsSandbox(): () => Sandbox {
  let sandbox: Sandbox | undefined;
  beforeAll(async () => {
    const first = Object.values(WORLDS)[0];
    if (!first) throw new Error('no worlds');
    sandbox = await startSandbox({ world: first.world('unused') });
  });
  afterAll(async () => {
    await sandbox?.close();
  });
  return () => {
    if (!sandbox) throw new Error('the worlds sandbox starts in beforeAll');
    return sandbox;
  };
}
