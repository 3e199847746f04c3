import { type AnyCheck, CATALOGUE } from '../checks/index.ts';
import { policyOf, statementsOf, trustPolicy } from './policy.ts';
import { type Profile, requirementFor } from './profiles.ts';
import type { Partition } from './regions.ts';
import { planTargets } from './targets.ts';
import type { BucketInput, Grant, PolicyDocument } from './types.ts';

export interface SetupRequest {
  tenantId: string;
  externalId: string;
  vendorPrincipalArn: string;
  partition: Partition;
  profile?: Profile;
  buckets: BucketInput[];
}

export interface SetupAnswer {
  tenantId: string;
  externalId: string;
  vendorPrincipal: string;
  profile?: string;
  trustPolicy: PolicyDocument;
  permissionPolicy: PolicyDocument;
  cloudFormation: { template: Record<string, unknown> };
}

/**
 * What a tenant must create, from the same catalogue that checks it: the permission policy is
 * the union of the grants of every check the profile runs (required or reported) on each bucket.
 */
export function setupFor(req: SetupRequest): SetupAnswer {
  const grants: Grant[] = [];
  for (const b of planTargets(req.buckets, req.partition)) {
    for (const check of CATALOGUE as readonly AnyCheck[]) {
      if (check.scope !== 'bucket') continue;
      if (requirementFor(check.id, req.profile, b.access) === 'off') continue;
      grants.push(...check.grants(b).filter((g) => !g.sessionOnly && !g.trust));
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
