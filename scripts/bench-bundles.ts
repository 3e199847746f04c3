/**
 * `npm run bench`'s bundle figures (scripts/bench.ts calls it): every function's bundle size as
 * `sls package` builds it, and the verify bundle's init time against importing the bare SDK
 * clients it loads at start, both in the deployed format (ESM, split).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import serverless from '../serverless.ts';
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
const START_ENV = { CONNECTIONS_TABLE: 'bench-connections', DRIFT_QUEUE_NAME: 'bench-drift' };

function startRss(file: string): number {
  const r = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `await import(${JSON.stringify(pathToFileURL(file).href)});console.log(process.resourceUsage().maxRSS/1024)`,
    ],
    {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, ...START_ENV, POWERTOOLS_LOG_LEVEL: 'SILENT' },
    },
  );
  const mb = Number(r.stdout.trim().split('\n').at(-1));
  if (!Number.isFinite(mb)) throw new Error(`loading ${file} failed: ${r.stderr.slice(-2000)}`);
  return mb;
}

export interface BundleFigures {
  sizes: BundleSize[];
  /** Each function's RSS once its bundle is loaded (handler built, nothing run), MB. */
  startRssMb: Record<string, number>;
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
  const startRssMb: Record<string, number> = {};
  for (const [fn, { handler }] of Object.entries(serverless.functions)) {
    const entry = join(root, `${handler.slice(0, handler.lastIndexOf('.'))}.ts`);
    await build({ ...options, entryPoints: [entry], outdir: join(dir, fn) });
    const file = join(dir, fn, readdirSync(join(dir, fn)).find((f) => f.endsWith('.js')) ?? '');
    startRssMb[fn] = startRss(file);
  }
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
    startRssMb,
    init: { ratio: median(ratios), bundleMs: median(bundle), bareMs: median(bare), runs },
  };
}

export function bundleReport({ sizes, init, startRssMb }: BundleFigures): string {
  const verify = sizes.find((s) => s.fn === 'verify');
  const memory = Object.entries(serverless.functions)
    .map(
      ([fn, f]) =>
        `${fn} ${(startRssMb[fn] ?? 0).toFixed(0)} MB (${'memorySize' in f ? f.memorySize : serverless.provider.memorySize} MB configured)`,
    )
    .join(', ');
  return `every function's bundle (minified ESM, split; what a start loads, and what only some requests load):

${bundleTable(sizes)}

RSS once the bundle is loaded: ${memory}

| figure | value | target |
| --- | ---: | ---: |
| verify bundle, loaded at start (minified) | ${((verify?.loaded ?? 0) / 1024).toFixed(0)} KB | ≤ 650 KB |
| init: verify bundle ÷ the bare SDK clients it loads (median of ${init.runs}) | ${init.ratio.toFixed(2)} (${init.bundleMs.toFixed(0)} ms ÷ ${init.bareMs.toFixed(0)} ms) | ≤ 1.25 |
`;
}

if (import.meta.main) console.log(bundleReport(await bundleFigures(join(root, '.bench'), 5)));
