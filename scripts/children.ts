import { spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');

/**
 * Starts one of the project's local services (the sandbox, dynalite) as a child process and
 * resolves with the URL it prints as `<what> ready on <url>`; the child ends with this process.
 */
export async function startChild(script: string, args: string[], what: string): Promise<string> {
  const child = spawn(process.execPath, [join(root, script), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  process.on('exit', () => child.kill('SIGTERM'));
  return new Promise((resolve) => {
    child.stdout.on('data', (c: Buffer) => {
      const m = new RegExp(`${what} ready on (\\S+)`).exec(c.toString());
      if (m?.[1]) resolve(m[1]);
    });
  });
}
