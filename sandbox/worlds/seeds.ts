import type { PolicyJson } from '../iam.ts';

/** The seeds' policy text (../shared/seeds, copied: nothing reads outside the repository). */
export const seedPolicies = {
  seed001: (bucket: string): PolicyJson => ({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['s3:PutObject', 's3:DeleteObject'], Resource: `arn:aws:s3:::${bucket}/*` },
    ],
  }),
  seed003: (bucket: string): PolicyJson => ({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'PolytomicBucket',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:ListBucket', 's3:PutObject', 's3:DeleteObject', 's3:GetBucketLocation'],
        Resource: [`arn:aws:s3:::${bucket}/*`, `arn:aws:s3:::${bucket}`],
      },
    ],
  }),
  /** `simulate: false`: the guide's policy without its iam:SimulatePrincipalPolicy statement. */
  seed004: (input: string, output: string, account: string, simulate = true): PolicyJson => ({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['s3:ListAllMyBuckets'], Resource: ['arn:aws:s3:::*'] },
      { Effect: 'Allow', Action: ['s3:*'], Resource: [`arn:aws:s3:::${output}`, `arn:aws:s3:::${output}/*`] },
      {
        Effect: 'Allow',
        Action: ['s3:ListBucket', 's3:ListObject', 's3:GetObject'],
        Resource: [`arn:aws:s3:::${input}`, `arn:aws:s3:::${input}/*`],
      },
      ...(simulate
        ? [
            {
              Effect: 'Allow',
              Action: ['iam:SimulatePrincipalPolicy'],
              Resource: [`arn:aws:iam::${account}:user/\${aws:username}`],
            },
          ]
        : []),
    ],
  }),
  /** Seed 000's GetClusterCredentials policy, with its aws:userid condition verbatim. */
  seed000Redshift: (region: string, account: string, cluster: string, db: string): PolicyJson => ({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'GetClusterCredsStatement',
        Effect: 'Allow',
        Action: ['redshift:GetClusterCredentials'],
        Resource: [
          `arn:aws:redshift:${region}:${account}:dbuser:${cluster}/\${redshift:DbUser}`,
          `arn:aws:redshift:${region}:${account}:dbname:${cluster}/${db}`,
        ],
        // An IAM policy variable, not a template: the text as the guide prints it.
        // biome-ignore lint/suspicious/noTemplateCurlyInString: IAM policy variable
        Condition: { StringEquals: { 'aws:userid': 'AIDIODR4TAW7CSEXAMPLE:${redshift:DbUser}' } },
      },
    ],
  }),
  /**
   * Seed 002's COPY role trust with both its restrictions: Redshift in one region only, and only
   * for the db users named (`sts:ExternalId` = their ARNs).
   */
  seed002CopyRoleTrust: (region: string, account: string, cluster: string, users: string[]): PolicyJson => ({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: [`redshift.${region}.amazonaws.com`] },
        Action: 'sts:AssumeRole',
        Condition: {
          StringLike: {
            'sts:ExternalId': users.map(
              (u) => `arn:aws:redshift:${region}:${account}:dbuser:${cluster}/${u}`,
            ),
          },
        },
      },
    ],
  }),
  /** Seed 002: the role Redshift itself assumes, external IDs being db-user ARNs. */
  seed002Trust: (): PolicyJson => ({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'redshift.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: {
          StringLike: {
            'sts:ExternalId': [
              'arn:aws:redshift:us-west-2:123456789012:dbuser:my-cluster/user1',
              'arn:aws:redshift:us-west-2:123456789012:dbuser:my-cluster/user2',
            ],
          },
        },
      },
    ],
  }),
};
