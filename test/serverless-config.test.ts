import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import config, { lambdaIamStatements } from '../serverless.ts';

describe('serverless.ts', () => {
  it('grants the functions exactly what the code itself calls with their own credentials', () => {
    const actions = lambdaIamStatements.flatMap((s) => s.Action).sort();
    // sts:AssumeRole: the verifier assuming customer roles (src/checks/sts-*.ts, service credentials).
    // ssm:GetParameters: @middy/ssm reading the external ID secret.
    expect(actions).toEqual(['ssm:GetParameters', 'sts:AssumeRole']);
    const middySsm = readFileSync(new URL(import.meta.resolve('@middy/ssm')), 'utf8');
    expect(middySsm).toMatch(/GetParametersCommand/);
    expect(middySsm).not.toMatch(/\bGetParameterCommand\b/);
    expect(JSON.stringify(lambdaIamStatements)).not.toMatch(/"Resource":\["\*"\]|"\*"\]/);
  });

  it('packages each function on its own for nodejs24.x, bundling the SDK as CommonJS .cjs', () => {
    expect(config.provider.runtime).toBe('nodejs24.x');
    expect(config.package.individually).toBe(true);
    expect(config.custom.esbuild).toMatchObject({
      format: 'cjs',
      outExtension: { '.js': '.cjs' },
      mainFields: ['module', 'main'],
      exclude: [],
    });
    expect(Object.keys(config.functions).sort()).toEqual(['checks', 'setup', 'verify']);
    expect(config.functions.verify.events[0]?.httpApi).toEqual({
      method: 'POST',
      path: '/verify',
      authorizer: { name: 'jwt' },
    });
    // The verification's own deadline (25 s) ends before the function's.
    expect(config.functions.verify.timeout).toBeGreaterThan(25);
  });
});
