import { GetBucketEncryptionCommand } from '@aws-sdk/client-s3';
import { s3BucketArn } from '../../core/arn.ts';
import type { CheckDescriptor } from '../../core/check.ts';
import { codeOf } from '../../core/classify.ts';
import type { Outcome } from '../../core/outcome.ts';
import { bucketParams, s3Of, who } from './probe.ts';

export const s3Encryption: CheckDescriptor<'bucket', 's3.encryption'> = {
  id: 's3.encryption',
  title: 'The bucket’s default encryption is known',
  scope: 'bucket',
  calls: ['GetBucketEncryption'],
  dependsOn: [{ id: 's3.bucket-region', kind: 'hard' }],
  grants: (t) => [
    { actions: ['s3:GetEncryptionConfiguration'], resources: [s3BucketArn(t.partition, t.bucket)] },
  ],
  async run(ctx) {
    const { target, facts } = ctx;
    let rule: { SSEAlgorithm?: string; KMSMasterKeyID?: string } | undefined;
    let bucketKey: boolean | undefined;
    try {
      const out = await s3Of(ctx).send(new GetBucketEncryptionCommand(bucketParams(ctx)), {
        abortSignal: ctx.signal,
      });
      const first = out.ServerSideEncryptionConfiguration?.Rules?.[0];
      rule = first?.ApplyServerSideEncryptionByDefault;
      bucketKey = first?.BucketKeyEnabled;
    } catch (err) {
      if (codeOf(err) !== 'ServerSideEncryptionConfigurationNotFoundError') throw err;
    }
    if (!rule?.SSEAlgorithm) {
      facts.encryption = null;
      return { status: 'pass', message: 'No default encryption rule; S3 encrypts new objects with SSE-S3.' };
    }
    facts.encryption = {
      algorithm: rule.SSEAlgorithm,
      ...(rule.KMSMasterKeyID ? { kmsKeyId: rule.KMSMasterKeyID } : {}),
      ...(bucketKey === undefined ? {} : { bucketKeyEnabled: bucketKey }),
    };
    const kms = rule.SSEAlgorithm.startsWith('aws:kms');
    const described = kms
      ? `SSE-KMS with ${rule.KMSMasterKeyID ?? 'the AWS managed key aws/s3'}${bucketKey ? ', S3 Bucket Key on' : ''}`
      : rule.SSEAlgorithm === 'AES256'
        ? 'SSE-S3'
        : rule.SSEAlgorithm;
    const outcome: Outcome = { status: 'pass', message: `Default encryption: ${described}.` };
    if (kms) outcome.message += ' The write and read probes go through this key.';
    if (target.kmsKeyArn && kms && rule.KMSMasterKeyID && !sameKey(rule.KMSMasterKeyID, target.kmsKeyArn)) {
      outcome.status = 'warn';
      outcome.message += ` It is not the declared key ${target.kmsKeyArn}.`;
      outcome.remediation = `Declare kmsKeyArn ${rule.KMSMasterKeyID}, or change the bucket's default key.`;
    }
    return outcome;
  },
  explainDenial: (t, ctx) => ({ message: `${who(ctx)} may not read the default encryption of ${t.bucket}.` }),
};

/** A bucket may name its key by ARN, key id or alias; compare what can be compared. */
function sameKey(configured: string, declared: string): boolean {
  return configured === declared || declared.endsWith(`/${configured}`) || configured.endsWith(declared);
}
