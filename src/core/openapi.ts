import { type JsonSchema, toJsonSchemaDefs } from '@valibot/to-json-schema';
import {
  awsErrorInfoSchema,
  CHECK_ID_PATTERN,
  checkIdSchema,
  checkResultSchema,
  checksListingSchema,
  connectionCreatedSchema,
  connectionCreateSchema,
  connectionHistorySchema,
  connectionListSchema,
  connectionRequestSchema,
  connectionSchema,
  errorBodySchema,
  fieldErrorSchema,
  gatewayErrorSchema,
  policyDocumentSchema,
  policyStatementSchema,
  remediationSchema,
  reportSchema,
  roleTemplateSchema,
  runRecordSchema,
  setupAnswerSchema,
} from './contract.ts';
import { LIMITS, verifyRequestSchema } from './request-schema.ts';

/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the valibot schemas that validate
 * the requests (request-schema.ts) and type the responses (contract.ts): GET /openapi.json serves it,
 * and the tests validate every response body they see against it.
 */

/** Named schemas: each becomes `#/components/schemas/<name>` wherever it is used. */
const COMPONENTS = {
  VerifyRequest: verifyRequestSchema,
  ConnectionCreate: connectionCreateSchema,
  PolicyStatement: policyStatementSchema,
  PolicyDocument: policyDocumentSchema,
  AwsError: awsErrorInfoSchema,
  CheckResult: checkResultSchema,
  Remediation: remediationSchema,
  Report: reportSchema,
  RoleTemplate: roleTemplateSchema,
  SetupAnswer: setupAnswerSchema,
  ChecksListing: checksListingSchema,
  ConnectionRequest: connectionRequestSchema,
  Connection: connectionSchema,
  ConnectionCreated: connectionCreatedSchema,
  ConnectionList: connectionListSchema,
  RunRecord: runRecordSchema,
  ConnectionHistory: connectionHistorySchema,
  FieldError: fieldErrorSchema,
  Error: errorBodySchema,
  GatewayError: gatewayErrorSchema,
};

const ref = (name: keyof typeof COMPONENTS) => ({ $ref: `#/components/schemas/${name}` });

function schemas(): Record<string, JsonSchema> {
  return toJsonSchemaDefs(COMPONENTS, {
    // OpenAPI 3.1's dialect.
    target: 'draft-2020-12',
    // Checks across values (an ARN's region, a bucket name's rules) have no JSON Schema form:
    // the document states the shape, the service still checks the rest and names each field.
    ignoreActions: ['check'],
    overrideSchema: ({ valibotSchema }) =>
      valibotSchema === checkIdSchema ? { type: 'string', pattern: CHECK_ID_PATTERN.source } : undefined,
    overrideRef: ({ referenceId }) => `#/components/schemas/${referenceId}`,
  });
}

const json = (schema: object, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

const error = (description: string) => json(ref('Error'), description);

/** Answered by this service for every route behind the authorizer. */
const COMMON_ERRORS = {
  '401': {
    description:
      'No tenant. From this service (the authorizer let the request through without the tenant claim): the ' +
      'contract error shape. From API Gateway’s JWT authorizer (no, expired or foreign token), before any ' +
      'function runs: `{"message":"Unauthorized"}`, with the reason in `www-authenticate`; HTTP APIs cannot ' +
      'customise that answer.',
    headers: {
      'www-authenticate': {
        description:
          'API Gateway’s reason, e.g. `Bearer scope="" error="invalid_token" error_description="the token has expired"`',
        schema: { type: 'string' },
      },
    },
    content: { 'application/json': { schema: { oneOf: [ref('Error'), ref('GatewayError')] } } },
  },
  '403': error('The authorizer context carries a tenant claim that is not a valid tenant id.'),
  '500': error('A defect of this service, never caused by the request; the body says nothing of its cause.'),
};

const RATE_LIMITED = {
  '429': {
    ...error('This tenant made more requests in a minute than the stage allows.'),
    headers: { 'retry-after': { description: 'Seconds to wait.', schema: { type: 'integer', minimum: 1 } } },
  },
};

const BODY_ERRORS = {
  '400': error('A malformed request: every offending field named in `details`.'),
  '413': error(`The body is over ${LIMITS.bodyBytes / 1024} KiB.`),
};

const query = (name: string, description: string, schema: object, repeated = false) => ({
  name,
  in: 'query',
  description,
  required: false,
  ...(repeated ? { schema: { type: 'array', items: schema }, style: 'form', explode: true } : { schema }),
});

const connectionId = {
  name: 'id',
  in: 'path',
  required: true,
  description:
    'The connection id (a UUID); another tenant’s connection answers 404 like one that never existed.',
  schema: { type: 'string', format: 'uuid' },
};

const limit = (fallback: number) =>
  query('limit', `At most this many (default ${fallback}).`, {
    type: 'integer',
    minimum: 1,
    maximum: 100,
    default: fallback,
  });

const NOT_FOUND = { '404': error('No such connection (or another tenant’s).') };
const NOT_CONFIGURED = { '501': error('Saved connections are not configured on this stage.') };

function document() {
  const s = schemas();
  return {
    openapi: '3.1.0',
    info: {
      title: 'aws-access-verifier',
      version: '0.2.0',
      description:
        'Tells a SaaS vendor whether the AWS access a customer granted works, and if not, exactly what to ' +
        'change. A failed probe is a result (200 with the report), never an HTTP error. The tenant comes only ' +
        'from the authorizer (a JWT claim), never from the request.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    security: [{ jwt: [] }],
    paths: {
      '/verify': {
        post: {
          operationId: 'verify',
          summary: 'Probe the access a tenant granted and report what to change',
          requestBody: { required: true, content: { 'application/json': { schema: ref('VerifyRequest') } } },
          responses: {
            '200': json(ref('Report'), 'The report, whatever it found.'),
            ...BODY_ERRORS,
            ...RATE_LIMITED,
            ...COMMON_ERRORS,
          },
        },
      },
      '/setup': {
        get: {
          operationId: 'setup',
          summary: 'What the tenant must create: trust and permission policies, CloudFormation template',
          description:
            'Repeated parameters pair by position: the n-th `prefix`, `access`, `region`, `kmsKeyArn` belong to ' +
            'the n-th `bucket`; the n-th `dbUser`, `dbName` to the n-th `redshiftCluster`. Unknown parameters ' +
            'are refused (400, each named).',
          parameters: [
            query('profile', 'A requirement profile (GET /checks lists them).', { type: 'string' }),
            query('bucket', 'A bucket to grant; repeat for several.', { type: 'string' }, true),
            query('prefix', 'The key prefix of the bucket at the same position.', { type: 'string' }, true),
            query(
              'access',
              'read, write or readwrite (default) for the bucket at the same position.',
              { type: 'string', enum: ['read', 'write', 'readwrite'] },
              true,
            ),
            query('region', 'The region of the bucket at the same position.', { type: 'string' }, true),
            query(
              'kmsKeyArn',
              'The SSE-KMS key of the bucket at the same position.',
              { type: 'string' },
              true,
            ),
            query('redshiftCluster', 'A provisioned cluster identifier.', { type: 'string' }, true),
            query('dbUser', 'The db user of the cluster at the same position.', { type: 'string' }, true),
            query('dbName', 'The database of the cluster at the same position.', { type: 'string' }, true),
            query('redshiftWorkgroup', 'A Redshift Serverless workgroup name.', { type: 'string' }, true),
            query('account', 'The 12-digit account of the Redshift targets (required with one).', {
              type: 'string',
              pattern: '^\\d{12}$',
            }),
            query('redshiftRegion', 'The region of the Redshift targets (default: the service’s).', {
              type: 'string',
            }),
          ],
          responses: {
            '200': json(ref('SetupAnswer'), 'The policies, the template, and any warning.'),
            '400': error('Unknown, repeated or invalid parameters, each named in `details`.'),
            ...COMMON_ERRORS,
          },
        },
      },
      '/checks': {
        get: {
          operationId: 'listChecks',
          summary: 'The check catalogue, its IAM actions and what each profile requires',
          responses: { '200': json(ref('ChecksListing'), 'The catalogue.'), ...COMMON_ERRORS },
        },
      },
      '/connections': {
        post: {
          operationId: 'createConnection',
          summary: 'Verify, and save the connection if it verified (pass or warn)',
          requestBody: {
            required: true,
            content: { 'application/json': { schema: ref('ConnectionCreate') } },
          },
          responses: {
            '201': json(ref('ConnectionCreated'), 'Verified and saved: `saved` is true.'),
            '200': json(
              ref('ConnectionCreated'),
              'Not verified, not saved: `saved` is false, with the report.',
            ),
            ...BODY_ERRORS,
            ...RATE_LIMITED,
            ...NOT_CONFIGURED,
            ...COMMON_ERRORS,
          },
        },
        get: {
          operationId: 'listConnections',
          summary: 'The tenant’s saved connections, a page at a time',
          parameters: [limit(50), query('after', 'The `next` of the previous page.', { type: 'string' })],
          responses: {
            '200': json(ref('ConnectionList'), 'A page.'),
            '400': error('An unknown parameter, a bad limit or page token.'),
            ...RATE_LIMITED,
            ...NOT_CONFIGURED,
            ...COMMON_ERRORS,
          },
        },
      },
      '/connections/{id}': {
        parameters: [connectionId],
        get: {
          operationId: 'getConnection',
          summary: 'One saved connection',
          responses: {
            '200': json(ref('Connection'), 'The connection; a key pair’s secret is never shown.'),
            ...NOT_FOUND,
            ...RATE_LIMITED,
            ...NOT_CONFIGURED,
            ...COMMON_ERRORS,
          },
        },
        delete: {
          operationId: 'deleteConnection',
          summary: 'Forget a saved connection',
          responses: {
            '204': { description: 'Deleted.' },
            ...NOT_FOUND,
            ...RATE_LIMITED,
            ...NOT_CONFIGURED,
            ...COMMON_ERRORS,
          },
        },
      },
      '/connections/{id}/history': {
        parameters: [connectionId],
        get: {
          operationId: 'connectionHistory',
          summary: 'The connection’s runs, newest first',
          parameters: [limit(20)],
          responses: {
            '200': json(ref('ConnectionHistory'), 'The runs.'),
            '400': error('An unknown parameter or a bad limit.'),
            ...NOT_FOUND,
            ...RATE_LIMITED,
            ...NOT_CONFIGURED,
            ...COMMON_ERRORS,
          },
        },
      },
      '/openapi.json': {
        get: {
          operationId: 'openapi',
          summary: 'This document',
          security: [],
          responses: {
            '200': json({ type: 'object' }, 'The OpenAPI 3.1 document.'),
            '500': error('A defect of this service.'),
          },
        },
      },
    },
    components: {
      schemas: s,
      securitySchemes: {
        jwt: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'A JWT of the vendor’s identity provider; its tenant claim (`tenant_id` unless configured) names the tenant.',
        },
      },
    },
  };
}

export type OpenApiDocument = ReturnType<typeof document>;

let built: OpenApiDocument | undefined;

/** Built once per container: the schemas do not change while it runs. */
export function openApiDocument(): OpenApiDocument {
  built ??= document();
  return built;
}
