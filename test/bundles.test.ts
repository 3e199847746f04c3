import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BundleSize, bundleSizes, esbuildOptions } from '../scripts/bundle-sizes.ts';

/**
 * What each function's bundle reaches, built with serverless.ts's own esbuild options: sizes
 * are figures for `npm run bench`, but what a bundle contains is a rule, checked here.
 */
let sizes: Map<string, BundleSize>;
beforeAll(async () => {
  sizes = new Map((await bundleSizes()).map((s) => [s.fn, s]));
}, 120_000);

const loaded = (fn: string) => sizes.get(fn)?.loadedInputs ?? [];
const reaches = (inputs: string[], fragment: string) => inputs.some((i) => i.includes(fragment));

describe('the functions’ bundles', () => {
  it('measures every function of serverless.ts', () => {
    expect([...sizes.keys()].sort()).toEqual([
      'checks',
      'connections',
      'driftDispatch',
      'driftWorker',
      'openapi',
      'setup',
      'verify',
    ]);
    for (const s of sizes.values()) expect(s.loaded, s.fn).toBeGreaterThan(20_000);
  });

  it('loads no Redshift or IAM client code for an S3-only request: those come on demand', () => {
    for (const fn of ['verify', 'driftWorker', 'connections']) {
      expect(reaches(loaded(fn), '@aws-sdk/client-redshift'), fn).toBe(false);
      expect(reaches(loaded(fn), '@aws-sdk/client-iam'), fn).toBe(false);
      expect(reaches(loaded(fn), '@aws-sdk/client-s3'), fn).toBe(true);
      // Still in the bundle, behind an import() the Redshift checks make.
      expect(reaches(sizes.get(fn)?.inputs ?? [], '@aws-sdk/client-redshift-serverless'), fn).toBe(true);
    }
  });

  it('loads no KMS client code for a verification that names no key: it comes with the first KMS check', () => {
    // connections and the drift worker open stored credentials with KMS (src/core/drift/seal.ts).
    for (const fn of ['verify', 'setup']) {
      expect(reaches(loaded(fn), '@aws-sdk/client-kms'), fn).toBe(false);
      expect(reaches(sizes.get(fn)?.inputs ?? [], '@aws-sdk/client-kms'), fn).toBe(true);
    }
  });

  it('keeps the drift dispatcher to its table and queue: no catalogue, no verification clients', () => {
    const all = sizes.get('driftDispatch')?.inputs ?? [];
    for (const fragment of [
      'src/checks/index.ts',
      'src/checks/s3/',
      'src/checks/redshift/',
      '@aws-sdk/client-s3',
      '@aws-sdk/client-kms',
      '@aws-sdk/client-redshift',
      '@aws-sdk/client-eventbridge',
    ])
      expect(reaches(all, fragment), fragment).toBe(false);
    expect(reaches(all, '@aws-sdk/client-sqs')).toBe(true);
  });

  it('never bundles the AGPL policy simulator (a development dependency only)', () => {
    for (const s of sizes.values())
      expect(reaches(s.inputs, '@cloud-copilot/iam-simulate'), s.fn).toBe(false);
  });
});

describe('scripts/esbuild-plugins.mjs', () => {
  const out = mkdtempSync(join(tmpdir(), 'plugins-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('puts a function’s chunks under <name>.chunks/ and marks the folder as ESM', async () => {
    await build({
      ...(await esbuildOptions()),
      entryPoints: ['src/handlers/verify.ts'],
      outdir: out,
      sourcemap: false,
      logLevel: 'error',
    });
    expect(JSON.parse(readFileSync(join(out, 'package.json'), 'utf8'))).toEqual({ type: 'module' });
    const files = readdirSync(out, { recursive: true, encoding: 'utf8' }).sort();
    const chunks = files.filter((f) => f.startsWith('verify.chunks/'));
    expect(chunks.length).toBeGreaterThan(0);
    // serverless-esbuild leaves `verify.*` out of every other function's zip: nothing else may sit beside it.
    expect(files.filter((f) => !f.startsWith('verify.chunks'))).toEqual(['package.json', 'verify.js']);
    // The Redshift clients, in a chunk of their own that the entry imports only dynamically.
    const entry = readFileSync(join(out, 'verify.js'), 'utf8');
    expect(entry).toMatch(/import\("\.\/verify\.chunks\/redshift-\w+\.js"\)/);
  }, 120_000);
});
