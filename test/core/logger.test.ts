import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { buildDeployed } from '../../scripts/bundle-sizes.ts';
import { createLogger, REDACTED, redact } from '../../src/core/logger.ts';

describe('log redaction', () => {
  it('redacts values under secret-looking keys at any depth and keeps the rest', () => {
    const line = JSON.stringify(
      {
        credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalr', sessionToken: 'tok' },
        bucket: 'b',
        externalId: 'v1-x',
      },
      redact,
    );
    expect(JSON.parse(line)).toEqual({ credentials: REDACTED, bucket: 'b', externalId: REDACTED });
    expect(JSON.parse(JSON.stringify({ nested: { SecretAccessKey: 's', Policy: '{}' } }, redact))).toEqual({
      nested: { SecretAccessKey: REDACTED, Policy: REDACTED },
    });
  });

  it('is what the service logger writes with', () => {
    process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
    const logger = createLogger('redaction-test');
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    logger.info('x', { sessionToken: 'FwoGZXIvYXdzEXAMPLE', region: 'eu-west-1' });
    const out = String(write.mock.calls.map((c) => c[0]).join(''));
    write.mockRestore();
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    expect(out).toContain('eu-west-1');
    expect(out).not.toContain('FwoGZXIvYXdzEXAMPLE');
  });
});

describe('stack traces of the deployed bundles', () => {
  // Two folders below the project, as serverless-esbuild's .esbuild/.build: the map names the
  // sources as `../../test/…`, as a deployed one names them `../../src/…`.
  const builds = join(import.meta.dirname, '../../.esbuild');
  mkdirSync(builds, { recursive: true });
  const out = mkdtempSync(join(builds, 'stack-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  /**
   * The fixture built with the functions' own esbuild options and run as Lambda runs it: a
   * process of its own, no --enable-source-maps (vitest maps the stacks of what it imports, so
   * only a process of its own shows what production writes). Its one log line.
   */
  const logged = async (sourcemap: boolean) => {
    const bundle = await buildDeployed(
      join(import.meta.dirname, '../fixtures/stack/entry.ts'),
      join(out, sourcemap ? 'with-map' : 'without-map'),
      { sourcemap: sourcemap ? 'linked' : false },
    );
    const run = spawnSync(process.execPath, [bundle], {
      encoding: 'utf8',
      timeout: 20_000,
      env: { PATH: process.env.PATH ?? '', POWERTOOLS_LOG_LEVEL: 'INFO' },
    });
    const line = run.stderr.split('\n').find((l) => l.startsWith('{')) ?? run.stderr;
    return JSON.parse(line) as { error: { location: string; stack: string; cause: { stack: string } } };
  };

  it('name the source’s file and line, not the minified bundle’s, without --enable-source-maps', async () => {
    const { error } = await logged(true);
    expect(error.stack).toMatch(/at \S+ \(test\/fixtures\/stack\/throws\.ts:4:\d+\)/);
    expect(error.location).toBe('test/fixtures/stack/throws.ts:4');
    expect(error.cause.stack).toMatch(/test\/fixtures\/stack\/throws\.ts:4:\d+/);
    expect(error.stack).not.toMatch(/entry\.js:\d+:\d+/);
  }, 60_000);

  it('leave a frame with no map beside its file as it is', async () => {
    const { error } = await logged(false);
    expect(error.stack).toMatch(/entry\.js:\d+:\d+/);
    expect(error.stack).not.toMatch(/throws\.ts/);
  }, 60_000);
});
