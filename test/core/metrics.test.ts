import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CHECK_IDS } from '../../src/checks/index.ts';
import type { DriftDeps } from '../../src/core/drift/connections.ts';
import type { ConnectionStore, StoredConnection } from '../../src/core/drift/store.ts';
import { workBatch } from '../../src/core/drift/worker.ts';
import { localDevSecret } from '../../src/core/external-id.ts';
import { powertoolsMetrics } from '../../src/core/metrics.ts';
import { createDeps } from '../../src/handlers/deps.ts';
import { tenantWorkDeps } from '../../src/handlers/factories/tenant-work.ts';
import { createVerifyHandler } from '../../src/handlers/factories/verify.ts';
import { assumeRoleDenied, stsError } from '../support/aws-errors.ts';
import { httpEvent, lambdaContext } from '../support/events.ts';

/**
 * The EMF documents Powertools Metrics writes to stdout, parsed as CloudWatch reads them:
 * verifications by status and profile with their duration, checks by id and status, drift runs
 * and changes; tenant ids only in metadata, no secret anywhere.
 */
const sts = mockClient(STSClient);
const ROLE = 'arn:aws:iam::111122223333:role/VendorAccess';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

interface Emf {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [key: string]: unknown;
}

const services = tenantWorkDeps(createDeps(CHECK_IDS));
const handler = createVerifyHandler(services);
let stdout = '';
beforeEach(() => {
  stdout = '';
  sts.reset();
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
});

function emf(): Emf[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{') && l.includes('"_aws"'))
    .map((l) => JSON.parse(l) as Emf);
}

/** The document carrying metric `name`, with its dimension names and values. */
function docsOf(name: string) {
  return emf()
    .filter((d) => d._aws.CloudWatchMetrics[0]?.Metrics.some((m) => m.Name === name))
    .map((d) => {
      const [directive] = d._aws.CloudWatchMetrics;
      const dimensions = Object.fromEntries((directive?.Dimensions[0] ?? []).map((k) => [k, d[k]]));
      return { doc: d, directive, dimensions, value: d[name] };
    });
}

describe('EMF metrics of a verification', () => {
  it('counts the verification by status and profile with its duration, and each check by id and status', async () => {
    sts.on(AssumeRoleCommand).rejects(assumeRoleDenied());
    const res = await handler(
      httpEvent({
        body: JSON.stringify({
          credentials: { type: 'role', roleArn: ROLE },
          profile: 'staging',
          s3: [{ bucket: 'acme-a' }, { bucket: 'acme-b' }],
        }),
      }),
      lambdaContext(),
    );
    const report = JSON.parse(res.body ?? '{}');

    const [verification, ...more] = docsOf('Verifications');
    expect(more).toEqual([]);
    expect(verification?.directive).toMatchObject({
      Namespace: 'AwsAccessVerifier',
      Metrics: [
        { Name: 'Verifications', Unit: 'Count' },
        { Name: 'VerificationDuration', Unit: 'Milliseconds' },
      ],
    });
    expect(verification?.dimensions).toEqual({
      service: 'aws-access-verifier',
      status: 'fail',
      profile: 'staging',
    });
    expect(verification?.value).toBe(1);
    expect(verification?.doc.VerificationDuration).toBe(report.durationMs);
    // The tenant and the verification are metadata: in the log line, never a dimension.
    expect(verification?.doc).toMatchObject({ tenantId: 't-123', verificationId: report.verificationId });

    const checks = docsOf('Checks').map((c) => ({ ...c.dimensions, n: c.value }));
    expect(checks).toContainEqual({
      service: 'aws-access-verifier',
      check: 'sts.assume-role',
      status: 'fail',
      n: 1,
    });
    // Two buckets: one document for the pair, counting both.
    expect(checks).toContainEqual({
      service: 'aws-access-verifier',
      check: 's3.write',
      status: 'skip',
      n: 2,
    });
    const total = checks.reduce((sum, c) => sum + Number(c.n), 0);
    expect(total).toBe(report.checks.length);

    for (const d of emf()) {
      const dims = d._aws.CloudWatchMetrics.flatMap((c) => c.Dimensions.flat());
      expect(dims).not.toContain('tenantId');
      expect(dims).not.toContain('verificationId');
    }
  });

  it('counts a request without a profile as profile "none", and writes no secret of a key pair', async () => {
    sts
      .on(GetCallerIdentityCommand)
      .rejects(
        stsError('InvalidClientTokenId', 403, 'The security token included in the request is invalid.'),
      );
    await handler(
      httpEvent({
        body: JSON.stringify({
          credentials: { type: 'accessKey', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: SECRET },
        }),
      }),
      lambdaContext(),
    );

    expect(docsOf('Verifications').map((d) => d.dimensions)).toEqual([
      { service: 'aws-access-verifier', status: 'fail', profile: 'none' },
    ]);
    expect(stdout.length).toBeGreaterThan(0);
    expect(stdout).not.toContain(SECRET);
    expect(stdout).not.toContain('AKIAIOSFODNN7EXAMPLE');
  });

  it('writes nothing when POWERTOOLS_METRICS_DISABLED is set, as in the rest of the suite', async () => {
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    sts.on(AssumeRoleCommand).rejects(assumeRoleDenied());
    await handler(
      httpEvent({ body: JSON.stringify({ credentials: { type: 'role', roleArn: ROLE } }) }),
      lambdaContext(),
    );
    expect(emf()).toEqual([]);
  });
});

describe('one sink, many documents', () => {
  it('writes each document with its own dimensions and metadata only, even after one that threw', () => {
    const sink = powertoolsMetrics();
    sink.emit({ status: 'fail', profile: 'staging' }, [{ name: 'Verifications', unit: 'Count', value: 1 }], {
      tenantId: 't-a',
    });
    // Powertools refuses a unit it does not know, after the dimensions and metadata went in.
    expect(() =>
      sink.emit({ check: 'x' }, [{ name: 'Checks', unit: 'Parsecs' as 'Count', value: 1 }], {
        tenantId: 't-b',
      }),
    ).toThrow();
    sink.emit({ check: 's3.write', status: 'pass' }, [{ name: 'Checks', unit: 'Count', value: 3 }]);

    const [first, ...others] = docsOf('Verifications');
    expect(others).toEqual([]);
    expect(first?.dimensions).toEqual({ service: 'aws-access-verifier', status: 'fail', profile: 'staging' });
    const [checks, ...more] = docsOf('Checks');
    expect(more).toEqual([]);
    expect(checks?.dimensions).toEqual({ service: 'aws-access-verifier', check: 's3.write', status: 'pass' });
    expect(checks?.doc).not.toHaveProperty('tenantId');
    expect(checks?.doc).not.toHaveProperty('Verifications');
  });
});

describe('EMF metrics of drift', () => {
  const connection: StoredConnection = {
    tenantId: 't-123',
    connectionId: '6a1f0c52-3b7e-4d2a-9c41-5f8e2d7b9a10',
    createdAt: '2026-11-30T10:00:00.000Z',
    request: { credentials: { type: 'role', roleArn: ROLE }, region: 'us-east-1' },
    lastStatus: 'pass',
    lastChecks: { [`sts.assume-role ${ROLE}`]: 'pass', [`sts.external-id-required ${ROLE}`]: 'pass' },
  };
  const ref = (connectionId: string) =>
    JSON.stringify({ tenantId: 't-123', connectionId, period: '2026-12-01' });

  function drift(claims: Record<string, 'claimed' | 'duplicate'>): DriftDeps {
    const store = {
      claim: async (r: { connectionId: string }) =>
        claims[r.connectionId] === 'claimed'
          ? { kind: 'claimed', connection, takeover: false, token: 'claim-token' }
          : { kind: 'duplicate' },
      addRun: async () => true,
      claimEvent: async () => 'claimed',
      confirmEvent: async () => undefined,
      release: async () => undefined,
      finish: async () => 'done',
    } as unknown as ConnectionStore;
    return {
      ...services,
      store,
      sealer: { seal: vi.fn(), open: vi.fn() } as unknown as DriftDeps['sealer'],
      historyDays: 1,
      publish: async () => undefined,
    };
  }

  it('counts runs by outcome, failed ones too, and a changed connection with the checks that moved', async () => {
    sts.on(AssumeRoleCommand).rejects(assumeRoleDenied());
    const claimed = connection.connectionId;
    const duplicate = '00000000-0000-4000-8000-000000000001';
    const failed = await workBatch(
      drift({ [claimed]: 'claimed', [duplicate]: 'duplicate' }),
      async () => localDevSecret(),
      [
        { messageId: 'm1', body: ref(claimed) },
        { messageId: 'm2', body: ref(duplicate) },
        { messageId: 'm3', body: 'not a reference' },
      ],
      services.logger,
    );
    expect(failed).toEqual(['m3']);

    const runs = docsOf('DriftRuns').map((d) => ({
      ...d.dimensions,
      n: d.value,
      connectionId: d.doc.connectionId,
    }));
    expect(runs).toEqual(
      expect.arrayContaining([
        { service: 'aws-access-verifier', outcome: 'verified', n: 1, connectionId: claimed },
        { service: 'aws-access-verifier', outcome: 'duplicate', n: 1, connectionId: duplicate },
        { service: 'aws-access-verifier', outcome: 'failed', n: 1, connectionId: undefined },
      ]),
    );
    expect(runs).toHaveLength(3);

    // pass → fail: sts.assume-role moved, sts.external-id-required (skipped now) moved too, and
    // iam.simulate (skipped behind it) is new since the connection's last run.
    const [change, ...others] = docsOf('DriftChanges');
    expect(others).toEqual([]);
    expect(change?.dimensions).toEqual({ service: 'aws-access-verifier', status: 'fail' });
    expect(change?.value).toBe(1);
    expect(change?.doc.DriftCheckChanges).toBe(3);
    expect(change?.doc).toMatchObject({ tenantId: 't-123', connectionId: claimed, period: '2026-12-01' });
    // The drift verification itself is counted like any other.
    expect(docsOf('Verifications').map((d) => d.dimensions.status)).toEqual(['fail']);
  });
});
