import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/**
 * The functions as `sls invoke local` runs them: serverless.ts, the esbuild bundle and the
 * handlers together, on the event files in events/ (the same ones a developer uses).
 */
function invoke(fn: string, event: string) {
  const run = spawnSync(process.execPath, ['scripts/invoke-local.mjs', fn, event, '--timeout', '120000'], {
    encoding: 'utf8',
    timeout: 150_000,
    env: { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '' },
  });
  const start = run.stdout.lastIndexOf('{\n    "statusCode"');
  expect(run.status, run.stderr).toBe(0);
  expect(start, run.stdout).toBeGreaterThanOrEqual(0);
  const response = JSON.parse(run.stdout.slice(start));
  return {
    statusCode: response.statusCode as number,
    body: JSON.parse(response.body),
    logs: run.stdout.slice(0, start),
  };
}

describe('sls invoke local', () => {
  it('runs setup on events/setup.json: the tenant’s external ID and its staging policy', () => {
    const res = invoke('setup', 'events/setup.json');

    expect(res.statusCode).toBe(200);
    expect(res.body).toMatchObject({ tenantId: 't-123', profile: 'staging' });
    expect(res.body.externalId).toMatch(/^v1-/);
    expect(res.body.permissionPolicy.Statement).toContainEqual({
      Effect: 'Allow',
      Action: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'],
      Resource: 'arn:aws:s3:::acme-exports/vendor/*',
    });
  }, 150_000);

  it('runs verify on events/verify-bad-request.json: every bad field named, 400 not 422', () => {
    const res = invoke('verify', 'events/verify-bad-request.json');

    expect(res.statusCode).toBe(400);
    expect(res.body.error.details).toEqual(
      expect.arrayContaining([
        { path: 'tenantId', message: 'unknown field' },
        { path: 's3[0].bucket', message: 'not a valid bucket name' },
        { path: 's3[0].bucketName', message: 'unknown field' },
      ]),
    );
    expect(res.body.error.details).toHaveLength(3);
  }, 150_000);

  it('runs verify on events/verify-role.json without AWS credentials: inconclusive, never blamed on the customer', () => {
    const res = invoke('verify', 'events/verify-role.json');

    expect(res.statusCode).toBe(200);
    expect(res.body.status).toBe('error');
    expect(res.body.checks[0]).toMatchObject({ id: 'sts.assume-role', status: 'error' });
    expect(res.body.checks.some((c: { status: string }) => c.status === 'fail')).toBe(false);
  }, 150_000);
});
