import { DescribeClustersCommand, RedshiftClient } from '@aws-sdk/client-redshift';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { redshiftReachable } from '../../src/checks/redshift-reachable.ts';
import { connectOnce } from '../../src/core/aws.ts';
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
  it('gives up within its bound on an address that never answers', async () => {
    // 192.0.2.0/24 is TEST-NET-1: never routed, so the SYN goes unanswered (or is refused at once).
    const began = Date.now();
    const err = await connectOnce('192.0.2.1', 5439, new AbortController().signal, 200).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect(Date.now() - began).toBeLessThan(5_000);
  });
});
