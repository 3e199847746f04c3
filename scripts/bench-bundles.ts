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
import serverless from '../serverless.ts';
import { type BundleSize, bundleSizes, bundleTable, esbuildOptions } from './bundle-sizes.ts';

const root = join(import.meta.dirname, '..');

/**
 * What verify's init is compared with: the five SDK clients it needs (the issue's measure: the
 * customer's STS, S3 and KMS, and its own SSM for the external-ID secret and DynamoDB for the
 * rate limit and the tenant's secret version), and the four of them a start really loads, KMS
 * now coming with the first KMS check like Redshift and IAM (src/core/aws.ts). The second is the
 * stricter: all that separates verify from it is this project's own code and libraries.
 */
const FIVE = {
  S3Client: '@aws-sdk/client-s3',
  STSClient: '@aws-sdk/client-sts',
  KMSClient: '@aws-sdk/client-kms',
  SSMClient: '@aws-sdk/client-ssm',
  DynamoDBClient: '@aws-sdk/client-dynamodb',
} as const;
type Client = keyof typeof FIVE;
const BARE: Record<'five' | 'loaded at start', Client[]> = {
  five: Object.keys(FIVE) as Client[],
  'loaded at start': (Object.keys(FIVE) as Client[]).filter((c) => c !== 'KMSClient'),
};
const bareSource = (clients: readonly Client[]) =>
  `${clients.map((c) => `import { ${c} } from '${FIVE[c]}';`).join('\n')}
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
export const clients = [${clients.join(', ')}, DynamoDBDocumentClient];
`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

/**
 * What Lambda starts Node with: the functions' `NODE_OPTIONS` (`--enable-source-maps` there
 * once cost verify's start 17 ms, which a run without it never showed).
 */
const NODE_OPTIONS =
  (serverless.provider.environment as Record<string, string | undefined>).NODE_OPTIONS ?? '';

/** Milliseconds from a fresh process's import() of the file to its evaluation, handler and all. */
function initMs(file: string): number {
  const r = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const t=process.hrtime.bigint();await import(${JSON.stringify(pathToFileURL(file).href)});console.log(Number(process.hrtime.bigint()-t)/1e6)`,
    ],
    {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT', NODE_OPTIONS },
    },
  );
  const ms = Number(r.stdout.trim().split('\n').at(-1));
  if (!Number.isFinite(ms)) throw new Error(`init of ${file} failed: ${r.stderr}`);
  return ms;
}

/** Verify's init against one set of bare clients, each a median of `runs` fresh processes. */
export interface InitFigure {
  baseline: keyof typeof BARE;
  ratio: number;
  bundleMs: number;
  bareMs: number;
  runs: number;
}
export interface BundleFigures {
  sizes: BundleSize[];
  init: InitFigure[];
}

/** Builds verify and the bare clients with serverless.ts's options under `out`, then times both. */
export async function bundleFigures(out: string, runs = 15): Promise<BundleFigures> {
  const sizes = await bundleSizes();
  const dir = join(out, 'esm');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // As deployed, maps and all: whatever NODE_OPTIONS does with them is part of a start.
  const options = { ...(await esbuildOptions()), logLevel: 'error' as const };
  await build({ ...options, entryPoints: [join(root, 'src/handlers/verify.ts')], outdir: dir });
  const bare = Object.keys(BARE) as (keyof typeof BARE)[];
  for (const [i, name] of bare.entries()) {
    writeFileSync(join(dir, `bare${i}.ts`), bareSource(BARE[name]));
    await build({
      ...options,
      entryPoints: [join(dir, `bare${i}.ts`)],
      outdir: dir,
      nodePaths: [join(root, 'node_modules')],
    });
  }
  const bundle: number[] = [];
  const bareMs = bare.map(() => [] as number[]);
  const ratios = bare.map(() => [] as number[]);
  // Interleaved, run by run, so that a busier moment of the machine weighs on all alike.
  for (let run = 0; run < runs; run++) {
    const b = initMs(join(dir, 'verify.js'));
    bundle.push(b);
    for (const i of bare.keys()) {
      const c = initMs(join(dir, `bare${i}.js`));
      bareMs[i]?.push(c);
      ratios[i]?.push(b / c);
    }
  }
  return {
    sizes,
    init: bare.map((baseline, i) => ({
      baseline,
      ratio: median(ratios[i] ?? []),
      bundleMs: median(bundle),
      bareMs: median(bareMs[i] ?? []),
      runs,
    })),
  };
}

export function bundleReport({ sizes, init }: BundleFigures): string {
  const verify = sizes.find((s) => s.fn === 'verify');
  return `every function's bundle (minified ESM, split; what a start loads, and what only some requests load):

${bundleTable(sizes)}

| figure | value | target |
| --- | ---: | ---: |
| verify bundle, loaded at start (minified) | ${((verify?.loaded ?? 0) / 1024).toFixed(0)} KB | ≤ 650 KB |
${init
  .map(
    (i) =>
      `| init: verify bundle ÷ the bare SDK clients, ${i.baseline === 'five' ? 'the five it needs (S3, STS, KMS, SSM, DynamoDB)' : 'those its start loads (no KMS)'} (median of ${i.runs}) | ${i.ratio.toFixed(2)} (${i.bundleMs.toFixed(0)} ms ÷ ${i.bareMs.toFixed(0)} ms) | ${i.baseline === 'five' ? '≤ 1.25' : ''} |`,
  )
  .join('\n')}
`;
}

if (import.meta.main) console.log(bundleReport(await bundleFigures(join(root, '.bench'), 15)));
