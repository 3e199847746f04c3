import * as v from 'valibot';
import { parseKmsKeyArn, parseRoleArn } from './arn.ts';
import type { Catalogue } from './catalogue.ts';
import { grantsOf } from './check.ts';
import { type FieldError, fieldErrors, type Parsed, profileErrors, redshiftErrors } from './field-errors.ts';
import { planChecks } from './plan.ts';
import { planSessions, SESSION_POLICY_LIMIT, SessionPolicyTooLong } from './policy.ts';
import { BUILTIN_PROFILES, type ProfileRegistry, profileNamed } from './profiles.ts';
import { type Partition, partitionOfRegion, type Region } from './regions.ts';
import { verifyRequestSchema } from './request-schema.ts';
import type { VerifyRequest } from './wire.ts';

/** POST /verify's body: the schema (request-schema.ts), then the checks across fields. */

/**
 * Checks across fields: every region and ARN must belong to the partition of the credentials.
 * A key pair's partition is its region's, or without one the service's, where verify calls it.
 */
function partitionErrors(req: VerifyRequest, serviceRegion: Region): FieldError[] {
  const errors: FieldError[] = [];
  const c = req.credentials;
  const partition: Partition | undefined =
    c.type === 'role' ? parseRoleArn(c.roleArn)?.partition : partitionOfRegion(req.region ?? serviceRegion);
  if (!partition) return errors;
  const check = (path: string, p: Partition | undefined) => {
    if (p && p !== partition)
      errors.push({ path, message: `is in partition ${p}, the credentials in ${partition}` });
  };
  if (req.region) check('region', partitionOfRegion(req.region));
  // Without a region, STS is called in the service's: a role of another partition needs its own.
  else if (partitionOfRegion(serviceRegion) !== partition)
    errors.push({
      path: 'region',
      message: `required: the credentials are in partition ${partition}, this service's region ${serviceRegion} is not`,
    });
  req.s3?.forEach((b, i) => {
    if (b.region) check(`s3[${i}].region`, partitionOfRegion(b.region));
    if (b.kmsKeyArn) check(`s3[${i}].kmsKeyArn`, parseKmsKeyArn(b.kmsKeyArn)?.partition);
  });
  req.kms?.forEach((k, i) => {
    check(`kms[${i}].keyArn`, parseKmsKeyArn(k.keyArn)?.partition);
  });
  req.redshift?.forEach((r, i) => {
    if (r.region) check(`redshift[${i}].region`, partitionOfRegion(r.region));
    if (r.copyRoleArn) check(`redshift[${i}].copyRoleArn`, parseRoleArn(r.copyRoleArn)?.partition);
  });
  return errors;
}

/**
 * AWS takes at most 2,048 characters of session policy per AssumeRole. Targets share sessions
 * when they fit, but one Redshift target's own grants (a db group ARN each) can exceed it alone:
 * measured here with the planner verify uses, in both modes, so it is a 400 and not a failure
 * deep in the verification. A key pair has no session policy, so no such limit.
 */
function sessionPolicyErrors(
  req: VerifyRequest,
  profiles: ProfileRegistry,
  serviceRegion: Region,
  catalogue: Catalogue,
) {
  const errors: FieldError[] = [];
  const role = req.credentials.type === 'role' ? parseRoleArn(req.credentials.roleArn) : undefined;
  if (!role) return errors;
  const profile = profileNamed(req.profile, profiles);
  const where = { partition: role.partition, region: req.region ?? serviceRegion, account: role.account };
  req.redshift?.forEach((input, i) => {
    const [target] = catalogue.planTargets({ redshift: [input] }, where);
    if (!target) return;
    for (const mode of ['onboarding', 'drift'] as const) {
      const grants = planChecks(catalogue.checks, [target], profile, mode).flatMap((p) =>
        grantsOf(p.check, target),
      );
      try {
        planSessions([grants], role.partition);
      } catch (err) {
        if (!(err instanceof SessionPolicyTooLong)) throw err;
        errors.push({
          path: input.dbGroups?.length ? `redshift[${i}].dbGroups` : `redshift[${i}]`,
          message: `the access to verify needs ${err.length} characters of session policy, over AWS's ${SESSION_POLICY_LIMIT.toLocaleString('en-US')}: name fewer or shorter groups`,
        });
        return;
      }
    }
  });
  return errors;
}

export function parseVerifyRequest(
  /** What sizes the session policies: the checks and how their targets are planned. */
  catalogue: Catalogue,
  body: unknown,
  profiles: ProfileRegistry = BUILTIN_PROFILES,
  /** Where STS is called when the request names no region; its partition is a key pair's. */
  serviceRegion: Region = 'us-east-1',
): Parsed<VerifyRequest> {
  const result = v.safeParse(verifyRequestSchema, body, { abortEarly: false, abortPipeEarly: true });
  const unknownProfile = profileErrors(body, profiles);
  if (!result.success) return { ok: false, errors: [...fieldErrors(result.issues), ...unknownProfile] };
  const value = result.output as VerifyRequest;
  const errors = [
    ...unknownProfile,
    ...redshiftErrors(value.redshift),
    ...partitionErrors(value, serviceRegion),
  ];
  // Sized only once every target is whole and in the credentials' partition.
  if (!errors.length) errors.push(...sessionPolicyErrors(value, profiles, serviceRegion, catalogue));
  return errors.length ? { ok: false, errors } : { ok: true, value };
}
