import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHECK_IDS } from '../../src/checks/index.ts';
import { addressProblem, forbiddenAddress, PUBLIC_ONLY } from '../../src/core/addresses.ts';
import { ConfigError, loadConfig } from '../../src/core/config.ts';

const LOCAL = { loopback: true, privateRanges: [] };

describe('the address rule of redshift.reachable', () => {
  it('refuses link-local (instance metadata), loopback (the Lambda runtime API), unspecified and multicast', () => {
    for (const a of [
      '169.254.169.254',
      '127.0.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '::',
      '::1',
      'fe80::1',
      'fd00:ec2::254',
      'ff02::1',
    ])
      expect(forbiddenAddress(a, PUBLIC_ONLY), a).toBe(true);
    for (const a of ['52.94.133.131', '2600:1f18::1', '203.0.113.10'])
      expect(forbiddenAddress(a, PUBLIC_ONLY), a).toBe(false);
  });

  it('refuses the IPv4-mapped, SIIT, NAT64 and 6to4 forms of a forbidden IPv4 address', () => {
    for (const a of [
      '::ffff:7f00:1',
      '::ffff:127.0.0.1',
      '::ffff:a9fe:a9fe',
      '::ffff:169.254.169.254',
      '::ffff:0:a9fe:a9fe',
      '64:ff9b::a9fe:a9fe',
      '64:ff9b::169.254.169.254',
      '64:ff9b::a00:105',
      '2002:a9fe:a9fe::1',
      // The deprecated IPv4-compatible form and NAT64's local-use prefix are never an endpoint.
      '::7f00:1',
      '64:ff9b:1::a9fe:a9fe',
    ])
      expect(forbiddenAddress(a, PUBLIC_ONLY), a).toBe(true);
    expect(addressProblem('::ffff:a9fe:a9fe', PUBLIC_ONLY)).toContain('metadata');
    // The same forms of a public address are that public address.
    for (const a of ['::ffff:34d5:8583', '64:ff9b::34d5:8583', '2002:34d5:8583::1'])
      expect(forbiddenAddress(a, PUBLIC_ONLY), a).toBe(false);
  });

  it('refuses private ranges unless the deployment lists them', () => {
    const privates = [
      '10.0.1.5',
      '172.16.0.9',
      '172.31.255.1',
      '192.168.1.1',
      '100.64.0.1',
      'fc00::1',
      'fd12::1',
    ];
    for (const a of privates) {
      expect(forbiddenAddress(a, PUBLIC_ONLY), a).toBe(true);
      if (!a.includes(':')) expect(forbiddenAddress(`::ffff:${a}`, PUBLIC_ONLY), a).toBe(true);
    }
    expect(addressProblem('10.0.1.5', PUBLIC_ONLY)).toContain('publicly accessible');
    const vpc = { loopback: false, privateRanges: ['10.0.0.0/16', 'fd12::/16'] };
    expect(forbiddenAddress('10.0.1.5', vpc)).toBe(false);
    expect(forbiddenAddress('::ffff:10.0.1.5', vpc)).toBe(false);
    expect(forbiddenAddress('fd12::1', vpc)).toBe(false);
    expect(forbiddenAddress('10.1.0.5', vpc)).toBe(true);
    expect(forbiddenAddress('192.168.1.1', vpc)).toBe(true);
    // Not even a listed range opens the metadata service's IPv6 address.
    expect(forbiddenAddress('fd00:ec2::254', { loopback: false, privateRanges: ['fd00::/8'] })).toBe(true);
    // 172.32/16 is public, outside 172.16/12.
    expect(forbiddenAddress('172.32.0.1', PUBLIC_ONLY)).toBe(false);
  });

  it('opens loopback only to a local run, and nothing else with it', () => {
    for (const a of ['127.0.0.1', '::1', '::ffff:7f00:1']) expect(forbiddenAddress(a, LOCAL), a).toBe(false);
    for (const a of ['169.254.169.254', '10.0.0.1', '::ffff:a9fe:a9fe'])
      expect(forbiddenAddress(a, LOCAL), a).toBe(true);
  });

  it('fails closed on anything that is not an address', () => {
    for (const a of ['', 'localhost', '1.2.3', '::g', '999.1.1.1'])
      expect(forbiddenAddress(a, LOCAL), a).toBe(true);
  });

  it('judges every IPv4 address and its mapped, SIIT and NAT64 forms alike, whatever the rule', () => {
    const octets = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255));
    const rule = fc.record({
      loopback: fc.boolean(),
      privateRanges: fc.subarray(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/24', '100.64.0.0/10']),
    });
    fc.assert(
      fc.property(octets, rule, ([a, b, c, d], r) => {
        const v4 = `${a}.${b}.${c}.${d}`;
        const hex = (x: number, y: number) => ((x << 8) | y).toString(16);
        const tail = `${hex(a, b)}:${hex(c, d)}`;
        const expected = forbiddenAddress(v4, r);
        for (const form of [`::ffff:${v4}`, `::ffff:${tail}`, `::ffff:0:${tail}`, `64:ff9b::${tail}`])
          expect(forbiddenAddress(form, r), form).toBe(expected);
      }),
      { numRuns: 2_000 },
    );
  });

  it('never opens link-local, multicast or unspecified, whatever the rule', () => {
    const rule = fc.record({ loopback: fc.boolean(), privateRanges: fc.constant(['10.0.0.0/8']) });
    const bad = fc.oneof(
      fc.tuple(fc.nat(255), fc.nat(255)).map(([c, d]) => `169.254.${c}.${d}`),
      fc.tuple(fc.integer({ min: 224, max: 255 }), fc.nat(255)).map(([a, d]) => `${a}.0.0.${d}`),
      fc.nat(255).map((d) => `0.0.0.${d}`),
      fc.nat(0xffff).map((x) => `fe80::${x.toString(16)}`),
      fc.nat(0xffff).map((x) => `fd00:ec2::${x.toString(16)}`),
    );
    fc.assert(
      fc.property(bad, rule, (address, r) => {
        expect(forbiddenAddress(address, r), address).toBe(true);
      }),
    );
  });
});

describe('REACHABLE_PRIVATE_RANGES', () => {
  it('is read at start-up into the rule, empty by default', () => {
    expect(loadConfig({}, CHECK_IDS).databaseAddresses).toEqual({ loopback: true, privateRanges: [] });
    expect(
      loadConfig({ REACHABLE_PRIVATE_RANGES: ' 10.20.0.0/16, fd12:3456::/32 ' }, CHECK_IDS).databaseAddresses
        .privateRanges,
    ).toEqual(['10.20.0.0/16', 'fd12:3456::/32']);
  });

  it.each([
    ['10.0.0.0', 'not a CIDR block'],
    ['10.1/16', 'not a CIDR block'],
    ['8.8.8.0/24', 'not inside a private range'],
    ['169.254.0.0/16', 'not inside a private range'],
    ['127.0.0.0/8', 'not inside a private range'],
    ['10.0.0.0/7', 'not inside a private range'],
    ['fe80::/10', 'not inside a private range'],
  ])('refuses %s: %s', (value, words) => {
    expect(() => loadConfig({ REACHABLE_PRIVATE_RANGES: value }, CHECK_IDS)).toThrow(ConfigError);
    expect(() => loadConfig({ REACHABLE_PRIVATE_RANGES: value }, CHECK_IDS)).toThrow(
      `REACHABLE_PRIVATE_RANGES: ${value} is ${words}`,
    );
  });

  it('never opens loopback inside a Lambda execution environment, whatever the stage sets', () => {
    const deployed = {
      AWS_LAMBDA_FUNCTION_NAME: 'aws-access-verifier-prod-verify',
      AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9001',
      EXTERNAL_ID_SECRET_PARAMETER: '/aws-access-verifier/prod/external-id-secret',
      VENDOR_PRINCIPAL_ARN: 'arn:aws:iam::999988887777:role/aws-access-verifier-prod',
    };
    expect(loadConfig(deployed, CHECK_IDS).databaseAddresses.loopback).toBe(false);
    expect(loadConfig({ ...deployed, IS_LOCAL: 'true' }, CHECK_IDS).databaseAddresses.loopback).toBe(false);
    expect(loadConfig({ ...deployed, IS_OFFLINE: 'true' }, CHECK_IDS).databaseAddresses.loopback).toBe(false);
    // serverless-offline and invoke local: the sandbox's databases.
    expect(
      loadConfig(
        { AWS_LAMBDA_FUNCTION_NAME: 'aws-access-verifier-dev-verify', IS_OFFLINE: 'true' },
        CHECK_IDS,
      ).databaseAddresses.loopback,
    ).toBe(true);
  });
});
