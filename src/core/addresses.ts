import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Where `redshift.reachable` may open a TCP connection. The endpoint comes from the customer's
 * own cluster, so its name can resolve anywhere: the rule keeps this service from knocking on
 * its own host (the instance metadata service, the Lambda runtime API) or on the vendor's
 * private network on a customer's behalf.
 */
export interface AddressRule {
  /**
   * The sandbox's databases listen on 127.0.0.1: only a local run may reach loopback, and
   * loadConfig never grants it inside a Lambda execution environment.
   */
  loopback: boolean;
  /** CIDRs inside PRIVATE_RANGES that the vendor's product really reaches (`REACHABLE_PRIVATE_RANGES`). */
  privateRanges: readonly string[];
}

/** What a deployed function may reach: public addresses only. */
export const PUBLIC_ONLY: AddressRule = { loopback: false, privateRanges: [] };

/** RFC 1918, the shared address space of carrier-grade NAT (RFC 6598) and IPv6 unique local addresses. */
export const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7'];

const cidrs = (texts: readonly string[]) => texts.map((t) => ipaddr.parseCIDR(t));

/**
 * The ranges, parsed on first use rather than when the module loads: every function loads this
 * module with its configuration, and only `redshift.reachable` and a configured
 * `REACHABLE_PRIVATE_RANGES` need them (a profile of verify's init put ~1.7 ms in ipaddr.js
 * before; after, it was no longer among the entries above 0.6 ms).
 */
const ranges = memo(() => ({
  /** Never a database endpoint, whatever the configuration: this host's own services and the unroutable. */
  NEVER: [
    { why: 'unspecified', ranges: cidrs(['0.0.0.0/8', '::/128']) },
    { why: 'link-local (the instance metadata service)', ranges: cidrs(['169.254.0.0/16', 'fe80::/10']) },
    // AWS's IPv6 instance metadata service and DNS resolver sit inside fc00::/7.
    { why: 'the instance metadata service', ranges: cidrs(['fd00:ec2::/32']) },
    { why: 'multicast or broadcast', ranges: cidrs(['224.0.0.0/4', '240.0.0.0/4', 'ff00::/8']) },
    {
      why: 'a deprecated or discard-only IPv6 form',
      ranges: cidrs(['fec0::/10', '100::/64', '::/96', '64:ff9b:1::/48']),
    },
  ],
  LOOPBACK: cidrs(['127.0.0.0/8', '::1/128']),
  PRIVATE: cidrs(PRIVATE_RANGES),
  TRANSLATED: cidrs(['::ffff:0:0/96', '::ffff:0:0:0/96', '64:ff9b::/96']),
  SIX_TO_FOUR: cidrs(['2002::/16']),
}));

function memo<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => {
    value ??= make();
    return value;
  };
}

type Address = ipaddr.IPv4 | ipaddr.IPv6;
const within = (a: Address, ranges: [Address, number][]) =>
  ranges.some(([net, bits]) => a.kind() === net.kind() && a.match(net, bits));

const v4Of = (parts: number[], at: number) =>
  new ipaddr.IPv4([
    (parts[at] ?? 0) >> 8,
    (parts[at] ?? 0) & 0xff,
    (parts[at + 1] ?? 0) >> 8,
    (parts[at + 1] ?? 0) & 0xff,
  ]);

/**
 * The IPv4 address an IPv6 one carries to the same host: IPv4-mapped (`::ffff:7f00:1`), its
 * SIIT form (RFC 6145), NAT64's well-known prefix (`64:ff9b::a9fe:a9fe`) and 6to4.
 */
function embeddedV4(a: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const { TRANSLATED, SIX_TO_FOUR } = ranges();
  if (within(a, TRANSLATED)) return v4Of(a.parts, 6);
  if (within(a, SIX_TO_FOUR)) return v4Of(a.parts, 1);
  return undefined;
}

/**
 * Why this service must not connect to an address, or undefined when it may. Anything that is
 * not an address fails closed.
 */
export function addressProblem(address: string, rule: AddressRule): string | undefined {
  // Node's strict forms only: ipaddr.js also reads `1.2.3` and `0x7f.1`, which no resolver gives.
  if (!isIP(address)) return 'not an IP address';
  const { SIX_TO_FOUR, LOOPBACK, NEVER, PRIVATE } = ranges();
  const parsed = ipaddr.parse(address);
  const v4 = parsed.kind() === 'ipv6' ? embeddedV4(parsed as ipaddr.IPv6) : undefined;
  if (v4) {
    const inner = addressProblem(v4.toString(), rule);
    // 6to4 is a public IPv6 address in its own right; the mapped and NAT64 forms are the IPv4 host.
    if (inner || !within(parsed, SIX_TO_FOUR)) return inner;
  }
  // Before NEVER, whose ::/96 holds ::1.
  if (within(parsed, LOOPBACK))
    return rule.loopback ? undefined : 'loopback (this host, the Lambda runtime API)';
  const never = NEVER.find((n) => within(parsed, n.ranges));
  if (never) return never.why;
  if (within(parsed, PRIVATE) && !within(parsed, cidrs(rule.privateRanges)))
    return 'private, outside the networks this deployment reaches (is the endpoint publicly accessible?)';
  return undefined;
}

export const forbiddenAddress = (address: string, rule: AddressRule) =>
  addressProblem(address, rule) !== undefined;

/** Why a `REACHABLE_PRIVATE_RANGES` entry is refused, or undefined when it is a CIDR inside a private range. */
export function privateRangeProblem(text: string): string | undefined {
  // Four-part decimal only: ipaddr.js also reads forms such as `10.1/8`, which a reader would not.
  const valid = text.includes(':')
    ? ipaddr.IPv6.isValidCIDR(text)
    : ipaddr.IPv4.isValidCIDRFourPartDecimal(text);
  if (!valid) return 'not a CIDR block (an address, "/" and a prefix length)';
  const [net, bits] = ipaddr.parseCIDR(text);
  const inside = ranges().PRIVATE.some(
    ([p, pBits]) => net.kind() === p.kind() && bits >= pBits && net.match(p, pBits),
  );
  return inside ? undefined : `not inside a private range (${PRIVATE_RANGES.join(', ')})`;
}
