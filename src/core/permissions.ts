/**
 * What the service's own role may do, declared by the modules that make the calls (the way
 * Cloud Custodian's resources declare `permissions`) and composed into IAM statements by
 * serverless.ts. Data only, with no runtime import: serverless.ts reads these without pulling
 * in the SDK, and a test runs each module against mocks to hold the declaration to its calls.
 */

/** The service's own resources, named as serverless.ts creates or reaches them. */
export type ServiceResource =
  /** Any role in any account: customers' roles, assumed with the tenant's external ID. */
  | 'customerRoles'
  /** The SSM SecureString parameter holding the external-ID secret. */
  | 'secretParameter'
  /** The connections table and its indexes (connections, runs, tenants, rate counters). */
  | 'table'
  | 'tableIndexes'
  | 'driftQueue'
  /** The account's default EventBridge bus, where change events go. */
  | 'defaultBus'
  /** The KMS key that seals saved connections' key pairs. */
  | 'connectionsKey'
  /** The vendor's bucket for GET /setup's templates, under the stage's prefix. */
  | 'templateBucket';

export type IamCondition = Readonly<Record<string, Readonly<Record<string, string>>>>;

export interface Permission {
  /** As IAM authorizes the call, which is not always the call's name (SendMessageBatch is sqs:SendMessage). */
  readonly actions: readonly string[];
  readonly resources: readonly ServiceResource[];
  readonly condition?: IamCondition;
  /** The calls that need it, and where they are made. */
  readonly why: string;
}

export interface IamStatement {
  Effect: 'Allow';
  Action: string[];
  Resource: (string | Record<string, unknown>)[];
  Condition?: Record<string, Record<string, string>>;
}

/**
 * The smallest policy granting exactly what was declared: each action on the union of the
 * resources declared for it (per condition), then one statement per set of resources and
 * condition. A module declaring less than another (UpdateItem on the table alone) thus adds
 * no statement of its own.
 */
export function statementsOf(
  permissions: readonly Permission[],
  arnOf: (resource: ServiceResource) => IamStatement['Resource'][number],
): IamStatement[] {
  const order = [...new Set(permissions.flatMap((p) => p.resources))];
  const grants = new Map<
    string,
    { action: string; condition?: IamCondition; resources: Set<ServiceResource> }
  >();
  for (const p of permissions) {
    for (const action of p.actions) {
      const key = JSON.stringify([action, p.condition ?? null]);
      const grant = grants.get(key) ?? {
        action,
        ...(p.condition ? { condition: p.condition } : {}),
        resources: new Set(),
      };
      for (const r of p.resources) grant.resources.add(r);
      grants.set(key, grant);
    }
  }
  const statements = new Map<string, IamStatement>();
  for (const { action, condition, resources } of grants.values()) {
    const sorted = order.filter((r) => resources.has(r));
    const key = JSON.stringify([sorted, condition ?? null]);
    const statement = statements.get(key) ?? {
      Effect: 'Allow',
      Action: [],
      Resource: sorted.map(arnOf),
      ...(condition ? { Condition: conditionOf(condition) } : {}),
    };
    statement.Action.push(action);
    statements.set(key, statement);
  }
  return [...statements.values()].map((s) => ({ ...s, Action: s.Action.sort() }));
}

const conditionOf = (c: IamCondition): Record<string, Record<string, string>> =>
  Object.fromEntries(Object.entries(c).map(([operator, values]) => [operator, { ...values }]));
