import type { Logger } from '@aws-lambda-powertools/logger';

import type { AwsAccess } from './aws.ts';
import type { FactsOf, PrincipalFacts, TemporaryCredentials } from './facts.ts';
import type { Grant, Refusal } from './iam-documents.ts';
import type { Outcome } from './outcome.ts';
import type { PrincipalTarget, Scope, Target, TargetOf } from './targets.ts';
import type { CheckId, Requirement } from './wire.ts';

/** The check interface: what a check declares, and what it is given when it runs. */

export interface VerificationInfo {
  id: string;
  tenantId: string;
  externalId: string;
  vendorName: string;
  vendorPrincipalArn: string;
  startedAt: Date;
  /** The addresses this service connects from, as the vendor configured them (for IP allowlists). */
  egressAddresses: readonly string[];
  /** What a role that does not enforce the external ID gets: `fail` unless the profile lowers it. */
  externalIdNotEnforced: 'fail' | 'warn';
}

export interface CheckContext<S extends Scope> {
  target: TargetOf<S>;
  facts: FactsOf[S];
  principal: PrincipalFacts;
  principalTarget: PrincipalTarget;
  verification: VerificationInfo;
  aws: AwsAccess;
  /** Aborted at the verification's deadline; pass it to every AWS call. */
  signal: AbortSignal;
  logger: Logger;
  /**
   * Settled outcome of another check on the same target (or the target named), on demand: only
   * of a check this one declares in `dependsOn` (any kind), or the promise rejects.
   */
  outcomeOf(id: CheckId, targetKey?: string): Promise<Outcome | undefined>;
}

export interface Dependency {
  id: CheckId;
  /**
   * hard: starts once it passed or warned, else `skip`. soft: starts once it settled, whatever
   * it said. beside: starts at once, beside it (its calls are safe to make before it answers),
   * and its verdict stands only where it passed or warned, else the `skip` a hard one gives.
   * asked: not waited for; `ctx.outcomeOf` may ask for it while the check runs (on demand).
   */
  kind: 'hard' | 'soft' | 'beside' | 'asked';
  /**
   * Whose check it is: this target's (the default), the principal's, the buckets' a KMS key is
   * used through (`viaBuckets`), or every target's the check is planned on (`all`).
   */
  on?: 'principal' | 'viaBuckets' | 'all';
}

/** An AWS API call, as AWS names the operation (`PutObject`). */
export type AwsCall = string;

/**
 * What the engine must know of a check beyond its scope, instead of naming it:
 * - `identity`: establishes the principal's sessions; every check but the identity roles waits for it.
 * - `externalIdProbe`: proves the role refuses a missing or wrong external ID; where required,
 *   no resource is touched until it passed.
 * - `simulation`: asks IAM about every other planned check's grants (not its own); a no-write
 *   verification (`probe: 'simulate'`) grants its calls even where it is not planned.
 */
export type CheckRole = 'identity' | 'externalIdProbe' | 'simulation';

/**
 * The identity roles act with the service's own credentials or establish the sessions, touching
 * no customer resource: they run first, beside the tenant's rate count; every other check waits
 * behind the gates (graph.ts) and the admission (execute.ts).
 */
export const isIdentityCheck = (check: { role?: CheckRole }) =>
  check.role === 'identity' || check.role === 'externalIdProbe';

/** `Id`: the check's own id, literal, so the registry's ids make `CheckId` (src/checks/index.ts). */
export interface CheckDescriptor<S extends Scope = Scope, Id extends string = CheckId> {
  id: Id;
  title: string;
  scope: S;
  role?: CheckRole;
  /**
   * Every check it waits for or asks for (`ctx.outcomeOf` refuses any other). The engine adds
   * the identity gates of core/gates.ts to every resource check.
   */
  dependsOn: readonly Dependency[];
  /**
   * The AWS calls it makes one after another when AWS answers as expected: its share of the
   * longest chain (test/critical-path.test.ts). Calls made side by side count once.
   */
  calls: readonly AwsCall[] | ((target: TargetOf<S>) => readonly AwsCall[]);
  /** Calls it may add on an odd answer (a redirect, a refusal, a retry's 412, a failure's diagnosis). */
  mayCall?: readonly AwsCall[];
  /** Whether the check means anything for this target (e.g. external IDs only for roles). */
  appliesTo?(target: TargetOf<S>): boolean;
  /**
   * Planned even where the profile turns it off, when this says so: a clean-up of what another
   * check leaves behind (`requirementOf` answers for the same target and mode).
   */
  cleansUp?(target: TargetOf<S>, requirementOf: (id: CheckId) => Requirement): boolean;
  /** The report lists its session-only grants too (they are what it exercised). */
  showsSessionOnlyGrants?: boolean;
  /** The IAM actions and resources it needs: the session policy, remediation and setup come from here. */
  grants(target: TargetOf<S>): Grant[];
  run(ctx: CheckContext<S>): Promise<Outcome>;
  /** How it explains an AWS refusal of one of its calls (what AWS named in it): at least the message. */
  explainDenial(
    target: TargetOf<S>,
    ctx: CheckContext<S>,
    refusal?: Refusal,
  ): Pick<Outcome, 'message'> & Partial<Outcome>;
}

export type AnyCheck =
  | CheckDescriptor<'principal'>
  | CheckDescriptor<'bucket'>
  | CheckDescriptor<'kms'>
  | CheckDescriptor<'redshift'>;

export type AnyContext =
  | CheckContext<'bucket'>
  | CheckContext<'principal'>
  | CheckContext<'kms'>
  | CheckContext<'redshift'>;

/**
 * The credentials of the session a target's checks run in. A missing session is the engine's
 * defect (the identity gate let the check run without one), not the customer's.
 */
export function sessionFor(ctx: {
  principal: PrincipalFacts;
  target: { session?: number; label: string };
}): TemporaryCredentials {
  const session = ctx.target.session ?? 0;
  const credentials = ctx.principal.sessions[session];
  if (!credentials) throw new Error(`no session ${session} for ${ctx.target.label}`);
  return credentials;
}

/** Whether a check runs on a target: of its scope, and not excluded by its `appliesTo`. */
export function appliesTo(check: AnyCheck, target: Target): boolean {
  if (check.scope !== target.kind) return false;
  // The scope test above is what makes this call type-safe.
  return (check.appliesTo as ((t: Target) => boolean) | undefined)?.(target) ?? true;
}

/** A check's grants for a target of its scope. */
export const grantsOf = (check: AnyCheck, target: Target): Grant[] =>
  (check.grants as (t: Target) => Grant[])(target);
