import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { TenantVersionStore } from '../external-id-versions.ts';
import { conditionally } from './conditionally.ts';
import type { OpCounter } from './store.ts';

const tenantKey = (tenantId: string) => ({ pk: `T#${tenantId}`, sk: 'X#external-id' });

/**
 * The tenant → external-ID version record, one item per tenant in the drift table. A module of
 * its own: every function that issues external IDs reads it (verify, setup), and none of them
 * needs the rest of the connection store.
 */
export function tenantVersions(
  doc: DynamoDBDocumentClient,
  table: string,
  counter?: OpCounter,
): TenantVersionStore {
  const versions: TenantVersionStore = {
    /** The external-ID version the tenant was issued; none before its first ID. */
    async externalIdVersion(tenantId) {
      if (counter) counter.reads++;
      const out = await doc.send(
        new GetCommand({ TableName: table, Key: tenantKey(tenantId), ConsistentRead: true }),
      );
      return typeof out.Item?.version === 'string' ? out.Item.version : undefined;
    },

    /**
     * Records the version issued to the tenant. Without `replace`, only a tenant without one
     * gets it (two first calls at once agree on the first); returns the version now recorded.
     */
    async issueExternalIdVersion(tenantId, version, replace = false) {
      if (counter) counter.writes++;
      const item = { ...tenantKey(tenantId), version, issuedAt: new Date().toISOString() };
      const put = new PutCommand({
        TableName: table,
        Item: item,
        ...(replace ? {} : { ConditionExpression: 'attribute_not_exists(pk)' }),
      });
      if (await conditionally(doc.send(put))) return version;
      return (await versions.externalIdVersion(tenantId)) ?? version;
    },
  };
  return versions;
}
