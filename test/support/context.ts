import { Logger } from '@aws-lambda-powertools/logger';
import { CATALOGUE } from '../../src/checks/index.ts';
import { planKmsTargets } from '../../src/checks/kms/targets.ts';
import { planRedshiftTargets } from '../../src/checks/redshift/redshift.ts';
import { planTargets } from '../../src/checks/s3/targets.ts';
import { createAwsAccess } from '../../src/core/aws.ts';
import type { AnyCheck, AnyContext, CheckContext, VerificationInfo } from '../../src/core/check.ts';
import { runCheck } from '../../src/core/execute.ts';
import type { BucketFacts, KmsFacts, PrincipalFacts, RedshiftFacts } from '../../src/core/facts.ts';
import type { Outcome } from '../../src/core/outcome.ts';
import type { Region } from '../../src/core/regions.ts';
import type { PrincipalTarget } from '../../src/core/targets.ts';
import type { BucketInput, CheckId, KmsInput, RedshiftInput } from '../../src/core/wire.ts';

/** Fixed values tests can assert on. AWS's documented example keys only. */
export const ACCOUNT = '111122223333';
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/VendorAccess`;
export const SESSION = {
  accessKeyId: 'ASIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  sessionToken: 'FwoGZXIvYXdzEXAMPLESESSIONTOKEN0123456789',
};
export const EXTERNAL_ID = 'v1-EXAMPLEexternalID0123456789abcd';

export function verificationInfo(over: Partial<VerificationInfo> = {}): VerificationInfo {
  return {
    id: '7f0c1a2b-0000-4000-8000-000000000001',
    tenantId: 't-123',
    externalId: EXTERNAL_ID,
    vendorName: 'acme',
    vendorPrincipalArn: 'arn:aws:iam::999988887777:role/aws-access-verifier-dev',
    startedAt: new Date('2026-11-22T10:00:00.000Z'),
    externalIdNotEnforced: 'fail',
    egressAddresses: [],
    ...over,
  };
}

export const silentLogger = () => new Logger({ serviceName: 'test', logLevel: 'SILENT' });

export function principalTarget(over: Partial<PrincipalTarget> = {}): PrincipalTarget {
  return {
    kind: 'principal',
    key: 'principal',
    label: ROLE_ARN,
    partition: 'aws',
    region: 'us-east-1',
    credentials: { type: 'role', roleArn: ROLE_ARN },
    account: ACCOUNT,
    sessionPolicies: ['{"Version":"2012-10-17","Statement":[]}'],
    ...over,
  };
}

type Dependencies = Partial<Record<CheckId, Outcome>>;

/**
 * A context for one bucket check, with real SDK clients (mock them with aws-sdk-client-mock)
 * and a session already won. `outcomes` answers ctx.outcomeOf for soft dependencies.
 */
export function bucketContext(
  input: BucketInput & { requestRegion?: Region },
  opts: {
    facts?: Partial<BucketFacts>;
    outcomes?: Dependencies;
    verification?: Partial<VerificationInfo>;
  } = {},
): CheckContext<'bucket'> {
  const [target] = planTargets([input], 'aws', input.requestRegion, 'us-east-1');
  if (!target) throw new Error('no target');
  const principal: PrincipalFacts = { account: ACCOUNT, arn: `${ROLE_ARN}/session`, sessions: [SESSION] };
  return {
    target,
    facts: { region: target.initialRegion, regionKnown: true, ownerConfirmed: false, ...opts.facts },
    principal,
    principalTarget: principalTarget(),
    verification: verificationInfo(opts.verification),
    aws: createAwsAccess(),
    signal: new AbortController().signal,
    logger: silentLogger(),
    outcomeOf: async (id) => opts.outcomes?.[id],
  };
}

export function principalContext(
  target: PrincipalTarget = principalTarget(),
  verification: Partial<VerificationInfo> = {},
): CheckContext<'principal'> {
  // For identity checks the facts they write are the principal's.
  const principal: PrincipalFacts = { sessions: [] };
  return {
    target,
    facts: principal,
    principal,
    principalTarget: target,
    verification: verificationInfo(verification),
    aws: createAwsAccess(),
    signal: new AbortController().signal,
    logger: silentLogger(),
    outcomeOf: async () => undefined,
  };
}

/** Runs a check through the core's own runner, so AWS errors are classified as in production. */
export function run(check: AnyCheck, ctx: AnyContext): Promise<Outcome> {
  return runCheck(check, ctx, ctx.logger, CATALOGUE.denialHint);
}

export const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

/**
 * A context for one KMS check. `viaBuckets` marks the key as a bucket's; `outcomes` answers
 * ctx.outcomeOf, keyed `<check id>@<target key>` for other targets (e.g. `s3.write@s3:0`).
 */
export function kmsContext(
  input: KmsInput = { keyArn: KEY_ARN },
  opts: {
    facts?: KmsFacts;
    viaBuckets?: { key: string; label: string }[];
    outcomes?: Record<string, Outcome>;
  } = {},
): CheckContext<'kms'> {
  const [target] = planKmsTargets([input], []);
  if (!target) throw new Error('no target');
  target.viaBuckets = opts.viaBuckets ?? [];
  return {
    target,
    facts: opts.facts ?? {},
    principal: { account: ACCOUNT, arn: `${ROLE_ARN}/session`, sessions: [SESSION] },
    principalTarget: principalTarget(),
    verification: verificationInfo(),
    aws: createAwsAccess(),
    signal: new AbortController().signal,
    logger: silentLogger(),
    outcomeOf: async (id, targetKey) => opts.outcomes?.[`${id}@${targetKey ?? target.key}`],
  };
}

export const CLUSTER = {
  clusterIdentifier: 'analytics',
  dbUser: 'vendor',
  dbName: 'dev',
  region: 'us-west-2',
} as const;

/** A context for one Redshift check; `connect` stands in for the TCP handshake. */
export function redshiftContext(
  input: RedshiftInput = { ...CLUSTER },
  opts: {
    facts?: RedshiftFacts;
    connect?: (host: string, port: number) => Promise<void>;
    principalAccount?: string;
    verification?: Partial<VerificationInfo>;
  } = {},
): CheckContext<'redshift'> {
  const [target] = planRedshiftTargets([input], 'aws', 'us-east-1', opts.principalAccount ?? ACCOUNT);
  if (!target) throw new Error('no target');
  const aws = createAwsAccess();
  const connect = opts.connect;
  if (connect) aws.connect = (host, port) => connect(host, port);
  return {
    target,
    facts: opts.facts ?? {},
    principal: { account: ACCOUNT, arn: `${ROLE_ARN}/vendor`, sessions: [SESSION] },
    principalTarget: principalTarget(),
    verification: verificationInfo(opts.verification),
    aws,
    signal: new AbortController().signal,
    logger: silentLogger(),
    outcomeOf: async () => undefined,
  };
}
