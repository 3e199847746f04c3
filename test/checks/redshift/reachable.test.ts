import { createServer } from 'node:net';
import { DescribeClustersCommand, RedshiftClient } from '@aws-sdk/client-redshift';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { redshiftReachable } from '../../../src/checks/redshift/reachable.ts';
import { PUBLIC_ONLY } from '../../../src/core/addresses.ts';
import { connectOnce, type Resolver } from '../../../src/core/aws.ts';
import { redshiftError } from '../../support/aws-errors.ts';
import { ACCOUNT, redshiftContext, run } from '../../support/context.ts';

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

describe('connectOnce by host name', () => {
  it('surfaces the code redshift.reachable explains when every address of a name refuses', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    await new Promise((r) => server.close(r));
    // Two addresses, as a dual-stack name gives: Node tries both and reports one error.
    const both: Resolver = (_host, options, callback) =>
      options.all
        ? callback(null, [
            { address: '::1', family: 6 },
            { address: '127.0.0.1', family: 4 },
          ])
        : callback(null, '::1', 6);
    const err = await connectOnce(
      'db.example',
      port,
      new AbortController().signal,
      1_000,
      { loopback: true, privateRanges: [] },
      both,
    ).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('ECONNREFUSED');
  });
});

describe('where the verifier never connects', () => {
  const LOCAL = { loopback: true, privateRanges: [] };

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
      await expect(connectOnce('::ffff:7f00:1', port, signal, 1_000)).rejects.toMatchObject({
        code: 'EFORBIDDENADDRESS',
      });
      await expect(connectOnce('127.0.0.1', port, signal, 1_000, LOCAL)).resolves.toBeUndefined();
    } finally {
      server.close();
    }
  });

  it('connects by host name, as every real endpoint is given (Node asks the lookup for all addresses)', async () => {
    // Before the fix: TypeError [ERR_INVALID_IP_ADDRESS]: Invalid IP address: undefined.
    const server = createServer((s) => s.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    try {
      await expect(
        connectOnce('localhost', port, new AbortController().signal, 1_000, LOCAL),
      ).resolves.toBeUndefined();
    } finally {
      server.close();
    }
  });

  it('checks every address a name resolves to, and connects to none when one is forbidden', async () => {
    const server = createServer((s) => s.end());
    let accepted = 0;
    server.on('connection', () => {
      accepted++;
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const asked: unknown[] = [];
    const resolver =
      (addresses: string[]): Resolver =>
      (_host, options, callback) => {
        asked.push(options.all);
        const list = addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
        if (options.all) callback(null, list);
        else callback(null, list[0]?.address ?? '', list[0]?.family);
      };
    const signal = new AbortController().signal;
    const host = 'analytics.abc123.us-west-2.redshift.amazonaws.com';
    try {
      for (const bad of [
        '169.254.169.254',
        '::ffff:a9fe:a9fe',
        '64:ff9b::a9fe:a9fe',
        '10.0.1.5',
        'fd00:ec2::254',
      ]) {
        const err = await connectOnce(host, port, signal, 1_000, LOCAL, resolver(['127.0.0.1', bad])).catch(
          (e: unknown) => e,
        );
        expect(err, bad).toMatchObject({ code: 'EFORBIDDENADDRESS' });
        expect((err as Error).message).toContain(`${host} resolves to ${bad}`);
      }
      expect(accepted).toBe(0);
      await expect(
        connectOnce(host, port, signal, 1_000, LOCAL, resolver(['127.0.0.1'])),
      ).resolves.toBeUndefined();
      expect(accepted).toBe(1);
      expect(asked.every((all) => all === true)).toBe(true);
      await expect(
        connectOnce(host, port, signal, 1_000, PUBLIC_ONLY, resolver(['10.0.1.5'])),
      ).rejects.toMatchObject({ code: 'EFORBIDDENADDRESS' });
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
