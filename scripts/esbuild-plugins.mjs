// The esbuild plugins serverless-esbuild adds to every function's build (serverless.ts,
// custom.esbuild.plugins). Plain JavaScript: `sls` loads this file with require().
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';

/**
 * Every function is built on its own into the same folder (.esbuild/.build/src/handlers), and
 * serverless-esbuild zips that folder less the other functions' `<name>.*` files. Naming each
 * function's chunks `<name>.chunks/…` therefore puts them in its own zip only. The folder's
 * package.json makes Node (Lambda's runtime, `sls invoke local`) load the `.js` output as ESM;
 * `.mjs` would do the same on Lambda, but `sls invoke local` requires handlers as `.js` or `.cjs`.
 */
export const perFunctionChunks = {
  name: 'per-function-chunks',
  setup(build) {
    const options = build.initialOptions;
    const entries = Array.isArray(options.entryPoints)
      ? options.entryPoints
      : Object.values(options.entryPoints ?? {});
    const [entry] = entries.map((e) => (typeof e === 'string' ? e : e.in));
    if (entries.length !== 1 || !entry) throw new Error('per-function-chunks: one entry point per build');
    options.chunkNames = `${basename(entry, extname(entry))}.chunks/[name]-[hash]`;
    build.onEnd((result) => {
      if (result.errors.length > 0 || options.write === false || !options.outdir) return;
      mkdirSync(options.outdir, { recursive: true });
      writeFileSync(join(options.outdir, 'package.json'), '{ "type": "module" }\n');
    });
  },
};

export default [perFunctionChunks];
