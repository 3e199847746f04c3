/**
 * Every KMS API the checks call, imported on demand by src/core/aws.ts like ./redshift.ts: a
 * bucket under SSE-S3 and a request naming no key never load the KMS client.
 */
export {
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  KMSClient,
} from '@aws-sdk/client-kms';
