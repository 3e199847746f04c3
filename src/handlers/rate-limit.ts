import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { bounded, CALL_LIMITS } from '../core/aws.ts';
import { dynamoRateLimiter, type RateLimiter } from '../core/rate-limit.ts';
import type { AppDeps } from '../core/tenant-use-cases.ts';

// Apart from app.ts so that only the rate-limited functions bundle the DynamoDB client.
/** The stage's per-tenant limiter, if it configures one (`RATE_LIMIT_TABLE`). */
export function rateLimiterFor(services: AppDeps): RateLimiter | undefined {
  const rate = services.config.rateLimit;
  if (!rate) return undefined;
  return dynamoRateLimiter(
    new DynamoDBClient({ region: services.config.region, ...bounded(CALL_LIMITS, 16) }),
    rate.table,
    rate.perMinute,
    services.logger,
  );
}
