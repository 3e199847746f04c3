import type { Logger } from '@aws-lambda-powertools/logger';
import type { AwsAccess } from './aws.ts';
import type { AnyCheck, AnyContext } from './check.ts';
import type { BucketFacts, KmsFacts, PrincipalFacts, RedshiftFacts } from './facts.ts';
import type { Grant, PolicyDocument } from './iam-documents.ts';
import type { Mode, Profile } from './profiles.ts';
import type { Partition, Region } from './regions.ts';
import type { Settled } from './runner.ts';
import type { ProbeMode, Scope, Target, TargetOf } from './targets.ts';
import type { Report, VerifyRequest } from './wire.ts';

/**
 * What the engine (plan, sessions, execution, report, setup) knows of the checks: only what
 * this object tells it. The composition root (tenant-use-cases.ts, the CLI) passes the registry's
 * (src/checks/index.ts); tests may pass a smaller one. Whatever belongs to one AWS service
 * (how its targets are planned, what its checks share, what is cleaned up after them) is a
 * hook here or a declaration on a check, never a check id named in the engine.
 */
export interface Catalogue {
  /** Every check, in report order. */
  readonly checks: readonly AnyCheck[];
  /** The request's resources as targets, in report order (each scope's after the previous one's). */
  planTargets(inputs: ResourceInputs, where: Placement): ResourceTarget[];
  /** A scope's own decisions on its targets before the checks are planned (a bucket's probe and marker). */
  prepareTargets(targets: readonly ResourceTarget[], o: PrepareOptions): void;
  /** A resource target's facts before any check ran. */
  initialFacts(target: ResourceTarget): ResourceFacts;
  /** The role session name a target's session must carry (a Redshift db user), if any. */
  sessionName(target: ResourceTarget): string | undefined;
  /** What a scope adds to the hint of every refusal of its checks (a bucket's unconfirmed owner). */
  denialHint(ctx: AnyContext): string | undefined;
  /** After the graph, in the time `afterRun.reserveMs` kept of the deadline. */
  readonly afterRun: AfterRun;
  /** What GET /setup grants besides the planned checks' (and a role it generates). */
  setupExtras(targets: readonly ResourceTarget[], o: SetupOptions): SetupExtras;
  /** Placeholder targets of every scope, to show each check's grants in GET /checks. */
  examples(): { [S in Scope]: TargetOf<S>[] };
}

export type ResourceTarget = Exclude<Target, { kind: 'principal' }>;
export type ResourceFacts = BucketFacts | KmsFacts | RedshiftFacts;
export type ResourceInputs = Pick<VerifyRequest, 's3' | 'kms' | 'redshift'>;

/** Where a request's resources are: the credentials' partition and the regions to assume. */
export interface Placement {
  partition: Partition;
  /** The request's region, or the service's: where a target naming none is. */
  region: Region;
  /** The region the request named, if any (a bucket's declared region). */
  requestRegion?: Region;
  /** The account the principal's ARN names, if known before the run. */
  account?: string;
}

export interface PrepareOptions {
  profile: Profile | undefined;
  mode: Mode;
  probe?: ProbeMode;
  placeMarkers?: boolean;
}

export interface AfterRunContext {
  targets: readonly ResourceTarget[];
  facts: ReadonlyMap<string, ResourceFacts>;
  /** Every settled outcome by `<check id>@<target key>`; a hook may settle a verdict anew. */
  settled: Map<string, Settled>;
  principal: PrincipalFacts;
  aws: AwsAccess;
  logger: Logger;
  /** When the hook must be done, on the performance clock. */
  untilMs: number;
}

export interface AfterRun {
  /** How much of the verification's deadline the graph leaves for `run`. */
  reserveMs(deadlineMs: number): number;
  /** Clean-ups and verdicts that need every outcome; returns what it adds to the report. */
  run(ctx: AfterRunContext): Promise<Pick<Report, 'strandedProbes'>>;
}

export interface SetupOptions {
  profile: Profile | undefined;
  partition: Partition;
  /** Generate the role Redshift assumes for COPY/UNLOAD, under this name (seed 002). */
  copyRole?: string;
}

export interface SetupExtras {
  grants: Grant[];
  copyRole?: CopyRole;
}

/** Seed 002's COPY role: Redshift in the clusters' region, for the product's db users only. */
export interface CopyRole {
  roleName: string;
  roleArn: string;
  trustPolicy: PolicyDocument;
  permissionPolicy: PolicyDocument;
}
