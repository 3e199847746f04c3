import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDeployed } from '../../scripts/bundle-sizes.ts';
import { sourcePositions, withSourcePositions } from '../../src/core/source-positions.ts';

/**
 * The frames a deployed bundle writes, placed in the sources through the map beside it. The
 * stacks are written out here: vitest maps the stacks of what it imports by itself (the logger
 * test runs a bundle in a process of its own for the real thing).
 */
const builds = join(import.meta.dirname, '../../.esbuild');
let dir = '';
let frame = '';
beforeAll(async () => {
  mkdirSync(builds, { recursive: true });
  dir = mkdtempSync(join(builds, 'positions-'));
  const bundle = await buildDeployed(join(import.meta.dirname, '../fixtures/stack/throws.ts'), dir, {
    sourcemap: 'linked',
  });
  // Where the bundle throws: the `throw` of the fixture's line 4, on the bundle's one code line.
  const lines = readFileSync(bundle, 'utf8').split('\n');
  const line = lines.findIndex((l) => l.includes('throw '));
  const column = (lines[line] ?? '').indexOf('throw ');
  frame = `${pathToFileURL(bundle).href}:${line + 1}:${column + 1}`;
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('source positions', () => {
  it('places a bundle frame at the source’s file and line, the build folder left out', () => {
    expect(sourcePositions(`Error: x\n    at r (${frame})\n    at node:internal/x:1:1`)).toBe(
      'Error: x\n    at r (test/fixtures/stack/throws.ts:4:3)\n    at node:internal/x:1:1',
    );
  });

  it('leaves frames of files with no map beside them, and what is not a frame, as they are', () => {
    const stack = `Error: x\n    at f (${join(dir, 'nowhere.js')}:1:5)\n    at g (src/core/a.ts:3:1)`;
    expect(sourcePositions(stack)).toBe(stack);
  });

  it('copies the error and its cause with their stacks placed, and leaves the error it was given alone', () => {
    const cause = Object.assign(new TypeError('inner'), { stack: `TypeError: inner\n    at r (${frame})` });
    const err = new Error('outer', { cause });
    err.stack = `Error: outer\n    at r (${frame})`;
    const copy = withSourcePositions(err);
    expect(copy).toBeInstanceOf(Error);
    expect(copy.message).toBe('outer');
    expect(copy.stack).toContain('test/fixtures/stack/throws.ts:4:3');
    expect((copy.cause as Error).stack).toContain('test/fixtures/stack/throws.ts:4:3');
    expect(err.stack).toContain('throws.js');
    const plain = new Error('no bundle frame');
    plain.stack = 'Error: no bundle frame\n    at f (src/core/a.ts:1:1)';
    expect(withSourcePositions(plain)).toBe(plain);
  });
});
