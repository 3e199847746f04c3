import type * as v from 'valibot';
import type { CheckId } from '../checks/index.ts';
import type * as contract from './contract.ts';
import type { verifyRequestSchema } from './request-schema.ts';

/*
 * The wire contract's types. What crosses the API is defined once, as valibot schemas
 * (request-schema.ts for requests, contract.ts for responses); these names are inferred from them.
 */

/**
 * Every check's id: the registry's (src/checks/index.ts), so a new check brings its own. A
 * type-only import: erased at build, so no bundle reaches the catalogue through it.
 */
export type { CheckId };

export type CheckStatus = v.InferOutput<typeof contract.checkStatusSchema>;
export type OverallStatus = v.InferOutput<typeof contract.overallStatusSchema>;
export type Requirement = v.InferOutput<typeof contract.requirementSchema>;

/** A validated POST /verify body. */
export type VerifyRequest = v.InferOutput<typeof verifyRequestSchema>;
export type RoleCredentialsInput = Extract<VerifyRequest['credentials'], { type: 'role' }>;
export type AccessKeyCredentialsInput = Extract<VerifyRequest['credentials'], { type: 'accessKey' }>;
export type BucketInput = NonNullable<VerifyRequest['s3']>[number];
export type KmsInput = NonNullable<VerifyRequest['kms']>[number];
/** `accountId`: the account of the cluster; default: the principal's. */
export type RedshiftInput = NonNullable<VerifyRequest['redshift']>[number];

/** What AWS said, as far as a caller may see it. */
export type AwsErrorInfo = contract.AwsErrorInfo;
export type CheckResult = contract.CheckResult;
/** Where each fix goes (docs/verify-api.md, "Report"); optional fields only when non-empty. */
export type Remediation = contract.Remediation;
export type Report = contract.Report;
