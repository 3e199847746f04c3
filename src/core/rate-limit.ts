import type { Logger } from '@aws-lambda-powertools/logger';
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';

export { permissions } from './rate-limit.permissions.ts';

export type Take = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface RateLimiter {
  readonly perMinute: number;
  take(tenantId: string, now?: number): Promise<Take>;
}

/**
 * A per-tenant fixed window of one minute, counted in the service's table by one conditional
 * `UpdateItem` per request (the counter expires with the table's TTL). Every instance of every
 * function shares it, which an in-memory count could not. If the table itself fails, the
 * request goes through: a limiter must not turn a DynamoDB hiccup into an outage.
 */
export function dynamoRateLimiter(
  client: DynamoDBClient,
  table: string,
  perMinute: number,
  logger: Logger,
): RateLimiter {
  const doc = DynamoDBDocumentClient.from(client);
  return {
    perMinute,
    async take(tenantId, now = Date.now()) {
      const minute = Math.floor(now / 60_000);
      try {
        await doc.send(
          new UpdateCommand({
            TableName: table,
            Key: { pk: `RATE#${tenantId}`, sk: String(minute) },
            UpdateExpression: 'ADD n :one SET expiresAt = :ttl',
            ConditionExpression: 'attribute_not_exists(n) OR n < :limit',
            ExpressionAttributeValues: { ':one': 1, ':limit': perMinute, ':ttl': (minute + 2) * 60 },
          }),
        );
        return { allowed: true };
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException) {
          return {
            allowed: false,
            retryAfterSeconds: Math.max(1, Math.ceil(((minute + 1) * 60_000 - now) / 1000)),
          };
        }
        logger.warn('rate limit not counted', { error: (err as Error).name });
        return { allowed: true };
      }
    },
  };
}
