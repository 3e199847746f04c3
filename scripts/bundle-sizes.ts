/**
 * Each function's bundle as serverless-esbuild builds it (the options of `custom.esbuild` in
 * serverless.ts, less the plugin's own), measured in memory: what a cold start loads for an
 * S3-only request (the entry and the chunks it imports statically), what it may load later
 * (chunks behind a dynamic `import()`), and which packages weigh most.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { type BuildOptions, build, type Metafile, type Plugin } from 'esbuild';
import serverless from '../serverless.ts';

const root = join(import.meta.dirname, '..');
const TOP = Number(process.env.BUNDLE_TOP ?? 6);

/** serverless-esbuild removes these before it calls esbuild (its bundle.ts). */
const PLUGIN_OPTIONS = ['exclude', 'packager', 'outputFileExtension', 'concurrency', 'nativeZip'];

/** custom.esbuild as serverless-esbuild hands it to esbuild: its plugins loaded, its own keys gone. */
export async function esbuildOptions(): Promise<BuildOptions> {
  const { plugins, outputFileExtension, ...rest } = serverless.custom.esbuild;
  const options: Record<string, unknown> = { ...rest };
  for (const key of PLUGIN_OPTIONS) delete options[key];
  const loaded = (await import(join(root, plugins))) as { default: Plugin[] };
  return {
    ...(options as BuildOptions),
    outExtension: { '.js': outputFileExtension },
    plugins: loaded.default,
  };
}

/**
 * One handler built as deployed (serverless.ts's esbuild options) into a fresh `outdir`, for a
 * benchmark to load as Lambda would; returns the handler file's path.
 */
export async function buildDeployed(
  entry: string,
  outdir: string,
  extra: BuildOptions = {},
): Promise<string> {
  rmSync(outdir, { recursive: true, force: true });
  await build({
    ...(await esbuildOptions()),
    sourcemap: false,
    logLevel: 'error',
    entryPoints: [entry],
    outdir,
    ...extra,
  });
  const name = basename(entry, '.ts');
  const file = readdirSync(outdir).find((f) => new RegExp(`^${name}\\.[cm]?js$`).test(f));
  if (!file) throw new Error(`no ${name} bundle in ${outdir}`);
  return join(outdir, file);
}

export interface BundleSize {
  fn: string;
  /** Bytes of the entry and every chunk it imports statically: what a cold start parses. */
  loaded: number;
  /** Bytes behind a dynamic import(): loaded only by the requests that need them. */
  lazy: number;
  /** The heaviest packages (or source folders) loaded at start, bytes in the output, heaviest first. */
  top: { input: string; bytes: number }[];
  /** Every input with code in the loaded-at-start files. */
  loadedInputs: string[];
  /** Every input with code in any output, loaded at start or on demand (e.g. to find AGPL code). */
  inputs: string[];
}

/** node_modules/@aws-sdk/client-s3/dist-es/… → @aws-sdk/client-s3; src/core/x.ts → src/core. */
export function packageOf(input: string): string {
  const m = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/g);
  const last = m?.at(-1);
  if (last) return last.replace('node_modules/', '');
  return input.split('/').slice(0, -1).join('/') || input;
}

/** The output file holding the entry, and every output it reaches through static imports. */
function staticClosure(meta: Metafile, entry: string): Set<string> {
  const seen = new Set<string>([entry]);
  const queue = [entry];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    for (const imp of meta.outputs[file]?.imports ?? []) {
      if (imp.kind === 'import-statement' && !imp.external && !seen.has(imp.path)) {
        seen.add(imp.path);
        queue.push(imp.path);
      }
    }
  }
  return seen;
}

export function measure(fn: string, meta: Metafile): BundleSize {
  const outputs = Object.entries(meta.outputs).filter(([f]) => !f.endsWith('.map'));
  const entry = outputs.find(([, o]) => o.entryPoint?.includes('src/handlers/'))?.[0];
  if (!entry) throw new Error(`${fn}: no entry output in the metafile`);
  const loadedFiles = staticClosure(meta, entry);
  let loaded = 0;
  let lazy = 0;
  const byPackage = new Map<string, number>();
  const inputs = new Set<string>();
  const loadedInputs = new Set<string>();
  for (const [file, o] of outputs) {
    const withCode = Object.entries(o.inputs).filter(([, i]) => i.bytesInOutput > 0);
    for (const [input] of withCode) inputs.add(input);
    if (!loadedFiles.has(file)) {
      lazy += o.bytes;
      continue;
    }
    loaded += o.bytes;
    for (const [input, { bytesInOutput }] of withCode) {
      loadedInputs.add(input);
      const p = packageOf(input);
      byPackage.set(p, (byPackage.get(p) ?? 0) + bytesInOutput);
    }
  }
  const top = [...byPackage]
    .map(([input, bytes]) => ({ input, bytes }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, TOP);
  return { fn, loaded, lazy, top, loadedInputs: [...loadedInputs], inputs: [...inputs] };
}

/** Every function of serverless.ts, built as `sls package` builds it (nothing written to the tree). */
export async function bundleSizes(): Promise<BundleSize[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bundle-sizes-'));
  try {
    const sizes: BundleSize[] = [];
    const options = await esbuildOptions();
    for (const [fn, { handler }] of Object.entries(serverless.functions)) {
      const entry = join(root, `${handler.slice(0, handler.lastIndexOf('.'))}.ts`);
      const result = await build({
        ...options,
        entryPoints: [entry],
        outdir: join(dir, fn),
        absWorkingDir: root,
        metafile: true,
        write: false,
        logLevel: 'error',
      });
      sizes.push(measure(fn, result.metafile));
    }
    return sizes;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;

/** The table `npm run bench` prints (and the README's Performance section shows). */
export function bundleTable(sizes: BundleSize[]): string {
  const lines = [
    '| function | loaded at start (minified) | loaded on demand | heaviest parts |',
    '| --- | ---: | ---: | --- |',
  ];
  for (const s of sizes) {
    const top = s.top.map((t) => `${t.input} ${kb(t.bytes)}`).join(', ');
    lines.push(`| ${s.fn} | ${kb(s.loaded)} | ${s.lazy ? kb(s.lazy) : '–'} | ${top} |`);
  }
  return lines.join('\n');
}

if (import.meta.main) console.log(bundleTable(await bundleSizes()));
