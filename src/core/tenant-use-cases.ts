import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { CATALOGUE } from '../checks/index.ts';
import { accountOfArn, partitionOfArn } from './arn.ts';
import type { AwsAccess } from './aws.ts';
import { createAwsAccess } from './aws.ts';
import { publishTemplate } from './cloudformation.ts';
import type { ServiceConfig } from './config.ts';
import type { ChecksListing } from './contract.ts';
import { type ExternalIdSecret, externalIdFor } from './external-id.ts';
import { checksListing } from './listing.ts';
import { type MetricsSink, recordVerification } from './metrics.ts';
import { BUILTIN_PROFILES, type ProfileRegistry, profileNamed } from './profiles.ts';
import { type SetupAnswer, setupFor } from './setup.ts';
import { type VerifyDeps, verify } from './verify.ts';
import type { BucketInput, RedshiftInput, Report, VerifyRequest } from './wire.ts';

/**
 * The tenant-facing use cases the handlers call: tenant and secret in, plain objects out. No
 * HTTP here. The composition root of the engine: the one place that hands it the registry's
 * catalogue.
 */

/** What every use case needs: built once per container (src/handlers/deps.ts), or by a test. */
export interface AppDeps {
  config: ServiceConfig;
  logger: Logger;
  /** Tests inject clients; production makes fresh ones per verification. */
  awsFactory?: () => AwsAccess & { close?(): void };
  deadlineMs?: number;
  /** One check at a time: only the benchmark's contrast uses it. */
  oneAtATime?: boolean;
  /** EMF metrics of every verification (and drift run); none where unset. */
  metrics?: MetricsSink;
  /** X-Ray: the SDK clients of each verification are captured when tracing is on. */
  tracer?: Tracer;
}

export async function verifyForTenant(
  s: AppDeps,
  tenantId: string,
  secret: ExternalIdSecret,
  request: VerifyRequest,
  options: Pick<VerifyDeps, 'mode' | 'placeMarkers' | 'admission'> = {},
): Promise<Report> {
  const aws = s.awsFactory
    ? s.awsFactory()
    : createAwsAccess(undefined, {
        addresses: s.config.databaseAddresses,
        ...(s.tracer ? { tracer: s.tracer } : {}),
      });
  const profile = profileNamed(request.profile, s.config.profiles);
  const info = {
    id: randomUUID(),
    tenantId,
    externalId: externalIdFor(secret, tenantId),
    vendorName: s.config.vendorName,
    vendorPrincipalArn: s.config.vendorPrincipalArn,
    egressAddresses: s.config.egressAddresses,
    startedAt: new Date(),
    externalIdNotEnforced: profile?.externalIdNotEnforced ?? 'fail',
  } as const;
  const deps: VerifyDeps = {
    catalogue: CATALOGUE,
    aws,
    logger: s.logger,
    serviceRegion: s.config.region,
    profiles: s.config.profiles,
    ...options,
  };
  if (s.deadlineMs !== undefined) deps.deadlineMs = s.deadlineMs;
  if (s.oneAtATime) deps.oneAtATime = true;
  try {
    const report = await verify(request, info, deps);
    // Refused admission (the tenant's rate): the report is discarded, so neither logged nor counted.
    await options.admission;
    s.logger.info('verification finished', {
      verificationId: report.verificationId,
      tenantId,
      status: report.status,
      durationMs: report.durationMs,
      checks: report.checks.map((c) => `${c.id} ${c.target} ${c.status}`),
    });
    recordVerification(s.metrics, report, request.profile);
    // Metadata, not an annotation: annotations are indexed, and tenants are not a dimension.
    // Keyed by verification: a drift worker's segment holds the ten it runs at once.
    s.tracer?.putMetadata(`verification ${report.verificationId}`, { tenantId, status: report.status });
    return report;
  } finally {
    aws.close?.();
  }
}

export async function setupForTenant(
  s: AppDeps,
  tenantId: string,
  secret: ExternalIdSecret,
  query: { profile?: string; buckets: BucketInput[]; redshift?: RedshiftInput[]; copyRole?: string },
): Promise<SetupAnswer> {
  const profile = profileNamed(query.profile, s.config.profiles);
  const answer = setupFor(CATALOGUE, {
    tenantId,
    externalId: externalIdFor(secret, tenantId),
    vendorPrincipalArn: s.config.vendorPrincipalArn,
    partition: partitionOfArn(s.config.vendorPrincipalArn) ?? 'aws',
    buckets: query.buckets,
    ...(query.redshift?.length ? { redshift: query.redshift } : {}),
    ...(query.copyRole ? { copyRole: query.copyRole } : {}),
    serviceRegion: s.config.region,
    egressAddresses: s.config.egressAddresses,
    ...(profile ? { profile } : {}),
  });
  const hosting = s.config.templateHosting;
  // A link to a stack that cannot be created as written would only move the failure into the
  // customer's console.
  if (!hosting || answer.warnings.length > 0) return answer;
  const vendorAccount = accountOfArn(s.config.vendorPrincipalArn);
  const quickCreateUrl = await publishTemplate(answer.cloudFormation.template, {
    hosting,
    region: s.config.region,
    vendorName: s.config.vendorName,
    ...(vendorAccount ? { expectedBucketOwner: vendorAccount } : {}),
    logger: s.logger,
  });
  if (quickCreateUrl) answer.cloudFormation.quickCreateUrl = quickCreateUrl;
  return answer;
}

/** The catalogue as GET /checks shows it, with placeholder resources. */
export function catalogueView(profiles: ProfileRegistry = BUILTIN_PROFILES): ChecksListing {
  return checksListing(CATALOGUE, profiles);
}
