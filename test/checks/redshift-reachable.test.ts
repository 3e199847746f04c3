import { createServer } from 'node:net';
import { DescribeClustersCommand, RedshiftClient } from '@aws-sdk/client-redshift';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { redshiftReachable } from '../../src/checks/redshift-reachable.ts';
import { connectOnce, forbiddenAddress } from '../../src/core/aws.ts';
import { redshiftError } from '../support/aws-errors.ts';
import { ACCOUNT, redshiftContext, run } from '../support/context.ts';

const redshift = mockClient(RedshiftClient);
const HOST = 'analytics.abc123.us-west-2.redshift.amazonaws.com';
const socketError = (code: string) => Object.assign(new Error(code), { code });

describe('redshift.reachable', () => {
  beforeEach(() => {
    redshift.reset();
    redshift
      .on(DescribeClustersCommand)
      .resolves({ Clusters: [{ ClusterIdentifier: 'analytics', Endpoint: { Address: HOST, Port: 5439 } }] });
  });

  it('connects to the endpoint DescribeClusters gives, sending nothing', async () => {
    const connect = vi.fn(async () => {});
    const outcome = await run(redshiftReachable, redshiftContext(undefined, { connect }));
    expect(outcome.status).toBe('pass');
    expect(connect).toHaveBeenCalledWith(HOST, 5439);
    expect(redshift).toReceiveCommandWith(DescribeClustersCommand, { ClusterIdentifier: 'analytics' });
  });

  it.each([
    ['ECONNREFUSED', 'refused'],
    ['ETIMEDOUT', 'security group'],
    ['ENOTFOUND', 'does not resolve'],
  ])('fails on %s with what to allow, naming the service’s egress addresses', async (code, words) => {
    const outcome = await run(
      redshiftReachable,
      redshiftContext(undefined, {
        connect: async () => {
          throw socketError(code);
        },
        verification: { egressAddresses: ['203.0.113.10/32'] },
      }),
    );
    expect(outcome.status).toBe('fail');
    expect(outcome.message).toContain(words);
    expect(outcome.remediation).toBe(
      'Allow inbound TCP 5439 from 203.0.113.10/32 (this service’s addresses, also in GET /setup) in the security group and any allowlist.'.replace(
        '’',
        "'",
      ),
    );
    expect(outcome.missing).toEqual([]);
  });

  it('skips, saying how to let it test, when the endpoint cannot be read (seed 000 grants no Describe)', async () => {
    redshift
      .on(DescribeClustersCommand)
      .rejects(
        redshiftError(
          'AccessDenied',
          403,
          `User: x is not authorized to perform: redshift:DescribeClusters on resource: arn:aws:redshift:us-west-2:${ACCOUNT}:cluster:analytics`,
        ),
      );
    const connect = vi.fn(async () => {});
    const outcome = await run(redshiftReachable, redshiftContext(undefined, { connect }));
    expect(outcome.status).toBe('skip');
    expect(outcome.message).toContain(
      `redshift:DescribeClusters on arn:aws:redshift:us-west-2:${ACCOUNT}:cluster:analytics`,
    );
    expect(connect).not.toHaveBeenCalled();
  });

  it('never asks the customer for Describe: it is only allowed in the session', () => {
    const { target } = redshiftContext();
    expect(redshiftReachable.grants(target).every((g) => g.sessionOnly)).toBe(true);
  });
});

describe('connectOnce', () => {
  it('rejects, within its bound, with a socket code redshift.reachable explains, an address nothing answers on', async () => {
    // 192.0.2.0/24 is TEST-NET-1, never routed: the SYN goes unanswered (timeout), or the
    // network refuses it, depending on the machine; each must come back as a code.
    const began = Date.now();
    const err = await connectOnce('192.0.2.1', 5439, new AbortController().signal, 200).catch(
      (e: unknown) => e,
    );
    expect(['ETIMEDOUT', 'ENETUNREACH', 'EHOSTUNREACH', 'ECONNREFUSED']).toContain(
      (err as { code?: string }).code,
    );
    expect(Date.now() - began).toBeLessThan(5_000);
  });
});

describe('where the verifier never connects', () => {
  it('refuses link-local (instance metadata), loopback (the Lambda runtime API), unspecified and multicast', () => {
    for (const a of [
      '169.254.169.254',
      '127.0.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '::1',
      'fe80::1',
      'fd00:ec2::254',
      '::ffff:169.254.169.254',
    ]) {
      expect(forbiddenAddress(a, false), a).toBe(true);
    }
    for (const a of ['10.0.1.5', '172.31.0.9', '52.94.133.131', '2600:1f18::1'])
      expect(forbiddenAddress(a, false), a).toBe(false);
    // Only local runs reach the sandbox's databases on loopback.
    expect(forbiddenAddress('127.0.0.1', true)).toBe(false);
    expect(forbiddenAddress('169.254.169.254', true)).toBe(true);
  });

  it('checks the address DNS gives, not only a literal, before any packet leaves', async () => {
    const server = createServer((s) => s.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const signal = new AbortController().signal;
    try {
      await expect(connectOnce('127.0.0.1', port, signal, 1_000)).rejects.toMatchObject({
        code: 'EFORBIDDENADDRESS',
      });
      await expect(connectOnce('localhost', port, signal, 1_000)).rejects.toMatchObject({
        code: 'EFORBIDDENADDRESS',
      });
      await expect(connectOnce('127.0.0.1', port, signal, 1_000, true)).resolves.toBeUndefined();
    } finally {
      server.close();
    }
  });

  it('reports such an endpoint as inconclusive, never a customer failure', async () => {
    const outcome = await run(
      redshiftReachable,
      redshiftContext(undefined, {
        connect: () => connectOnce('169.254.169.254', 5439, new AbortController().signal, 1_000),
      }),
    );
    expect(outcome.status).toBe('error');
    expect(outcome.message).toContain('never connects to');
  });
});
