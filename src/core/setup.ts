import type { Catalogue, CopyRole } from './catalogue.ts';
import { grantsOf } from './check.ts';
import { IAM_INLINE_ROLE_POLICY_LIMIT, iamPolicySize, roleTemplate } from './cloudformation.ts';
import type * as contract from './contract.ts';
import type { PolicyDocument } from './iam-documents.ts';
import { planChecks } from './plan.ts';
import { policyOf, statementsOf, trustPolicy } from './policy.ts';
import type { Profile } from './profiles.ts';
import type { Partition, Region } from './regions.ts';
import type { BucketInput, RedshiftInput } from './wire.ts';

export interface SetupRequest {
  tenantId: string;
  externalId: string;
  vendorPrincipalArn: string;
  partition: Partition;
  profile?: Profile;
  buckets: BucketInput[];
  redshift?: RedshiftInput[];
  /** Where a Redshift target without a region is: the service's region. */
  serviceRegion?: Region;
  egressAddresses?: readonly string[];
  /** Generate the role Redshift assumes for COPY/UNLOAD, under this name (seed 002). */
  copyRole?: string;
}

export type { CopyRole };

/** GET /setup's answer, as the contract defines it (src/core/contract.ts). */
export type SetupAnswer = contract.SetupAnswer;

export type TrustUpdate = NonNullable<SetupAnswer['trustUpdate']>;

/** What a tenant that renewed its external ID must change, and what fails until it does. */
export function trustUpdate(previousExternalId: string, externalId: string): TrustUpdate {
  return {
    previousExternalId,
    externalId,
    message:
      `Your external ID is now ${externalId}. Update the role's trust policy: its sts:ExternalId condition ` +
      `must name ${externalId} instead of ${previousExternalId}. Until it does, verifications and the ` +
      'scheduled re-verification of your saved connections cannot assume the role.',
  };
}

/**
 * What a tenant must create, from the same planner that verifies it: the permission policy is
 * the union of the grants of every check a verification of these resources would run, and of
 * what the catalogue adds for the setup (a bucket picker's ListBuckets, a generated COPY role).
 */
export function setupFor(catalogue: Catalogue, req: SetupRequest): SetupAnswer {
  // The keys the buckets name come with them: what S3 asks of them on the caller's behalf.
  const targets = catalogue.planTargets(
    { s3: req.buckets, ...(req.redshift ? { redshift: req.redshift } : {}) },
    { partition: req.partition, region: req.serviceRegion ?? 'us-east-1' },
  );
  // Before planning: a generated COPY role is the one its clusters are verified to have attached.
  const extras = catalogue.setupExtras(targets, {
    profile: req.profile,
    partition: req.partition,
    ...(req.copyRole ? { copyRole: req.copyRole } : {}),
  });
  const grants = planChecks(catalogue.checks, targets, req.profile, 'onboarding').flatMap((p) =>
    grantsOf(p.check, p.target).filter((g) => !g.sessionOnly && !g.trust),
  );
  grants.push(...extras.grants);
  const { copyRole } = extras;
  const trust = trustPolicy(req.vendorPrincipalArn, req.externalId);
  const permission = policyOf(statementsOf(grants));
  return {
    tenantId: req.tenantId,
    externalId: req.externalId,
    vendorPrincipal: req.vendorPrincipalArn,
    ...(req.profile ? { profile: req.profile.name } : {}),
    trustPolicy: trust,
    permissionPolicy: permission,
    ...(req.egressAddresses?.length ? { network: { egressAddresses: [...req.egressAddresses] } } : {}),
    ...(copyRole ? { copyRole } : {}),
    cloudFormation: { template: roleTemplate(trust, permission, copyRole) },
    warnings: policyWarnings(permission),
  };
}

/**
 * The policy is never trimmed or widened to fit: a role that cannot hold it is said to be
 * so, and the caller splits the resources over several roles.
 */
function policyWarnings(permission: PolicyDocument): string[] {
  if (iamPolicySize(permission) <= IAM_INLINE_ROLE_POLICY_LIMIT) return [];
  return [
    `The permission policy is ${iamPolicySize(permission).toLocaleString('en-US')} characters (whitespace excluded); ` +
      `IAM allows ${IAM_INLINE_ROLE_POLICY_LIMIT.toLocaleString('en-US')} in a role's inline policies, so this role ` +
      'cannot be created as written (the CloudFormation stack would roll back). Name fewer resources per request ' +
      'and create one role for each group.',
  ];
}
