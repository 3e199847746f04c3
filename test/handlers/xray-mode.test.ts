import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tracingWillBeOn } from '../../src/handlers/xray-mode.ts';

/** cls-hooked's async hook runs on every promise: only where X-Ray traces are really sent. */
const tracing = join(import.meta.dirname, '../../src/handlers/tracing.ts');

/** The X-Ray namespaces and mode after loading the functions' tracer in a fresh process. */
function load(env: Record<string, string>) {
  const {
    AWS_EXECUTION_ENV: _e,
    AWS_XRAY_MANUAL_MODE: _m,
    POWERTOOLS_TRACE_ENABLED: _p,
    ...rest
  } = process.env;
  const r = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { tracer } = await import(${JSON.stringify(tracing)});
       console.log(JSON.stringify({ namespaces: Object.keys(process.namespaces ?? {}), on: tracer.isTracingEnabled() }));`,
    ],
    { encoding: 'utf8', env: { ...rest, ...env } },
  );
  expect(r.stderr).not.toMatch(/Error/);
  return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as { namespaces: string[]; on: boolean };
}

describe('the X-Ray async hook', () => {
  it('is not installed where tracing is off: locally, or disabled by configuration', () => {
    expect(load({})).toEqual({ namespaces: [], on: false });
    expect(load({ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x', POWERTOOLS_TRACE_ENABLED: 'false' })).toEqual({
      namespaces: [],
      on: false,
    });
  });

  it('is installed where a deployed function traces (automatic mode: segments follow the async calls)', () => {
    expect(load({ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' })).toEqual({
      namespaces: ['AWSXRay'],
      on: true,
    });
  });

  it('agrees with Powertools on when tracing is on', () => {
    const lambda = { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' };
    expect(tracingWillBeOn(lambda)).toBe(true);
    expect(tracingWillBeOn({})).toBe(false);
    expect(tracingWillBeOn({ ...lambda, POWERTOOLS_TRACE_ENABLED: 'FALSE' })).toBe(false);
    expect(tracingWillBeOn({ ...lambda, POWERTOOLS_TRACE_ENABLED: 'true' })).toBe(true);
    expect(tracingWillBeOn({ ...lambda, AWS_SAM_LOCAL: 'true' })).toBe(false);
    expect(tracingWillBeOn({ AWS_EXECUTION_ENV: 'AWS_Lambda_amplify-mock' })).toBe(false);
  });

  it('leaves an operator’s own choice of mode alone', () => {
    expect(load({ AWS_XRAY_MANUAL_MODE: '' }).namespaces).toEqual(['AWSXRay']);
  });
});
