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
  seed004: (input: string, output: string, account: string): PolicyJson => ({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['s3:ListAllMyBuckets'], Resource: ['arn:aws:s3:::*'] },
      { Effect: 'Allow', Action: ['s3:*'], Resource: [`arn:aws:s3:::${output}`, `arn:aws:s3:::${output}/*`] },
      {
        Effect: 'Allow',
        Action: ['s3:ListBucket', 's3:ListObject', 's3:GetObject'],
        Resource: [`arn:aws:s3:::${input}`, `arn:aws:s3:::${input}/*`],
      },
      {
        Effect: 'Allow',
        Action: ['iam:SimulatePrincipalPolicy'],
        Resource: [`arn:aws:iam::${account}:user/\${aws:username}`],
      },
    ],
  }),
};
