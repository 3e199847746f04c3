import type { Catalogue, ResourceFacts, ResourceTarget } from '../core/catalogue.ts';
import type { BucketFacts } from '../core/facts.ts';
import type { Grant } from '../core/iam-documents.ts';
import { requirementFor } from '../core/profiles.ts';
import type { BucketTarget, RedshiftTarget } from '../core/targets.ts';
import { exampleTargets } from './examples.ts';
import { iamSimulate } from './iam/simulate.ts';
import { kmsDecrypt } from './kms/decrypt.ts';
import { kmsEncrypt } from './kms/encrypt.ts';
import { kmsGenerateDataKey } from './kms/generate-data-key.ts';
import { planKmsTargets } from './kms/targets.ts';
import { redshiftCopyRole } from './redshift/copy-role.ts';
import { redshiftCredentials } from './redshift/credentials.ts';
import { redshiftReachable } from './redshift/reachable.ts';
import { planRedshiftTargets, sessionNameFor } from './redshift/redshift.ts';
import { redshiftServerlessCredentials } from './redshift/serverless-credentials.ts';
import { attachCopyRole } from './redshift/setup.ts';
import { s3BucketLocation } from './s3/bucket-location.ts';
import { settleBuckets } from './s3/bucket-owner.ts';
import { s3BucketRegion } from './s3/bucket-region.ts';
import { s3Delete } from './s3/delete.ts';
import { s3Encryption } from './s3/encryption.ts';
import { s3List } from './s3/list.ts';
import { listBucketsGrant, s3ListBuckets } from './s3/list-buckets.ts';
import { bucketDenialHint } from './s3/probe.ts';
import { s3Read } from './s3/read.ts';
import { cleanupReserveMs, removeStrandedProbes } from './s3/stranded.ts';
import { initialBucketFacts, planTargets, prepareBuckets } from './s3/targets.ts';
import { s3Write } from './s3/write.ts';
import { stsAssumeRole } from './sts/assume-role.ts';
import { stsCallerIdentity } from './sts/caller-identity.ts';
import { stsExternalIdRequired } from './sts/external-id-required.ts';

/**
 * Every check, in report order. Static imports on purpose: esbuild bundles only what it can
 * see, so a folder walk would ship an empty catalogue.
 */
export const CHECKS = [
  stsAssumeRole,
  stsExternalIdRequired,
  stsCallerIdentity,
  s3ListBuckets,
  s3BucketRegion,
  s3BucketLocation,
  s3List,
  s3Encryption,
  s3Write,
  s3Read,
  s3Delete,
  kmsGenerateDataKey,
  kmsEncrypt,
  kmsDecrypt,
  redshiftCredentials,
  redshiftServerlessCredentials,
  redshiftReachable,
  redshiftCopyRole,
  iamSimulate,
] as const;

/** The id of every check of the registry. */
export type CheckId = (typeof CHECKS)[number]['id'];

const only =
  <K extends ResourceTarget['kind']>(kind: K) =>
  (targets: readonly ResourceTarget[]) =>
    targets.filter((t): t is Extract<ResourceTarget, { kind: K }> => t.kind === kind);
const bucketsOf = only('bucket');
const warehousesOf = only('redshift');

/**
 * The catalogue the engine is given (src/core/catalogue.ts): the checks, and each service's
 * hooks. A new scope adds its targets, facts and hooks here.
 */
export const CATALOGUE: Catalogue = {
  checks: CHECKS,
  planTargets(inputs, where) {
    const buckets = planTargets(inputs.s3 ?? [], where.partition, where.requestRegion, where.region);
    // The keys the request names, and those its buckets name: what S3 asks of them.
    const keys = planKmsTargets(inputs.kms ?? [], buckets);
    const warehouses = planRedshiftTargets(
      inputs.redshift ?? [],
      where.partition,
      where.region,
      where.account,
    );
    return [...buckets, ...keys, ...warehouses];
  },
  prepareTargets: (targets, o) => prepareBuckets(bucketsOf(targets), o),
  initialFacts: (t): ResourceFacts => (t.kind === 'bucket' ? initialBucketFacts(t) : {}),
  denialHint: bucketDenialHint,
  sessionName: (t) => (t.kind === 'redshift' ? sessionNameFor(t) : undefined),
  afterRun: {
    reserveMs: cleanupReserveMs,
    async run(ctx) {
      const buckets: readonly BucketTarget[] = bucketsOf(ctx.targets);
      const facts = ctx.facts as Map<string, BucketFacts>;
      const stranded = await removeStrandedProbes(
        buckets,
        facts,
        ctx.settled,
        ctx.principal,
        ctx,
        ctx.untilMs,
      );
      settleBuckets(buckets, facts, ctx.settled, ctx.principal);
      return stranded.length ? { strandedProbes: stranded } : {};
    },
  },
  setupExtras(targets, o) {
    const grants: Grant[] = [];
    // A bucket picker's ListBuckets is granted only where the profile asks for it.
    if (requirementFor('s3.list-buckets', o.profile) !== 'off') grants.push(listBucketsGrant(o.partition));
    if (!o.copyRole) return { grants };
    const warehouses: readonly RedshiftTarget[] = warehousesOf(targets);
    const attached = attachCopyRole(o.copyRole, warehouses, bucketsOf(targets), o.partition);
    return { grants: [...grants, ...attached.grants], copyRole: attached.copyRole };
  },
  examples: exampleTargets,
};

/** The ids vendor profiles may name: what an entry that verifies gives the configuration. */
export const CHECK_IDS: readonly CheckId[] = CHECKS.map((c) => c.id);
