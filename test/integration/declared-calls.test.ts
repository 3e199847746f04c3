import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import { EXTERNAL_ID, TENANT, useSandbox } from '../../sandbox/harness.ts';
import { WORLDS } from '../../sandbox/worlds/index.ts';
import { CATALOGUE, CHECK_IDS } from '../../src/checks/index.ts';
import { createAwsAccess } from '../../src/core/aws.ts';
import type { AnyCheck } from '../../src/core/check.ts';
import { loadConfig } from '../../src/core/config.ts';
import { planVerification } from '../../src/core/plan.ts';
import { profileNamed } from '../../src/core/profiles.ts';
import { parseVerifyRequest } from '../../src/core/request.ts';
import { verify } from '../../src/core/verify.ts';
import type { CheckId } from '../../src/core/wire.ts';
import { worldsSandbox } from '../support/worlds-sandbox.ts';

/**
 * Each check sends only the calls its descriptor declares (`calls`, and `mayCall` for odd
 * answers): every world of the library, through the real SDK against the sandbox, with each
 * call told to the test by the check that sent it. The longest-chain figures
 * (test/critical-path.test.ts) are computed from these declarations, so they hold only if this does.
 */
const sandbox = worldsSandbox();
const byId = new Map<CheckId, AnyCheck>(CATALOGUE.checks.map((c) => [c.id, c]));

describe('the calls each check declares', () => {
  const seen = new Set<string>();

  it.each(Object.keys(WORLDS))('%s: each check sent only what it declares', async (name) => {
    const c = WORLDS[name];
    if (!c) throw new Error(name);
    const world = c.world(EXTERNAL_ID);
    sandbox().setWorld(world);
    useSandbox(sandbox(), world);
    const parsed = parseVerifyRequest(CATALOGUE, c.request);
    if (!parsed.ok) throw new Error(`${name}: invalid request`);
    const config = loadConfig({ AWS_REGION: 'us-east-1', VENDOR_NAME: 'acme' }, CHECK_IDS);
    const sent: { check: CheckId; operation: string }[] = [];

    const report = await verify(
      parsed.value,
      {
        id: crypto.randomUUID(),
        tenantId: TENANT,
        externalId: EXTERNAL_ID,
        vendorName: config.vendorName,
        vendorPrincipalArn: config.vendorPrincipalArn,
        egressAddresses: config.egressAddresses,
        startedAt: new Date(),
        externalIdNotEnforced: profileNamed(parsed.value.profile)?.externalIdNotEnforced ?? 'fail',
      },
      {
        catalogue: CATALOGUE,
        aws: createAwsAccess(undefined, { addresses: config.databaseAddresses }),
        logger: new Logger({ logLevel: 'SILENT' }),
        serviceRegion: 'us-east-1',
        onCall: (check, operation) => sent.push({ check, operation }),
      },
    );

    expect(report.checks.length).toBeGreaterThan(0);
    const plan = planVerification(CATALOGUE, parsed.value, {
      profile: profileNamed(parsed.value.profile),
      mode: 'onboarding',
      serviceRegion: 'us-east-1',
    });
    const undeclared = sent.filter(({ check, operation }) => {
      const d = byId.get(check);
      const declared = plan.planned
        .filter((p) => p.check.id === check)
        .flatMap((p) => (typeof d?.calls === 'function' ? d.calls(p.target as never) : (d?.calls ?? [])));
      return !declared.includes(operation) && !(d?.mayCall ?? []).includes(operation);
    });
    expect(undeclared).toEqual([]);
    for (const s of sent) seen.add(`${s.check} ${s.operation}`);
    sandbox().requests.length = 0;
  });

  it('saw each check that called AWS in the worlds send every call it declares for the expected path', () => {
    // A declared call no world makes is a declaration no test holds.
    const calling = new Set([...seen].map((s) => s.split(' ')[0]));
    expect(calling.size).toBeGreaterThan(15);
    const expected = CATALOGUE.checks
      .filter((c) => calling.has(c.id))
      .flatMap((c) => (typeof c.calls === 'function' ? [] : c.calls).map((op) => `${c.id} ${op}`));
    expect(expected.filter((e) => !seen.has(e))).toEqual([]);
  });
});
