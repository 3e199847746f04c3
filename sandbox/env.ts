/**
 * Every AWS service the sandbox serves. Code that points the SDK at the sandbox takes its
 * variables from here: a service missing from a hand-kept list is a call to real AWS (the
 * benchmarks once sent iam.simulate's calls out that way).
 */
export const SANDBOX_SERVICES = [
  'STS',
  'S3',
  'KMS',
  'REDSHIFT',
  'REDSHIFT_SERVERLESS',
  'IAM',
  'SQS',
  'EVENTBRIDGE',
  'SSM',
] as const;

/** The `AWS_ENDPOINT_URL_<SERVICE>` variables, the vendor's credentials and the region. */
export function sandboxEnv(
  url: string,
  vendor: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
): Record<string, string> {
  return {
    ...Object.fromEntries(SANDBOX_SERVICES.map((s) => [`AWS_ENDPOINT_URL_${s}`, url])),
    AWS_ACCESS_KEY_ID: vendor.accessKeyId,
    AWS_SECRET_ACCESS_KEY: vendor.secretAccessKey,
    ...(vendor.sessionToken ? { AWS_SESSION_TOKEN: vendor.sessionToken } : {}),
    AWS_REGION: 'us-east-1',
  };
}
