import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/** The sparse index the dispatcher pages through (store.ts). */
export const BY_SHARD = 'byShard';

/**
 * The table's shape, once: serverless.ts declares it from here and the local DynamoDB
 * (dynalite) is created from here, so the two cannot drift apart.
 */
export const TABLE_SHAPE: Omit<CreateTableCommandInput, 'TableName'> = {
  BillingMode: 'PAY_PER_REQUEST',
  AttributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' },
    { AttributeName: 'sk', AttributeType: 'S' },
    { AttributeName: 'gsi1pk', AttributeType: 'S' },
    { AttributeName: 'gsi1sk', AttributeType: 'S' },
  ],
  KeySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ],
  GlobalSecondaryIndexes: [
    {
      IndexName: BY_SHARD,
      KeySchema: [
        { AttributeName: 'gsi1pk', KeyType: 'HASH' },
        { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
      ],
      // The dispatcher reads references only.
      Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['tenantId', 'connectionId'] },
    },
  ],
};

/** Runs expire from history by this attribute (epoch seconds). */
export const TTL_ATTRIBUTE = 'expiresAt';
