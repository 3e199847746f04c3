import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import config, {
  lambdaIamStatements,
  servicePermissions,
  serviceResourceArns,
  templateHostingStatements,
} from '../serverless.ts';
import { CHECK_IDS } from '../src/checks/index.ts';
import { roleTemplate, templateObject } from '../src/core/cloudformation.ts';
import { loadConfig } from '../src/core/config.ts';
import { MAX_RECEIVE_COUNT, STALE_CLAIM_MS } from '../src/core/drift/timing.ts';
import { validateTemplate } from './support/cloudformation-spec.ts';

describe('serverless.ts', () => {
  it('grants the functions exactly what the modules that call AWS declare, each grant once', () => {
    const grant = (action: string, resource: unknown, condition: unknown) =>
      JSON.stringify([action, resource, condition ?? null]);
    const granted = [...lambdaIamStatements, ...templateHostingStatements].flatMap((s) =>
      s.Action.flatMap((a) => s.Resource.map((r) => grant(a, r, s.Condition))),
    );
    const declared = servicePermissions.flatMap((p) =>
      p.actions.flatMap((a) => p.resources.map((r) => grant(a, serviceResourceArns[r], p.condition))),
    );
    expect(granted.length).toBeGreaterThan(10);
    expect(new Set(granted).size).toBe(granted.length);
    expect(new Set(granted)).toEqual(new Set(declared));
    // One statement per set of resources and condition: the role stays as short as it can be.
    const shapes = lambdaIamStatements.map((s) => JSON.stringify([s.Resource, s.Condition ?? null]));
    expect(new Set(shapes).size).toBe(shapes.length);
    // The template bucket only under the stage's condition (below), nothing else there.
    expect(templateHostingStatements.flatMap((s) => s.Resource)).toEqual([
      serviceResourceArns.templateBucket,
    ]);
    expect(JSON.stringify(lambdaIamStatements)).not.toContain('s3:');
    // KMS only under this service's encryption context.
    expect(lambdaIamStatements.find((s) => s.Action.includes('kms:Decrypt'))?.Condition).toEqual({
      StringEquals: { 'kms:EncryptionContext:service': 'aws-access-verifier' },
    });
    expect(JSON.stringify(lambdaIamStatements)).not.toMatch(/"Resource":\["\*"\]|"\*"\]/);
    // Every resource named is this stack's own, or the account's (its default bus, its parameter).
    const stack = Object.keys(config.resources.Resources);
    for (const arn of Object.values(serviceResourceArns)) {
      const named = JSON.stringify(arn).match(/"Fn::GetAtt":\["(\w+)"|\$\{(\w+)\.Arn\}/);
      if (named) expect(stack).toContain(named[1] ?? named[2]);
    }
  });

  it('imports only declarations and the table’s shape: no SDK, no check, no use case', async () => {
    const { metafile } = await build({
      entryPoints: [fileURLToPath(new URL('../serverless.ts', import.meta.url))],
      bundle: true,
      write: false,
      metafile: true,
      platform: 'node',
      format: 'esm',
      logLevel: 'silent',
    });
    const inputs = Object.keys(metafile.inputs);
    expect(inputs).toContain('src/core/drift/store.permissions.ts');
    expect(inputs.filter((i) => i.startsWith('node_modules/') || i.startsWith('src/checks/'))).toEqual([]);
    expect(
      inputs.filter(
        (i) => !/^(serverless|src\/core\/(.+\.)?permissions|src\/core\/drift\/(table|timing))\.ts$/.test(i),
      ),
    ).toEqual([]);
  });

  it('lets a dead drift worker’s claim go stale after its function’s end and before its message comes back', () => {
    const timeoutMs = Number(config.functions.driftWorker.timeout) * 1000;
    const queue = config.resources.Resources.DriftQueue.Properties;
    // Any sooner and a live worker could be taken over; any later and a worker that died would
    // cost its message more than one of its receives before the dead-letter queue.
    expect(STALE_CLAIM_MS).toBeGreaterThan(timeoutMs);
    expect(STALE_CLAIM_MS).toBeLessThan(Number(queue.VisibilityTimeout) * 1000);
    expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * Number(config.functions.driftWorker.timeout));
    expect(queue.RedrivePolicy.maxReceiveCount).toBe(MAX_RECEIVE_COUNT);
  });

  it('traces every function with X-Ray, the role getting X-Ray’s two actions from osls itself', () => {
    expect(config.provider.tracing).toEqual({ lambda: true });
    // osls appends this statement to the functions' role when tracing is on: X-Ray has no
    // resource-level permissions, so it is the one "*" the role carries, and not ours to write.
    const osls = readFileSync(
      new URL(import.meta.resolve('serverless/lib/plugins/aws/package/compile/functions.js')),
      'utf8',
    );
    expect(osls).toMatch(/provider\.tracing && this\.serverless\.service\.provider\.tracing\.lambda/);
    expect(osls).toMatch(/Action: \['xray:PutTraceSegments', 'xray:PutTelemetryRecords'\]/);
    expect(lambdaIamStatements.flatMap((s) => s.Action).some((a) => a.startsWith('xray:'))).toBe(false);
    // EMF metrics need no permission: they are log lines.
    expect(config.provider.environment.POWERTOOLS_METRICS_NAMESPACE).toBe('AwsAccessVerifier');
    // The contract is public; every other route is behind the JWT authorizer.
    expect(config.functions.openapi.events).toEqual([{ httpApi: { method: 'GET', path: '/openapi.json' } }]);
  });

  it('packages each function on its own for nodejs24.x, bundling the SDK as ESM split into chunks', () => {
    expect(config.provider.runtime).toBe('nodejs24.x');
    // Maps ship beside the code and are read when a logged error needs them
    // (src/core/source-positions.ts): `--enable-source-maps` would parse every one at start.
    expect(JSON.stringify([config.provider.environment, config.functions])).not.toContain(
      'enable-source-maps',
    );
    expect(config.custom.esbuild).toMatchObject({ sourcemap: 'linked', sourcesContent: false });
    expect(config.package.individually).toBe(true);
    expect(config.custom.esbuild).toMatchObject({
      format: 'esm',
      outputFileExtension: '.js',
      splitting: true,
      plugins: './scripts/esbuild-plugins.mjs',
      mainFields: ['module', 'main'],
      exclude: [],
    });
    // Bundled CommonJS packages call require() for Node's builtins, which ESM lacks.
    expect(config.custom.esbuild.banner.js).toContain('createRequire(import.meta.url)');
    expect(Object.keys(config.functions).sort()).toEqual([
      'checks',
      'connections',
      'driftDispatch',
      'driftWorker',
      'openapi',
      'setup',
      'verify',
    ]);
    // Memory buys CPU: the functions that verify get twice the default, the light ones half.
    const memory = Object.fromEntries(
      Object.entries(config.functions).map(([name, f]) => [
        name,
        'memorySize' in f ? f.memorySize : config.provider.memorySize,
      ]),
    );
    expect(memory).toEqual({
      checks: 256,
      connections: 1024,
      driftDispatch: 512,
      driftWorker: 1024,
      openapi: 256,
      setup: 256,
      verify: 1024,
    });
    // The worker answers per message, and is capped so drift never starves /verify.
    expect(config.functions.driftWorker.events[0]?.sqs).toMatchObject({
      batchSize: 10,
      functionResponseType: 'ReportBatchItemFailures',
    });
    expect(config.functions.driftWorker.reservedConcurrency).toBe('${param:driftWorkerConcurrency}');
    // The contract's 429: the endpoints that do work for a tenant count its requests.
    for (const fn of [config.functions.verify, config.functions.connections]) {
      expect(fn.environment).toMatchObject({
        RATE_LIMIT_TABLE: 'aws-access-verifier-${sls:stage}-connections',
        RATE_LIMIT_PER_MINUTE: '${param:rateLimitPerMinute}',
      });
    }
    expect(config.resources.Resources.DriftQueue.Properties.RedrivePolicy.maxReceiveCount).toBe(5);
    // Every drift setting is a plain string: `sls invoke local` resolves them offline.
    expect(Object.values(config.functions.driftWorker.environment).every((v) => typeof v === 'string')).toBe(
      true,
    );
    expect(config.functions.verify.events[0]?.httpApi).toEqual({
      method: 'POST',
      path: '/verify',
      authorizer: { name: 'jwt' },
    });
    // The verification's own deadline (25 s) ends before the function's.
    expect(config.functions.verify.timeout).toBeGreaterThan(25);
    // Every setting loadConfig reads reaches the functions from a stage parameter.
    expect(config.provider.environment).toMatchObject({
      EGRESS_ADDRESSES: '${param:egressAddresses}',
      REACHABLE_PRIVATE_RANGES: '${param:reachablePrivateRanges}',
      VENDOR_PROFILES: '${param:vendorProfiles}',
    });
    expect(config.params.default).toMatchObject({
      egressAddresses: '',
      reachablePrivateRanges: '',
      vendorProfiles: '',
    });
    // The principal customers trust is in the deployment's own partition.
    const principal = (partition: string) =>
      withParams(config.provider.environment, {
        ...config.params.default,
        ...config.params.dev,
        partition,
      }).VENDOR_PRINCIPAL_ARN.replace('${sls:stage}', 'prod');
    expect(principal('aws')).toBe('arn:aws:iam::999988887777:role/aws-access-verifier-prod');
    expect(loadConfig({ VENDOR_PRINCIPAL_ARN: principal('aws-cn') }, CHECK_IDS).vendorPrincipalArn).toBe(
      'arn:aws-cn:iam::999988887777:role/aws-access-verifier-prod',
    );
  });
});

/** `${param:name}` as osls resolves it for a stage: the stage's params over the defaults. */
function withParams<T>(value: T, params: Record<string, string>): T {
  return JSON.parse(
    JSON.stringify(value).replace(/\$\{param:(\w+)\}/g, (_, name: string) => {
      const v = params[name];
      if (v === undefined) throw new Error(`no param ${name}`);
      return v;
    }),
  ) as T;
}

/** The two functions the condition uses, evaluated as CloudFormation does. */
function holds(condition: unknown): boolean {
  const c = condition as { 'Fn::Not'?: [unknown]; 'Fn::Equals'?: [unknown, unknown] };
  if (c['Fn::Not']) return !holds(c['Fn::Not'][0]);
  if (c['Fn::Equals']) return c['Fn::Equals'][0] === c['Fn::Equals'][1];
  throw new Error(`unexpected condition ${JSON.stringify(condition)}`);
}

describe('serverless.ts: template hosting for GET /setup', () => {
  const stage = (params: Record<string, string>) => {
    const all = { ...config.params.default, ...config.params.dev, ...params };
    const resources = withParams(config.resources, all);
    const { CFN_TEMPLATE_BUCKET, CFN_TEMPLATE_PREFIX } = withParams(config.provider.environment, all);
    // What the functions read of their environment for this, and nothing that needs the stage resolved.
    const env = { CFN_TEMPLATE_BUCKET, CFN_TEMPLATE_PREFIX };
    const policy = resources.Resources.TemplateHostingPolicy;
    return {
      created: holds(resources.Conditions[policy.Condition as 'HostsTemplates']),
      policy,
      resources,
      env,
    };
  };

  it('gives the functions no S3 permission on a stage that names no bucket', () => {
    const dev = stage({});
    expect(dev.created).toBe(false);
    expect(dev.env.CFN_TEMPLATE_BUCKET).toBe('');
    expect(loadConfig(dev.env, CHECK_IDS).templateHosting).toBeUndefined();
  });

  it('grants s3:PutObject on the stage’s bucket and prefix only, to the functions’ own role', () => {
    const prod = stage({ cfnTemplateBucket: 'acme-cfn-templates' });
    expect(prod.created).toBe(true);
    expect(prod.policy.Properties.Roles).toEqual([{ Ref: 'IamRoleLambdaExecution' }]);
    expect(prod.policy.Properties.PolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: ['s3:PutObject'],
        Resource: [{ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::acme-cfn-templates/setup/*' }],
      },
    ]);
    const custom = stage({ cfnTemplateBucket: 'acme-cfn-templates', cfnTemplatePrefix: 'cfn/v2/' });
    expect(JSON.stringify(custom.policy)).toContain('acme-cfn-templates/cfn/v2/*');

    // The key the code writes is under what is granted.
    const hosting = loadConfig(custom.env, CHECK_IDS).templateHosting;
    expect(hosting).toEqual({ bucket: 'acme-cfn-templates', prefix: 'cfn/v2/' });
    const { key } = templateObject(
      roleTemplate({ Version: '2012-10-17', Statement: [] }, { Version: '2012-10-17', Statement: [] }),
      hosting ?? { bucket: '', prefix: '' },
    );
    expect(key.startsWith('cfn/v2/')).toBe(true);
  });

  it('adds resources CloudFormation accepts, per its resource specification', () => {
    const { resources } = stage({ cfnTemplateBucket: 'acme-cfn-templates' });
    const template = {
      AWSTemplateFormatVersion: '2010-09-09',
      Conditions: resources.Conditions,
      Resources: {
        // Stands for the role osls generates from provider.iam.
        IamRoleLambdaExecution: {
          Type: 'AWS::IAM::Role',
          Properties: {
            AssumeRolePolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Allow',
                  Principal: { Service: ['lambda.amazonaws.com'] },
                  Action: ['sts:AssumeRole'],
                },
              ],
            },
          },
        },
        ...resources.Resources,
      },
    };
    expect(validateTemplate(template)).toEqual([]);
  });
});
