/**
 * Every Redshift API the checks call, in one module that src/core/aws.ts imports on demand:
 * the bundle puts it in a chunk of its own, so a request without a Redshift target never loads
 * the two clients (~115 KB minified). Nothing else may import these packages statically.
 */
export {
  DescribeClustersCommand,
  GetClusterCredentialsCommand,
  RedshiftClient,
} from '@aws-sdk/client-redshift';
export {
  GetCredentialsCommand,
  GetNamespaceCommand,
  GetWorkgroupCommand,
  RedshiftServerlessClient,
} from '@aws-sdk/client-redshift-serverless';
