import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { type AnyCheck, appliesTo, CATALOGUE, grantsOf } from '../checks/index.ts';
import { planRedshiftTargets } from '../checks/redshift/redshift.ts';
import { accountOfArn, partitionOfArn } from './arn.ts';
import { createAwsAccess } from './aws.ts';
import { publishTemplate } from './cloudformation.ts';
import type { ServiceConfig } from './config.ts';
import type { ChecksListing } from './contract.ts';
import { type ExternalIdSecret, externalIdFor } from './external-id.ts';
import { type MetricsSink, recordVerification } from './metrics.ts';
import { BUILTIN_PROFILES, type ProfileRegistry, profileNamed, requirementFor } from './profiles.ts';
import { type SetupAnswer, setupFor } from './setup.ts';
import { planKmsTargets, planTargets } from './targets.ts';
import type { AwsAccess, BucketInput, RedshiftInput, Report, Target, VerifyRequest } from './types.ts';
import { type VerifyDeps, verify } from './verify.ts';

/**
 * The tenant-facing use cases the handlers call: tenant and secret in, plain objects out. No
 * HTTP here.
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
  const answer = setupFor({
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

/** Placeholder targets, one per scope (two for Redshift), to show each check's grants in GET /checks. */
function exampleTargets(): { [S in Target['kind']]: Extract<Target, { kind: S }>[] } {
  const [bucket] = planTargets([{ bucket: 'BUCKET', prefix: 'PREFIX/' }], 'aws');
  const [kms] = planKmsTargets([{ keyArn: EXAMPLE_KEY }], []);
  const warehouses = planRedshiftTargets(
    [
      {
        clusterIdentifier: 'CLUSTER',
        dbUser: 'DB_USER',
        dbName: 'DB_NAME',
        copyRoleArn: 'arn:aws:iam::ACCOUNT_ID:role/COPY_ROLE',
      },
      { workgroupName: 'WORKGROUP' },
    ],
    'aws',
    'us-east-1',
    'ACCOUNT_ID',
  );
  if (!bucket || !kms) throw new Error('example targets');
  return {
    principal: [
      {
        kind: 'principal',
        key: 'principal',
        label: 'arn:aws:iam::ACCOUNT:role/ROLE',
        partition: 'aws',
        region: 'us-east-1',
        credentials: { type: 'role', roleArn: 'arn:aws:iam::ACCOUNT:role/ROLE' },
        sessionPolicies: [],
      },
    ],
    bucket: [bucket],
    kms: [{ ...kms, label: 'KMS_KEY_ARN', keyArn: 'KMS_KEY_ARN' }],
    redshift: warehouses,
  };
}

const EXAMPLE_KEY = 'arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000000';

/** The catalogue as GET /checks shows it, with placeholder resources. */
export function catalogueView(profiles: ProfileRegistry = BUILTIN_PROFILES): ChecksListing {
  const examples = exampleTargets();
  return {
    profiles: Object.values(profiles).map((p) => ({ name: p.name, description: p.description })),
    checks: (CATALOGUE as readonly AnyCheck[]).map((c) => {
      const candidates: readonly Target[] = examples[c.scope];
      const example = candidates.find((t) => appliesTo(c, t)) ?? candidates[0];
      const grants = example ? grantsOf(c, example) : [];
      return {
        id: c.id,
        title: c.title,
        scope: c.scope,
        // What it waits for on the same target; what it asks on demand or of others is the engine's.
        dependsOn: c.dependsOn.filter((d) => d.kind !== 'asked' && !d.on).map((d) => d.id),
        actions: [...new Set(grants.flatMap((g) => g.actions))],
        resources: [...new Set(grants.flatMap((g) => g.resources))],
        profiles: Object.fromEntries(Object.values(profiles).map((p) => [p.name, requirementFor(c.id, p)])),
        // What the schedule's re-verification asks instead, where a profile changes it.
        drift: Object.fromEntries(
          Object.values(profiles)
            .filter((p) => requirementFor(c.id, p, undefined, 'drift') !== requirementFor(c.id, p))
            .map((p) => [p.name, requirementFor(c.id, p, undefined, 'drift')]),
        ),
      };
    }),
  };
}
