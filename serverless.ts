import { permissions as assumeRole } from './src/core/aws.permissions.ts';
import { permissions as templateHosting } from './src/core/cloudformation.permissions.ts';
import { permissions as queueAndEvents } from './src/core/drift/infra.permissions.ts';
import { permissions as sealing } from './src/core/drift/seal.permissions.ts';
import { permissions as store } from './src/core/drift/store.permissions.ts';
import { TABLE_SHAPE, TTL_ATTRIBUTE } from './src/core/drift/table.ts';
import { MAX_RECEIVE_COUNT, VISIBILITY_TIMEOUT_S, WORKER_TIMEOUT_S } from './src/core/drift/timing.ts';
import { permissions as secretVersions } from './src/core/external-id-versions.permissions.ts';
import {
  type IamStatement,
  type Permission,
  type ServiceResource,
  statementsOf,
} from './src/core/permissions.ts';
import { permissions as rateLimit } from './src/core/rate-limit.permissions.ts';

/**
 * Deployment of the verification API (osls 4, the open-source continuation of Serverless
 * Framework, installed as `serverless`). `sls package` and `sls invoke local` work offline:
 * nothing here asks AWS for a value.
 */

/** The parameter holding the external ID secret (an SSM SecureString). */
const secretParameter = '/aws-access-verifier/${sls:stage}/external-id-secret';

/**
 * Drift's own resources, named (not referenced) so that `sls invoke local` and `sls package`
 * resolve every environment variable offline.
 */
const tableName = 'aws-access-verifier-${sls:stage}-connections';
const queueName = 'aws-access-verifier-${sls:stage}-drift';
const keyAlias = 'alias/aws-access-verifier-${sls:stage}-connections';

/**
 * Where GET /setup stores the templates its quick-create links open: a bucket of the vendor's,
 * set per stage (`--param="cfnTemplateBucket=..."`); empty, the default, for none.
 */
const templateBucket = '${param:cfnTemplateBucket}';
const templatePrefix = '${param:cfnTemplatePrefix}';

/**
 * The resources the code's declarations name, as this stack's template reaches them. Customer
 * roles live in any account, so AssumeRole names every role; what a session may then do is
 * bounded by the session policy each verification passes.
 */
export const serviceResourceArns: Record<ServiceResource, IamStatement['Resource'][number]> = {
  customerRoles: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::*:role/*' },
  secretParameter: {
    'Fn::Sub': `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${secretParameter}`,
  },
  table: { 'Fn::GetAtt': ['ConnectionsTable', 'Arn'] },
  tableIndexes: { 'Fn::Sub': '${ConnectionsTable.Arn}/index/*' },
  driftQueue: { 'Fn::GetAtt': ['DriftQueue', 'Arn'] },
  defaultBus: {
    'Fn::Sub': 'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default',
  },
  connectionsKey: { 'Fn::GetAtt': ['ConnectionsKey', 'Arn'] },
  templateBucket: { 'Fn::Sub': `arn:\${AWS::Partition}:s3:::${templateBucket}/${templatePrefix}*` },
};

/**
 * Everything the functions themselves may do, as the modules that make the calls declare it
 * (README, "Deploying"): a call without a declaration fails test/service-permissions.test.ts.
 */
export const servicePermissions: readonly Permission[] = [
  ...assumeRole,
  ...secretVersions,
  ...store,
  ...rateLimit,
  ...queueAndEvents,
  ...sealing,
  ...templateHosting,
];

/**
 * Granted only where the stage names a bucket (the `HostsTemplates` condition below): a stage
 * without one must not be able to write to S3 at all. A CloudFormation condition, not an entry
 * of lambdaIamStatements, because a `--param` given at deploy time is invisible to this file.
 */
const onTemplateBucket = (p: Permission) => p.resources.includes('templateBucket');

export const lambdaIamStatements: IamStatement[] = statementsOf(
  servicePermissions.filter((p) => !onTemplateBucket(p)),
  (r) => serviceResourceArns[r],
);

export const templateHostingStatements: IamStatement[] = statementsOf(
  servicePermissions.filter(onTemplateBucket),
  (r) => serviceResourceArns[r],
);

const httpApi = (method: 'GET' | 'POST' | 'DELETE', path: string) => ({
  httpApi: { method, path, authorizer: { name: 'jwt' } },
});

/** What the drift functions read, all plain strings so `sls invoke local` resolves them offline. */
const driftEnvironment = {
  CONNECTIONS_TABLE: tableName,
  DRIFT_QUEUE_NAME: queueName,
  CONNECTIONS_KMS_KEY_ID: keyAlias,
  EVENT_BUS_NAME: 'default',
  DRIFT_PERIOD: '${param:driftPeriod}',
  HISTORY_DAYS: '${param:historyDays}',
};

/** The per-tenant rate of the endpoints that do work for a tenant, counted in drift's table. */
const rateLimitEnvironment = {
  RATE_LIMIT_TABLE: tableName,
  RATE_LIMIT_PER_MINUTE: '${param:rateLimitPerMinute}',
};

const config = {
  service: 'aws-access-verifier',
  frameworkVersion: '4',
  plugins: ['serverless-esbuild', 'serverless-offline'],
  params: {
    // What a vendor sets per stage: `sls deploy --stage prod --param="vendorAccountId=..."`.
    default: {
      jwtIssuerUrl: 'https://auth.example.com/',
      jwtAudience: 'aws-access-verifier',
      tenantClaim: 'tenant_id',
      vendorName: 'vendor',
      cfnTemplateBucket: '',
      cfnTemplatePrefix: 'setup/',
      // The NAT gateway addresses customers allowlist for Redshift, comma-separated.
      egressAddresses: '',
      // Private CIDRs (inside 10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7) the product really
      // reaches, comma-separated: redshift.reachable connects to no other private address.
      reachablePrivateRanges: '',
      // The vendor's own requirement profiles, JSON (README, "Vendor profiles").
      vendorProfiles: '',
      // Drift: how often every saved connection is re-verified, and how many at once at most
      // (README, "Capacity plan"): reserved so drift never starves /verify of concurrency.
      driftPeriod: 'day',
      driftSchedule: 'rate(1 day)',
      driftWorkerConcurrency: '50',
      historyDays: '90',
      // Requests per tenant per minute on /verify and /connections (0: no limit).
      rateLimitPerMinute: '60',
      // aws-cn or aws-us-gov for a deployment in China or GovCloud: the principal customers trust.
      partition: 'aws',
    },
    // Only the development stage has a placeholder account, so packaging works offline; any
    // other stage fails to resolve until the vendor names its account.
    dev: { vendorAccountId: '999988887777' },
  },
  provider: {
    name: 'aws',
    runtime: 'nodejs24.x',
    architecture: 'arm64',
    // Memory buys CPU on Lambda (1,769 MB is one vCPU): each function's size is chosen from its
    // measured peak and how CPU-bound it is (README, "Performance"). 512 MB where not said below.
    memorySize: 512,
    stage: '${opt:stage, "dev"}',
    region: '${opt:region, "us-east-1"}',
    logRetentionInDays: 30,
    environment: {
      STAGE: '${sls:stage}',
      TENANT_CLAIM: '${param:tenantClaim}',
      VENDOR_NAME: '${param:vendorName}',
      // The functions' own role, named below: the principal customers trust.
      // The partition is a param, not ${AWS::Partition}: invoke local must resolve it offline.
      VENDOR_PRINCIPAL_ARN:
        'arn:${param:partition}:iam::${param:vendorAccountId}:role/aws-access-verifier-${sls:stage}',
      EXTERNAL_ID_SECRET_PARAMETER: secretParameter,
      CFN_TEMPLATE_BUCKET: templateBucket,
      CFN_TEMPLATE_PREFIX: templatePrefix,
      EGRESS_ADDRESSES: '${param:egressAddresses}',
      REACHABLE_PRIVATE_RANGES: '${param:reachablePrivateRanges}',
      VENDOR_PROFILES: '${param:vendorProfiles}',
      POWERTOOLS_SERVICE_NAME: 'aws-access-verifier',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      POWERTOOLS_METRICS_NAMESPACE: 'AwsAccessVerifier',
    },
    httpApi: {
      payload: '2.0',
      authorizers: {
        jwt: {
          type: 'jwt',
          identitySource: '$request.header.Authorization',
          issuerUrl: '${param:jwtIssuerUrl}',
          audience: ['${param:jwtAudience}'],
        },
      },
    },
    iam: { role: { name: 'aws-access-verifier-${sls:stage}', statements: lambdaIamStatements } },
    // X-Ray for every function: osls then adds xray:PutTraceSegments and xray:PutTelemetryRecords
    // on "*" to the functions' role (X-Ray has no resource-level permissions). HTTP APIs have no
    // X-Ray tracing of their own (REST APIs do): a trace starts at the function.
    tracing: { lambda: true },
  },
  resources: {
    Conditions: { HostsTemplates: { 'Fn::Not': [{ 'Fn::Equals': [templateBucket, ''] }] } },
    Resources: {
      ConnectionsTable: {
        Type: 'AWS::DynamoDB::Table',
        // Saved connections are customer configuration: a stack update must never drop them.
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: {
          TableName: tableName,
          ...TABLE_SHAPE,
          TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          SSESpecification: { SSEEnabled: true },
        },
      },
      DriftQueue: {
        Type: 'AWS::SQS::Queue',
        Properties: {
          QueueName: queueName,
          // Six times the worker's timeout, as AWS advises for a Lambda event source.
          VisibilityTimeout: VISIBILITY_TIMEOUT_S,
          SqsManagedSseEnabled: true,
          RedrivePolicy: {
            deadLetterTargetArn: { 'Fn::GetAtt': ['DriftDeadLetterQueue', 'Arn'] },
            maxReceiveCount: MAX_RECEIVE_COUNT,
          },
        },
      },
      DriftDeadLetterQueue: {
        Type: 'AWS::SQS::Queue',
        Properties: {
          QueueName: `${queueName}-dlq`,
          MessageRetentionPeriod: 1_209_600,
          SqsManagedSseEnabled: true,
        },
      },
      ConnectionsKey: {
        Type: 'AWS::KMS::Key',
        DeletionPolicy: 'Retain',
        Properties: {
          Description: 'Seals the key pairs of saved connections (aws-access-verifier)',
          EnableKeyRotation: true,
          KeyPolicy: {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'AccountAdministers',
                Effect: 'Allow',
                Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } },
                Action: 'kms:*',
                Resource: '*',
              },
            ],
          },
        },
      },
      ConnectionsKeyAlias: {
        Type: 'AWS::KMS::Alias',
        Properties: { AliasName: keyAlias, TargetKeyId: { Ref: 'ConnectionsKey' } },
      },
      TemplateHostingPolicy: {
        Type: 'AWS::IAM::Policy',
        Condition: 'HostsTemplates',
        Properties: {
          PolicyName: 'template-hosting',
          // The functions' role as osls names it: the one lambdaIamStatements go to.
          Roles: [{ Ref: 'IamRoleLambdaExecution' }],
          PolicyDocument: { Version: '2012-10-17', Statement: templateHostingStatements },
        },
      },
    },
  },
  package: { individually: true },
  custom: {
    esbuild: {
      bundle: true,
      minify: true,
      // Maps beside the code, read only when a logged error's stack needs them
      // (src/core/source-positions.ts), not `--enable-source-maps`, which parses every map as its
      // module loads (+17 ms of verify's 47 ms start). Positions only: the sources are not shipped.
      sourcemap: 'linked',
      sourcesContent: false,
      target: 'node24',
      platform: 'node',
      // ESM, so that esbuild can split: what only some requests need (Redshift, IAM simulation,
      // the SDK's credential providers other than Lambda's environment) sits in chunks loaded on
      // demand. `.js` beside a package.json of type module (scripts/esbuild-plugins.mjs).
      format: 'esm',
      outputFileExtension: '.js',
      splitting: true,
      plugins: './scripts/esbuild-plugins.mjs',
      // The CommonJS packages bundled (the X-Ray SDK among them) require Node's builtins.
      banner: {
        js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
      // The packages' ESM builds tree-shake far better: about half the SDK's size.
      mainFields: ['module', 'main'],
      // Bundle the AWS SDK too: never rely on the runtime's copy.
      exclude: [],
      packager: 'npm',
    },
    // Locally the JWT's claims are decoded, not verified: there is no identity provider offline.
    'serverless-offline': {
      httpPort: 3000,
      lambdaPort: 3002,
      noPrependStageInUrl: true,
      ignoreJWTSignature: true,
    },
  },
  functions: {
    connections: {
      handler: 'src/handlers/connections.handler',
      description: '/connections: save what verified, list, read, history, delete',
      timeout: 29,
      // POST verifies as /verify does, and for as many buckets: the same CPU and memory.
      memorySize: 1024,
      environment: { ...driftEnvironment, ...rateLimitEnvironment },
      events: [
        httpApi('POST', '/connections'),
        httpApi('GET', '/connections'),
        httpApi('GET', '/connections/{id}'),
        httpApi('GET', '/connections/{id}/history'),
        httpApi('DELETE', '/connections/{id}'),
      ],
    },
    driftDispatch: {
      handler: 'src/handlers/drift-dispatch.handler',
      description: 'Drift: every saved connection, as a reference, onto the queue',
      // Lambda's maximum: 100,000 references take a fraction of it (README, "Capacity plan").
      timeout: 900,
      // Pages of references onto SQS, no verification: a 318 KB bundle; 512 MB signs the
      // ~10,000 SendMessageBatch calls of 100,000 connections without making them wait for CPU.
      memorySize: 512,
      environment: driftEnvironment,
      events: [{ schedule: { rate: ['${param:driftSchedule}'] } }],
    },
    driftWorker: {
      handler: 'src/handlers/drift-worker.handler',
      description: 'Drift: re-verifies the connections the queue names, keeps history, emits changes',
      // A claim goes stale after twice this (src/core/drift/timing.ts).
      timeout: WORKER_TIMEOUT_S,
      // Ten verifications at once (batchSize 10): 128 MB peak for ten one-bucket connections,
      // but a saved connection may name 50 buckets (242 MB alone); 1024 MB holds that and gives
      // the batch twice 512 MB's CPU.
      memorySize: 1024,
      reservedConcurrency: '${param:driftWorkerConcurrency}',
      environment: driftEnvironment,
      events: [
        {
          sqs: {
            arn: { 'Fn::GetAtt': ['DriftQueue', 'Arn'] },
            batchSize: 10,
            maximumBatchingWindow: 5,
            functionResponseType: 'ReportBatchItemFailures',
          },
        },
      ],
    },
    verify: {
      handler: 'src/handlers/verify.handler',
      environment: rateLimitEnvironment,
      description: 'POST /verify: probes the access a tenant granted and reports what to change',
      // The verification ends within 25 s; API Gateway gives up at 30 s.
      timeout: 29,
      // 242 MB peak at 50 buckets fits 512 MB, but that verification is CPU-bound (~0.5 s of
      // CPU): 1024 MB halves its wall time for about the same cost per verification.
      memorySize: 1024,
      events: [httpApi('POST', '/verify')],
    },
    setup: {
      handler: 'src/handlers/setup.handler',
      description: 'GET /setup: the trust and permission policies a tenant must create',
      timeout: 10,
      // Policies from the catalogue and at most one template upload: no verification's peak.
      memorySize: 256,
      events: [httpApi('GET', '/setup')],
    },
    openapi: {
      handler: 'src/handlers/openapi.handler',
      description: 'GET /openapi.json: the contract, without auth',
      timeout: 10,
      // One document, built once per container: the smallest size that loads the bundle quickly.
      memorySize: 256,
      // No authorizer: the document is public.
      events: [{ httpApi: { method: 'GET', path: '/openapi.json' } }],
    },
    checks: {
      handler: 'src/handlers/checks.handler',
      description: 'GET /checks: the check catalogue',
      timeout: 10,
      // The catalogue as JSON: as light as /openapi.json.
      memorySize: 256,
      events: [httpApi('GET', '/checks')],
    },
  },
};

export default config;
