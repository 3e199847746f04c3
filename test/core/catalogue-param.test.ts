import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/checks/index.ts';
import { createAwsAccess } from '../../src/core/aws.ts';
import type { Catalogue } from '../../src/core/catalogue.ts';
import type { CheckDescriptor, CheckRole } from '../../src/core/check.ts';
import type { Outcome } from '../../src/core/outcome.ts';
import { planChecks } from '../../src/core/plan.ts';
import type { Profile } from '../../src/core/profiles.ts';
import { verify } from '../../src/core/verify.ts';
import type { CheckId } from '../../src/core/wire.ts';
import { principalTarget, ROLE_ARN, silentLogger, verificationInfo } from '../support/context.ts';

/**
 * The engine knows no check: it runs whatever catalogue it is given, and learns what it must
 * treat specially (the identity, the external-ID gate, a clean-up, an after-run hook) from
 * declarations. These catalogues are made up; no AWS call is made.
 */

const principal = (
  id: CheckId,
  run: () => Outcome,
  extra: Partial<CheckDescriptor<'principal'>> & { role?: CheckRole } = {},
): CheckDescriptor<'principal'> => ({
  id,
  title: `Made-up ${id}`,
  scope: 'principal',
  dependsOn: [],
  calls: [],
  grants: () => [],
  run: async () => run(),
  explainDenial: () => ({ message: 'refused' }),
  ...extra,
});

const pass = (): Outcome => ({ status: 'pass', message: 'ok' });

function catalogueOf(checks: CheckDescriptor<'principal'>[], over: Partial<Catalogue> = {}): Catalogue {
  return {
    ...CATALOGUE,
    checks,
    planTargets: () => [],
    afterRun: { reserveMs: () => 0, run: async () => ({}) },
    ...over,
  };
}

const everything: Profile = {
  name: 'everything',
  description: 'every made-up check required',
  checks: {
    'sts.assume-role': 'required',
    'sts.external-id-required': 'required',
    'iam.simulate': 'required',
  },
  externalIdNotEnforced: 'fail',
};

async function verifyWith(catalogue: Catalogue) {
  return verify(
    { credentials: { type: 'role', roleArn: ROLE_ARN }, profile: 'everything' },
    verificationInfo(),
    {
      catalogue,
      aws: createAwsAccess(),
      logger: silentLogger(),
      serviceRegion: 'us-east-1',
      profiles: { everything },
    },
  );
}

describe('the engine, given a catalogue', () => {
  it('runs only the catalogue it is given, in its order', async () => {
    const report = await verifyWith(
      catalogueOf([
        principal('iam.simulate', pass),
        principal('sts.assume-role', pass, { role: 'identity' }),
      ]),
    );
    expect(report.checks.map((c) => [c.id, c.status])).toEqual([
      ['iam.simulate', 'pass'],
      ['sts.assume-role', 'pass'],
    ]);
  });

  it('gates every other check behind the check declared as the identity, whatever its id', async () => {
    const ran: string[] = [];
    const report = await verifyWith(
      catalogueOf([
        principal('iam.simulate', () => ({ status: 'fail', message: 'no identity' }), { role: 'identity' }),
        principal('sts.assume-role', () => {
          ran.push('sts.assume-role');
          return pass();
        }),
      ]),
    );
    expect(ran).toEqual([]);
    expect(report.checks.find((c) => c.id === 'sts.assume-role')).toMatchObject({
      status: 'skip',
      message: 'Skipped: iam.simulate did not pass.',
    });
  });

  it('lets the declared external-ID probe run beside the identity and gate the rest on a pass', async () => {
    const report = await verifyWith(
      catalogueOf([
        principal('sts.assume-role', pass, { role: 'identity' }),
        principal('sts.external-id-required', () => ({ status: 'warn', message: 'loose' }), {
          role: 'externalIdProbe',
        }),
        principal('iam.simulate', pass),
      ]),
    );
    expect(report.checks.map((c) => c.status)).toEqual(['pass', 'warn', 'skip']);
    expect(report.checks[2]?.message).toMatch(/^Not probed/);
  });

  it('adds what the after-run hook returns to the report, having shown it every settled outcome', async () => {
    let seen: string[] = [];
    const report = await verifyWith(
      catalogueOf([principal('sts.assume-role', pass, { role: 'identity' })], {
        afterRun: {
          reserveMs: () => 0,
          run: async (ctx) => {
            seen = [...ctx.settled.keys()];
            return { strandedProbes: [{ bucket: 'acme-data', key: 'probe' }] };
          },
        },
      }),
    );
    expect(seen).toEqual(['sts.assume-role@principal']);
    expect(report.strandedProbes).toEqual([{ bucket: 'acme-data', key: 'probe' }]);
  });

  it('shows session-only grants only for a check that declares it', async () => {
    const grants = () => [
      { actions: ['s3:ListBucket'], resources: ['arn:aws:s3:::acme-data'], sessionOnly: true },
    ];
    const report = await verifyWith(
      catalogueOf([
        principal('sts.assume-role', pass, { role: 'identity', grants, showsSessionOnlyGrants: true }),
        principal('iam.simulate', pass, { grants }),
      ]),
    );
    expect(report.checks.map((c) => c.actions)).toEqual([['s3:ListBucket'], []]);
  });
});

describe('planChecks', () => {
  const target = principalTarget({ sessionPolicies: [] });
  const none: Profile = { ...everything, checks: {} };

  it('plans a check the profile turns off only where it declares a clean-up, asking about the same target', () => {
    const asked: CheckId[] = [];
    const cleaner = principal('iam.simulate', pass, {
      cleansUp: (_t, requirementOf) => {
        asked.push('sts.assume-role');
        return requirementOf('sts.assume-role') === 'off';
      },
    });
    const planned = planChecks([principal('sts.assume-role', pass), cleaner], [target], none, 'onboarding');
    expect(planned.map((p) => [p.check.id, p.requirement])).toEqual([['iam.simulate', 'off']]);
    expect(asked).toEqual(['sts.assume-role']);
  });
});

describe('CheckId', () => {
  it('is the registry’s ids: an id no check declares does not compile', () => {
    const known: CheckId = 's3.delete';
    // @ts-expect-error no check of the registry declares it (tsc --noEmit fails if CheckId were any string)
    const unknown: CheckId = 's3.teleport';
    expect([known, unknown]).toHaveLength(2);
    expect(CATALOGUE.checks.map((c) => c.id)).toContain(known);
  });
});
