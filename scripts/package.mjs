#!/usr/bin/env node
// `sls package` from a clean tree (stale .esbuild/ and .serverless/ would hide a bundling
// mistake), bounded in time, then each function's zip and bundle size.
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
for (const dir of ['.esbuild', '.serverless']) rmSync(join(root, dir), { recursive: true, force: true });

const bin = join(root, 'node_modules', '.bin');
const result = spawnSync(join(bin, 'sls'), ['package', ...process.argv.slice(2)], {
  cwd: root,
  env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` },
  stdio: 'inherit',
  timeout: 300_000,
});
if (result.status !== 0) {
  console.error(
    result.error ? `sls package failed: ${result.error.message}` : `sls package exited ${result.status}`,
  );
  process.exit(1);
}
const out = join(root, '.serverless');
for (const f of readdirSync(out).filter((f) => f.endsWith('.zip'))) {
  console.log(`${f.padEnd(14)} ${(statSync(join(out, f)).size / 1024).toFixed(0).padStart(6)} KiB zipped`);
}
