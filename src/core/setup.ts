import { type AnyCheck, CATALOGUE } from '../checks/index.ts';
import { policyOf, statementsOf, trustPolicy } from './policy.ts';
import { type Profile, requirementFor } from './profiles.ts';
import { planRedshiftTargets } from './redshift.ts';
import type { Partition, Region } from './regions.ts';
import { planKmsTargets, planTargets } from './targets.ts';
import type { BucketInput, Grant, PolicyDocument, RedshiftInput, Target } from './types.ts';

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
}

export interface SetupAnswer {
  tenantId: string;
  externalId: string;
  vendorPrincipal: string;
  profile?: string;
  trustPolicy: PolicyDocument;
  permissionPolicy: PolicyDocument;
  /** Present when the vendor configured its addresses: what a database allowlist must admit. */
  network?: { egressAddresses: string[] };
  cloudFormation: { template: Record<string, unknown> };
}

/**
 * What a tenant must create, from the same catalogue that checks it: the permission policy is
 * the union of the grants of every check the profile runs (required or reported) on each bucket.
 */
export function setupFor(req: SetupRequest): SetupAnswer {
  const grants: Grant[] = [];
  const buckets = planTargets(req.buckets, req.partition);
  const targets: Target[] = [
    ...buckets,
    // The keys the buckets name: what S3 asks of them on the caller's behalf.
    ...planKmsTargets([], buckets),
    ...planRedshiftTargets(req.redshift ?? [], req.partition, req.serviceRegion ?? 'us-east-1', undefined),
  ];
  for (const t of targets) {
    for (const check of CATALOGUE as readonly AnyCheck[]) {
      if (check.scope !== t.kind) continue;
      if (requirementFor(check.id, req.profile, t.kind === 'bucket' ? t.access : undefined) === 'off')
        continue;
      // The planner pairs each check only with targets of its own scope.
      if (!((check.appliesTo as ((x: Target) => boolean) | undefined)?.(t) ?? true)) continue;
      const own = (check.grants as (x: Target) => Grant[])(t);
      grants.push(...own.filter((g) => !g.sessionOnly && !g.trust));
    }
  }
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
    cloudFormation: { template: roleTemplate(trust, permission) },
  };
}

function roleTemplate(trust: PolicyDocument, permission: PolicyDocument): Record<string, unknown> {
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: 'A role this vendor assumes, with your external ID, to reach only the resources named.',
    Parameters: {
      RoleName: { Type: 'String', Default: 'VendorAccess', AllowedPattern: '[\\w+=,.@-]{1,64}' },
    },
    Resources: {
      VendorAccessRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: { Ref: 'RoleName' },
          MaxSessionDuration: 3600,
          AssumeRolePolicyDocument: trust,
          ...(permission.Statement.length
            ? { Policies: [{ PolicyName: 'VendorAccess', PolicyDocument: permission }] }
            : {}),
        },
      },
    },
    Outputs: { RoleArn: { Value: { 'Fn::GetAtt': ['VendorAccessRole', 'Arn'] } } },
  };
}
