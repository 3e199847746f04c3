import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * The deployed bundles' stack traces, in the sources' own positions (`src/core/verify.ts:71:9`
 * instead of `verify.js:1:48213`). Node's `--enable-source-maps` does the same for every stack,
 * but reads and parses every map as its module loads: 17 ms of verify's 47 ms start, measured
 * (README, "Bundles"). Here a map is read the first time a logged stack names its file, so a
 * start pays nothing and the first error log of a container a few milliseconds.
 */

const maps = new Map<string, SourceMap | undefined>();
/** A frame's position in a bundle file: a file URL (ESM) or a path, then line and column. */
const FRAME = /(file:\/\/\/[^\s()]+?\.[cm]?js|\/[^\s()]+?\.[cm]?js):(\d+):(\d+)/g;
const HAS_FRAME = new RegExp(FRAME.source);

function mapOf(file: string): SourceMap | undefined {
  if (!maps.has(file)) {
    let map: SourceMap | undefined;
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
    } catch {
      // No map beside it (a local run, a package that ships none): its frames stay as they are.
      map = undefined;
    }
    maps.set(file, map);
  }
  return maps.get(file);
}

/** Every frame of `stack` that a map beside its file can place, rewritten to the source's position. */
export function sourcePositions(stack: string): string {
  return stack.replace(FRAME, (frame, file: string, line: string, column: string) => {
    const path = file.startsWith('file://') ? fileURLToPath(file) : file;
    const entry = mapOf(path)?.findEntry(Number(line) - 1, Number(column) - 1);
    if (!entry || !('originalSource' in entry)) return frame;
    // The map names sources relative to the build folder: `../../src/core/x.ts` reads `src/core/x.ts`.
    const source = entry.originalSource.replace(/^(\.\.\/)+/, '');
    return `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  });
}

/**
 * A copy of the error (and of its causes) whose stack names the sources' positions; the error
 * itself, which others may hold, is left as it was. One without a bundle frame is returned as is.
 */
export function withSourcePositions<E extends Error>(err: E, depth = 0): E {
  if (typeof err.stack !== 'string' || !HAS_FRAME.test(err.stack) || depth > 8) return err;
  const copy = Object.create(
    Object.getPrototypeOf(err) as object,
    Object.getOwnPropertyDescriptors(err),
  ) as E;
  Object.defineProperty(copy, 'stack', {
    value: sourcePositions(err.stack),
    writable: true,
    configurable: true,
    enumerable: false,
  });
  if (err.cause instanceof Error) {
    Object.defineProperty(copy, 'cause', {
      value: withSourcePositions(err.cause, depth + 1),
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
  return copy;
}
