import { createHash } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { bounded, CALL_LIMITS, s3PathStyle } from './bounds.ts';
import { codeOf, errorInfo } from './classify.ts';
import type { PolicyDocument } from './iam-documents.ts';
import { type Partition, partitionOfRegion, type Region } from './regions.ts';

export { permissions } from './cloudformation.permissions.ts';

/** The CloudFormation template GET /setup offers: one role, its trust and its inline policy. */

export const ROLE_NAME_PARAMETER = 'RoleName';
export const DEFAULT_ROLE_NAME = 'VendorAccess';
export const ROLE_LOGICAL_ID = 'VendorAccessRole';
export const INLINE_POLICY_NAME = 'VendorAccess';

/**
 * IAM's quota on the inline policies of one role, counted without whitespace. Past it IAM
 * refuses the role, so CloudFormation rolls the stack back: GET /setup says so up front.
 */
export const IAM_INLINE_ROLE_POLICY_LIMIT = 10_240;

/** How IAM counts a policy against its quotas: every character but whitespace. */
export const iamPolicySize = (doc: PolicyDocument): number => JSON.stringify(doc).replace(/\s/g, '').length;

export interface RoleTemplate {
  AWSTemplateFormatVersion: '2010-09-09';
  Description: string;
  Parameters: {
    RoleName: {
      Type: 'String';
      Default: string;
      AllowedPattern: string;
      ConstraintDescription: string;
    };
  };
  Resources: {
    VendorAccessRole: {
      Type: 'AWS::IAM::Role';
      Properties: {
        RoleName: { Ref: typeof ROLE_NAME_PARAMETER };
        MaxSessionDuration: number;
        AssumeRolePolicyDocument: PolicyDocument;
        Policies?: { PolicyName: string; PolicyDocument: PolicyDocument }[];
      };
    };
    RedshiftCopyRole?: CopyRoleResource;
  };
  Outputs: {
    RoleArn: { Value: { 'Fn::GetAtt': [typeof ROLE_LOGICAL_ID, 'Arn'] } };
    CopyRoleArn?: { Value: { 'Fn::GetAtt': [typeof COPY_ROLE_LOGICAL_ID, 'Arn'] } };
  };
}

export const COPY_ROLE_LOGICAL_ID = 'RedshiftCopyRole';

/** The role Redshift assumes for COPY/UNLOAD (seed 002), when GET /setup is asked for it. */
export interface CopyRoleResource {
  Type: 'AWS::IAM::Role';
  Properties: {
    RoleName: string;
    AssumeRolePolicyDocument: PolicyDocument;
    Policies: { PolicyName: string; PolicyDocument: PolicyDocument }[];
  };
}

export function roleTemplate(
  trust: PolicyDocument,
  permission: PolicyDocument,
  copy?: { roleName: string; trustPolicy: PolicyDocument; permissionPolicy: PolicyDocument },
): RoleTemplate {
  const template = baseTemplate(trust, permission);
  if (copy) {
    // Its name is fixed, not a parameter: the vendor's policy names it (iam:GetRole) by ARN.
    template.Resources.RedshiftCopyRole = {
      Type: 'AWS::IAM::Role',
      Properties: {
        RoleName: copy.roleName,
        AssumeRolePolicyDocument: copy.trustPolicy,
        Policies: [{ PolicyName: 'RedshiftCopy', PolicyDocument: copy.permissionPolicy }],
      },
    };
    template.Outputs.CopyRoleArn = { Value: { 'Fn::GetAtt': [COPY_ROLE_LOGICAL_ID, 'Arn'] } };
  }
  return template;
}

function baseTemplate(trust: PolicyDocument, permission: PolicyDocument): RoleTemplate {
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: 'A role this vendor assumes, with your external ID, to reach only the resources named.',
    Parameters: {
      RoleName: {
        Type: 'String',
        Default: DEFAULT_ROLE_NAME,
        // IAM's own rule for role names, so a bad name is refused before the stack starts.
        AllowedPattern: '[\\w+=,.@-]{1,64}',
        ConstraintDescription: '1 to 64 letters, digits and any of + = , . @ _ -',
      },
    },
    Resources: {
      VendorAccessRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: { Ref: ROLE_NAME_PARAMETER },
          MaxSessionDuration: 3600,
          AssumeRolePolicyDocument: trust,
          ...(permission.Statement.length
            ? { Policies: [{ PolicyName: INLINE_POLICY_NAME, PolicyDocument: permission }] }
            : {}),
        },
      },
    },
    Outputs: { RoleArn: { Value: { 'Fn::GetAtt': [ROLE_LOGICAL_ID, 'Arn'] } } },
  };
}

/** Where the vendor hosts generated templates so the console can open them (CFN_TEMPLATE_BUCKET). */
export interface TemplateHosting {
  bucket: string;
  /** Empty, or ending in `/`. */
  prefix: string;
}

const S3_DOMAIN: Record<Partition, string> = {
  aws: 'amazonaws.com',
  'aws-cn': 'amazonaws.com.cn',
  'aws-us-gov': 'amazonaws.com',
};

const CONSOLE: Record<Partition, string> = {
  aws: 'https://console.aws.amazon.com',
  'aws-cn': 'https://console.amazonaws.cn',
  'aws-us-gov': 'https://console.amazonaws-us-gov.com',
};

/** The template as stored, and its key: the content decides the key, so one upload serves every repeat. */
export function templateObject(
  template: RoleTemplate,
  hosting: TemplateHosting,
): { key: string; body: string } {
  const body = JSON.stringify(template);
  return { key: `${hosting.prefix}${createHash('sha256').update(body).digest('hex')}.json`, body };
}

/** Virtual-hosted HTTPS: the bucket name is checked at start-up to have no dot, so the certificate matches. */
export function templateUrl(bucket: string, key: string, region: Region): string {
  const partition = partitionOfRegion(region) ?? 'aws';
  const path = key.split('/').map(encodeURIComponent).join('/');
  return `https://${bucket}.s3.${region}.${S3_DOMAIN[partition]}/${path}`;
}

/** CloudFormation stack names: a letter, then letters, digits and hyphens, at most 128. */
export function stackNameFor(vendorName: string): string {
  const slug = vendorName
    .replace(/[^A-Za-z0-9-]+/g, '-')
    .replace(/^[^A-Za-z]+|-+$/g, '')
    .slice(0, 100);
  return `${slug || 'vendor'}-access`;
}

export function quickCreateUrl(opts: {
  region: Region;
  templateUrl: string;
  stackName: string;
  roleName: string;
}): string {
  const partition = partitionOfRegion(opts.region) ?? 'aws';
  const q = (name: string, value: string) => `${name}=${encodeURIComponent(value)}`;
  const fragment = [
    q('templateURL', opts.templateUrl),
    q('stackName', opts.stackName),
    q(`param_${ROLE_NAME_PARAMETER}`, opts.roleName),
  ].join('&');
  return `${CONSOLE[partition]}/cloudformation/home?${q('region', opts.region)}#/stacks/quickcreate?${fragment}`;
}

/** The upload must leave time to answer within the function's 10 s, whatever S3 does. */
export const UPLOAD_BUDGET_MS = 5_000;

const clients = new Map<Region, S3Client>();

/**
 * One client per container and region, with the service's own credentials and the bounds of
 * every other AWS call (src/core/aws.ts): it is reused across requests, unlike a verification's.
 */
function templateClient(region: Region): S3Client {
  let client = clients.get(region);
  if (!client) {
    client = new S3Client({ region, ...bounded(CALL_LIMITS, 16), forcePathStyle: s3PathStyle() });
    clients.set(region, client);
  }
  return client;
}

export interface PublishDeps {
  hosting: TemplateHosting;
  /** The service's region: where the bucket is, and where the console opens. */
  region: Region;
  vendorName: string;
  /** The vendor's account: a typo in the bucket name must not hand templates to a stranger. */
  expectedBucketOwner?: string;
  logger: Logger;
}

/**
 * Stores the template in the vendor's bucket and returns the console link that opens it, or
 * nothing when the upload fails: the answer is still whole without the link, so a missing
 * bucket or permission never fails GET /setup.
 */
export async function publishTemplate(
  template: RoleTemplate,
  deps: PublishDeps,
): Promise<string | undefined> {
  const { key, body } = templateObject(template, deps.hosting);
  try {
    await templateClient(deps.region).send(
      new PutObjectCommand({
        Bucket: deps.hosting.bucket,
        Key: key,
        Body: body,
        ContentType: 'application/json',
        // Never overwrite: the key is the content's hash, so what is there already is this template.
        IfNoneMatch: '*',
        ...(deps.expectedBucketOwner ? { ExpectedBucketOwner: deps.expectedBucketOwner } : {}),
      }),
      { abortSignal: AbortSignal.timeout(UPLOAD_BUDGET_MS) },
    );
  } catch (err) {
    // 412: an object with this key, hence this content, exists. 409: the same content is being
    // written by a concurrent request, and will be there when the customer opens the link.
    if (!['PreconditionFailed', 'ConditionalRequestConflict'].includes(codeOf(err))) {
      deps.logger.warn('template upload failed: answering without quickCreateUrl', {
        bucket: deps.hosting.bucket,
        key,
        error: errorInfo(err),
      });
      return undefined;
    }
  }
  return quickCreateUrl({
    region: deps.region,
    templateUrl: templateUrl(deps.hosting.bucket, key, deps.region),
    stackName: stackNameFor(deps.vendorName),
    roleName: template.Parameters.RoleName.Default,
  });
}
