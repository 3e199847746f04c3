/**
 * `npm run bench`'s bundle figures (scripts/bench.ts calls it): every function's bundle size as
 * `sls package` builds it, and the verify bundle's init time against importing the bare SDK
 * clients it loads at start, both in the deployed format (ESM, split).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { type BundleSize, bundleSizes, bundleTable, esbuildOptions } from './bundle-sizes.ts';

const root = join(import.meta.dirname, '..');

/**
 * The clients verify loads at start: the customer's STS, S3 and KMS, and its own SSM (the
 * external-ID secret) and DynamoDB (rate limit, the tenant's secret version). Redshift and IAM
 * come on demand (src/core/aws.ts), so they are not part of a start.
 */
const BARE_CLIENTS = `import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { KMSClient } from '@aws-sdk/client-kms';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
export const clients = [S3Client, STSClient, KMSClient, SSMClient, DynamoDBClient, DynamoDBDocumentClient];
`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

/** Milliseconds from a fresh process's import() of the file to its evaluation, handler and all. */
function initMs(file: string): number {
  const r = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const t=process.hrtime.bigint();await import(${JSON.stringify(pathToFileURL(file).href)});console.log(Number(process.hrtime.bigint()-t)/1e6)`,
    ],
    { encoding: 'utf8', timeout: 60_000, env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' } },
  );
  const ms = Number(r.stdout.trim().split('\n').at(-1));
  if (!Number.isFinite(ms)) throw new Error(`init of ${file} failed: ${r.stderr}`);
  return ms;
}

/** The drift functions refuse to start without their table and queue; any name will do here. */
export interface BundleFigures {
  sizes: BundleSize[];
  init: { ratio: number; bundleMs: number; bareMs: number; runs: number };
}

/** Builds verify and the bare clients with serverless.ts's options under `out`, then times both. */
export async function bundleFigures(out: string, runs = 15): Promise<BundleFigures> {
  const sizes = await bundleSizes();
  const dir = join(out, 'esm');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'bare.ts'), BARE_CLIENTS);
  const options = { ...(await esbuildOptions()), sourcemap: false, logLevel: 'error' as const };
  await build({ ...options, entryPoints: [join(root, 'src/handlers/verify.ts')], outdir: dir });
  await build({
    ...options,
    entryPoints: [join(dir, 'bare.ts')],
    outdir: dir,
    nodePaths: [join(root, 'node_modules')],
  });
  const bundle: number[] = [];
  const bare: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < runs; i++) {
    const b = initMs(join(dir, 'verify.js'));
    const c = initMs(join(dir, 'bare.js'));
    bundle.push(b);
    bare.push(c);
    ratios.push(b / c);
  }
  return {
    sizes,
    init: { ratio: median(ratios), bundleMs: median(bundle), bareMs: median(bare), runs },
  };
}

export function bundleReport({ sizes, init }: BundleFigures): string {
  const verify = sizes.find((s) => s.fn === 'verify');
  return `every function's bundle (minified ESM, split; what a start loads, and what only some requests load):

${bundleTable(sizes)}

| figure | value | target |
| --- | ---: | ---: |
| verify bundle, loaded at start (minified) | ${((verify?.loaded ?? 0) / 1024).toFixed(0)} KB | ≤ 650 KB |
| init: verify bundle ÷ the bare SDK clients it loads (median of ${init.runs}) | ${init.ratio.toFixed(2)} (${init.bundleMs.toFixed(0)} ms ÷ ${init.bareMs.toFixed(0)} ms) | ≤ 1.25 |
`;
}

if (import.meta.main) console.log(bundleReport(await bundleFigures(join(root, '.bench'), 5)));
