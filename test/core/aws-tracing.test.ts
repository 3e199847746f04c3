import { Tracer } from '@aws-lambda-powertools/tracer';
import { afterEach, describe, expect, it } from 'vitest';
import { createAwsAccess } from '../../src/core/aws.ts';
import { tracer as functionsTracer } from '../../src/handlers/tracing.ts';
import { deps as verifyDeps } from '../../src/handlers/verify.ts';

/** X-Ray: each verification's SDK clients are captured where tracing is on, and only there. */
const credentials = { accessKeyId: 'ASIAIOSFODNN7EXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' };

const middlewareOf = async (access: ReturnType<typeof createAwsAccess>) =>
  [
    access.sts('us-east-1'),
    access.s3('us-east-1', credentials),
    await access.kms('us-east-1', credentials),
    await access.redshift('us-east-1', credentials),
    await access.redshiftServerless('us-east-1', credentials),
    await access.iam('us-east-1', credentials),
  ].map((c) => c.middlewareStack.identify().join(','));

afterEach(() => {
  delete process.env.AWS_EXECUTION_ENV;
});

describe('tracing the SDK clients of a verification', () => {
  it('captures every client when the function runs with tracing on', async () => {
    // What Lambda sets: Powertools traces only inside Lambda.
    process.env.AWS_EXECUTION_ENV = 'AWS_Lambda_nodejs24.x';
    const tracer = new Tracer({ serviceName: 'aws-access-verifier', captureHTTPsRequests: false });
    expect(tracer.isTracingEnabled()).toBe(true);

    const access = createAwsAccess(undefined, { tracer });
    for (const stack of await middlewareOf(access)) expect(stack).toMatch(/XRaySDKInstrumentation/);
    access.close();
  });

  it('leaves the clients alone without a tracer, or where tracing is off (tests, local runs)', async () => {
    expect(functionsTracer.isTracingEnabled()).toBe(false);
    for (const access of [createAwsAccess(), createAwsAccess(undefined, { tracer: functionsTracer })]) {
      for (const stack of await middlewareOf(access)) expect(stack).not.toMatch(/XRaySDKInstrumentation/);
      access.close();
    }
  });

  it('gives the drift worker the tracer, and verify none: its bundle stays without the X-Ray SDK', async () => {
    expect(verifyDeps.tracer).toBeUndefined();
    process.env.CONNECTIONS_TABLE = 'aws-access-verifier-test-connections';
    try {
      const worker = await import('../../src/handlers/drift-worker.ts');
      expect(worker.deps.tracer).toBe(functionsTracer);
    } finally {
      delete process.env.CONNECTIONS_TABLE;
    }
  });
});
