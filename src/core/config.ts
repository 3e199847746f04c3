import { type AddressRule, privateRangeProblem } from './addresses.ts';
import { parseRoleArn } from './arn.ts';
import { bucketNameProblem } from './bucket-name.ts';
import type { TemplateHosting } from './cloudformation.ts';
import { BUILTIN_PROFILES, type ProfileRegistry, parseVendorProfiles } from './profiles.ts';
import { isRegion, type Region } from './regions.ts';
import type { CheckId } from './wire.ts';

/** The service's configuration, read once from its environment and checked at start-up. */
export interface ServiceConfig {
  stage: string;
  /** `sls invoke local`, serverless-offline, tests: a generated development secret is fine. */
  local: boolean;
  region: Region;
  tenantClaim: string;
  vendorName: string;
  vendorPrincipalArn: string;
  /** Where this service's traffic comes from (`EGRESS_ADDRESSES`, CIDRs), for customers' allowlists. */
  egressAddresses: string[];
  /**
   * Where `redshift.reachable` may connect: public addresses, the private ranges the vendor
   * lists (`REACHABLE_PRIVATE_RANGES`), and loopback only in a local run.
   */
  databaseAddresses: AddressRule;
  /** Requests per tenant per minute, counted in the table (`RATE_LIMIT_TABLE`); none without it. */
  rateLimit?: { table: string; perMinute: number };
  /** Saved connections and their scheduled re-verification, where the stage has them. */
  drift?: DriftConfig;
  /** The built-in profiles and the vendor's own (`VENDOR_PROFILES`). */
  profiles: ProfileRegistry;
  /** SSM SecureString holding the external ID secret; required outside local runs. */
  externalIdSecretParameter?: string;
  /** Where GET /setup stores templates for its quick-create link; without it, no link. */
  templateHosting?: TemplateHosting;
}

export interface DriftConfig {
  /** The DynamoDB table of connections and runs (`CONNECTIONS_TABLE`). */
  table: string;
  /**
   * Where the dispatcher sends references: `DRIFT_QUEUE_URL`, or `DRIFT_QUEUE_NAME` looked up
   * once (serverless.ts can name the queue offline; its URL needs the account).
   */
  queue?: { url: string } | { name: string };
  /** Where change events go (`EVENT_BUS_NAME`, default `default`). */
  eventBus: string;
  /** The KMS key that seals key pairs (`CONNECTIONS_KMS_KEY_ID`); required outside local runs. */
  kmsKeyId?: string;
  /** How often every connection is re-verified (`DRIFT_PERIOD`: `hour` or `day`). */
  period: 'hour' | 'day';
  /** How long runs stay in history (`HISTORY_DAYS`, default 90). */
  historyDays: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Key segments of URL-safe characters, each ending in a slash; none starting with a dot (no `..`). */
const TEMPLATE_PREFIX = /^(?:[A-Za-z0-9_-][A-Za-z0-9._-]*\/)*$/;
const DEFAULT_TEMPLATE_PREFIX = 'setup/';

const DEFAULT_VENDOR_PRINCIPAL = 'arn:aws:iam::999988887777:role/aws-access-verifier-dev';

/**
 * `checkIds`: the checks vendor profiles may name, which the composition root takes from the
 * registry; `'runs no check'` for a function that verifies nothing (the drift dispatcher), which
 * then neither reads the vendor's profiles nor bundles the checks to validate them.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv,
  checkIds: readonly CheckId[] | 'runs no check',
): ServiceConfig {
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
  let profiles = BUILTIN_PROFILES;
  if (env.VENDOR_PROFILES?.trim() && checkIds !== 'runs no check') {
    const parsed = parseVendorProfiles(env.VENDOR_PROFILES, checkIds);
    if (!parsed.ok) throw new ConfigError(`VENDOR_PROFILES: ${parsed.problems.join('; ')}`);
    profiles = parsed.profiles;
  }
  const egressAddresses = (env.EGRESS_ADDRESSES ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  for (const a of egressAddresses) {
    if (!isCidr(a)) throw new ConfigError(`EGRESS_ADDRESSES: ${a} is not an IPv4 address or CIDR block`);
  }
  const privateRanges = (env.REACHABLE_PRIVATE_RANGES ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  for (const r of privateRanges) {
    const problem = privateRangeProblem(r);
    if (problem) throw new ConfigError(`REACHABLE_PRIVATE_RANGES: ${r} is ${problem}`);
  }
  // The sandbox's databases listen on 127.0.0.1. Lambda sets AWS_LAMBDA_RUNTIME_API in every
  // execution environment (serverless-offline and invoke local do not), so no variable a
  // deployed stage sets can open loopback, where the runtime API itself listens.
  const databaseAddresses = { loopback: local && !env.AWS_LAMBDA_RUNTIME_API, privateRanges };
  const drift = driftConfig(env, local);
  const rateLimit = rateLimitConfig(env);
  const config: ServiceConfig = {
    stage: env.STAGE ?? 'dev',
    local,
    region,
    tenantClaim,
    vendorName: (env.VENDOR_NAME ?? 'vendor').slice(0, 24),
    vendorPrincipalArn,
    profiles,
    egressAddresses,
    databaseAddresses,
    ...(drift ? { drift } : {}),
    ...(rateLimit ? { rateLimit } : {}),
  };
  const hosting = templateHosting(env);
  if (hosting) config.templateHosting = hosting;
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

function isCidr(text: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(text);
  if (!m) return false;
  const octets = m.slice(1, 5).map(Number);
  return octets.every((o) => o <= 255) && (m[5] === undefined || Number(m[5]) <= 32);
}

function templateHosting(env: NodeJS.ProcessEnv): TemplateHosting | undefined {
  const prefix = env.CFN_TEMPLATE_PREFIX ?? DEFAULT_TEMPLATE_PREFIX;
  if (prefix.length > 256 || !TEMPLATE_PREFIX.test(prefix)) {
    throw new ConfigError(
      'CFN_TEMPLATE_PREFIX must be empty or key segments of letters, digits, . _ - each ending in /',
    );
  }
  // serverless.ts passes an empty value for a stage that hosts no templates.
  const bucket = env.CFN_TEMPLATE_BUCKET ?? '';
  if (bucket === '') return undefined;
  // S3's own naming rules, minus dots: a dotted name breaks the TLS certificate of the
  // virtual-hosted URL the console fetches the template from.
  if (bucketNameProblem(bucket) !== undefined || bucket.includes('.')) {
    throw new ConfigError(
      'CFN_TEMPLATE_BUCKET must be an S3 bucket name: 3 to 63 lowercase letters, digits and hyphens, no dots',
    );
  }
  return { bucket, prefix };
}

function driftConfig(env: NodeJS.ProcessEnv, local: boolean): DriftConfig | undefined {
  const table = env.CONNECTIONS_TABLE?.trim();
  if (!table) return undefined;
  if (!/^[\w.-]{3,255}$/.test(table)) throw new ConfigError('CONNECTIONS_TABLE is not a DynamoDB table name');
  const period = env.DRIFT_PERIOD?.trim() || 'day';
  if (period !== 'hour' && period !== 'day') throw new ConfigError('DRIFT_PERIOD must be hour or day');
  const historyDays = Number(env.HISTORY_DAYS?.trim() || 90);
  if (!Number.isInteger(historyDays) || historyDays < 1 || historyDays > 3650)
    throw new ConfigError('HISTORY_DAYS must be a whole number of days from 1 to 3650');
  const queueUrl = env.DRIFT_QUEUE_URL?.trim();
  if (queueUrl && !/^https?:\/\/[^\s]+\/\d{12}\/[\w-]{1,80}$/.test(queueUrl))
    throw new ConfigError('DRIFT_QUEUE_URL is not an SQS queue URL');
  const queueName = env.DRIFT_QUEUE_NAME?.trim();
  if (queueName && !/^[\w-]{1,80}$/.test(queueName))
    throw new ConfigError('DRIFT_QUEUE_NAME is not an SQS queue name');
  // Local runs seal with a development key even where serverless.ts names the stage's KMS key:
  // they must work offline, and a local secret must never be sealed by a real key.
  const kmsKeyId = local ? undefined : env.CONNECTIONS_KMS_KEY_ID?.trim();
  // A deployed stage must never seal customers' secrets with a development key.
  if (!local && !kmsKeyId) throw new ConfigError('CONNECTIONS_KMS_KEY_ID is required outside local runs');
  return {
    table,
    eventBus: env.EVENT_BUS_NAME?.trim() || 'default',
    period,
    historyDays,
    ...(queueUrl ? { queue: { url: queueUrl } } : queueName ? { queue: { name: queueName } } : {}),
    ...(kmsKeyId ? { kmsKeyId } : {}),
  };
}

function rateLimitConfig(env: NodeJS.ProcessEnv): ServiceConfig['rateLimit'] {
  const table = env.RATE_LIMIT_TABLE?.trim();
  if (!table) return undefined;
  if (!/^[\w.-]{3,255}$/.test(table)) throw new ConfigError('RATE_LIMIT_TABLE is not a DynamoDB table name');
  const perMinute = Number(env.RATE_LIMIT_PER_MINUTE?.trim() || 60);
  if (!Number.isInteger(perMinute) || perMinute < 0 || perMinute > 100_000)
    throw new ConfigError('RATE_LIMIT_PER_MINUTE must be a whole number from 0 (no limit) to 100000');
  return perMinute === 0 ? undefined : { table, perMinute };
}
