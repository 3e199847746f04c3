import * as v from 'valibot';
import { verifyRequestSchema } from './request-schema.ts';
import type { CheckId } from './wire.ts';

/**
 * The responses of the HTTP API, as one source: the TypeScript types (src/core/wire.ts) are
 * inferred from these schemas and the OpenAPI document (src/core/openapi.ts) is generated from
 * them, so neither can drift from the other. The request schemas live in request-schema.ts.
 */

/** Check ids are stable (verify-api.md) but the catalogue grows: on the wire a pattern, not an enum. */
export const CHECK_ID_PATTERN = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/;
export const checkIdSchema = v.custom<CheckId>(
  (s) => typeof s === 'string' && CHECK_ID_PATTERN.test(s),
  'not a check id',
);

export const checkStatusSchema = v.picklist(['pass', 'fail', 'warn', 'skip', 'error']);
export const overallStatusSchema = v.picklist(['pass', 'fail', 'warn', 'error']);
export const requirementSchema = v.picklist(['required', 'reported', 'off']);

const stringOrList = v.union([v.string(), v.array(v.string())]);

export const conditionSchema = v.record(v.string(), v.record(v.string(), stringOrList));

export const policyStatementSchema = v.strictObject({
  Sid: v.optional(v.string()),
  Effect: v.picklist(['Allow', 'Deny']),
  Principal: v.optional(
    v.union([v.strictObject({ AWS: stringOrList }), v.strictObject({ Service: stringOrList })]),
  ),
  Action: stringOrList,
  Resource: v.optional(stringOrList),
  Condition: v.optional(conditionSchema),
});

export const policyDocumentSchema = v.strictObject({
  Version: v.literal('2012-10-17'),
  Statement: v.array(policyStatementSchema),
});

/** What AWS said, as far as a caller may see it. */
export const awsErrorInfoSchema = v.strictObject({
  code: v.string(),
  message: v.string(),
  requestId: v.optional(v.string()),
  /** The HTTP status AWS answered with, when there was one. */
  httpStatus: v.optional(v.pipe(v.number(), v.integer())),
});

export const checkResultSchema = v.strictObject({
  id: checkIdSchema,
  /** The resource checked: the role ARN, `s3://bucket/prefix`, a key ARN, a Redshift target. */
  target: v.string(),
  status: checkStatusSchema,
  /** false: reported only, it does not decide the overall status (unless it warns). */
  required: v.boolean(),
  actions: v.array(v.string()),
  resources: v.array(v.string()),
  durationMs: v.pipe(v.number(), v.minValue(0)),
  message: v.string(),
  error: v.optional(awsErrorInfoSchema),
  /** A pointer at the policy that refused (identity policy, bucket policy, SCP...). */
  hint: v.optional(v.string()),
  /** Causes AWS words identically, for the customer to tell apart. */
  checklist: v.optional(v.array(v.string())),
  remediation: v.optional(v.string()),
  /** `simulation`: judged by IAM policy simulation (no-write mode), not by a call to the resource. */
  judgedBy: v.optional(v.literal('simulation')),
});

/** Where each fix goes. Optional fields are present only when non-empty. */
export const remediationSchema = v.strictObject({
  /** The identity-policy statements that make the required failed/warned checks pass. */
  policy: policyDocumentSchema,
  /** Statements that would let reported (non-required) checks run. */
  optional: v.optional(policyDocumentSchema),
  keyPolicies: v.optional(v.array(v.strictObject({ keyArn: v.string(), statement: policyStatementSchema }))),
  bucketPolicies: v.optional(
    v.array(v.strictObject({ bucket: v.string(), statement: policyStatementSchema })),
  ),
  /** One statement to add to the role's trust policy, never a replacement document. */
  trustPolicy: v.optional(policyStatementSchema),
  /** What only an administrator can change: SCP, permissions boundary, RCP, VPC endpoint policy, explicit deny. */
  notes: v.optional(
    v.array(
      v.strictObject({
        check: v.string(),
        target: v.string(),
        policyType: v.string(),
        action: v.optional(v.string()),
        resource: v.optional(v.string()),
        message: v.string(),
      }),
    ),
  ),
});

export const reportSchema = v.strictObject({
  verificationId: v.string(),
  tenantId: v.string(),
  status: overallStatusSchema,
  startedAt: v.pipe(v.string(), v.isoTimestamp()),
  durationMs: v.pipe(v.number(), v.minValue(0)),
  principal: v.optional(v.strictObject({ account: v.optional(v.string()), arn: v.optional(v.string()) })),
  checks: v.array(checkResultSchema),
  remediation: remediationSchema,
  /** Probe objects this service could not delete: where they are, for the customer to remove. */
  strandedProbes: v.optional(
    v.array(v.strictObject({ bucket: v.string(), key: v.string(), versionId: v.optional(v.string()) })),
  ),
});

/** The CloudFormation template GET /setup offers (src/core/cloudformation.ts builds it). */
export const roleTemplateSchema = v.strictObject({
  AWSTemplateFormatVersion: v.literal('2010-09-09'),
  Description: v.string(),
  Parameters: v.strictObject({
    RoleName: v.strictObject({
      Type: v.literal('String'),
      Default: v.string(),
      AllowedPattern: v.string(),
      ConstraintDescription: v.string(),
    }),
  }),
  Resources: v.strictObject({
    VendorAccessRole: v.strictObject({
      Type: v.literal('AWS::IAM::Role'),
      Properties: v.strictObject({
        RoleName: v.strictObject({ Ref: v.literal('RoleName') }),
        MaxSessionDuration: v.number(),
        AssumeRolePolicyDocument: policyDocumentSchema,
        Policies: v.optional(
          v.array(v.strictObject({ PolicyName: v.string(), PolicyDocument: policyDocumentSchema })),
        ),
      }),
    }),
    /** Seed 002's COPY/UNLOAD role, when asked for (`copyRole`). */
    RedshiftCopyRole: v.optional(
      v.strictObject({
        Type: v.literal('AWS::IAM::Role'),
        Properties: v.strictObject({
          RoleName: v.string(),
          AssumeRolePolicyDocument: policyDocumentSchema,
          Policies: v.array(v.strictObject({ PolicyName: v.string(), PolicyDocument: policyDocumentSchema })),
        }),
      }),
    ),
  }),
  Outputs: v.strictObject({
    RoleArn: v.strictObject({
      Value: v.strictObject({
        'Fn::GetAtt': v.strictTuple([v.literal('VendorAccessRole'), v.literal('Arn')]),
      }),
    }),
    CopyRoleArn: v.optional(
      v.strictObject({
        Value: v.strictObject({
          'Fn::GetAtt': v.strictTuple([v.literal('RedshiftCopyRole'), v.literal('Arn')]),
        }),
      }),
    ),
  }),
});

export const setupAnswerSchema = v.strictObject({
  tenantId: v.string(),
  /** The tenant's external ID: the trust policy's `sts:ExternalId`. */
  externalId: v.string(),
  /** The IAM ARN customers trust: the one that calls AssumeRole. */
  vendorPrincipal: v.string(),
  profile: v.optional(v.string()),
  trustPolicy: policyDocumentSchema,
  permissionPolicy: policyDocumentSchema,
  /** Present when the vendor configured its addresses: what a database allowlist must admit. */
  network: v.optional(v.strictObject({ egressAddresses: v.array(v.string()) })),
  /** Present when asked for (`copyRole`): seed 002's COPY/UNLOAD role, to attach to the clusters. */
  copyRole: v.optional(
    v.strictObject({
      roleName: v.string(),
      roleArn: v.string(),
      trustPolicy: policyDocumentSchema,
      permissionPolicy: policyDocumentSchema,
    }),
  ),
  cloudFormation: v.strictObject({
    template: roleTemplateSchema,
    /** Present when the stage hosts templates and nothing in `warnings` stands in the way. */
    quickCreateUrl: v.optional(v.pipe(v.string(), v.url())),
  }),
  /** What would stop the role from being created as written; empty when nothing would. */
  warnings: v.array(v.string()),
  /** Present when this answer moved the tenant to a new external ID (`renewExternalId=true`). */
  trustUpdate: v.optional(
    v.strictObject({ previousExternalId: v.string(), externalId: v.string(), message: v.string() }),
  ),
});

export const checksListingSchema = v.strictObject({
  profiles: v.array(v.strictObject({ name: v.string(), description: v.string() })),
  checks: v.array(
    v.strictObject({
      id: checkIdSchema,
      title: v.string(),
      scope: v.picklist(['principal', 'bucket', 'kms', 'redshift']),
      dependsOn: v.array(checkIdSchema),
      actions: v.array(v.string()),
      resources: v.array(v.string()),
      /** Per profile name: what that profile requires of the check. */
      profiles: v.record(v.string(), requirementSchema),
      /** Per profile name, where the scheduled re-verification asks something else. */
      drift: v.record(v.string(), requirementSchema),
    }),
  ),
});

/** The body of POST /connections: a POST /verify body, and an optional name. */
export const connectionCreateSchema = v.strictObject({
  ...verifyRequestSchema.entries,
  name: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(64))),
});

/** A saved connection's request: a POST /verify body, with the key pair's secret never shown. */
export const connectionRequestSchema = v.strictObject({
  ...verifyRequestSchema.entries,
  credentials: v.variant('type', [
    v.strictObject({ type: v.literal('role'), roleArn: v.string() }),
    v.strictObject({
      type: v.literal('accessKey'),
      /** Masked: its first and last four characters. */
      accessKeyId: v.string(),
    }),
  ]),
});

export const connectionSchema = v.strictObject({
  connectionId: v.pipe(v.string(), v.uuid()),
  name: v.optional(v.string()),
  createdAt: v.pipe(v.string(), v.isoTimestamp()),
  request: connectionRequestSchema,
  lastStatus: v.optional(overallStatusSchema),
  lastRunAt: v.optional(v.pipe(v.string(), v.isoTimestamp())),
  /** `<check id> <target>` → status, as of the last run. */
  lastChecks: v.optional(v.record(v.string(), checkStatusSchema)),
});

/** POST /connections: 201 when it verified and was saved, 200 with the report when it was not. */
export const connectionCreatedSchema = v.variant('saved', [
  v.strictObject({ saved: v.literal(true), report: reportSchema, connection: connectionSchema }),
  v.strictObject({ saved: v.literal(false), report: reportSchema }),
]);

export const connectionListSchema = v.strictObject({
  connections: v.array(connectionSchema),
  /** The page token for `after`, when there are more. */
  next: v.optional(v.string()),
});

export const runRecordSchema = v.strictObject({
  verificationId: v.string(),
  period: v.string(),
  kind: v.picklist(['onboarding', 'drift']),
  status: overallStatusSchema,
  startedAt: v.pipe(v.string(), v.isoTimestamp()),
  durationMs: v.pipe(v.number(), v.minValue(0)),
  checks: v.array(
    v.strictObject({
      id: v.string(),
      target: v.string(),
      status: checkStatusSchema,
      message: v.string(),
      remediation: v.optional(v.string()),
    }),
  ),
});

export const connectionHistorySchema = v.strictObject({
  connectionId: v.pipe(v.string(), v.uuid()),
  runs: v.array(runRecordSchema),
});

export const fieldErrorSchema = v.strictObject({ path: v.string(), message: v.string() });

/** Every 4xx and 5xx this service itself answers. */
export const errorBodySchema = v.strictObject({
  error: v.strictObject({
    code: v.string(),
    message: v.string(),
    /** The offending fields, on a 400: at most 50. */
    details: v.optional(v.pipe(v.array(fieldErrorSchema), v.maxLength(50))),
    /** How many more fields were invalid than `details` lists. */
    detailsOmitted: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  }),
  requestId: v.string(),
});

/**
 * What API Gateway's own JWT authorizer answers (401) before any function runs: HTTP APIs
 * cannot customise it (gateway responses are a REST API feature). `www-authenticate` says why.
 */
export const gatewayErrorSchema = v.strictObject({ message: v.string() });

export type PolicyStatement = v.InferOutput<typeof policyStatementSchema>;
export type PolicyDocument = v.InferOutput<typeof policyDocumentSchema>;
export type AwsErrorInfo = v.InferOutput<typeof awsErrorInfoSchema>;
export type CheckResult = v.InferOutput<typeof checkResultSchema>;
export type Remediation = v.InferOutput<typeof remediationSchema>;
export type Report = v.InferOutput<typeof reportSchema>;
export type SetupAnswer = v.InferOutput<typeof setupAnswerSchema>;
export type ChecksListing = v.InferOutput<typeof checksListingSchema>;
export type ConnectionView = v.InferOutput<typeof connectionSchema>;
export type ErrorBody = v.InferOutput<typeof errorBodySchema>;
