import { parseRoleArn } from './arn.ts';
import { isRegion, type Region } from './regions.ts';

/** The service's configuration, read once from its environment and checked at start-up. */
export interface ServiceConfig {
  stage: string;
  /** `sls invoke local`, serverless-offline, tests: a generated development secret is fine. */
  local: boolean;
  region: Region;
  tenantClaim: string;
  vendorName: string;
  vendorPrincipalArn: string;
  /** SSM SecureString holding the external ID secret; required outside local runs. */
  externalIdSecretParameter?: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const DEFAULT_VENDOR_PRINCIPAL = 'arn:aws:iam::999988887777:role/aws-access-verifier-dev';

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const local =
    env.IS_LOCAL === 'true' || env.IS_OFFLINE === 'true' || env.AWS_LAMBDA_FUNCTION_NAME === undefined;
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  if (!isRegion(region)) throw new ConfigError(`AWS_REGION ${region} is not a region this service knows`);
  const vendorPrincipalArn = env.VENDOR_PRINCIPAL_ARN ?? (local ? DEFAULT_VENDOR_PRINCIPAL : '');
  if (
    !parseRoleArn(vendorPrincipalArn) &&
    !/^arn:aws[\w-]*:iam::\d{12}:(user|root)/.test(vendorPrincipalArn)
  ) {
    throw new ConfigError('VENDOR_PRINCIPAL_ARN must be the IAM role or user ARN that customers trust');
  }
  const tenantClaim = env.TENANT_CLAIM ?? 'tenant_id';
  if (!/^[\w.:-]{1,64}$/.test(tenantClaim)) throw new ConfigError('TENANT_CLAIM is not a claim name');
  const config: ServiceConfig = {
    stage: env.STAGE ?? 'dev',
    local,
    region,
    tenantClaim,
    vendorName: (env.VENDOR_NAME ?? 'vendor').slice(0, 24),
    vendorPrincipalArn,
  };
  // Local runs (`sls invoke local`, serverless-offline) keep a generated development secret even
  // when serverless.ts names the stage's parameter: they must work offline and never see a real one.
  if (env.EXTERNAL_ID_SECRET_PARAMETER && !local)
    config.externalIdSecretParameter = env.EXTERNAL_ID_SECRET_PARAMETER;
  // A deployed stage must never fall back to a development secret: refuse to start instead.
  if (!local && !config.externalIdSecretParameter) {
    throw new ConfigError('EXTERNAL_ID_SECRET_PARAMETER is required outside local runs');
  }
  return config;
}
